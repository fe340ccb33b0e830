import { describe, expect, it } from '@jest/globals';
import {
  serviceDeploymentCall,
  type DeploymentView,
  type DeploymentsBackend
} from './service-deployment-api.js';
import { Refusal, ServiceDeploymentMachine, type Effect } from './service-deployments.js';

const ARN = (n: number) => `arn:aws:ecs:us-east-1:123456789012:service-deployment/c/web/d${n}`;
const COUNTS = {
  target: { requested: 2, running: 2, pending: 0 },
  source: { requested: 2, running: 2, pending: 0 }
};

function strategyView(n: number, createdAt: number): DeploymentView {
  const machine = new ServiceDeploymentMachine({
    arn: ARN(n),
    serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/c/web',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c',
    serviceName: 'web',
    strategy: 'BLUE_GREEN',
    configuration: {
      strategy: 'BLUE_GREEN',
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRE_SCALE_UP'] }]
    },
    target: { arn: `rev/${n}`, taskDefinition: `web:${n}`, deploymentId: `ecs-svc/${n}` },
    source: { arn: 'rev/0', taskDefinition: 'web:1', deploymentId: 'ecs-svc/0' },
    desiredCount: 2,
    plan: {},
    at: { ecs: 0, wall: createdAt }
  });
  return {
    arn: ARN(n),
    createdAt,
    get status() {
      return machine.status;
    },
    describe: () => machine.describe(COUNTS),
    brief: () => machine.brief(),
    machine
  };
}

function backend(views: DeploymentView[]): DeploymentsBackend & { applied: Effect[][] } {
  const applied: Effect[][] = [];
  return {
    applied,
    deploymentsOf: async (cluster, service) => {
      if (cluster !== 'c') throw new Refusal('ClusterNotFoundException', 'Cluster not found.');
      if (service !== 'web') throw new Refusal('ServiceNotFoundException', 'Service not found.');
      return views;
    },
    deployment: arn => views.find(v => v.arn === arn),
    revision: arn => (arn === 'rev/1' ? { serviceRevisionArn: 'rev/1', taskDefinition: 'web:1' } : undefined),
    apply: async (_view, effects) => {
      applied.push(effects);
    },
    moment: () => ({ ecs: 5000, wall: 5000 })
  };
}

async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e
  );
  if (!(error instanceof Refusal)) throw new Error(`expected a Refusal, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe('service deployment APIs', () => {
  const views = [strategyView(1, 1_000_000), strategyView(2, 3_000_000), strategyView(3, 2_000_000)];

  it('lists a service’s deployments newest first, a page at a time', async () => {
    const b = backend(views);
    const first = await serviceDeploymentCall(
      'ListServiceDeployments',
      { cluster: 'c', service: 'web', maxResults: 2 },
      b
    );
    expect(
      (first.serviceDeployments as { serviceDeploymentArn: string }[]).map(d => d.serviceDeploymentArn)
    ).toEqual([ARN(2), ARN(3)]);
    expect(first.serviceDeployments).toContainEqual(
      expect.objectContaining({ status: 'PENDING', targetServiceRevisionArn: 'rev/2', createdAt: 3000 })
    );
    const next = await serviceDeploymentCall(
      'ListServiceDeployments',
      { cluster: 'c', service: 'web', maxResults: 2, nextToken: first.nextToken },
      b
    );
    expect(next).toEqual({ serviceDeployments: [expect.objectContaining({ serviceDeploymentArn: ARN(1) })] });
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['by status', { status: ['IN_PROGRESS'] }, []],
    ['created after', { createdAt: { after: 1500 } }, [ARN(2), ARN(3)]],
    ['created before', { createdAt: { before: 2500 } }, [ARN(3), ARN(1)]]
  ])('filters %s', async (_name, filter, arns) => {
    const out = await serviceDeploymentCall(
      'ListServiceDeployments',
      { cluster: 'c', service: 'web', ...filter },
      backend(views)
    );
    expect(
      (out.serviceDeployments as { serviceDeploymentArn: string }[]).map(d => d.serviceDeploymentArn)
    ).toEqual(arns);
  });

  it('describes the ones it knows and lists the others as MISSING failures', async () => {
    const out = await serviceDeploymentCall(
      'DescribeServiceDeployments',
      { serviceDeploymentArns: [ARN(1), ARN(9)] },
      backend(views)
    );
    expect(out).toEqual({
      serviceDeployments: [expect.objectContaining({ serviceDeploymentArn: ARN(1), status: 'PENDING' })],
      failures: [{ arn: ARN(9), reason: 'MISSING' }]
    });
    const revisions = await serviceDeploymentCall(
      'DescribeServiceRevisions',
      { serviceRevisionArns: ['rev/1'] },
      backend(views)
    );
    expect(revisions).toEqual({
      serviceRevisions: [{ serviceRevisionArn: 'rev/1', taskDefinition: 'web:1' }],
      failures: []
    });
  });

  it('stops with ROLLBACK unless told otherwise, and continues a paused hook with CONTINUE', async () => {
    const b = backend([strategyView(1, 0)]);
    expect(await serviceDeploymentCall('StopServiceDeployment', { serviceDeploymentArn: ARN(1) }, b)).toEqual(
      { serviceDeploymentArn: ARN(1) }
    );
    expect(b.applied[0].map(e => e.kind)).toEqual(['rollback-started', 'event']);
    const paused = strategyView(2, 0);
    paused.machine!.advance(1000, at => at);
    const hookId = (paused.describe().lifecycleHookDetails as { hookId: string }[])[0].hookId;
    await serviceDeploymentCall(
      'ContinueServiceDeployment',
      { serviceDeploymentArn: ARN(2), hookId },
      backend([paused])
    );
    expect(paused.describe().lifecycleHookDetails).toEqual([
      expect.objectContaining({ hookId, status: 'SUCCEEDED' })
    ]);
  });

  const INVALID = 'InvalidParameterException';
  const ARNS_21 = Array.from({ length: 21 }, (_, i) => ARN(i));
  it.each<[Parameters<typeof serviceDeploymentCall>[0], Record<string, unknown>, string, RegExp]>([
    ['ListServiceDeployments', { cluster: 'c' }, INVALID, /service is required/],
    [
      'ListServiceDeployments',
      { cluster: 'c', service: 'api' },
      'ServiceNotFoundException',
      /Service not found/
    ],
    [
      'ListServiceDeployments',
      { cluster: 'x', service: 'web' },
      'ClusterNotFoundException',
      /Cluster not found/
    ],
    [
      'ListServiceDeployments',
      { cluster: 'c', service: 'web', maxResults: 101 },
      INVALID,
      /between 1 and 100/
    ],
    ['ListServiceDeployments', { cluster: 'c', service: 'web', nextToken: 'nope' }, INVALID, /nextToken/],
    ['DescribeServiceDeployments', { serviceDeploymentArns: ARNS_21 }, INVALID, /at most 20/],
    ['DescribeServiceRevisions', { serviceRevisionArns: [] }, INVALID, /at least one/],
    [
      'StopServiceDeployment',
      { serviceDeploymentArn: ARN(9) },
      'ServiceDeploymentNotFoundException',
      /not exist/
    ],
    [
      'StopServiceDeployment',
      { serviceDeploymentArn: ARN(1), stopType: 'PAUSE' },
      INVALID,
      /ROLLBACK or ABORT/
    ],
    ['ContinueServiceDeployment', { serviceDeploymentArn: ARN(1) }, INVALID, /hookId is required/],
    [
      'ContinueServiceDeployment',
      { serviceDeploymentArn: ARN(1), hookId: 'ecs-pause-x' },
      INVALID,
      /was not found/
    ]
  ])('%s refuses %j with %s', async (operation, params, code, message) => {
    const out = await refusal(serviceDeploymentCall(operation, params, backend([strategyView(1, 0)])));
    expect(out.code).toBe(code);
    expect(out.message).toMatch(message);
  });
});
