/**
 * `task-definition-arn`: deploy a revision that is already registered, as it is (promoting the revision a test
 * environment ran, or going back to a known one), as aws-actions/amazon-ecs-deploy-task-definition#882 asks.
 * Nothing is rendered or registered; the inputs that would change the task definition are refused with it, and
 * verify still checks what the revision references (images, secrets, log groups, the service's load balancer).
 */
import { type InputReader } from '../../../core/index.js';

/** A revision named by `task-definition-arn`: `family:revision` as ECS writes it, and the ARN's region. */
export interface RegisteredRevision {
  /** What the input said, passed to DescribeTaskDefinition. */
  reference: string;
  /** `family:revision`. */
  key: string;
  /** The region of a full ARN; undefined for `family:revision`. */
  region?: string;
}

/** The inputs that render a task definition: none of them goes with `task-definition-arn`. */
export const RENDER_INPUTS = [
  'task-definition',
  'vars',
  'images',
  'image',
  'environment',
  'secrets',
  'env-files',
  'cpu',
  'memory',
  'command',
  'task-role-arn',
  'execution-role-arn'
] as const;

// RegisterTaskDefinition `family`: up to 255 letters, numbers, underscores and hyphens.
const FAMILY = '[A-Za-z0-9_-]{1,255}';
const ARN = new RegExp(`^arn:aws[a-z-]*:ecs:([a-z0-9-]+):\\d{12}:task-definition/(${FAMILY}:[1-9]\\d*)$`);
const KEY = new RegExp(`^${FAMILY}:[1-9]\\d*$`);

const HINT =
  "Give the revision's ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>) or family:revision.";

/**
 * Reads `task-definition-arn` and checks it with the inputs it excludes and needs. Every problem goes to the
 * reader, naming the inputs; undefined when the input is not set or is not a revision.
 */
export function registeredRevisionInput(
  r: InputReader,
  context: { region: string; service?: string; runTask: string }
): RegisteredRevision | undefined {
  const text = r.raw('task-definition-arn');
  if (text === '') return undefined;
  const together = RENDER_INPUTS.filter(name => r.raw(name) !== '');
  if (together.length > 0)
    r.fail(
      'task-definition-arn',
      `deploys the registered revision as it is, so it cannot be combined with ${together.map(n => `'${n}'`).join(', ')}.`,
      `Remove ${together.length === 1 ? 'that input' : 'those inputs'} to deploy the revision unchanged, or remove 'task-definition-arn' to render a new revision.`
    );
  if (context.service === undefined && context.runTask === '')
    r.fail(
      'task-definition-arn',
      "needs 'service' or 'run-task': with neither, there is nothing to do with the revision.",
      "Set 'service' to roll it out, or 'run-task' to run a command on it."
    );
  const revision = parseRevision(text);
  if (!revision) {
    const why = /^[A-Za-z0-9_-]+$/.test(text) ? 'names a family but no revision' : 'is not a task definition';
    r.fail('task-definition-arn', `'${text}' ${why}.`, HINT);
    return undefined;
  }
  if (revision.region !== undefined && context.region !== '' && revision.region !== context.region)
    r.fail(
      'task-definition-arn',
      `'${text}' is registered in ${revision.region}, but the step deploys in ${context.region}.`,
      "A service runs task definitions of its own region: give that region's revision, or set 'region'."
    );
  return revision;
}

/** `arn:…:task-definition/web:7` or `web:7`; undefined for anything else (a family alone is not a revision). */
export function parseRevision(text: string): RegisteredRevision | undefined {
  const arn = ARN.exec(text);
  if (arn) return { reference: text, key: arn[2], region: arn[1] };
  return KEY.test(text) ? { reference: text, key: text } : undefined;
}
