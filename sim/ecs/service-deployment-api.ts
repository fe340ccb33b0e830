/**
 * The ECS service deployment APIs moto does not implement, answered under the JSON protocol the SDK speaks
 * (X-Amz-Target `AmazonEC2ContainerServiceV20141113.<Op>`): ListServiceDeployments, DescribeServiceDeployments,
 * DescribeServiceRevisions, StopServiceDeployment and ContinueServiceDeployment. Request members, limits and
 * exceptions follow the API reference and the SDK model (@aws-sdk/client-ecs 3.1162: each command's
 * documentation and `models_1.d.ts`); the deployments themselves are the scenario layer's (`DeploymentsBackend`).
 */
import { Refusal, type Effect, type Moment, type ServiceDeploymentMachine } from './service-deployments.js';

/** A service deployment as the layer holds it: a strategy deployment's machine, or a rolling one's mirror. */
export interface DeploymentView {
  arn: string;
  /** Wall-clock ms. */
  createdAt: number;
  status: string;
  describe(): Record<string, unknown>;
  brief(): Record<string, unknown>;
  /** Strategy deployments only: what StopServiceDeployment and ContinueServiceDeployment act on. */
  machine?: ServiceDeploymentMachine;
}

export interface DeploymentsBackend {
  /** A service's deployments; throws ClusterNotFoundException or ServiceNotFoundException as ECS does. */
  deploymentsOf(cluster: string, service: string): Promise<DeploymentView[]>;
  deployment(arn: string): DeploymentView | undefined;
  /** A ServiceRevision as DescribeServiceRevisions shows it. */
  revision(arn: string): Record<string, unknown> | undefined;
  /** Applies what a stop or a continue changed (tasks, the service, events). */
  apply(view: DeploymentView, effects: Effect[]): Promise<void>;
  /** ECS time and the wall clock now. */
  moment(): Moment;
}

export const SERVICE_DEPLOYMENT_OPERATIONS = [
  'ListServiceDeployments',
  'DescribeServiceDeployments',
  'DescribeServiceRevisions',
  'StopServiceDeployment',
  'ContinueServiceDeployment'
] as const;
export type ServiceDeploymentOperation = (typeof SERVICE_DEPLOYMENT_OPERATIONS)[number];

const invalid = (message: string) => new Refusal('InvalidParameterException', message);

/** The request's answer, or a Refusal thrown with the exception ECS answers with. */
export async function serviceDeploymentCall(
  operation: ServiceDeploymentOperation,
  params: Record<string, unknown>,
  backend: DeploymentsBackend
): Promise<Record<string, unknown>> {
  switch (operation) {
    case 'ListServiceDeployments':
      return listServiceDeployments(params, backend);
    case 'DescribeServiceDeployments':
      return describeMany(params.serviceDeploymentArns, 'serviceDeploymentArns', 'serviceDeployments', arn =>
        backend.deployment(arn)?.describe()
      );
    case 'DescribeServiceRevisions':
      return describeMany(params.serviceRevisionArns, 'serviceRevisionArns', 'serviceRevisions', arn =>
        backend.revision(arn)
      );
    case 'StopServiceDeployment':
      return stopServiceDeployment(params, backend);
    case 'ContinueServiceDeployment':
      return continueServiceDeployment(params, backend);
  }
}

/** Up to 20 ARNs (the request's documented maximum); unknown ones are `failures` with reason MISSING. */
function describeMany(
  arns: unknown,
  member: string,
  key: string,
  find: (arn: string) => Record<string, unknown> | undefined
): Record<string, unknown> {
  if (!Array.isArray(arns) || arns.length === 0) throw invalid(`${member} must name at least one ARN.`);
  if (arns.length > 20) throw invalid(`${member} can name at most 20 ARNs; it names ${arns.length}.`);
  const found: Record<string, unknown>[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const arn of arns.map(String)) {
    const item = find(arn);
    if (item) found.push(item);
    else failures.push({ arn, reason: 'MISSING' });
  }
  return { [key]: found, failures };
}

interface Page {
  offset: number;
}

function readToken(token: unknown): Page {
  if (token === undefined) return { offset: 0 };
  try {
    const page = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as Page;
    if (Number.isInteger(page.offset) && page.offset >= 0) return page;
  } catch {
    // answered below
  }
  throw invalid('The nextToken is not valid.');
}

/**
 * ListServiceDeployments: a service's deployments, newest first, filtered by status and creation time,
 * `maxResults` (1 to 100, default 20) at a time with an opaque `nextToken`.
 */
async function listServiceDeployments(
  params: Record<string, unknown>,
  backend: DeploymentsBackend
): Promise<Record<string, unknown>> {
  if (typeof params.service !== 'string' || params.service === '') throw invalid('service is required.');
  const max = params.maxResults ?? 20;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 100)
    throw invalid('maxResults must be between 1 and 100.');
  const statuses = Array.isArray(params.status) ? params.status.map(String) : undefined;
  const created = (params.createdAt ?? {}) as { before?: number; after?: number };
  const cluster = typeof params.cluster === 'string' && params.cluster !== '' ? params.cluster : 'default';
  const all = (await backend.deploymentsOf(cluster, params.service))
    .filter(d => !statuses || statuses.includes(d.status))
    .filter(d => created.before === undefined || d.createdAt < created.before * 1000)
    .filter(d => created.after === undefined || d.createdAt > created.after * 1000)
    .sort((a, b) => b.createdAt - a.createdAt);
  const { offset } = readToken(params.nextToken);
  const page = all.slice(offset, offset + max);
  const more = offset + max < all.length;
  return {
    serviceDeployments: page.map(d => d.brief()),
    ...(more
      ? { nextToken: Buffer.from(JSON.stringify({ offset: offset + max })).toString('base64url') }
      : {})
  };
}

function deploymentOf(params: Record<string, unknown>, backend: DeploymentsBackend): DeploymentView {
  const arn = params.serviceDeploymentArn;
  if (typeof arn !== 'string' || arn === '') throw invalid('serviceDeploymentArn is required.');
  const view = backend.deployment(arn);
  if (!view)
    throw new Refusal('ServiceDeploymentNotFoundException', `The service deployment ${arn} does not exist.`);
  return view;
}

/** StopServiceDeployment: ROLLBACK (the default here; the reference names no other valid value) or ABORT. */
async function stopServiceDeployment(
  params: Record<string, unknown>,
  backend: DeploymentsBackend
): Promise<Record<string, unknown>> {
  const view = deploymentOf(params, backend);
  const stopType = params.stopType ?? 'ROLLBACK';
  if (stopType !== 'ROLLBACK' && stopType !== 'ABORT')
    throw invalid(`stopType must be ROLLBACK or ABORT, not '${String(stopType)}'.`);
  if (!view.machine)
    throw new Refusal(
      'UnsupportedFeatureException',
      'The scenario layer stops only BLUE_GREEN, LINEAR and CANARY service deployments.'
    );
  await backend.apply(view, view.machine.stop(stopType, backend.moment()));
  return { serviceDeploymentArn: view.arn };
}

/** ContinueServiceDeployment: CONTINUE (the default) or ROLLBACK a PAUSE hook awaiting action. */
async function continueServiceDeployment(
  params: Record<string, unknown>,
  backend: DeploymentsBackend
): Promise<Record<string, unknown>> {
  const view = deploymentOf(params, backend);
  if (typeof params.hookId !== 'string' || params.hookId === '') throw invalid('hookId is required.');
  const action = params.action ?? 'CONTINUE';
  if (action !== 'CONTINUE' && action !== 'ROLLBACK')
    throw invalid(`action must be CONTINUE or ROLLBACK, not '${String(action)}'.`);
  if (!view.machine) throw invalid(`The lifecycle hook ${params.hookId} was not found.`);
  await backend.apply(view, view.machine.continueHook(params.hookId, action, backend.moment()));
  return { serviceDeploymentArn: view.arn };
}
