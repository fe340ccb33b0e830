/**
 * The EKS front: the recording proxy of sim/ecs/proxy.ts in front of moto, with a handler that makes moto's
 * DescribeCluster point at the Kubernetes API test server (its `endpoint` and `certificateAuthority.data`),
 * and reports the endpoint access a test sets (a private endpoint, public access limited to CIDRs).
 */
import { startRecordingProxy, type ProxyResponse, type RecordingProxy } from '../ecs/proxy.js';
import type { KubeServer } from './server.js';

export interface EndpointAccess {
  publicAccess: boolean;
  privateAccess: boolean;
  publicAccessCidrs: string[];
}

export const OPEN_ENDPOINT: EndpointAccess = {
  publicAccess: true,
  privateAccess: false,
  publicAccessCidrs: ['0.0.0.0/0']
};

export interface EksFront {
  proxy: RecordingProxy;
  access: EndpointAccess;
}

/** DescribeCluster's answer with the test server's endpoint and CA, and the access settings. */
function rewriteCluster(response: ProxyResponse, kube: KubeServer, access: EndpointAccess): ProxyResponse {
  if (response.status !== 200) return response;
  const body = JSON.parse(response.body) as { cluster?: Record<string, unknown> };
  const cluster = body.cluster;
  if (!cluster) return response;
  cluster.endpoint = kube.url;
  cluster.certificateAuthority = { data: kube.caData };
  cluster.status = 'ACTIVE';
  cluster.resourcesVpcConfig = {
    ...((cluster.resourcesVpcConfig as Record<string, unknown> | undefined) ?? {}),
    endpointPublicAccess: access.publicAccess,
    endpointPrivateAccess: access.privateAccess,
    publicAccessCidrs: access.publicAccessCidrs
  };
  return { ...response, body: JSON.stringify(body) };
}

export async function startEksFront(motoEndpoint: string, kube: KubeServer): Promise<EksFront> {
  const proxy = await startRecordingProxy(motoEndpoint);
  const front: EksFront = { proxy, access: { ...OPEN_ENDPOINT } };
  proxy.setHandler(async (request, forward) => {
    const response = await forward();
    if (request.service === 'eks' && request.operation === 'DescribeCluster')
      return rewriteCluster(response, kube, front.access);
    if (request.service === 'sts' && response.status === 200 && request.operation.startsWith('AssumeRole')) {
      const id = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(response.body)?.[1];
      const secret = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(response.body)?.[1];
      if (id && secret) kube.auth.learnCredentials(id, secret);
    }
    return response;
  });
  return front;
}
