/**
 * deploy-eks, declared to the core: its inputs, its deploy (loaded when the inputs are sound, so a step that
 * fails on its inputs loads neither the AWS SDK nor the cluster client), and its part of the outputs, summary and
 * report.
 */
import { defineDeployAction } from '../../../core/deploy.js';
import { runDefinedAction } from '../../../core/run.js';
import { getInputs, type Inputs } from './inputs.js';
import { initialResult, type DeployResult } from './result.js';
import { buildReport, buildSummary, outputs } from './summary.js';

export const deployEks = defineDeployAction<Inputs, DeployResult>({
  name: 'deploy-eks',
  inputs: source => getInputs(source),
  run: async (inputs, ctx) => (await import('./deploy.js')).deploy(inputs, ctx),
  initial: initialResult,
  outputs,
  report: buildReport,
  summary: buildSummary
});

export const main = () => runDefinedAction(deployEks);
