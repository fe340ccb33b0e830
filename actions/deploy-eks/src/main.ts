/**
 * deploy-eks, declared to the core lifecycle: its inputs, its function, how a result becomes outputs,
 * summary and report. No AWS or cluster logic here.
 */
import { runDefinedAction, type ActionDefinition } from '../../../core/run.js';
import { deployToCluster, type DeployResult } from './deploy.js';
import { getInputs, type Inputs } from './inputs.js';
import { finish } from './summary.js';

export const deployEks: ActionDefinition<Inputs, DeployResult> = {
  name: 'deploy-eks',
  inputs: source => getInputs(source),
  timeoutMs: inputs => inputs.timeoutMs,
  run: (inputs, ctx) => deployToCluster(inputs, ctx),
  finish
};

export const main = () => runDefinedAction(deployEks);
