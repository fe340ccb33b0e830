/**
 * The AWS clients of one deploy, each made, and its SDK module loaded, when a phase first needs it: a deploy
 * that verifies nothing never loads ECR, SSM or Secrets Manager, and one that succeeds never loads Elastic Load
 * Balancing. Clients that read where a resource lives (an image, a secret, a log group: awslogs-region may differ
 * from the step's region) are made once per region.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createClient, type ClientOptions } from '../../../core/aws.js';
import type { VerifyClients } from './verify-remote.js';

interface Destroyable {
  destroy(): void;
}
type ClientClass<C> = new (config: never) => C;

/** ECS twice: with the SDK's retries, and without them for the calls that must not be repeated blindly. */
export interface EcsPair {
  ecs: ECSClient;
  /** maxAttempts 1: the caller decides about retries (RegisterTaskDefinition, UpdateService, the polls). */
  ecsNoRetry: ECSClient;
}

export interface LogsAccess {
  /** The step's region. */
  logs?: CloudWatchLogsClient;
  /** Another region, for containers whose awslogs-region differs. */
  logsFor?: (region: string) => CloudWatchLogsClient;
}

/** What the phases ask for; tests give clients they made themselves (`givenClients`). */
export interface ClientSource {
  ecs(): Promise<EcsPair>;
  logs(): Promise<LogsAccess>;
  elb(): Promise<ElasticLoadBalancingV2Client | undefined>;
  /** ECR, SSM, Secrets Manager and CloudWatch Logs, per region, for the verify phase's read-only checks. */
  verify(): Promise<VerifyClients>;
  destroy(): void;
}

/** One client class, loaded on first use, one client per region. */
function lazyPerRegion<C extends Destroyable>(load: () => Promise<ClientClass<C>>, options: ClientOptions) {
  const made = new Map<string, C>();
  let loaded: Promise<(region: string) => C> | undefined;
  return {
    get(): Promise<(region: string) => C> {
      loaded ??= load().then(Class => (region: string) => {
        let client = made.get(region);
        if (!client) {
          client = createClient(Class as never, { ...options, region }) as C;
          made.set(region, client);
        }
        return client;
      });
      return loaded;
    },
    destroy: () => made.forEach(c => c.destroy())
  };
}

/**
 * deploy-ecs's clients. Standard retries: backoff on throttling and 5xx, without adaptive mode's client-side
 * rate limiting, which after one throttled call would hold every later call of the client for seconds and delay
 * detection.
 */
export function lazyClients(region: string, signal: AbortSignal): ClientSource {
  const options: ClientOptions = { region, retryMode: 'standard', signal };
  const ecs = lazyPerRegion(() => import('@aws-sdk/client-ecs').then(m => m.ECSClient), options);
  const ecsNoRetry = lazyPerRegion(() => import('@aws-sdk/client-ecs').then(m => m.ECSClient), {
    ...options,
    maxAttempts: 1
  });
  const logs = lazyPerRegion(
    () => import('@aws-sdk/client-cloudwatch-logs').then(m => m.CloudWatchLogsClient),
    options
  );
  const elb = lazyPerRegion(
    () => import('@aws-sdk/client-elastic-load-balancing-v2').then(m => m.ElasticLoadBalancingV2Client),
    options
  );
  const ecr = lazyPerRegion(() => import('@aws-sdk/client-ecr').then(m => m.ECRClient), options);
  const ssm = lazyPerRegion(() => import('@aws-sdk/client-ssm').then(m => m.SSMClient), options);
  const secrets = lazyPerRegion(
    () => import('@aws-sdk/client-secrets-manager').then(m => m.SecretsManagerClient),
    options
  );
  return {
    ecs: async () => ({ ecs: (await ecs.get())(region), ecsNoRetry: (await ecsNoRetry.get())(region) }),
    logs: async () => {
      const logsFor = await logs.get();
      return { logs: logsFor(region), logsFor };
    },
    elb: async () => (await elb.get())(region),
    verify: async () => {
      const [ecrFor, ssmFor, secretsFor, logsFor] = await Promise.all([
        ecr.get(),
        ssm.get(),
        secrets.get(),
        logs.get()
      ]);
      return { ecrFor, ssmFor, secretsFor, logsFor };
    },
    destroy: () => [ecs, ecsNoRetry, logs, elb, ecr, ssm, secrets].forEach(c => c.destroy())
  };
}

/** Clients made by the caller (tests), handed out as they are; a missing one is a check skipped. */
export function givenClients(
  clients: EcsPair & LogsAccess & VerifyClients & { elb?: ElasticLoadBalancingV2Client }
): ClientSource {
  return {
    ecs: async () => clients,
    logs: async () => clients,
    elb: async () => clients.elb,
    verify: async () => clients,
    destroy: () => undefined
  };
}
