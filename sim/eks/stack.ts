/**
 * The local stack for deploy-eks tests: a private moto_server (STS, EKS), the EKS front in front of it, and
 * the Kubernetes API test server the front's DescribeCluster points at. The action reaches AWS only through
 * `env` (AWS_ENDPOINT_URL = the front); the API server replays its tokens against moto.
 */
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordingProxy } from '../ecs/proxy.js';
import { awsEnv, useMoto, TEST_ACCOUNT, TEST_REGION, type Moto } from '../moto.js';
import { OPEN_ENDPOINT, startEksFront, type EndpointAccess } from './front.js';
import { writeKubeconfig } from './kubectl.js';
import { DEFAULT_CLUSTER, startKubeServer, type KubeServer, type KubeServerOptions } from './server.js';

export interface EksStack {
  moto: Moto;
  /** The AWS endpoint the action talks to: EKS DescribeCluster rewritten, everything else → moto. */
  front: RecordingProxy;
  kube: KubeServer;
  cluster: string;
  /** Environment for the action: every AWS service through the front. */
  env: Record<string, string>;
  /** What DescribeCluster reports about endpoint access from now on. */
  endpointAccess(access: Partial<EndpointAccess>): void;
  /** Writes a kubeconfig for kubectl (test CA, static token); returns its path. */
  kubeconfig(file?: string): string;
  /** A new cluster: the API server reset with `options` (moto's cluster record stays; the front answers for it). */
  fresh(options?: KubeServerOptions): Promise<void>;
  stop(): Promise<void>;
}

export interface EksStackOptions {
  cluster?: string;
  kube?: KubeServerOptions;
}

async function createCluster(motoEndpoint: string, name: string): Promise<void> {
  const eks = new EKSClient({
    endpoint: motoEndpoint,
    region: TEST_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
  try {
    await eks
      .send(
        new CreateClusterCommand({
          name,
          version: '1.34',
          roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/eks-cluster`,
          resourcesVpcConfig: { subnetIds: ['subnet-0a1b2c3d'], securityGroupIds: ['sg-0a1b2c3d'] }
        })
      )
      .catch((e: Error) => {
        // The end-to-end run's moto is shared: another stack may have created it (the front answers for its own).
        if (e.name !== 'ResourceInUseException') throw e;
      });
  } finally {
    eks.destroy();
  }
}

export async function startEksStack(options: EksStackOptions = {}): Promise<EksStack> {
  const cluster = options.cluster ?? DEFAULT_CLUSTER;
  const moto = await useMoto();
  let kube: KubeServer | undefined;
  let front: Awaited<ReturnType<typeof startEksFront>> | undefined;
  try {
    kube = await startKubeServer({ ...options.kube, cluster, stsEndpoint: moto.endpoint });
    front = await startEksFront(moto.endpoint, kube);
    await createCluster(moto.endpoint, cluster);
    const k = kube;
    const f = front;
    const dir = mkdtempSync(join(tmpdir(), 'dockyard-eks-'));
    return {
      moto,
      front: f.proxy,
      kube: k,
      cluster,
      env: awsEnv(f.proxy.endpoint),
      endpointAccess: access => {
        f.access = { ...f.access, ...access };
      },
      kubeconfig: file =>
        writeKubeconfig(file ?? join(dir, 'kubeconfig'), {
          url: k.url,
          caPem: k.caPem,
          token: k.staticToken
        }),
      fresh: async (overrides = {}) => {
        f.access = { ...OPEN_ENDPOINT };
        f.proxy.resetCalls();
        k.reset({ ...options.kube, ...overrides, cluster, stsEndpoint: moto.endpoint });
      },
      stop: async () => {
        await f.proxy.stop();
        await k.stop();
        await moto.stop();
      }
    };
  } catch (error) {
    await front?.proxy.stop();
    await kube?.stop();
    await moto.stop();
    throw error;
  }
}
