/**
 * deploy-ecs end to end on one release to two services of one cluster (`service: web, worker`): the bundle
 * against moto behind the ECS scenario layer, paced by the action's looks. Both complete: one registration, one
 * UpdateService each. One crashes: the other stops being followed, both are put back, and the calls ECS answered
 * say exactly what was written. The counts come from the proxy's record of the calls, not from the action's log.
 */
import { describe, expect, it } from '@jest/globals';
import { parseReports } from '../core/report.js';
import { runAction } from '../sim/runner.js';
import type { Scenario } from '../sim/ecs/scenario.js';
import { CRASH, FAST_POLL_INTERVAL_MS, POLL_INTERVAL_MS } from '../sim/ecs/scenarios.js';
import { IMAGE_V2, seedService, type SeedOptions, type Seeded } from '../sim/ecs/seed.js';
import { type EcsStack } from '../sim/ecs/stack.js';
import { ecsStackForFile } from './ecs.js';

let stack: EcsStack;

ecsStackForFile(started => {
  stack = started;
});

/** Two services of one cluster on one revision, each with its own scenario. */
async function twoServices(web: Scenario, worker: Scenario, webSeed: SeedOptions = {}): Promise<Seeded> {
  const seed = await stack.fresh({ loadBalancer: false, ...webSeed });
  const second = await seedService(stack.clients, {
    id: seed.id,
    cluster: seed.cluster,
    service: 'worker',
    family: seed.family,
    taskDefinitionArn: seed.taskDefinitionArn,
    loadBalancer: false
  });
  stack.layer.configure(second.cluster, second.service, second.deploymentConfiguration);
  stack.layer.use({ name: 'services', rollout: { kind: 'complete', afterMs: 300 } });
  stack.layer.useFor(seed.cluster, 'web', web);
  stack.layer.useFor(seed.cluster, 'worker', worker);
  return seed;
}

function deployBoth(seed: Seeded) {
  return runAction('deploy-ecs', {
    inputs: {
      cluster: seed.cluster,
      service: 'web\nworker',
      images: `app=${IMAGE_V2}`,
      'poll-interval': `${FAST_POLL_INTERVAL_MS}ms`,
      timeout: '60s'
    },
    env: stack.env,
    timeoutMs: 90_000
  });
}

/** The writes ECS answered, by operation and service (or family), in order. */
function writes(): string[] {
  return stack.proxy.calls
    .filter(c => c.status === 200 && ['RegisterTaskDefinition', 'UpdateService'].includes(c.operation))
    .map(c => `${c.operation} ${c.subject}`);
}

/** The release's own writes: one registration, then one UpdateService per service in the order given. */
const released = (seed: Seeded) => [
  `RegisterTaskDefinition ${seed.family}`,
  'UpdateService web',
  'UpdateService worker'
];

async function runningOf(seed: Seeded, service: string): Promise<string | undefined> {
  const { DescribeServicesCommand } = await import('@aws-sdk/client-ecs');
  const out = await stack.clients.ecs.send(
    new DescribeServicesCommand({ cluster: seed.cluster, services: [service] })
  );
  return out.services?.[0]?.taskDefinition?.split('/').pop();
}

describe('deploy-ecs to several services in one step', () => {
  it('both complete: one registration, one UpdateService each, each service reported', async () => {
    const seed = await twoServices(
      { name: 'web', rollout: { kind: 'complete', afterMs: 300 } },
      { name: 'worker', rollout: { kind: 'complete', afterMs: 900 } }
    );
    const result = await deployBoth(seed);
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    expect(writes()).toEqual(released(seed));
    const services = JSON.parse(result.outputs.services ?? '[]') as { service: string; status: string }[];
    expect(services.map(s => [s.service, s.status])).toEqual([
      ['web', 'COMPLETED'],
      ['worker', 'COMPLETED']
    ]);
    expect(result.outputs['task-definition-revision']).toBe('2');
    expect(await runningOf(seed, 'worker')).toBe(`${seed.family}:2`);
    expect(result.summary).toContain('### ✅ web — COMPLETED');
    expect(result.summary).toContain('### ✅ worker — COMPLETED');
    const [report] = parseReports(result.outputs.report ?? '');
    expect(report).toMatchObject({ outcome: 'COMPLETED', subject: 'web, worker' });
    // Each service's lines are labelled with it.
    expect(result.stdout).toMatch(/\[worker\] Waiting for deployment/);
  }, 60_000);

  it('one crashes: the other is put back too, the crash named first; no UpdateService beyond the rollback', async () => {
    const seed = await twoServices(
      { name: 'web', rollout: { kind: 'fail', afterMs: 500, failure: CRASH } },
      { name: 'worker', rollout: { kind: 'complete', afterMs: 5000 } }
    );
    const result = await deployBoth(seed);
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('ROLLED_BACK');
    const all = writes();
    expect(all.slice(0, 3)).toEqual(released(seed));
    expect(all.slice(3).sort()).toEqual(['UpdateService web', 'UpdateService worker']);
    expect(await runningOf(seed, 'web')).toBe(`${seed.family}:1`);
    expect(await runningOf(seed, 'worker')).toBe(`${seed.family}:1`);
    const [report] = parseReports(result.outputs.report ?? '');
    expect(report.summary).toMatch(/^web: 2 tasks stopped: app exited with code 1/);
    const services = JSON.parse(result.outputs.services ?? '[]') as { service: string; status: string }[];
    expect(services.map(s => s.status)).toEqual(['ROLLED_BACK', 'ROLLED_BACK']);
    expect(result.summary).toMatch(/worker — ROLLED_BACK/);
    // The worker stopped being followed at once: at most the look in flight when web's failure was shown.
    const shown = stack.layer.outcomesOf(seed.cluster, 'web').find(o => o.of === 'rollout')?.shownAt ?? 0;
    const rollback = stack.proxy.calls.filter(
      c => c.operation === 'UpdateService' && c.subject === 'worker'
    )[1];
    const workerLooks = stack.proxy.calls.filter(
      c =>
        c.operation === 'DescribeServices' &&
        c.subject === 'worker' &&
        c.receivedAt > shown &&
        c.receivedAt < rollback.receivedAt
    );
    expect(shown).toBeGreaterThan(0);
    expect(workerLooks.length).toBeLessThanOrEqual(1);
  }, 60_000);

  it("ECS's circuit breaker rolls one back: no UpdateService for it during or after, the other put back", async () => {
    const seed = await twoServices(
      {
        name: 'web',
        rollout: {
          kind: 'fail',
          afterMs: 500,
          failure: CRASH,
          ecsRollback: true,
          rollbackCompletesAfterMs: 1000
        }
      },
      { name: 'worker', rollout: { kind: 'complete', afterMs: 5000 } },
      { circuitBreakerRollback: true }
    );
    const result = await deployBoth(seed);
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(writes()).toEqual([...released(seed), 'UpdateService worker']);
    expect(await runningOf(seed, 'web')).toBe(`${seed.family}:1`);
    expect(await runningOf(seed, 'worker')).toBe(`${seed.family}:1`);
    const services = JSON.parse(result.outputs.services ?? '[]') as { service: string; status: string }[];
    expect(services.map(s => s.status)).toEqual(['ROLLED_BACK', 'ROLLED_BACK']);
  }, 60_000);

  it('a blue/green service beside a rolling one that crashes: stopped with ROLLBACK, never updated again', async () => {
    const seed = await twoServices(
      { name: 'web', rollout: { kind: 'strategy' } },
      { name: 'worker', rollout: { kind: 'fail', afterMs: 4 * POLL_INTERVAL_MS, failure: CRASH } },
      {
        loadBalancer: true,
        circuitBreakerRollback: true,
        strategy: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 10 }
      }
    );
    const result = await deployBoth(seed);
    expect(result.outputs.status).toBe('ROLLED_BACK');
    expect(writes()).toEqual([...released(seed), 'UpdateService worker']);
    expect(stack.proxy.count('StopServiceDeployment')).toBe(1);
    const services = JSON.parse(result.outputs.services ?? '[]') as { service: string; status: string }[];
    expect(services.map(s => [s.service, s.status])).toEqual([
      ['web', 'ROLLED_BACK'],
      ['worker', 'ROLLED_BACK']
    ]);
    expect(result.summary).toContain('StopServiceDeployment ROLLBACK: ROLLBACK_SUCCESSFUL');
  }, 60_000);
});
