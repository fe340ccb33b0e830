/**
 * deploy-ecs, declared to the core: its inputs, its deploy (loaded when the inputs are sound, so a step that
 * fails on its inputs never loads the AWS SDK), and its part of the outputs, summary and report.
 */
import { defineDeployAction } from '../../../core/deploy.js';
import { runDefinedAction } from '../../../core/run.js';
import { getInputs, type Inputs } from './inputs.js';
import { initialResult, type DeployResult } from './result.js';
import { buildReport, buildSummary, outputs } from './summary.js';

export const deployEcs = defineDeployAction<Inputs, DeployResult>({
  name: 'deploy-ecs',
  inputs: source => getInputs(source),
  // A GitHub deployment when asked for, of a rollout only: not of a dry run or a registration without service.
  deployment: inputs =>
    inputs.github && inputs.service && !inputs.dryRun
      ? {
          ...inputs.github,
          target: `ecs:${lastSegment(inputs.cluster)}/${inputs.services.map(lastSegment).join(',')}`,
          tokenInput: 'github-token'
        }
      : undefined,
  // Several services: one release over deploy.ts's phases (services.ts).
  run: async (inputs, ctx) =>
    inputs.services.length > 1
      ? (await import('./services.js')).deployServices(inputs, ctx)
      : (await import('./deploy.js')).deploy(inputs, ctx),
  initial: initialResult,
  outputs,
  report: buildReport,
  summary: buildSummary
});

/** A name, or the name at the end of an ARN. */
const lastSegment = (nameOrArn: string) => nameOrArn.split('/').pop() ?? nameOrArn;

export const main = () => runDefinedAction(deployEcs);
