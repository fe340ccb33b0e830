/**
 * deploy-eks end to end, what the cloud provisions (issue 15's EKS extras): the bundle runs as the runner runs it
 * against the Kubernetes API test server, whose AWS Load Balancer Controller gives a LoadBalancer Service its
 * address after a delay (or never, with its event) and whose EBS provisioner binds claims (or leaves a
 * WaitForFirstConsumer claim Pending until a pod uses it); and `images` on an Argo Rollout. Each test is scripted by
 * what the cluster reached and what the action asked it, not by wall-clock seconds.
 */
import { describe, expect, it } from '@jest/globals';
import { parseReports } from '../core/report.js';
import { ROLLOUT_CRD } from '../sim/eks/crds.js';
import { NS, REGISTRY, workspace } from '../sim/eks/scenario.js';
import type { EksStack } from '../sim/eks/stack.js';
import { deployEks, eksStackForFile } from './eks.js';

let stack: EksStack;

eksStackForFile(started => (stack = started));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the cluster

/** A Namespace, a Deployment `web` and the extra objects, as YAML documents. */
const manifests = (...extra: string[]) =>
  [
    `apiVersion: v1
kind: Namespace
metadata: { name: ${NS} }`,
    `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: app, image: "${REGISTRY}/web:v1" }] }`,
    ...extra
  ].join('\n---\n');

/** An NLB Service for web, as the AWS Load Balancer Controller's docs write one. */
const NLB = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${NS}
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing
    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip
spec:
  type: LoadBalancer
  loadBalancerClass: service.k8s.aws/nlb
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080, protocol: TCP }]`;

/** A claim of `storageClass` (the EBS CSI driver's docs' example). */
const claim = (storageClass: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: ${NS} }
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ${storageClass}
  resources: { requests: { storage: 4Gi } }`;

const service = () => stack.kube.get('v1', 'Service', NS, 'web') as Json | undefined;
const pvc = () => stack.kube.get('v1', 'PersistentVolumeClaim', NS, 'data') as Json | undefined;
const count = (verb: string, resource: string, since: number) =>
  stack.kube.requests.slice(since).filter(r => r.verb === verb && r.resource === resource).length;

describe('deploy-eks wait-for: load balancers', () => {
  it("gives the Service's load balancer address in the outputs, the summary and the report once it has one", async () => {
    // The controller takes 1 s; the deploy looks every 100 ms.
    await stack.fresh({ loadBalancers: { delayMs: 1000 } });
    const ws = workspace({ 'k8s/app.yaml': manifests(NLB) });
    const before = stack.kube.requests.length;
    const { result } = await deployEks(stack, ws.dir, {
      manifests: 'k8s',
      'wait-for': 'load-balancers'
    });
    expect(result.outputs.status).toBe('COMPLETED');
    const hostname = service()?.status?.loadBalancer?.ingress?.[0]?.hostname as string;
    expect(hostname).toMatch(/^k8s-shop-web-[0-9a-f]{10}-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com$/);
    expect(result.outputs['load-balancer-address']).toBe(hostname);
    expect(JSON.parse(result.outputs['load-balancers'])).toEqual([
      { namespace: NS, name: 'web', addresses: [hostname] }
    ]);
    // It was looked at without an address first: the wait waited for it.
    expect(count('get', 'services', before)).toBeGreaterThan(1);
    expect(result.stdout).toContain('Service shop/web: waiting for its load balancer address');
    expect(result.summary).toContain(hostname);
    const [report] = parseReports(result.outputs.report);
    expect(report.details).toContainEqual(['Load balancer shop/web', hostname]);
    ws.remove();
  }, 30_000);

  it('fails, with the controller’s event as the cause, when the load balancer never comes; nothing rolled back', async () => {
    const message =
      "Failed build model due to couldn't auto-discover subnets: unable to discover at least one subnet";
    await stack.fresh({ loadBalancers: { failure: { reason: 'FailedBuildModel', message } } });
    const ws = workspace({ 'k8s/app.yaml': manifests(NLB) });
    const { result } = await deployEks(stack, ws.dir, {
      manifests: 'k8s',
      'wait-for': 'load-balancers',
      'failure-grace': '1s'
    });
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('FAILED');
    expect(result.stdout).toContain(
      `Service shop/web has no load balancer address: FailedBuildModel: ${message}`
    );
    expect(result.summary).toContain('FailedBuildModel');
    expect(result.outputs['load-balancer-address']).toBe('');
    // The Deployment rolled out; the Service is not a workload to roll back.
    expect(stack.kube.get('apps/v1', 'Deployment', NS, 'web')).toBeDefined();
    expect(result.stdout).not.toMatch(/Rolled back|rolling back/i);
    ws.remove();
  }, 30_000);
});

describe('deploy-eks wait-for: volumes', () => {
  it('waits for a claim of an Immediate class until it is Bound', async () => {
    await stack.fresh({ volumes: { provisionMs: 1000 } });
    stack.kube.apply({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'gp3' },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3' },
      volumeBindingMode: 'Immediate'
    });
    const ws = workspace({ 'k8s/app.yaml': manifests(claim('gp3')) });
    const { result } = await deployEks(stack, ws.dir, { manifests: 'k8s', 'wait-for': 'volumes' });
    expect(result.outputs.status).toBe('COMPLETED');
    expect(pvc()?.status?.phase).toBe('Bound');
    expect(result.stdout).toContain('PersistentVolumeClaim shop/data: Pending: waiting for it to be Bound');
    expect(result.stdout).toContain(`PersistentVolumeClaim shop/data: Bound to ${pvc()?.spec?.volumeName}`);
    expect(result.outputs.report).toContain('1 volume claim ready');
    ws.remove();
  }, 30_000);

  it('counts a WaitForFirstConsumer claim no pod uses yet as ready, not as a failure or a timeout', async () => {
    // EKS's gp2: bound at the first consumer; nothing here uses the claim (a CronJob's would, on its schedule).
    const ws = workspace({ 'k8s/app.yaml': manifests(claim('gp2')) });
    const { result } = await deployEks(stack, ws.dir, {
      manifests: 'k8s',
      'wait-for': 'volumes',
      'failure-grace': '1s'
    });
    expect(result.outputs.status).toBe('COMPLETED');
    expect(pvc()?.status?.phase).toBe('Pending');
    expect(result.stdout).toContain(
      'PersistentVolumeClaim shop/data: Pending until a pod that uses it is scheduled (StorageClass gp2: WaitForFirstConsumer)'
    );
    ws.remove();
  }, 30_000);
  it('a WaitForFirstConsumer claim a Deployment mounts is bound through its pod, and the Deployment rolls out', async () => {
    await stack.fresh({ volumes: { provisionMs: 500 } });
    const mounted = manifests(claim('gp2')).replace(
      `spec: { containers: [{ name: app, image: "${REGISTRY}/web:v1" }] }`,
      `spec:
      containers: [{ name: app, image: "${REGISTRY}/web:v1", volumeMounts: [{ name: data, mountPath: /data }] }]
      volumes: [{ name: data, persistentVolumeClaim: { claimName: data } }]`
    );
    const ws = workspace({ 'k8s/app.yaml': mounted });
    const { result } = await deployEks(stack, ws.dir, { manifests: 'k8s', 'wait-for': 'volumes' });
    expect(result.outputs.status).toBe('COMPLETED');
    const bound = pvc();
    expect(bound?.status?.phase).toBe('Bound');
    // The scheduler chose the node for the volume, and the pod runs there.
    const [web] = stack.kube.list('v1', 'Pod', NS) as Json[];
    expect(web.spec.nodeName).toBe(bound?.metadata?.annotations?.['volume.kubernetes.io/selected-node']);
    ws.remove();
  }, 30_000);

  it('fails on the PV controller’s FailedBinding when the claim names no class and there is no default (EKS 1.30+)', async () => {
    const classless = claim('gp2').replace('  storageClassName: gp2\n', '');
    const ws = workspace({ 'k8s/app.yaml': manifests(classless) });
    const { result } = await deployEks(stack, ws.dir, {
      manifests: 'k8s',
      'wait-for': 'volumes',
      'failure-grace': '1s'
    });
    expect(result.outputs.status).toBe('FAILED');
    expect(result.stdout).toContain(
      'PersistentVolumeClaim shop/data is not Bound: FailedBinding: no persistent volumes available for this claim and no storage class is set'
    );
    ws.remove();
  }, 30_000);
});

describe('deploy-eks images on custom kinds', () => {
  it("sets an Argo Rollout's image by the images rule, as a Deployment's", async () => {
    // Argo Rollouts is installed: its CRD is there before the deploy.
    stack.kube.apply(ROLLOUT_CRD, { manager: 'helm' });
    const established = () =>
      (
        (
          stack.kube.get(
            'apiextensions.k8s.io/v1',
            'CustomResourceDefinition',
            '',
            'rollouts.argoproj.io'
          ) as Json
        )?.status?.conditions ?? []
      ).some((c: Json) => c.type === 'Established' && c.status === 'True');
    for (let i = 0; i < 100 && !established(); i++) await new Promise(resolve => setTimeout(resolve, 20));
    expect(established()).toBe(true);
    const rollout = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: 2
  selector: { matchLabels: { app: web-rollout } }
  template:
    metadata: { labels: { app: web-rollout } }
    spec: { containers: [{ name: app, image: "${REGISTRY}/web:v1" }] }
  strategy:
    canary:
      steps: [{ setWeight: 20 }, { pause: { duration: 60 } }]`;
    const ws = workspace({ 'k8s/app.yaml': manifests(rollout) });
    const { result } = await deployEks(stack, ws.dir, {
      manifests: 'k8s',
      images: `web=${REGISTRY}/web:v2`
    });
    expect(result.outputs.status).toBe('COMPLETED');
    const live = stack.kube.get('argoproj.io/v1alpha1', 'Rollout', NS, 'web') as Json;
    expect(live.spec.template.spec.containers[0].image).toBe(`${REGISTRY}/web:v2`);
    expect(result.stdout).toContain(`Rollout/web container app: ${REGISTRY}/web:v1 → ${REGISTRY}/web:v2`);
    expect(JSON.parse(result.outputs.resources)).toContainEqual({
      kind: 'Rollout',
      namespace: NS,
      name: 'web',
      action: 'created'
    });
    ws.remove();
  }, 30_000);
});
