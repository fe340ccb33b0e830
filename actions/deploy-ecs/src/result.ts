/**
 * What one deploy-ecs run found and did: the phases (deploy.ts) fill it in, summary.ts and the outputs read it.
 * Free of AWS code (types aside), so main.ts can declare the action without loading the SDK.
 */
import type { DeploymentLifecycleHookAction, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { deployBase, type DeployBase } from '../../../core/deploy.js';
import type { CleanupResult } from './cleanup.js';
import type { TaskDefinitionDiff } from './diff.js';
import type { Inputs } from './inputs.js';
import type { LaunchSettings } from './launch-settings.js';
import type { GateState } from './gates.js';
import type { FieldProblem } from './normalise.js';
import type { RollbackResult } from './rollback.js';
import type { RolloutResult } from './rollout.js';
import type { RunTaskResult } from './runtask.js';
import type { StrategyView } from './stage-progress.js';
import type { StrategyName } from './strategy-inputs.js';
import type { StrategyRollback } from './strategy-rollback.js';

export interface DeployResult extends DeployBase {
  cluster: string;
  service?: string;
  family?: string;
  taskDefinitionArn?: string;
  revision?: number;
  registered?: boolean;
  /** `task-definition-arn`: the registered revision was deployed as it is. */
  givenRevision?: boolean;
  /** Dry run: whether a new revision would be registered. */
  wouldRegister?: boolean;
  previousTaskDefinitionArn?: string;
  deploymentId?: string;
  rendered?: RegisterTaskDefinitionRequest;
  diff?: TaskDefinitionDiff;
  runTask?: RunTaskResult;
  rollout?: RolloutResult;
  rollback?: RollbackResult;
  cleanup?: CleanupResult;
  /** The verify step: problems found (the step then stopped before any write) and checks skipped. */
  verify?: { problems: FieldProblem[]; skipped: string[]; checked: string[]; notes?: string[] };
  /** Empty values removed from the task definition file, by field path. */
  removed?: string[];
  /** What the step sets besides the revision: volumes configured at launch, ECS Exec. */
  launch?: LaunchSettings;
  /** The service deployment this step started (`currentServiceDeployment`), when ECS named one. */
  serviceDeploymentArn?: string;
  /** The deployment's strategy, what the step changed of its configuration, what following it saw. */
  strategy?: StrategyOutcome;
  /** The smoke test and the pause the step ended at (gates.ts). */
  gates?: GateState;
  /** `continue-deployment`: the action ContinueServiceDeployment was sent with. */
  continued?: DeploymentLifecycleHookAction;
  /** A release to several services (services.ts): each service's own result, in the order of `service`. */
  services?: DeployResult[];
}

export interface StrategyOutcome {
  name: StrategyName;
  /** What the strategy inputs change (`strategy ROLLING → BLUE_GREEN`); empty when nothing is sent. */
  changes: string[];
  /** What following a BLUE_GREEN, LINEAR or CANARY service deployment saw. */
  view?: StrategyView;
  /** The step's own rollback of such a deployment (StopServiceDeployment ROLLBACK). */
  rollback?: StrategyRollback;
}

/** The result before any phase ran (and the step's result when the inputs did not validate). */
export function initialResult(inputs: Inputs | undefined): DeployResult {
  return {
    ...deployBase(inputs?.warnings),
    cluster: inputs?.cluster ?? '',
    service: inputs?.service,
    launch: inputs?.launch
  };
}
