/**
 * Objects for unit tests, shaped as the API server returns them (status and controller labels included).
 */
import type { ContainerStatus, Event, Pod } from '../diagnose.js';
import type { KubeObject } from '../kube.js';

export function deployment(
  name: string,
  options: {
    image?: string;
    replicas?: number;
    revision?: string;
    generation?: number;
    status?: Record<string, unknown>;
  } = {}
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-Deployment-${name}`,
      generation: options.generation ?? 1,
      annotations: { 'deployment.kubernetes.io/revision': options.revision ?? '1' },
      labels: { 'dockyard.dev/set': 'app' }
    },
    spec: {
      replicas: options.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: options.image ?? `${name}:v1` }] }
      }
    },
    status: options.status ?? {}
  };
}

export function replicaSet(deploy: KubeObject, revision: string, hash: string, image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${deploy.metadata.name}-${hash}`,
      namespace: 'default',
      uid: `uid-rs-${hash}`,
      labels: { app: deploy.metadata.name, 'pod-template-hash': hash },
      annotations: { 'deployment.kubernetes.io/revision': revision },
      ownerReferences: [
        { kind: 'Deployment', name: deploy.metadata.name, uid: deploy.metadata.uid!, controller: true }
      ]
    },
    spec: {
      template: {
        metadata: { labels: { app: deploy.metadata.name, 'pod-template-hash': hash } },
        spec: { containers: [{ name: 'app', image, imagePullPolicy: 'IfNotPresent' }] }
      }
    }
  };
}

export function pod(
  name: string,
  rs: KubeObject,
  containers: ContainerStatus[],
  conditions: NonNullable<Pod['status']>['conditions'] = []
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-pod-${name}`,
      labels: { ...(rs.metadata.labels ?? {}) },
      ownerReferences: [
        { kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid!, controller: true }
      ]
    },
    spec: { containers: containers.map(c => ({ name: c.name, image: c.image })) },
    status: { phase: 'Running', conditions, containerStatuses: containers }
  };
}

export const crashLooping = (image: string, restarts = 1): ContainerStatus => ({
  name: 'app',
  image,
  ready: false,
  restartCount: restarts,
  state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app' } },
  lastState: { terminated: { reason: 'Error', exitCode: 1 } }
});

export const running = (image: string, restarts = 0): ContainerStatus => ({
  name: 'app',
  image,
  ready: true,
  restartCount: restarts,
  state: { running: { startedAt: '2026-12-06T10:00:00Z' } },
  ...(restarts > 0 ? { lastState: { terminated: { reason: 'Error', exitCode: 1 } } } : {})
});

export const pullFailing = (image: string): ContainerStatus => ({
  name: 'app',
  image,
  ready: false,
  restartCount: 0,
  state: {
    waiting: { reason: 'ErrImagePull', message: `failed to pull and unpack image "${image}": not found` }
  }
});

/** The scheduler's condition on a pod no node can take (kube-scheduler's wording, 3 nodes short of cpu). */
export const UNSCHEDULABLE = {
  type: 'PodScheduled',
  status: 'False',
  reason: 'Unschedulable',
  message:
    '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.'
};

/** An Event about `object` (core/v1, as `kubectl get events -o json` shows it), `second` seconds after 10:00. */
export function event(
  object: KubeObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  second: number,
  extra: { count?: number; fieldPath?: string } = {}
): Event & KubeObject {
  const at = `2026-12-06T10:${String(Math.floor(second / 60)).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}Z`;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${object.metadata.name}.${reason}.${second}`,
      namespace: object.metadata.namespace ?? 'default',
      creationTimestamp: at
    },
    type,
    reason,
    message,
    count: extra.count ?? 1,
    firstTimestamp: at,
    lastTimestamp: at,
    involvedObject: {
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      ...(extra.fieldPath ? { fieldPath: extra.fieldPath } : {})
    }
  };
}

/** The graces of the inputs' defaults (`failure-grace: 90s`, `unschedulable-grace: 2m`). */
export const GRACE = { failureMs: 90_000, unschedulableMs: 120_000 };

/** A Deployment `web` and its new ReplicaSet (revision 2, template hash `abc`, image `web:v2`). */
export const WEB = deployment('web');
export const WEB_RS = replicaSet(WEB, '2', 'abc', 'web:v2');
