/**
 * A stateful fake of ECS with several rolling services in one cluster, over aws-sdk-client-mock: each service
 * runs web:7 until its UpdateService, then its deployment moves by the script `plan` gives it, one step per
 * look at that service (DescribeServices); an UpdateService back to web:7 is a rollback that completes at its
 * second look. It records the writes in order, so tests count RegisterTaskDefinition and UpdateService. Beside
 * strategy-fake.ts (`alongside`), it answers only for its own services, and the strategy fake for `web`.
 */
import {
  DescribeServicesCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service
} from '@aws-sdk/client-ecs';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { ACCOUNT, CLUSTER, REGION, deployment, service, tdArn } from './fixtures.js';
import { fakeRegistry } from './registry-fake.js';

/** What a service's deployment does after its UpdateService to the new revision, by look (1-based). */
export type Plan = 'completes' | 'fails' | 'ecs-rolls-back' | 'superseded' | 'stays';

export interface ServicesFake {
  /** The writes, in order: `register` or `update <service> <family:revision>`. */
  writes: string[];
  /** Looks at each service (DescribeServices naming it). */
  looks(name: string): number;
  /** What each service runs now. */
  running(name: string): string | undefined;
}

export function servicesFake(
  ecsMock: AwsClientStub<ECSClient>,
  plans: Record<string, Plan>,
  options: {
    /** The revision of web each service runs before (7 unless said). */
    running?: Record<string, number>;
    /** The look at which each service's plan shows its outcome (2 unless said). */
    afterLooks?: Record<string, number>;
    /** Another fake answers for the services not in `plans` (strategy-fake.ts's `web`). */
    alongside?: boolean;
    /** What differs of a service from the fixture's (its load balancer, …). */
    service?: Record<string, Partial<Service>>;
  } = {}
): ServicesFake {
  const writes: string[] = [];
  fakeRegistry(ecsMock, [7, ...Object.values(options.running ?? {})], () => writes.push('register'));
  const state = new Map(
    Object.keys(plans).map(name => [
      name,
      {
        current: {
          ...serviceNamed(name, options.running?.[name] ?? 7, plans[name] === 'ecs-rolls-back'),
          ...options.service?.[name]
        },
        looks: 0,
        updated: ''
      }
    ])
  );
  // Any other service does not exist, unless another fake (strategy-fake.ts) answers for it. First: a
  // catch-all stubbed after the per-service answers would take their place.
  if (!options.alongside)
    ecsMock.on(DescribeServicesCommand).callsFake(input => ({
      services: [],
      failures: [{ arn: String(input.services?.[0]), reason: 'MISSING' }]
    }));
  for (const name of Object.keys(plans)) {
    const s = state.get(name)!;
    ecsMock.on(UpdateServiceCommand, { service: name }).callsFake(input => {
      const td = String(input.taskDefinition);
      writes.push(`update ${name} ${td.split('/').pop()}`);
      s.current = {
        ...s.current,
        taskDefinition: td,
        deployments: [
          deployment({ id: `ecs-svc/${name}-${writes.length}`, taskDefinition: td }),
          ...(s.current.deployments ?? []).map(d => ({ ...d, status: 'ACTIVE' }))
        ]
      };
      s.looks = 0;
      s.updated = td;
      return { service: s.current };
    });
    ecsMock.on(DescribeServicesCommand, { services: [name] }).callsFake(() => {
      if (s.updated) {
        s.looks += 1;
        // An UpdateService back to web:7 is the step's rollback: it completes.
        const plan = s.updated.endsWith(':7') ? 'completes' : plans[name];
        s.current = step(s.current, plan, s.looks, options.afterLooks?.[name] ?? 2);
      }
      return { services: [s.current], failures: [] };
    });
  }
  return {
    writes,
    looks: name => state.get(name)?.looks ?? 0,
    running: name => state.get(name)?.current.taskDefinition?.split('/').pop()
  };
}

function serviceNamed(name: string, revision: number, ecsRollback: boolean): Service {
  return service({
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: ecsRollback, rollback: ecsRollback },
      maximumPercent: 200,
      minimumHealthyPercent: 100
    },
    serviceName: name,
    serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${name}`,
    taskDefinition: tdArn('web', revision),
    deployments: [
      deployment({
        id: `ecs-svc/${name}-0`,
        taskDefinition: tdArn('web', revision),
        runningCount: 2,
        rolloutState: 'COMPLETED'
      })
    ]
  });
}

/** The service after one more look, on its plan: the outcome shows at look `at`. */
function step(current: Service, plan: Plan, look: number, at: number): Service {
  if (plan === 'stays' || look < at) return current;
  const [primary, ...others] = current.deployments ?? [];
  if (plan === 'completes')
    return { ...current, deployments: [{ ...primary, runningCount: 2, rolloutState: 'COMPLETED' }] };
  if (plan === 'fails')
    return {
      ...current,
      deployments: [
        {
          ...primary,
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          failedTasks: 3
        },
        ...others
      ]
    };
  // Someone else's UpdateService to web:9: theirs is the PRIMARY deployment now.
  if (plan === 'superseded')
    return {
      ...current,
      taskDefinition: tdArn('web', 9),
      deployments: [
        deployment({ id: 'ecs-svc/someone-else', taskDefinition: tdArn('web', 9) }),
        { ...primary, status: 'ACTIVE' },
        ...others
      ]
    };
  // ECS's circuit breaker put the previous revision back itself.
  const previous = others[0];
  return {
    ...current,
    taskDefinition: previous.taskDefinition,
    deployments: [
      deployment({
        id: `ecs-svc/rollback-${look}`,
        taskDefinition: previous.taskDefinition ?? '',
        rolloutStateReason: `ECS deployment ${primary.id} rolling back to ${previous.id}.`
      })
    ]
  };
}
