/**
 * The inputs of gated promotion, read with the step's other inputs before any AWS call (no SDK here):
 * `smoke-test`, a command run while a PAUSE hook holds the deployment at POST_TEST_TRAFFIC_SHIFT (smoke-test.ts),
 * and `continue-deployment` / `continue-action`, which act on a deployment a PAUSE hook holds (pause.ts) instead
 * of starting one.
 */
import type { DeploymentLifecycleHookAction } from '@aws-sdk/client-ecs';
import type { InputReader } from '../../../core/inputs.js';
import { RENDER_INPUTS } from './registered.js';
import { TRAFFIC_SHIFT_INPUTS } from './strategy-inputs.js';

/** `continue-deployment` and `continue-action`: a paused service deployment to continue or roll back. */
export interface ContinueInputs {
  serviceDeploymentArn: string;
  action: DeploymentLifecycleHookAction;
}

export interface GateInputs {
  /** `smoke-test`, split into words (no shell). */
  smokeTest?: string[];
  continuing?: ContinueInputs;
}

export interface GateContext {
  service?: string;
  wait: boolean;
  waitUntil: string;
  /** splitCommand (inputs.ts): the words, or why the text is not a command. */
  split: (text: string) => string[] | { error: string };
}

const SERVICE_DEPLOYMENT_ARN =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service-deployment\/[^/\s]+\/[^/\s]+\/[^/\s]+$/;

/** What starts a deployment of its own, and so cannot go with `continue-deployment`. */
const DEPLOYING_INPUTS = [
  ...RENDER_INPUTS,
  'task-definition-arn',
  'run-task',
  'desired-count',
  'volume-configurations',
  'enable-execute-command',
  'strategy',
  'alarms',
  'smoke-test',
  ...TRAFFIC_SHIFT_INPUTS
];

/** Switches (`false` by default) that make a deployment of their own when on. */
const ON_INPUTS = ['force-new-deployment', 'dry-run'];

export function gateInputs(r: InputReader, context: GateContext): GateInputs {
  return { smokeTest: smokeTestInput(r, context), continuing: continueInput(r, context) };
}

/** `smoke-test`: words, and the inputs it needs (a service, and a wait that reaches test traffic). */
function smokeTestInput(r: InputReader, context: GateContext): string[] | undefined {
  const text = r.raw('smoke-test');
  if (text === '') return undefined;
  const words = context.split(text);
  if (!Array.isArray(words)) {
    r.fail('smoke-test', words.error, "To use shell features, write it as: sh -c 'your | pipeline'.");
    return undefined;
  }
  if (context.service === undefined)
    r.fail('smoke-test', "needs 'service'.", 'Name the service whose deployment it tests.');
  if (!context.wait)
    r.fail(
      'smoke-test',
      "cannot run with 'wait: false': the step must follow the deployment to its test traffic.",
      "Remove 'wait: false', or the smoke test."
    );
  if (context.waitUntil === 'test-traffic')
    r.fail(
      'smoke-test',
      "cannot run with 'wait-until: test-traffic', which ends the step before the smoke test could decide.",
      "Use 'wait-until: production-traffic' or 'completed' with a smoke test."
    );
  return words;
}

/**
 * Reads `continue-deployment` and `continue-action`. The step then continues that deployment and follows it; the
 * inputs that start a deployment of their own are refused with it.
 */
export function continueInput(r: InputReader, context: { service?: string }): ContinueInputs | undefined {
  const arn = r.raw('continue-deployment');
  const action = r.choice('continue-action', ['continue', 'rollback'], 'continue', { ignoreCase: true });
  if (arn === '') {
    if (r.raw('continue-action') !== '')
      r.fail(
        'continue-action',
        "needs 'continue-deployment'.",
        'Name the paused service deployment to act on.'
      );
    return undefined;
  }
  if (!SERVICE_DEPLOYMENT_ARN.test(arn))
    r.fail(
      'continue-deployment',
      `'${arn}' is not a service deployment ARN.`,
      "Pass the 'service-deployment-arn' output of the step that paused (arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>)."
    );
  if (context.service === undefined)
    r.fail('continue-deployment', "needs 'service'.", 'Name the service the deployment belongs to.');
  const together = [
    ...DEPLOYING_INPUTS.filter(name => r.raw(name) !== ''),
    ...ON_INPUTS.filter(name => r.raw(name).toLowerCase() === 'true')
  ];
  if (together.length > 0)
    r.fail(
      'continue-deployment',
      `acts on a deployment already started, so it cannot be combined with ${together.map(n => `'${n}'`).join(', ')}.`,
      `Remove ${together.length === 1 ? 'that input' : 'those inputs'} from the continuing step; they belong to the step that started the deployment.`
    );
  return { serviceDeploymentArn: arn, action: action === 'rollback' ? 'ROLLBACK' : 'CONTINUE' };
}
