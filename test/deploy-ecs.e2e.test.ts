/**
 * deploy-ecs end to end: the bundle (dist/deploy-ecs/index.js) runs as the GitHub runner runs it, against
 * moto behind the ECS scenario layer (sim/ecs), which animates the rollouts moto leaves static. Each test
 * selects a scenario and checks the exit code, outputs, log, job summary, what moto holds afterwards, the
 * calls the action made and that it acted at the first look that showed the outcome. The layer is paced by the
 * action's looks (LOOK_PACE) and the action polls at the smallest interval it accepts, so nothing here waits on
 * the wall clock; how fast the action notices, in seconds, is `npm run bench`'s to measure.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { parseReports } from '../core/report.js';
import { runScenario } from '../sim/ecs/run.js';
import { failingLogLines, MIGRATION_LOG, SCENARIOS, baseInputs } from '../sim/ecs/scenarios.js';
import {
  IMAGE_V1,
  IMAGE_V2,
  SIDECAR_IMAGE,
  revisions,
  taskDefinitionInput,
  type Seeded
} from '../sim/ecs/seed.js';
import { type EcsStack } from '../sim/ecs/stack.js';
import { ecsStackForFile } from './ecs.js';

let stack: EcsStack;

ecsStackForFile(started => {
  stack = started;
});

async function serviceTaskDefinition(seed: Seeded): Promise<string | undefined> {
  const out = await stack.clients.ecs.send(
    new DescribeServicesCommand({ cluster: seed.cluster, services: [seed.service] })
  );
  return out.services?.[0]?.taskDefinition;
}

const td = (seed: Seeded, revision: number) =>
  `arn:aws:ecs:us-east-1:123456789012:task-definition/${seed.family}:${revision}`;

async function registered(arn: string) {
  const out = await stack.clients.ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] })
  );
  return { ...out.taskDefinition!, tags: out.tags };
}

describe('deploy-ecs against the scenario layer', () => {
  it('success: registers, rolls out, follows the deployment to COMPLETED, and summarises the diff', async () => {
    const { seed, result, measurement } = await runScenario(stack, SCENARIOS.success);
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({
      status: 'COMPLETED',
      'task-definition-arn': td(seed, 2),
      'task-definition-revision': '2',
      registered: 'true',
      'previous-task-definition-arn': td(seed, 1),
      'deployment-id': stack.layer.started[0].id
    });
    const [report] = parseReports(result.outputs.report);
    expect(report).toMatchObject({ action: 'deploy-ecs', status: 'success', outcome: 'COMPLETED' });
    expect(report.ecs).toMatchObject({
      cluster: seed.cluster,
      service: 'web',
      taskDefinitionArn: td(seed, 2),
      deploymentId: stack.layer.started[0].id
    });
    // The job summary shows the new revision against the running one.
    expect(result.summary).toContain('COMPLETED');
    expect(result.summary).toMatch(/`app`.*image.*web:v1.*web:v2/);
    // Each new service event and count change is printed while waiting.
    expect(result.stdout).toContain('has started 2 tasks');
    expect(result.stdout).toMatch(/running 2\/2/);
    expect(await serviceTaskDefinition(seed)).toBe(td(seed, 2));
    expect(stack.proxy.count('RegisterTaskDefinition')).toBe(1);
    expect(stack.proxy.count('UpdateService')).toBe(1);
    expect(measurement.pollsAfterSeen).toBe(0);
  }, 60_000);

  it('failed rollout: stopped tasks, exit codes, log tail and unhealthy targets, then its own rollback (ROLLED_BACK)', async () => {
    const { seed, result, measurement } = await runScenario(stack, SCENARIOS.failed);
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('ROLLED_BACK');
    const lines = failingLogLines();
    for (const text of [result.stdout, result.summary]) {
      expect(text).toContain('Essential container in task exited');
      expect(text).toContain('EssentialContainerExited');
      expect(text).toMatch(/exit code 1\b/);
      expect(text).toContain('Target.ResponseCodeMismatch');
      expect(text).toContain('Health checks failed with these codes: [502]');
      // The last 30 lines of the failing container, read from CloudWatch Logs: L06 … L35, not L05.
      expect(text).toContain(lines[5]);
      expect(text).toContain(lines[34]);
      expect(text).not.toContain(lines[4]);
    }
    const [report] = parseReports(result.outputs.report);
    expect(report.status).toBe('failure');
    expect(report.diagnostics.map(d => d.lines.join('\n')).join('\n')).toContain(
      'Error: DATABASE_URL is not set'
    );
    // It rolled back by itself (ECS did not) and waited for that: the service is on web:1 again.
    expect(stack.layer.started.filter(s => s.byAction).map(s => s.plan)).toEqual(['rollout', 'rollback']);
    expect(await serviceTaskDefinition(seed)).toBe(td(seed, 1));
    expect(stack.layer.deployments(seed.cluster, seed.service)).toEqual([
      expect.objectContaining({ taskDefinition: td(seed, 1), rolloutState: 'COMPLETED' })
    ]);
    // It rolled back at the first look that showed FAILED, and ended at the first that showed the rollback done.
    expect(measurement.pollsAfterSeen).toBe(0);
    expect(measurement.rollback).toMatchObject({ outcome: 'COMPLETED', pollsAfterSeen: 0 });
  }, 60_000);

  it('circuit-breaker rollback: ROLLED_BACK at the first poll that shows it, without a second UpdateService', async () => {
    const { seed, result, measurement } = await runScenario(stack, SCENARIOS['circuit-breaker']);
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(result.stdout).toContain('rolling back to deployment');
    expect(measurement.pollsAfterSeen).toBe(0);
    expect(stack.proxy.count('UpdateService')).toBe(1);
    expect(await serviceTaskDefinition(seed)).toBe(td(seed, 1));
    // The diagnostics name the failing container's exit and show its log, not a task the scheduler stopped.
    expect(result.summary).toMatch(/exit code 1\b/);
    expect(result.summary).toContain('Error: DATABASE_URL is not set');
  }, 60_000);

  it('circuit breaker with rollback on, FAILED before ECS rolls back: ROLLED_BACK, and the action does not roll back too', async () => {
    const { result, measurement } = await runScenario(stack, SCENARIOS['circuit-breaker-failed-first']);
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(stack.proxy.count('UpdateService')).toBe(1);
    expect(measurement.pollsAfterSeen).toBe(0);
  }, 60_000);

  it('superseded: another deployment takes over mid-wait (SUPERSEDED), and it is not rolled back', async () => {
    const { result, measurement } = await runScenario(stack, SCENARIOS.superseded);
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('SUPERSEDED');
    const other = stack.layer.started.find(s => !s.byAction)!;
    expect(result.output).toContain(other.id);
    expect(stack.proxy.count('UpdateService')).toBe(1);
    expect(measurement.pollsAfterSeen).toBe(0);
  }, 60_000);

  it('timeout: TIMED_OUT with the reason, at the deadline', async () => {
    const { result } = await runScenario(stack, SCENARIOS.timeout);
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('TIMED_OUT');
    expect(result.output).not.toMatch(/Waiter has timed out|servicesStable/);
    // Where the deployment stands and why: the counts and the service event that explains them.
    expect(result.summary).toMatch(/running 1\/2/);
    expect(result.summary).toContain('was unable to place a task');
    // The wait ended at its deadline, not the step's: there was time left to say all this.
    expect(result.output).toMatch(/stands at: IN_PROGRESS, running 1\/2, pending 1/);
  }, 60_000);

  it('throttling and 5xx on registration, update and polls: still COMPLETED, one registration, one deployment', async () => {
    const { seed, result, measurement } = await runScenario(stack, SCENARIOS.throttled);
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    expect(stack.proxy.calls.filter(c => c.injected).length).toBeGreaterThanOrEqual(5);
    expect(await revisions(stack.clients, seed.family)).toEqual([td(seed, 1), td(seed, 2)]);
    expect(stack.layer.started.filter(s => s.byAction)).toHaveLength(1);
    expect(measurement.pollsAfterSeen).toBe(0);
  }, 60_000);

  it('a RegisterTaskDefinition that succeeded but answered 500 is not registered twice', async () => {
    const { seed, result } = await runScenario(stack, SCENARIOS['register-500-after-commit']);
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'COMPLETED', 'task-definition-arn': td(seed, 2) });
    expect(await revisions(stack.clients, seed.family)).toEqual([td(seed, 1), td(seed, 2)]);
  }, 60_000);

  it('identical re-run: reuses the revision (registered=false) and registers nothing', async () => {
    const first = await runScenario(stack, SCENARIOS.success, { afterMs: 1500 });
    const seed = first.seed;
    expect(first.result.outputs.status).toBe('COMPLETED');
    const second = await runScenario(stack, SCENARIOS.success, { reuse: seed, afterMs: 1500 });
    expect(second.result.code).toBe(0);
    expect(second.result.outputs).toMatchObject({
      status: 'COMPLETED',
      registered: 'false',
      'task-definition-arn': td(seed, 2),
      'task-definition-revision': '2'
    });
    expect(stack.proxy.count('RegisterTaskDefinition')).toBe(0);
    expect(await revisions(stack.clients, seed.family)).toEqual([td(seed, 1), td(seed, 2)]);
  }, 60_000);

  it('cancellation: SIGTERM mid-wait exits non-zero by itself and says where the deployment stands', async () => {
    const { result, measurement } = await runScenario(stack, SCENARIOS.cancelled);
    // It ended by itself (not killed), after the signal; how soon is the bench's `cancelled` target.
    expect(result.signal).toBeNull();
    expect(result.code).not.toBe(0);
    expect(measurement.outcome).toBe('SIGTERM');
    expect(result.outputs.status).toBe('CANCELLED');
    expect(result.output).toMatch(/stands at: IN_PROGRESS, running 1\/2, pending 1/);
    expect(result.output).toContain(stack.layer.started[0].id);
  }, 60_000);

  it('dry run: renders and diffs only; nothing registered or updated', async () => {
    const { seed, result } = await runScenario(stack, SCENARIOS.success, { inputs: { 'dry-run': 'true' } });
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('DRY_RUN');
    expect(result.summary).toMatch(/`app`.*image.*web:v1.*web:v2/);
    expect(stack.proxy.count('RegisterTaskDefinition')).toBe(0);
    expect(stack.proxy.count('UpdateService')).toBe(0);
    expect(await revisions(stack.clients, seed.family)).toEqual([td(seed, 1)]);
  }, 60_000);

  it('environment and secrets per container: values with =, spaces and quotes kept; secret ARNs not in the summary', async () => {
    // The secret exists (the verify step looks it up): its ARN ends with the suffix Secrets Manager gives it.
    const seed = await stack.fresh();
    const created = await stack.clients.secrets.send(
      new CreateSecretCommand({ Name: `prod/db-password-${seed.id}`, SecretString: 'hunter2' })
    );
    const secretArn = created.ARN!;
    const { result } = await runScenario(stack, SCENARIOS.success, {
      reuse: seed,
      afterMs: 1500,
      inputs: {
        environment: ['app.GREETING=hello = "world", it\'s  me', 'app.LOG_LEVEL=', 'worker.MODE=batch'].join(
          '\n'
        ),
        secrets: `app.DB_PASSWORD=${secretArn}`
      }
    });
    expect(result.code).toBe(0);
    const def = await registered(result.outputs['task-definition-arn']);
    const app = def.containerDefinitions!.find(c => c.name === 'app')!;
    const worker = def.containerDefinitions!.find(c => c.name === 'worker')!;
    expect(app.image).toBe(IMAGE_V2);
    expect(app.environment).toEqual([{ name: 'GREETING', value: 'hello = "world", it\'s  me' }]);
    expect(app.secrets).toEqual([{ name: 'DB_PASSWORD', valueFrom: secretArn }]);
    expect(worker.environment).toEqual([{ name: 'MODE', value: 'batch' }]);
    expect(worker.image).toBe(SIDECAR_IMAGE);
    expect(result.summary).toContain('DB_PASSWORD');
    expect(result.summary).toContain('LOG_LEVEL');
    expect(result.summary).not.toContain('prod/db-password');
  }, 60_000);

  it('a task-definition file as describe-task-definition prints it (wrapper, tags, unknown key) registers without "Unexpected key"', async () => {
    const seed = await stack.fresh();
    const described = await stack.clients.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: seed.taskDefinitionArn, include: ['TAGS'] })
    );
    const document = {
      taskDefinition: { ...described.taskDefinition, someFutureField: { enabled: true } },
      tags: [{ key: 'team', value: 'payments' }]
    };
    const dir = mkdtempSync(join(tmpdir(), 'dockyard-td-'));
    try {
      const file = join(dir, 'task-definition.json');
      writeFileSync(file, JSON.stringify(document, null, 2));
      const { result } = await runScenario(stack, SCENARIOS.success, {
        reuse: seed,
        afterMs: 1500,
        inputs: { 'task-definition': file },
        cwd: dir
      });
      expect(result.code).toBe(0);
      expect(result.output).not.toMatch(/Unexpected key/);
      expect(result.stdout).toMatch(/::warning::.*someFutureField/);
      const def = await registered(result.outputs['task-definition-arn']);
      expect(def.revision).toBe(2);
      expect(def.containerDefinitions!.find(c => c.name === 'app')!.image).toBe(IMAGE_V2);
      expect(def.tags).toEqual([{ key: 'team', value: 'payments' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('keep-revisions: deregisters ACTIVE revisions beyond the newest N once the rollout completes', async () => {
    const seed = await stack.fresh();
    for (const tag of ['v1.1', 'v1.2']) {
      await stack.clients.ecs.send(
        new RegisterTaskDefinitionCommand(
          taskDefinitionInput(seed.family, seed.logGroup, IMAGE_V1.replace(':v1', `:${tag}`))
        )
      );
    }
    const { result } = await runScenario(stack, SCENARIOS.success, {
      reuse: seed,
      afterMs: 1500,
      inputs: { 'keep-revisions': '2' }
    });
    expect(result.code).toBe(0);
    expect(result.outputs['task-definition-arn']).toBe(td(seed, 4));
    expect(await revisions(stack.clients, seed.family, 'ACTIVE')).toEqual([td(seed, 3), td(seed, 4)]);
    expect(await revisions(stack.clients, seed.family, 'INACTIVE')).toEqual([td(seed, 1), td(seed, 2)]);
  }, 60_000);

  it('no rolloutState: COMPLETED only once the old deployment has drained', async () => {
    const { result, measurement } = await runScenario(stack, SCENARIOS['no-rollout-state']);
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    // Running = desired was true while the old deployment still ran; that was not the end: the action was
    // still looking when the old one had drained, and stopped at that look.
    expect(measurement.outcome).toBe('COMPLETED');
    expect(measurement.pollsAfterSeen).toBe(0);
  }, 60_000);

  it('failed rollout with throttling, a 500 and a connection reset on polls and diagnostics: full diagnostics anyway', async () => {
    const { seed, result, measurement } = await runScenario(stack, SCENARIOS['failed-flaky-diagnostics']);
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(stack.proxy.calls.filter(c => c.injected).map(c => c.injected)).toEqual(
      expect.arrayContaining(['reset', 'throttle', '500'])
    );
    expect(result.summary).toContain('EssentialContainerExited');
    expect(result.summary).toContain('Target.ResponseCodeMismatch');
    expect(result.summary).toContain(failingLogLines()[34]);
    expect(await serviceTaskDefinition(seed)).toBe(td(seed, 1));
    expect(measurement.pollsAfterSeen).toBe(0);
    expect(measurement.rollback).toMatchObject({ outcome: 'COMPLETED', pollsAfterSeen: 0 });
  }, 60_000);

  it('a rollback that fails too: the step fails and says the rollback did not complete', async () => {
    const { seed, result } = await runScenario(stack, SCENARIOS['rollback-fails']);
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('FAILED');
    expect(result.output).toMatch(/roll(ing|ed)? ?back.*(did not complete|failed)/i);
    expect(stack.layer.started.filter(s => s.byAction).map(s => s.plan)).toEqual(['rollout', 'rollback']);
    expect(await serviceTaskDefinition(seed)).toBe(td(seed, 1));
  }, 60_000);

  it('AccessDenied on UpdateService fails at once and names the permission', async () => {
    const { result } = await runScenario(stack, SCENARIOS['access-denied']);
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('FAILED');
    expect(result.stdout).toMatch(/::error::.*ecs:UpdateService/);
    expect(stack.proxy.count('UpdateService')).toBe(1);
    const update = stack.proxy.calls.find(c => c.operation === 'UpdateService')!;
    const later = stack.proxy.calls.filter(
      c => c.receivedAt > update.answeredAt && c.operation === 'DescribeServices'
    );
    // At once: no retry, no look at the service after the refusal.
    expect(later).toEqual([]);
  }, 60_000);

  it('run-task exiting 0, then the rollout: COMPLETED with the task outputs', async () => {
    const { result } = await runScenario(stack, SCENARIOS['run-task-then-rollout']);
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'COMPLETED', 'run-task-exit-code': '0' });
    const order = stack.proxy.calls
      .map(c => c.operation)
      .filter(o => o === 'RunTask' || o === 'UpdateService');
    expect(order).toEqual(['RunTask', 'UpdateService']);
  }, 60_000);

  it('wait: false returns once the deployment has started', async () => {
    const { result } = await runScenario(stack, SCENARIOS.success, { inputs: { wait: 'false' } });
    expect(result.code).toBe(0);
    expect(result.outputs['deployment-id']).toBe(stack.layer.started[0].id);
    expect(result.outputs.status).toBe('IN_PROGRESS');
    const update = stack.proxy.calls.find(c => c.operation === 'UpdateService')!;
    const later = stack.proxy.calls.filter(
      c => c.receivedAt > update.answeredAt && c.operation === 'DescribeServices'
    );
    expect(later).toEqual([]);
  }, 60_000);

  it('cluster and service given as ARNs, with a new desired count', async () => {
    const seed = await stack.fresh();
    const { result } = await runScenario(stack, SCENARIOS.success, {
      reuse: seed,
      afterMs: 1500,
      inputs: {
        cluster: `arn:aws:ecs:us-east-1:123456789012:cluster/${seed.cluster}`,
        service: `arn:aws:ecs:us-east-1:123456789012:service/${seed.cluster}/${seed.service}`,
        'desired-count': '3'
      }
    });
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    expect(result.stdout).toMatch(/running 3\/3/);
    const out = await stack.clients.ecs.send(
      new DescribeServicesCommand({ cluster: seed.cluster, services: [seed.service] })
    );
    expect(out.services?.[0]?.desiredCount).toBe(3);
  }, 60_000);

  it('rollback: false leaves a failed deployment as it is (FAILED, one UpdateService)', async () => {
    const { seed, result } = await runScenario(stack, SCENARIOS.failed, { inputs: { rollback: 'false' } });
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('FAILED');
    expect(stack.proxy.count('UpdateService')).toBe(1);
    expect(result.summary).toContain('EssentialContainerExited');
    expect(await serviceTaskDefinition(seed)).toBe(td(seed, 2));
  }, 60_000);

  it('force-new-deployment with an identical task definition: a new deployment of the same revision', async () => {
    const first = await runScenario(stack, SCENARIOS.success, { afterMs: 1500 });
    const seed = first.seed;
    expect(first.result.outputs.status).toBe('COMPLETED');
    const second = await runScenario(stack, SCENARIOS.success, {
      reuse: seed,
      afterMs: 1500,
      inputs: { 'force-new-deployment': 'true' }
    });
    expect(second.result.code).toBe(0);
    expect(second.result.outputs).toMatchObject({
      status: 'COMPLETED',
      registered: 'false',
      'task-definition-arn': td(seed, 2)
    });
    expect(stack.layer.started.filter(s => s.byAction)).toHaveLength(1);
    expect(second.result.outputs['deployment-id']).toBe(stack.layer.started[0].id);
    expect(second.result.outputs['deployment-id']).not.toBe(first.result.outputs['deployment-id']);
  }, 60_000);

  it('AccessDenied while diagnosing does not hide the failure; it names the permission in the diagnostics', async () => {
    const { result } = await runScenario(stack, {
      ...SCENARIOS.failed,
      scenario: afterMs => ({
        ...SCENARIOS.failed.scenario(afterMs),
        faults: [
          { operation: 'DescribeTargetHealth', calls: [1], kind: 'access-denied' },
          { operation: 'GetLogEvents', calls: [1], kind: 'access-denied' }
        ]
      })
    });
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(result.summary).toContain('EssentialContainerExited');
    expect(result.summary).toContain('elasticloadbalancing:DescribeTargetHealth');
    expect(result.summary).toContain('logs:GetLogEvents');
  }, 60_000);

  it('SIGTERM while the one-off task runs: exits by itself, non-zero, and the service is not updated', async () => {
    const { seed, result, measurement } = await runScenario(stack, {
      ...SCENARIOS['run-task-fails'],
      afterMs: 60_000,
      cancelWhen: /Started task [0-9a-f-]+; waiting for it to stop/,
      expect: { status: 'CANCELLED', success: false }
    });
    expect(result.signal).toBeNull();
    expect(result.code).not.toBe(0);
    expect(measurement.outcome).toBe('SIGTERM');
    expect(result.output).toMatch(/cancel/i);
    expect(stack.proxy.count('UpdateService')).toBe(0);
    expect(await serviceTaskDefinition(seed)).toBe(td(seed, 1));
  }, 60_000);

  it('an INACTIVE (deleted) service is refused before anything is registered', async () => {
    const seed = await stack.fresh();
    await stack.clients.ecs.send(
      new DeleteServiceCommand({ cluster: seed.cluster, service: seed.service, force: true })
    );
    const { result } = await runScenario(stack, SCENARIOS.success, { reuse: seed });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/::error::.*service.*(INACTIVE|does not exist)/is);
    expect(stack.proxy.count('RegisterTaskDefinition')).toBe(0);
    expect(await revisions(stack.clients, seed.family)).toEqual([td(seed, 1)]);
  }, 60_000);

  it('keep-revisions never deregisters a revision another service of the cluster runs', async () => {
    const seed = await stack.fresh();
    await stack.clients.ecs.send(
      new CreateServiceCommand({
        cluster: seed.cluster,
        serviceName: 'web-canary',
        taskDefinition: seed.taskDefinitionArn,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: [seed.subnetId], securityGroups: [] } }
      })
    );
    const { result } = await runScenario(stack, SCENARIOS.success, {
      reuse: seed,
      afterMs: 1500,
      inputs: { 'keep-revisions': '1' }
    });
    expect(result.code).toBe(0);
    expect(await revisions(stack.clients, seed.family, 'ACTIVE')).toEqual([td(seed, 1), td(seed, 2)]);
  }, 60_000);

  it('a FireLens task definition registers with the run-time ${AWS_REGION} and ${ECS_TASK_ID} untouched', async () => {
    const seed = await stack.fresh();
    const described = await stack.clients.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: seed.taskDefinitionArn })
    );
    // A log router container and an app logging through awsfirelens (the Amazon ECS developer guide's FireLens
    // shape); Fluent Bit expands ${...} in the options from the router's environment when each task starts.
    const options = {
      Name: 'cloudwatch_logs',
      region: '${AWS_REGION}',
      log_group_name: '/ecs/web',
      log_stream_name: 'app-${ECS_TASK_ID}',
      auto_create_group: 'true'
    };
    const [app, ...others] = described.taskDefinition!.containerDefinitions!;
    const document = {
      ...described.taskDefinition,
      containerDefinitions: [
        {
          name: 'log_router',
          image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
          essential: true,
          memory: 64,
          firelensConfiguration: { type: 'fluentbit' }
        },
        { ...app, image: '${var.APP_IMAGE}', logConfiguration: { logDriver: 'awsfirelens', options } },
        ...others
      ]
    };
    const dir = mkdtempSync(join(tmpdir(), 'dockyard-firelens-'));
    try {
      writeFileSync(join(dir, 'web.task.json'), JSON.stringify(document, null, 2));
      const { result } = await runScenario(stack, SCENARIOS.success, {
        reuse: seed,
        afterMs: 1500,
        inputs: { images: undefined, 'task-definition': 'web.task.json', vars: `APP_IMAGE=${IMAGE_V2}` },
        cwd: dir
      });
      expect(result.code).toBe(0);
      const def = await registered(result.outputs['task-definition-arn']);
      expect(def.revision).toBe(2);
      const registeredApp = def.containerDefinitions!.find(c => c.name === 'app')!;
      expect(registeredApp.image).toBe(IMAGE_V2);
      expect(registeredApp.logConfiguration).toEqual({ logDriver: 'awsfirelens', options });
      expect(def.containerDefinitions!.find(c => c.name === 'log_router')!.firelensConfiguration).toEqual({
        type: 'fluentbit'
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  describe('bad input is refused before anything is registered', () => {
    let root: string;
    let dir: string;
    let badYaml: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'dockyard-bad-'));
      dir = join(root, 'ws');
      mkdirSync(dir);
      badYaml = join(dir, 'bad.yaml');
      writeFileSync(badYaml, 'family: web\ncontainerDefinitions:\n  - name: app\n    image: [unclosed\n');
      const td = (image: string) =>
        `family: web\ncontainerDefinitions:\n  - name: app\n    image: ${image}\n    memory: 128\n`;
      writeFileSync(join(dir, 'td.yaml'), td('web:${var.IMAGE_TAG}'));
      writeFileSync(join(dir, 'unmarked.yaml'), td('web:${IMAGE_TAG}'));
      writeFileSync(join(root, 'outside.yaml'), td('web:1'));
      writeFileSync(join(root, 'outside.env'), 'LEAKED=1\n');
      symlinkSync(join(root, 'outside.yaml'), join(dir, 'link.yaml'));
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    const cases: [string, (seed: Seeded) => Record<string, string>, RegExp][] = [
      [
        'an unknown container',
        seed => ({ ...baseInputs(seed), images: `nginx=${IMAGE_V2}` }),
        /images.*nginx|nginx.*images/s
      ],
      [
        'a cluster that does not exist',
        seed => ({ ...baseInputs(seed), cluster: 'nowhere' }),
        /cluster.*nowhere|nowhere.*cluster/s
      ],
      [
        'a service that does not exist',
        seed => ({ ...baseInputs(seed), service: 'ghost' }),
        /service.*ghost|ghost.*service/s
      ],
      ['a malformed images line', seed => ({ ...baseInputs(seed), images: 'app' }), /images.*line 1/s],
      [
        'a missing task-definition file',
        seed => ({ ...baseInputs(seed), 'task-definition': 'deploy/nowhere.json' }),
        /task-definition.*nowhere\.json/s
      ],
      [
        'invalid YAML',
        seed => ({ ...baseInputs(seed), 'task-definition': badYaml }),
        /task-definition.*(YAML|JSON)/is
      ],
      [
        'a placeholder without a value',
        seed => ({ ...baseInputs(seed), 'task-definition': 'td.yaml' }),
        /Input 'task-definition': \$\{var\.IMAGE_TAG\} in 'td\.yaml' has no value\. Declare it in 'vars' \(IMAGE_TAG=<value>\)/
      ],
      [
        'a forgotten var. marker',
        seed => ({ ...baseInputs(seed), 'task-definition': 'unmarked.yaml', vars: 'IMAGE_TAG=1.2.3' }),
        /Input 'task-definition': \$\{IMAGE_TAG\} in 'unmarked\.yaml' names a declared value without the 'var\.' marker\. Write \$\{var\.IMAGE_TAG\}/
      ],
      [
        'a task definition outside the workspace',
        seed => ({ ...baseInputs(seed), 'task-definition': '../outside.yaml' }),
        /Input 'task-definition': '\.\.\/outside\.yaml' is outside the workspace/
      ],
      [
        'a task definition that is a symlink out of the workspace',
        seed => ({ ...baseInputs(seed), 'task-definition': 'link.yaml' }),
        /Input 'task-definition': 'link\.yaml' leads outside the workspace through a symbolic link/
      ],
      [
        'an env file outside the workspace',
        seed => ({ ...baseInputs(seed), 'env-files': `app=${join(root, 'outside.env')}` }),
        /Input 'env-files': line 1: '[^']+outside\.env' is outside the workspace/
      ]
    ];
    it.each(cases)(
      '%s',
      async (_name, inputs, message) => {
        const seed = await stack.fresh();
        const { result } = await runScenario(
          stack,
          { ...SCENARIOS.success, inputs },
          { reuse: seed, cwd: dir }
        );
        expect(result.code).not.toBe(0);
        expect(result.stdout).toMatch(/::error::/);
        expect(result.stdout).toMatch(message);
        expect(result.output).not.toContain('LEAKED');
        expect(stack.proxy.count('RegisterTaskDefinition')).toBe(0);
        expect(stack.proxy.count('UpdateService')).toBe(0);
        expect(await revisions(stack.clients, seed.family)).toEqual([td(seed, 1)]);
        expect(parseReports(result.outputs.report)[0].status).toBe('failure');
      },
      60_000
    );
  });

  it('run-task: a migration that exits 3 fails the step with its log lines; the service is not updated', async () => {
    const { seed, result, measurement } = await runScenario(stack, SCENARIOS['run-task-fails']);
    expect(result.code).not.toBe(0);
    expect(result.outputs['run-task-exit-code']).toBe('3');
    expect(result.outputs['run-task-arn']).toContain(`:task/${seed.cluster}/`);
    expect(result.outputs.status).toBe('FAILED');
    for (const text of [result.stdout, result.summary]) {
      expect(text).toContain(MIGRATION_LOG.at(-1));
      expect(text).toContain('exit code 3');
    }
    const run = stack.proxy.calls.find(c => c.operation === 'RunTask');
    expect(run?.status).toBe(200);
    expect(stack.proxy.count('UpdateService')).toBe(0);
    expect(await serviceTaskDefinition(seed)).toBe(td(seed, 1));
    // It stopped looking at the task at the look that showed it stopped.
    expect(measurement.pollsAfterSeen).toBe(0);
  }, 60_000);
});
