/**
 * The defaults the API server fills in on every write (what `kubectl get -o yaml` shows that nobody wrote):
 * workload strategies and limits, pod spec and container defaults, a Service's cluster IP, a Job's selector
 * naming its uid, a Namespace's phase.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON in this file */
import { clone } from './apply.js';
import type { ResourceInfo } from './resources.js';

type K = Record<string, any>;

const DEFAULT_CONTAINER: K = {
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  resources: {}
};

/** The pod spec defaults the API server fills in. */
function defaultPodSpec(spec: K | undefined): void {
  if (!spec) return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const [k, v] of Object.entries(DEFAULT_CONTAINER)) c[k] ??= clone(v);
    const tag = /:([^:/@]+)$/.exec(String(c.image ?? ''))?.[1];
    c.imagePullPolicy ??= !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
    for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  }
}

export function defaultPod(pod: K): void {
  defaultPodSpec(pod.spec);
  pod.spec.serviceAccountName ??= 'default';
  pod.spec.enableServiceLinks ??= true;
  pod.spec.priority ??= 0;
  pod.spec.tolerations ??= [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }
  ];
  pod.status = { phase: 'Pending', qosClass: 'BestEffort' };
}

let clusterIp = 10;

/** The defaults the API server fills in on every write. */
export function defaults(info: ResourceInfo, o: K, uid: string): void {
  o.metadata ??= {};
  o.spec ??= [
    'Deployment',
    'StatefulSet',
    'DaemonSet',
    'Job',
    'CronJob',
    'Service',
    'Pod',
    'Namespace'
  ].includes(info.kind)
    ? {}
    : o.spec;
  if (o.spec === undefined) delete o.spec;
  switch (info.kind) {
    case 'Namespace':
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
      o.spec.finalizers ??= ['kubernetes'];
      o.status ??= { phase: 'Active' };
      break;
    case 'Deployment':
      o.spec.replicas ??= 1;
      o.spec.revisionHistoryLimit ??= 10;
      o.spec.progressDeadlineSeconds ??= 600;
      o.spec.strategy ??= {};
      o.spec.strategy.type ??= 'RollingUpdate';
      if (o.spec.strategy.type === 'RollingUpdate') {
        o.spec.strategy.rollingUpdate ??= {};
        o.spec.strategy.rollingUpdate.maxSurge ??= '25%';
        o.spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
      }
      defaultPodSpec(o.spec.template?.spec);
      break;
    case 'StatefulSet':
      o.spec.replicas ??= 1;
      o.spec.podManagementPolicy ??= 'OrderedReady';
      o.spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      o.spec.revisionHistoryLimit ??= 10;
      o.spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
      defaultPodSpec(o.spec.template?.spec);
      break;
    case 'DaemonSet':
      o.spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
      o.spec.revisionHistoryLimit ??= 10;
      defaultPodSpec(o.spec.template?.spec);
      break;
    case 'Job':
      o.spec.parallelism ??= 1;
      o.spec.completions ??= 1;
      o.spec.backoffLimit ??= 6;
      o.spec.completionMode ??= 'NonIndexed';
      o.spec.suspend ??= false;
      o.spec.podReplacementPolicy ??= 'TerminatingOrFailed';
      if (!o.spec.manualSelector) {
        // The selector and pod labels name the Job's uid, as the API server sets them on create.
        o.spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
        o.spec.template ??= {};
        o.spec.template.metadata ??= {};
        o.spec.template.metadata.labels = {
          ...(o.spec.template.metadata.labels ?? {}),
          'batch.kubernetes.io/controller-uid': uid,
          'batch.kubernetes.io/job-name': o.metadata.name,
          'controller-uid': uid,
          'job-name': o.metadata.name
        };
      }
      defaultPodSpec(o.spec.template?.spec);
      break;
    case 'CronJob':
      o.spec.concurrencyPolicy ??= 'Allow';
      o.spec.suspend ??= false;
      o.spec.successfulJobsHistoryLimit ??= 3;
      o.spec.failedJobsHistoryLimit ??= 1;
      defaultPodSpec(o.spec.jobTemplate?.spec?.template?.spec);
      break;
    case 'Service':
      o.spec.type ??= 'ClusterIP';
      o.spec.sessionAffinity ??= 'None';
      if (o.spec.type !== 'ExternalName' && !o.spec.clusterIP) {
        o.spec.clusterIP = `10.100.${Math.floor(clusterIp / 250) % 250}.${(clusterIp++ % 250) + 1}`;
        o.spec.clusterIPs = [o.spec.clusterIP];
      }
      o.spec.ipFamilies ??= ['IPv4'];
      o.spec.ipFamilyPolicy ??= 'SingleStack';
      o.spec.internalTrafficPolicy ??= 'Cluster';
      for (const p of o.spec.ports ?? []) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
      o.status ??= { loadBalancer: {} };
      break;
    case 'Secret':
      o.type ??= 'Opaque';
      if (o.stringData) {
        o.data = { ...(o.data ?? {}) };
        for (const [k, v] of Object.entries(o.stringData))
          o.data[k] = Buffer.from(String(v)).toString('base64');
        delete o.stringData;
      }
      break;
    case 'Pod':
      if (!o.status) defaultPod(o);
      else defaultPodSpec(o.spec);
      break;
    default:
      break;
  }
}

/** What an update keeps from the live object when the request leaves it out: a Service's allocated cluster IPs. */
export function keepAllocated(kind: string, o: K, old: K | undefined): void {
  if (kind !== 'Service' || !old?.spec?.clusterIP || !o.spec || o.spec.clusterIP) return;
  o.spec.clusterIP = old.spec.clusterIP;
  o.spec.clusterIPs ??= old.spec.clusterIPs;
}
