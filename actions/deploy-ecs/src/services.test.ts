/**
 * One release to several services (services.ts) over the stateful services fake: one registration, one
 * UpdateService per service, every service followed at once; a failure stops following the others and puts back
 * every service the step changed, leaving the one ECS rolled back itself alone; the refusals before any write.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DeregisterTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  type ServiceDeployment
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import {
  describeError,
  memoryLogger,
  validateReport,
  virtualClock,
  type MemoryLogger
} from '../../../core/index.js';
import type { DeployContext } from '../../../core/deploy.js';
import { givenClients } from './clients.js';
import type { DeployResult } from './result.js';
import { deployServices } from './services.js';
import { buildSummary } from './summary.js';
import {
  BLUE_GREEN_BALANCER,
  BLUE_GREEN_CONFIGURATION,
  NEW_REVISION,
  OLD_REVISION,
  REGION,
  SERVICE_DEPLOYMENT_ARN,
  stoppedTask,
  tdArn
} from './testing/fixtures.js';
import { deployInputs, finishOf } from './testing/harness.js';
import { servicesFake, type Plan } from './testing/services-fake.js';
import { strategyFake } from './testing/strategy-fake.js';

const ecsMock = mockClient(ECSClient);
const elbMock = mockClient(ElasticLoadBalancingV2Client);
const logsMock = mockClient(CloudWatchLogsClient);
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' };
const source = givenClients({
  ecs: new ECSClient({ region: REGION, credentials }),
  ecsNoRetry: new ECSClient({ region: REGION, credentials }),
  elb: new ElasticLoadBalancingV2Client({ region: REGION }),
  logs: new CloudWatchLogsClient({ region: REGION })
});
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:2.0.0';

beforeEach(() => {
  ecsMock.reset();
  elbMock.reset();
  logsMock.reset();
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
});

function run(values: Record<string, string>, log: MemoryLogger = memoryLogger()) {
  const ctx: DeployContext = {
    log,
    clock: virtualClock(),
    signal: new AbortController().signal,
    deadline: Infinity
  };
  return deployServices(deployInputs({ image: IMAGE, container: 'app', ...values }), ctx, source);
}

const statuses = (result: Awaited<ReturnType<typeof run>>) =>
  Object.fromEntries((result.services ?? []).map(r => [r.service, r.status]));

describe('a release to several services', () => {
  it('registers once, updates each service once, follows both to COMPLETED and reports each', async () => {
    const fake = servicesFake(
      ecsMock,
      { web: 'completes', worker: 'completes' },
      { afterLooks: { worker: 4 } }
    );
    const log = memoryLogger();
    const result = await run({ service: 'web, worker' }, log);
    expect(result).toMatchObject({ status: 'COMPLETED', success: true, revision: 8, registered: true });
    expect(result.reason).toBe('web:8 runs on all 2 services: web, worker.');
    expect(fake.writes).toEqual(['register', 'update web web:8', 'update worker web:8']);
    expect(statuses(result)).toEqual({ web: 'COMPLETED', worker: 'COMPLETED' });
    // Followed at once: the worker's looks went on while the web service had completed.
    expect(fake.looks('worker')).toBe(4);
    expect(log.text()).toMatch(/\[worker\] UpdateService: worker → web:8/);

    const finish = finishOf(result);
    const services = finish.outputs.services as { service: string; 'deployment-id': string }[];
    expect(services.map(s => [s.service, s['deployment-id']])).toEqual([
      ['web', 'ecs-svc/web-2'],
      ['worker', 'ecs-svc/worker-3']
    ]);
    expect(finish.outputs['deployment-id']).toBeUndefined();
    const report = validateReport(JSON.parse(JSON.stringify(finish.report)));
    expect(report).toMatchObject({ subject: 'web, worker', ecs: { service: 'web, worker' } });
    expect(report.details).toEqual(
      expect.arrayContaining([['worker', 'COMPLETED · deployment ecs-svc/worker-3 · before: web:7']])
    );
    const summary = buildSummary(result, { region: REGION, durationMs: 1000 });
    expect(summary).toContain('### ✅ web — COMPLETED');
    expect(summary).toContain('### ✅ worker — COMPLETED');
  });

  it('run-task runs once, before any service is updated; its failure updates none', async () => {
    const fake = servicesFake(ecsMock, { web: 'completes', worker: 'completes' });
    ecsMock.on(RunTaskCommand).resolves({ tasks: [stoppedTask('mig1', { lastStatus: 'PROVISIONING' })] });
    ecsMock
      .on(DescribeTasksCommand)
      .resolves({ tasks: [stoppedTask('mig1', { containers: [{ name: 'app', exitCode: 2 }] })] });
    logsMock.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1, message: 'migration 42 failed' }] });
    const result = await run({ service: 'web, worker', 'run-task': 'npm run migrate' });
    expect(result.status).toBe('FAILED');
    expect(result.reason).toBe(
      'app exited with code 2: migration 42 failed (one-off task mig1). No service was updated.'
    );
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(1);
    expect(fake.writes).toEqual(['register']);
    expect(statuses(result)).toEqual({ web: 'FAILED', worker: 'FAILED' });
    expect(result.services?.map(r => r.reason)).toEqual(['Not updated.', 'Not updated.']);
  });

  it('keep-revisions: old revisions are cleaned up once for the release, after every service completed', async () => {
    servicesFake(ecsMock, { web: 'completes', worker: 'completes' });
    ecsMock
      .on(ListTaskDefinitionsCommand)
      .resolves({ taskDefinitionArns: [8, 7, 6, 5].map(r => tdArn('web', r)) });
    ecsMock.on(ListServicesCommand).resolves({ serviceArns: [] });
    ecsMock.on(DeregisterTaskDefinitionCommand).resolves({});
    const result = await run({ service: 'web, worker', 'keep-revisions': '2' });
    expect(result.status).toBe('COMPLETED');
    expect(result.cleanup?.deregistered).toEqual([tdArn('web', 6), tdArn('web', 5)]);
    expect(ecsMock.commandCalls(DeregisterTaskDefinitionCommand)).toHaveLength(2);
  });

  it.each<[string, Record<string, Plan>, string[], Record<string, string>]>([
    [
      'one fails: the other is stopped and both are put back',
      { web: 'fails', worker: 'stays' },
      ['update web web:7', 'update worker web:7'],
      { web: 'ROLLED_BACK', worker: 'ROLLED_BACK' }
    ],
    [
      'ECS rolls one back: the step puts back only the other, no UpdateService after ECS',
      { web: 'ecs-rolls-back', worker: 'stays' },
      ['update worker web:7'],
      { web: 'ROLLED_BACK', worker: 'ROLLED_BACK' }
    ],
    [
      'one fails after the other completed: the completed one is put back too',
      { web: 'completes', worker: 'fails' },
      ['update web web:7', 'update worker web:7'],
      { web: 'ROLLED_BACK', worker: 'ROLLED_BACK' }
    ]
  ])('%s', async (_label, plans, rollbacks, each) => {
    const fake = servicesFake(ecsMock, plans, { afterLooks: { worker: 3 } });
    const result = await run({ service: 'web\nworker' });
    expect(result).toMatchObject({ status: 'ROLLED_BACK', success: false });
    expect(fake.writes.slice(0, 3)).toEqual(['register', 'update web web:8', 'update worker web:8']);
    expect(fake.writes.slice(3).sort()).toEqual(rollbacks);
    expect(statuses(result)).toEqual(each);
    expect(fake.running('web')).toBe('web:7');
    expect(fake.running('worker')).toBe('web:7');
    const failed = Object.keys(plans).find(name => plans[name] !== 'completes' && plans[name] !== 'stays');
    expect(result.reason.startsWith(`${failed} `)).toBe(true);
    expect(validateReport(JSON.parse(JSON.stringify(finishOf(result).report))).status).toBe('failure');
  });

  it('a service someone else deployed to meanwhile is left alone; the others are put back', async () => {
    const fake = servicesFake(ecsMock, { web: 'superseded', worker: 'stays' });
    const result = await run({ service: 'web, worker' });
    expect(result.status).toBe('ROLLED_BACK');
    expect(statuses(result)).toEqual({ web: 'SUPERSEDED', worker: 'ROLLED_BACK' });
    expect(result.reason).toMatch(/^web SUPERSEDED: /);
    expect(fake.writes.slice(3)).toEqual(['update worker web:7']);
    expect(fake.running('web')).toBe('web:9');
  });

  it('rollback: false follows every service to its end and writes nothing more', async () => {
    const fake = servicesFake(ecsMock, { web: 'fails', worker: 'completes' }, { afterLooks: { worker: 5 } });
    const result = await run({ service: 'web,worker', rollback: 'false' });
    expect(result).toMatchObject({ status: 'FAILED', success: false });
    expect(statuses(result)).toEqual({ web: 'FAILED', worker: 'COMPLETED' });
    expect(fake.looks('worker')).toBe(5);
    expect(fake.writes).toEqual(['register', 'update web web:8', 'update worker web:8']);
  });

  it('a timeout: each service TIMED_OUT where it stands; rolling deployments are left to ECS, as for one', async () => {
    const fake = servicesFake(ecsMock, { web: 'stays', worker: 'stays' });
    const result = await run({ service: 'web, worker', timeout: '1m' });
    expect(result.status).toBe('TIMED_OUT');
    expect(statuses(result)).toEqual({ web: 'TIMED_OUT', worker: 'TIMED_OUT' });
    expect(result.reason).toMatch(/^web TIMED_OUT: Timed out after .*\. worker TIMED_OUT: Timed out after /);
    expect(fake.writes).toHaveLength(3);
  });

  it('an UpdateService refused for the second service puts the first back and updates no more', async () => {
    const fake = servicesFake(ecsMock, { web: 'stays', worker: 'completes', api: 'completes' });
    ecsMock.on(UpdateServiceCommand, { service: 'worker' }).rejects(
      Object.assign(new Error('User is not authorized to perform: ecs:UpdateService'), {
        name: 'AccessDeniedException'
      })
    );
    const result = await run({ service: 'web, worker, api' });
    expect(result.status).toBe('ROLLED_BACK');
    expect(result.reason).toMatch(/^worker FAILED: UpdateService failed: .*ecs:UpdateService/);
    expect(result.reason).toMatch(/api was not updated/);
    expect(result.reason).toMatch(/web was no longer followed/);
    expect(fake.writes).toEqual(['register', 'update web web:8', 'update web web:7']);
    expect(fake.running('api')).toBe('web:7');
  });

  it('dry run: compares once, writes nothing, each service DRY_RUN', async () => {
    const fake = servicesFake(ecsMock, { web: 'completes', worker: 'completes' });
    const result = await run({ service: 'web, worker', 'dry-run': 'true' });
    expect(result).toMatchObject({ status: 'DRY_RUN', success: true, wouldRegister: true });
    expect(result.reason).toBe(
      'Dry run: a new revision of web would be registered and rolled out to web, worker.'
    );
    expect(statuses(result)).toEqual({ web: 'DRY_RUN', worker: 'DRY_RUN' });
    expect(fake.writes).toEqual([]);
  });

  it('wait: false updates each service and ends IN_PROGRESS without a look', async () => {
    const fake = servicesFake(ecsMock, { web: 'completes', worker: 'completes' });
    const result = await run({ service: 'web, worker', wait: 'false' });
    expect(result.status).toBe('IN_PROGRESS');
    expect(statuses(result)).toEqual({ web: 'IN_PROGRESS', worker: 'IN_PROGRESS' });
    expect(fake.writes).toEqual(['register', 'update web web:8', 'update worker web:8']);
    expect(fake.looks('web') + fake.looks('worker')).toBe(0);
  });

  it('cancelled while waiting: CANCELLED, saying which deployments had started; nothing rolled back', async () => {
    const fake = servicesFake(ecsMock, { web: 'stays', worker: 'stays' });
    const controller = new AbortController();
    const ctx: DeployContext = {
      log: memoryLogger(),
      clock: virtualClock(0, () => {
        if (fake.looks('worker') >= 2) controller.abort(new Error('The runner cancelled the job.'));
      }),
      signal: controller.signal,
      deadline: Infinity
    };
    const inputs = deployInputs({ image: IMAGE, container: 'app', service: 'web, worker' });
    const result = await deployServices(inputs, ctx, source);
    expect(result.status).toBe('CANCELLED');
    expect(result.reason).toMatch(
      /^Stopped while waiting: The runner cancelled the job\. Deployments had started: web ecs-svc\/web-2, worker ecs-svc\/worker-3; ECS carries on with them\.$/
    );
    expect(fake.writes).toHaveLength(3);
  });

  it("verify judges each service's needs: a port only the second service's load balancer wants, nothing written", async () => {
    const worker = {
      loadBalancers: [{ targetGroupArn: 'tg/worker', containerName: 'app', containerPort: 9090 }]
    };
    const fake = servicesFake(ecsMock, { web: 'completes', worker: 'completes' }, { service: { worker } });
    const result = await run({ service: 'web, worker' });
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(
      /the service worker loadBalancers \(tg\/worker\) sends traffic to port 9090 of 'app'/
    );
    expect(result.verify?.problems.map(p => p.path)).toEqual(['containerDefinitions[0].portMappings']);
    expect(fake.writes).toEqual([]);
  });

  it.each<[string, Record<string, string>, Record<string, number> | undefined, RegExp]>([
    [
      'services on different revisions without a task definition file',
      { service: 'web, worker' },
      { worker: 6 },
      /^Input 'service': the services run different task definitions \(web: web:7, worker: web:6\)/
    ],
    [
      'a service that does not exist, named with the others',
      { service: 'web, gone' },
      undefined,
      /Input 'service': the service 'gone' does not exist in the cluster 'prod'/
    ]
  ])('refuses %s, before anything is written', async (_label, values, running, message) => {
    const fake = servicesFake(ecsMock, { web: 'completes', worker: 'completes' }, { running });
    const result = await run(values);
    expect(result.status).toBe('FAILED');
    expect(describeError(result.error)).toMatch(message);
    expect(fake.writes).toEqual([]);
  });
});

/** The blue/green service `web` (strategy-fake.ts) at a stage, its new revision's tasks all running. */
const blueGreenAt = (
  lifecycleStage: ServiceDeployment['lifecycleStage'],
  status: ServiceDeployment['status'] = 'IN_PROGRESS'
): Partial<ServiceDeployment> => ({
  lifecycleStage,
  status,
  targetServiceRevision: {
    arn: NEW_REVISION,
    requestedTaskCount: 2,
    runningTaskCount: 2,
    pendingTaskCount: 0
  },
  ...(status.startsWith('ROLLBACK')
    ? { rollback: { reason: 'Stopped by the user.', serviceRevisionArn: OLD_REVISION } }
    : {})
});
const blueGreenService = {
  loadBalancers: [BLUE_GREEN_BALANCER],
  deploymentConfiguration: BLUE_GREEN_CONFIGURATION
};

describe('a release to a blue/green service and a rolling one', () => {
  it('the rolling one fails during the bake: the blue/green deployment is stopped with ROLLBACK, never updated again', async () => {
    const blueGreen = strategyFake(ecsMock, {
      steps: [blueGreenAt('SCALE_UP'), blueGreenAt('BAKE_TIME')],
      afterStop: [
        blueGreenAt('BAKE_TIME', 'ROLLBACK_IN_PROGRESS'),
        blueGreenAt('CLEAN_UP', 'ROLLBACK_SUCCESSFUL')
      ],
      service: blueGreenService
    });
    const fake = servicesFake(ecsMock, { worker: 'fails' }, { alongside: true });
    const result = await run({ service: 'web, worker' });
    expect(result.status).toBe('ROLLED_BACK');
    expect(statuses(result)).toEqual({ web: 'ROLLED_BACK', worker: 'ROLLED_BACK' });
    expect(blueGreen.stops()).toEqual([
      { serviceDeploymentArn: SERVICE_DEPLOYMENT_ARN, stopType: 'ROLLBACK' }
    ]);
    // The report: each service's lines; the blue/green one's service deployment, nothing of the rolling one's strategy.
    const details = finishOf(result).report.details;
    expect(details).toEqual(
      expect.arrayContaining([
        ['web service deployment', SERVICE_DEPLOYMENT_ARN],
        ['web rolled back to', 'web:7'],
        ['worker rollback', 'ecs-svc/worker-3 completed']
      ])
    );
    expect(details.map(([label]) => label).filter(label => label.startsWith('worker '))).toEqual([
      'worker rollback'
    ]);
    expect(blueGreen.updates()).toBe(1);
    expect(fake.writes).toEqual(['register', 'update worker web:8', 'update worker web:7']);
    expect(result.reason.startsWith('worker FAILED: ')).toBe(true);
  });

  it('the blue/green one had completed: it is left on the new revision, FAILED says so, no new deployment', async () => {
    const blueGreen = strategyFake(ecsMock, {
      steps: [blueGreenAt('SCALE_UP'), blueGreenAt('CLEAN_UP', 'SUCCESSFUL')],
      service: blueGreenService
    });
    const fake = servicesFake(ecsMock, { worker: 'fails' }, { alongside: true, afterLooks: { worker: 4 } });
    const result = await run({ service: 'web, worker' });
    expect(result.status).toBe('FAILED');
    expect(statuses(result)).toEqual({ web: 'COMPLETED', worker: 'ROLLED_BACK' });
    expect(result.reason).toMatch(/Still on web:8: web\. Back on what they ran: worker \(web:7\)\.$/);
    expect(blueGreen.stops()).toEqual([]);
    expect(blueGreen.updates()).toBe(1);
    expect(fake.writes).toEqual(['register', 'update worker web:8', 'update worker web:7']);
  });
});

describe('the summary of a release', () => {
  const service = (name: string, revision: number, fields: string[]): DeployResult => ({
    status: 'COMPLETED',
    success: true,
    reason: 'Deployment completed.',
    cluster: 'prod',
    service: name,
    diagnostics: [],
    warnings: [],
    previousTaskDefinitionArn: tdArn('web', revision),
    taskDefinitionArn: tdArn('web', 8),
    diff: {
      rows: fields.map(field => ({ container: 'app', field, before: 'a', after: 'b' })),
      otherFields: [],
      changed: fields.length > 0
    }
  });

  it('says what changes for a service that ran another revision than the first, whose changes the table shows', () => {
    const services = [service('web', 7, ['image']), service('worker', 6, ['image', 'environment'])];
    const summary = buildSummary(
      { ...services[0], service: undefined, services, diff: services[0].diff },
      { region: REGION, durationMs: 1 }
    );
    const section = (name: string) => summary.split(`### ✅ ${name} — COMPLETED`)[1]?.split('###')[0] ?? '';
    expect(section('worker')).toContain('| **Changes** | app image, app environment |');
    expect(section('web')).not.toContain('Changes');
    expect(summary).toContain('### Changes against the running task definition');
  });
});
