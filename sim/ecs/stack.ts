/**
 * The local stack for deploy-ecs tests and the benchmark: a private moto_server, the recording proxy in
 * front of it, and the ECS scenario layer that animates rollouts. The action reaches AWS only through
 * `env` (AWS_ENDPOINT_URL = the proxy).
 */
import { awsEnv, startMoto, type Moto } from '../moto.js';
import { startRecordingProxy, type RecordingProxy } from './proxy.js';
import { EcsScenarioLayer } from './scenario.js';
import { motoClients, seedService, type MotoClients, type SeedOptions, type Seeded } from './seed.js';

export interface EcsStack {
  moto: Moto;
  proxy: RecordingProxy;
  layer: EcsScenarioLayer;
  /** SDK clients straight to moto, for seeding and for checking what the action did. */
  clients: MotoClients;
  /** Environment for the action: every AWS service through the proxy. */
  env: Record<string, string>;
  /** Resets moto and the scenario layer, then seeds a fresh cluster and service. */
  fresh(options?: SeedOptions): Promise<Seeded>;
  stop(): Promise<void>;
}

export async function startEcsStack(): Promise<EcsStack> {
  const moto = await startMoto();
  let proxy: RecordingProxy | undefined;
  try {
    proxy = await startRecordingProxy(moto.endpoint);
    const clients = motoClients(moto.endpoint);
    const layer = new EcsScenarioLayer(proxy, clients);
    const stack: EcsStack = {
      moto,
      proxy,
      layer,
      clients,
      env: awsEnv(proxy.endpoint),
      fresh: async options => {
        await moto.reset();
        layer.reset();
        const seed = await seedService(clients, options);
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
