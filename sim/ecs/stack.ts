/**
 * The local stack for deploy-ecs tests and the benchmark: moto (the end-to-end run's, or a private one), the
 * recording proxy in front of it, and the ECS scenario layer that animates rollouts. The action reaches AWS only
 * through `env` (AWS_ENDPOINT_URL = the proxy). Each test file has its own proxy and layer; moto is shared and
 * never reset, so `fresh()` seeds a service under names of its own.
 */
import { awsEnv, useMoto, type Moto } from '../moto.js';
import { startRecordingProxy, type RecordingProxy } from './proxy.js';
import { EcsScenarioLayer, type Pace } from './scenario.js';
import { motoClients, seedService, type MotoClients, type SeedOptions, type Seeded } from './seed.js';

export interface EcsStack {
  moto: Moto;
  proxy: RecordingProxy;
  layer: EcsScenarioLayer;
  /** SDK clients straight to moto, for seeding and for checking what the action did. */
  clients: MotoClients;
  /** Environment for the action: every AWS service through the proxy. */
  env: Record<string, string>;
  /** Forgets what the scenario layer knew, then seeds a new cluster and service (names of its own). */
  fresh(options?: SeedOptions): Promise<Seeded>;
  stop(): Promise<void>;
}

export interface EcsStackOptions {
  /** How the layer's ECS time moves: the wall clock (the default), or the action's looks (end-to-end tests). */
  pace?: Pace;
}

export async function startEcsStack(options: EcsStackOptions = {}): Promise<EcsStack> {
  const moto = await useMoto();
  let proxy: RecordingProxy | undefined;
  try {
    proxy = await startRecordingProxy(moto.endpoint);
    const clients = motoClients(moto.endpoint);
    const layer = new EcsScenarioLayer(proxy, clients);
    if (options.pace) layer.pace = options.pace;
    const stack: EcsStack = {
      moto,
      proxy,
      layer,
      clients,
      env: awsEnv(proxy.endpoint),
      fresh: async seedOptions => {
        layer.reset();
        const seed = await seedService(clients, seedOptions);
        layer.configure(seed.cluster, seed.service, seed.deploymentConfiguration);
        return seed;
      },
      stop: async () => {
        for (const client of [
          clients.ecs,
          clients.elb,
          clients.logs,
          clients.ecr,
          clients.ssm,
          clients.secrets
        ])
          client.destroy();
        await proxy?.stop();
        await moto.stop();
      }
    };
    return stack;
  } catch (error) {
    await proxy?.stop();
    await moto.stop();
    throw error;
  }
}
