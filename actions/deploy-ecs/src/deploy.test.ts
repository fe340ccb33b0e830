import { beforeEach, describe, expect, it } from '@jest/globals';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  type Service,
  type TaskDefinition
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import {
  InputError,
  memoryLogger,
  validateReport,
  virtualClock,
  type Clock,
  type Logger
} from '../../../core/index.js';
import type { DeployContext } from '../../../core/deploy.js';
import { givenClients } from './clients.js';
import { deploy } from './deploy.js';
import { buildSummary } from './summary.js';
import {
  CLUSTER,
  NEW_TD,
  OLD_TD,
  NEW_DEPLOYMENT,
  OLD_DEPLOYMENT,
  REGION,
  SERVICE,
  deployment,
  describedTaskDefinition,
  service,
  stoppedTask,
  tdArn
} from './testing/fixtures.js';
import { deployInputs, finishOf } from './testing/harness.js';
import { fakeRegistry } from './testing/registry-fake.js';

const ecsMock = mockClient(ECSClient);
const elbMock = mockClient(ElasticLoadBalancingV2Client);
const logsMock = mockClient(CloudWatchLogsClient);
// Credentials of a test account: the connect phase checks that there are some.
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
const clients = {
  ecs: new ECSClient({ region: REGION, credentials }),
  ecsNoRetry: new ECSClient({ region: REGION, credentials }),
  elb: new ElasticLoadBalancingV2Client({ region: REGION }),
  logs: new CloudWatchLogsClient({ region: REGION })
};
const source = givenClients(clients);
const context = (o: { log?: Logger; clock?: Clock; signal?: AbortSignal }): DeployContext => ({
  log: o.log ?? memoryLogger(),
  clock: o.clock ?? virtualClock(),
  signal: o.signal ?? new AbortController().signal,
  deadline: Infinity
});
const NEW = NEW_TD;
const OLD = OLD_TD;
const IMAGE =
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:4f1c0b9e0d2a7c61e3b58f9a4d6c2e1b7a9f0c3d5e8b1a2f4c6d7e9f0a1b2c3d';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-key-Zz9';

const inputs = deployInputs;

/** ECS with the service on web:7; `rollout` gives the deployments a poll sees after UpdateService. */
function world(
  options: { rollout?: (poll: number, updateTd: string) => Partial<Service>; service?: Partial<Service> } = {}
) {
  const registered = fakeRegistry(ecsMock);
  let current: Service = service(options.service);
  let polls = 0;
  let updateTd = '';
  ecsMock.on(UpdateServiceCommand).callsFake(input => {
    updateTd = String(input.taskDefinition);
    const id = taskDefKey(updateTd) === 'web:7' ? 'ecs-svc/7777' : NEW_DEPLOYMENT;
    current = {
      ...current,
      taskDefinition: updateTd,
      deployments: [
        deployment({ id, taskDefinition: updateTd }),
        ...(current.deployments ?? []).filter(d => d.id !== id).map(d => ({ ...d, status: 'ACTIVE' }))
      ]
    };
    polls = 0;
    return { service: current };
  });
  ecsMock.on(DescribeServicesCommand).callsFake(() => {
    if (updateTd) {
      polls += 1;
      current = { ...current, ...(options.rollout?.(polls, updateTd) ?? {}) };
    }
    return { services: [current], failures: [] };
  });
  return { registered };
}
const taskDefKey = (arn: string) => arn.split('/').pop();

beforeEach(() => {
  ecsMock.reset();
  elbMock.reset();
  logsMock.reset();
});

const completeOnSecondPoll = (poll: number, td: string): Partial<Service> =>
  poll >= 2
    ? {
        deployments: [
          deployment({
            id: taskDefKey(td) === 'web:7' ? 'ecs-svc/7777' : NEW_DEPLOYMENT,
            taskDefinition: td,
            runningCount: 2,
            rolloutState: 'COMPLETED'
          })
        ]
      }
    : {};

/** The deployment of `failing` fails on the second poll (ECS does not roll back); one of web:7 completes. */
const failsUnlessOld =
  (failing: string) =>
  (poll: number, td: string): Partial<Service> =>
    taskDefKey(td) === failing && poll >= 2
      ? {
          deployments: [
            deployment({
              id: NEW_DEPLOYMENT,
              taskDefinition: td,
              rolloutState: 'FAILED',
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
              failedTasks: 3
            }),
            deployment({
              id: OLD_DEPLOYMENT,
              taskDefinition: OLD,
              status: 'ACTIVE',
              runningCount: 2,
              rolloutState: 'COMPLETED'
            })
          ]
        }
      : completeOnSecondPoll(poll, td);

describe('deploy', () => {
  it('renders from the service, registers, rolls out and follows the deployment to COMPLETED', async () => {
    world({ rollout: completeOnSecondPoll });
    const log = memoryLogger();
    const result = await deploy(
      inputs({ images: `app=${IMAGE}`, secrets: `app.API_KEY=${SECRET}` }),
      context({ log, clock: virtualClock() }),
      source
    );
    expect(result).toMatchObject({
      status: 'COMPLETED',
      success: true,
      taskDefinitionArn: NEW,
      revision: 8,
      registered: true,
      previousTaskDefinitionArn: OLD,
      deploymentId: NEW_DEPLOYMENT
    });
    const registered = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
    expect(registered.containerDefinitions?.[0].image).toBe(IMAGE);
    expect(registered).not.toHaveProperty('taskDefinitionArn');
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toMatchObject({
      cluster: CLUSTER,
      service: SERVICE,
      taskDefinition: NEW
    });
    // Summary and report: the change is shown, the secret's ARN never.
    const summary = buildSummary(result, { region: REGION, durationMs: 1000 });
    expect(summary).toMatch(/COMPLETED/);
    expect(summary).toMatch(/web@sha256:4f1c0b9e0d2a/);
    expect(summary).toMatch(/\+API_KEY/);
    expect(summary).not.toContain(SECRET);
    const report = validateReport(JSON.parse(JSON.stringify(finishOf(result).report)));
    expect(report).toMatchObject({
      action: 'deploy-ecs',
      status: 'success',
      outcome: 'COMPLETED',
      ecs: { taskDefinitionArn: NEW, deploymentId: NEW_DEPLOYMENT }
    });
    expect(JSON.stringify(report)).not.toContain(SECRET);
  });

  it('reuses the identical latest revision instead of registering again', async () => {
    world({ rollout: completeOnSecondPoll });
    const result = await deploy(inputs({}), context({}), source);
    expect(result).toMatchObject({
      status: 'COMPLETED',
      registered: false,
      revision: 7,
      taskDefinitionArn: OLD
    });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('dry run: renders and diffs, registers and updates nothing', async () => {
    world();
    const result = await deploy(inputs({ images: `app=${IMAGE}`, 'dry-run': 'true' }), context({}), source);
    expect(result).toMatchObject({ status: 'DRY_RUN', success: true, wouldRegister: true });
    expect(result.diff?.rows[0]).toMatchObject({ container: 'app', field: 'image', after: IMAGE });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('names a cluster that does not exist, before anything is registered', async () => {
    world();
    ecsMock.on(DescribeClustersCommand).resolves({
      clusters: [],
      failures: [{ arn: `arn:aws:ecs:${REGION}:123456789012:cluster/nope`, reason: 'MISSING' }]
    });
    const result = await deploy(inputs({ cluster: 'nope', images: `app=${IMAGE}` }), context({}), source);
    expect(result).toMatchObject({
      status: 'FAILED',
      success: false,
      error: expect.objectContaining({ input: 'cluster' })
    });
    expect(result.reason).toMatch(/Input 'cluster': the cluster 'nope' does not exist \(MISSING\)/);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('names a service that does not exist or is INACTIVE', async () => {
    world();
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [],
      failures: [{ arn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/gone', reason: 'MISSING' }]
    });
    const missing = await deploy(inputs({ service: 'gone' }), context({}), source);
    expect(missing.reason).toMatch(
      /Input 'service': the service 'gone' does not exist in the cluster 'prod' \(MISSING\)/
    );
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service({ status: 'INACTIVE' })] });
    const inactive = await deploy(inputs({}), context({}), source);
    expect(inactive.reason).toMatch(/Input 'service': the service 'web' is INACTIVE/);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('names unknown containers in images and environment together, before anything is registered', async () => {
    world();
    const result = await deploy(
      inputs({ images: `api=${IMAGE}`, environment: 'worker.X=1' }),
      context({}),
      source
    );
    expect(result.error).toBeInstanceOf(InputError);
    expect((result.error as InputError).problems.map(p => p.input)).toEqual(['images', 'environment']);
    expect(result.reason).toMatch(/no container named 'api'/);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('on failure: diagnoses, rolls back to the previous revision itself, ends ROLLED_BACK and still fails', async () => {
    world({ rollout: failsUnlessOld('web:8') });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [stoppedTask('1b1b').taskArn ?? ''] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [stoppedTask('1b1b')] });
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    logsMock
      .on(GetLogEventsCommand)
      .resolves({ events: [{ timestamp: 1, message: 'panic: missing DATABASE_URL' }] });
    const result = await deploy(inputs({ images: `app=${IMAGE}` }), context({}), source);
    expect(result).toMatchObject({
      status: 'ROLLED_BACK',
      success: false,
      deploymentId: NEW_DEPLOYMENT,
      rollback: { ok: true, deploymentId: 'ecs-svc/7777' }
    });
    expect(ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input.taskDefinition)).toEqual([
      NEW,
      OLD
    ]);
    expect(result.diagnostics.map(d => d.title)).toEqual(
      expect.arrayContaining([
        'Task 1b1b stopped: app exited with code 1',
        expect.stringMatching(/^Last 1 log lines of app/)
      ])
    );
    expect(buildSummary(result, { region: REGION, durationMs: 1 })).toMatch(/panic: missing DATABASE_URL/);
    expect(finishOf(result).report.status).toBe('failure');
  });

  it('leaves the rollback to ECS when its circuit breaker rolls back, and says so', async () => {
    world({
      service: {
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: true, rollback: true },
          maximumPercent: 200,
          minimumHealthyPercent: 100
        }
      },
      rollout: poll =>
        poll >= 2
          ? {
              taskDefinition: OLD,
              deployments: [
                deployment({
                  id: 'ecs-svc/5555',
                  taskDefinition: OLD,
                  rolloutStateReason:
                    'ECS deployment ecs-svc/5555 rolling back to ecs-svc/1111111111111111111.'
                })
              ]
            }
          : {}
    });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    const result = await deploy(inputs({ images: `app=${IMAGE}` }), context({}), source);
    expect(result).toMatchObject({
      status: 'ROLLED_BACK',
      success: false,
      rollout: { rolledBackByEcs: true }
    });
    expect(result.rollback).toBeUndefined();
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  it('does not roll back when rollback is false: FAILED', async () => {
    world({
      rollout: (poll, td) =>
        poll >= 1
          ? { deployments: [deployment({ id: NEW_DEPLOYMENT, taskDefinition: td, rolloutState: 'FAILED' })] }
          : {}
    });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    const result = await deploy(inputs({ images: `app=${IMAGE}`, rollback: 'false' }), context({}), source);
    expect(result).toMatchObject({ status: 'FAILED', success: false });
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });

  it('runs the one-off task on the new revision before the rollout, and stops when it fails', async () => {
    world({ rollout: completeOnSecondPoll });
    ecsMock.on(RunTaskCommand).resolves({ tasks: [stoppedTask('mig1', { lastStatus: 'PROVISIONING' })] });
    ecsMock
      .on(DescribeTasksCommand)
      .resolves({ tasks: [stoppedTask('mig1', { containers: [{ name: 'app', exitCode: 2 }] })] });
    logsMock
      .on(GetLogEventsCommand)
      .resolves({ events: [{ timestamp: 1, message: 'relation "users" already exists' }] });
    const result = await deploy(
      inputs({ images: `app=${IMAGE}`, 'run-task': 'npm run migrate' }),
      context({}),
      source
    );
    expect(result).toMatchObject({ status: 'FAILED', runTask: { exitCode: 2, ok: false } });
    expect(result.reason).toBe(
      'app exited with code 2: relation "users" already exists (one-off task mig1). The service was not updated.'
    );
    expect(result.rootCause).toBe('app exited with code 2: relation "users" already exists');
    expect(ecsMock.commandCalls(RunTaskCommand)[0].args[0].input).toMatchObject({
      taskDefinition: NEW,
      overrides: { containerOverrides: [{ name: 'app', command: ['npm', 'run', 'migrate'] }] }
    });
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(result.diagnostics[0].lines).toContain('relation "users" already exists');
  });

  it('runs the one-off task and then rolls out when it exits 0', async () => {
    world({ rollout: completeOnSecondPoll });
    ecsMock.on(RunTaskCommand).resolves({ tasks: [stoppedTask('mig1', { lastStatus: 'PROVISIONING' })] });
    ecsMock
      .on(DescribeTasksCommand)
      .resolves({ tasks: [stoppedTask('mig1', { containers: [{ name: 'app', exitCode: 0 }] })] });
    const result = await deploy(
      inputs({ images: `app=${IMAGE}`, 'run-task': 'npm run migrate' }),
      context({}),
      source
    );
    expect(result).toMatchObject({ status: 'COMPLETED', runTask: { exitCode: 0 } });
  });

  it('cleans up old revisions after a completed rollout, keeping the ones in use', async () => {
    world({ rollout: completeOnSecondPoll });
    ecsMock
      .on(ListTaskDefinitionsCommand)
      .resolves({ taskDefinitionArns: [8, 7, 6, 5, 4].map(r => tdArn('web', r)) });
    ecsMock.on(DeregisterTaskDefinitionCommand).resolves({});
    // Another service of the cluster still runs web:5.
    const canary = 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web-canary';
    ecsMock.on(ListServicesCommand).resolves({ serviceArns: [canary] });
    ecsMock.on(DescribeServicesCommand, { services: [canary] }).resolves({
      services: [
        service({
          serviceArn: canary,
          serviceName: 'web-canary',
          taskDefinition: tdArn('web', 5),
          deployments: [deployment({ id: 'ecs-svc/c', taskDefinition: tdArn('web', 5) })]
        })
      ]
    });
    const result = await deploy(
      inputs({ images: `app=${IMAGE}`, 'keep-revisions': '2' }),
      context({}),
      source
    );
    expect(result.cleanup?.deregistered).toEqual([tdArn('web', 6), tdArn('web', 4)]);
  });

  it('fails at once on AccessDenied, after registering nothing twice', async () => {
    world();
    ecsMock.on(UpdateServiceCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: ecs:UpdateService'), {
        name: 'AccessDeniedException'
      })
    );
    const clock = virtualClock();
    const result = await deploy(
      inputs({ images: `app=${IMAGE}` }),
      context({ log: memoryLogger(), clock }),
      source
    );
    expect(result).toMatchObject({ status: 'FAILED', registered: true, revision: 8 });
    expect(result.reason).toMatch(/ecs:UpdateService/);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(clock.slept).toEqual([]);
  });

  it('on a timeout: TIMED_OUT with where it stands and the service events that explain it, no rollback', async () => {
    const stuck = {
      id: 'e-stuck',
      createdAt: new Date('2026-11-22T10:00:30Z'),
      message:
        '(service web) was unable to place a task because no container instance met all of its requirements.'
    };
    world({
      rollout: (_poll, td) => ({
        deployments: [
          deployment({ id: NEW_DEPLOYMENT, taskDefinition: td, runningCount: 1, pendingCount: 1 })
        ],
        events: [stuck, ...(service().events ?? [])]
      })
    });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    const result = await deploy(inputs({ images: `app=${IMAGE}`, timeout: '1m' }), context({}), source);
    expect(result).toMatchObject({ status: 'TIMED_OUT', success: false });
    expect(result.rollback).toBeUndefined();
    const summary = buildSummary(result, { region: REGION, durationMs: 60_000 });
    expect(summary).toMatch(/running 1\/2, pending 1/);
    expect(summary).toContain('was unable to place a task');
    expect(summary).not.toContain('has reached a steady state');
  });

  it('wait: false starts the deployment and returns IN_PROGRESS', async () => {
    world();
    const result = await deploy(inputs({ images: `app=${IMAGE}`, wait: 'false' }), context({}), source);
    expect(result).toMatchObject({ status: 'IN_PROGRESS', success: true, deploymentId: NEW_DEPLOYMENT });
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });

  it('cancellation while waiting ends CANCELLED without a rollback', async () => {
    const controller = new AbortController();
    world({ rollout: poll => (poll === 2 ? (controller.abort(), {}) : {}) });
    const result = await deploy(
      inputs({ images: `app=${IMAGE}` }),
      context({
        log: memoryLogger(),
        clock: virtualClock(),
        signal: controller.signal
      }),
      source
    );
    expect(result).toMatchObject({ status: 'CANCELLED', success: false });
    expect(result.reason).toMatch(/IN_PROGRESS, running 0\/2/);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(finishOf(result).report.status).toBe('cancelled');
  });
});

describe('deploy: a registered revision, volumes configured at launch, ECS Exec', () => {
  const GIVEN = tdArn('web', 5);
  const ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRole';
  const VOLUMES = JSON.stringify([{ name: 'data', managedEBSVolume: { sizeInGiB: 20, roleArn: ROLE } }]);
  /** ECS as world() has it, with web:5 registered too (by `overrides`). */
  function withRevision5(overrides: Partial<TaskDefinition> = {}, rollout = completeOnSecondPoll) {
    const { registered } = world({ rollout });
    registered.set(5, describedTaskDefinition(5, overrides));
  }
  const onLaunch = { volumes: [{ name: 'data', configuredAtLaunch: true }] };

  it('task-definition-arn: rolls the revision out as it is, registering nothing', async () => {
    withRevision5();
    const result = await deploy(inputs({ 'task-definition-arn': GIVEN }), context({}), source);
    expect(result).toMatchObject({
      status: 'COMPLETED',
      taskDefinitionArn: GIVEN,
      revision: 5,
      registered: false,
      givenRevision: true,
      previousTaskDefinitionArn: OLD
    });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input.taskDefinition)).toEqual([
      GIVEN
    ]);
    // What changes against the running revision is shown as for a rendered one.
    expect(result.diff?.rows).toContainEqual(expect.objectContaining({ container: 'app', field: 'image' }));
    expect(buildSummary(result, { region: REGION, durationMs: 1 })).toContain(
      '(registered revision, as given)'
    );
    expect(finishOf(result).report.details).toContainEqual([
      'Task definition',
      'the registered revision, as given'
    ]);
  });

  it('task-definition-arn: a dry run says the revision would be rolled out, and writes nothing', async () => {
    withRevision5();
    const result = await deploy(
      inputs({ 'task-definition-arn': 'web:5', 'dry-run': 'true' }),
      context({}),
      source
    );
    expect(result).toMatchObject({ status: 'DRY_RUN', taskDefinitionArn: GIVEN, wouldRegister: false });
    expect(result.reason).toBe(
      'Dry run: the registered revision web:5 would be rolled out to web, as it is.'
    );
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('task-definition-arn: an INACTIVE revision or one ECS does not have is refused before any write', async () => {
    withRevision5({ status: 'INACTIVE' });
    const inactive = await deploy(inputs({ 'task-definition-arn': GIVEN }), context({}), source);
    expect(inactive.error).toMatchObject({ input: 'task-definition-arn' });
    expect(inactive.reason).toMatch(/web:5 is INACTIVE: ECS updates no service to such a revision/);
    ecsMock
      .on(DescribeTaskDefinitionCommand, { taskDefinition: 'web:99' })
      .rejects(Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' }));
    const missing = await deploy(inputs({ 'task-definition-arn': 'web:99' }), context({}), source);
    expect(missing.reason).toMatch(/Input 'task-definition-arn': there is no task definition web:99/);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('task-definition-arn: verify still judges the revision, and blames what it finds on the input', async () => {
    const app = describedTaskDefinition(5).containerDefinitions![0];
    const noRegion = { ...app.logConfiguration!, options: { 'awslogs-group': '/ecs/web' } };
    withRevision5({ containerDefinitions: [{ ...app, logConfiguration: noRegion }] });
    const result = await deploy(inputs({ 'task-definition-arn': GIVEN }), context({}), source);
    expect(result.error).toMatchObject({ input: 'task-definition-arn' });
    expect(result.reason).toMatch(
      /^Input 'task-definition-arn': verify: the task definition: containerDefinitions\[0\]/
    );
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('volume-configurations and enable-execute-command reach UpdateService', async () => {
    withRevision5(onLaunch);
    const given = {
      'task-definition-arn': GIVEN,
      'volume-configurations': VOLUMES,
      'enable-execute-command': 'true'
    };
    const result = await deploy(inputs(given), context({}), source);
    expect(result.status).toBe('COMPLETED');
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toMatchObject({
      taskDefinition: GIVEN,
      volumeConfigurations: [{ name: 'data', managedEBSVolume: { sizeInGiB: 20, roleArn: ROLE } }],
      enableExecuteCommand: true
    });
    const summary = buildSummary(result, { region: REGION, durationMs: 1 });
    expect(summary).toMatch(/Volumes at launch.*`data` \(20 GiB\)/);
    expect(summary).toMatch(/ECS Exec.*turned on/);
  });

  it('verify refuses a configured volume the revision does not leave to launch, naming the input', async () => {
    world();
    const result = await deploy(
      inputs({ images: `app=${IMAGE}`, 'volume-configurations': VOLUMES }),
      context({}),
      source
    );
    expect(result.error).toMatchObject({ input: 'volume-configurations' });
    expect(result.reason).toMatch(/Input 'volume-configurations': the task definition has no volume 'data'/);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('the rollback puts back the volumes and the ECS Exec setting the service had', async () => {
    withRevision5(onLaunch, failsUnlessOld('web:5'));
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    const given = {
      'task-definition-arn': GIVEN,
      'volume-configurations': VOLUMES,
      'enable-execute-command': 'true'
    };
    const result = await deploy(inputs(given), context({}), source);
    expect(result).toMatchObject({ status: 'ROLLED_BACK', rollback: { ok: true } });
    const updates = ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input);
    expect(
      updates.map(u => [u.taskDefinition, u.volumeConfigurations?.length, u.enableExecuteCommand])
    ).toEqual([
      [GIVEN, 1, true],
      [OLD, 0, false]
    ]);
  });
});
