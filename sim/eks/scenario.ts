/**
 * Runs the bundled deploy-eks against the EKS stack (sim/eks) in a workspace of manifests, and measures
 * what the end-to-end tests and the benchmark look at: when a new pod first showed a failure reason in the
 * API server's store, when the action exited, and what it asked the cluster and AWS.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EksStack } from './stack.js';
import { runAction, type RunOptions, type RunResult } from '../runner.js';

export const NS = 'shop';
export const REGISTRY = 'registry.local:5000/team';

/** The app: a Namespace, a Deployment (an init container, the app, an unrelated sidecar), a Service. */
export function appManifest(options: { image?: string; replicas?: number; extra?: string } = {}): string {
  const image = options.image ?? `${REGISTRY}/web:v1`;
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${NS}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${NS}
spec:
  replicas: ${options.replicas ?? 2}
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      initContainers:
        - name: migrate
          image: ${image}
      containers:
        - name: app
          image: ${image}
          env:
            - name: POD_NAME
              valueFrom: { fieldRef: { fieldPath: metadata.name } }
            - name: GREETING
              value: "hello from $(POD_NAME)"
        - name: proxy
          image: ${REGISTRY}/web-sidecar:v1
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${NS}
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
${options.extra ? `---\n${options.extra}` : ''}`;
}

/** A workspace directory holding the given files. */
export function workspace(files: Record<string, string>): {
  dir: string;
  write(files: Record<string, string>): void;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-eks-ws-'));
  const write = (more: Record<string, string>) => {
    for (const [name, text] of Object.entries(more)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  };
  write(files);
  return { dir, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Measured {
  result: RunResult;
  /**
   * Epoch ms when a pod first showed each waiting reason (CrashLoopBackOff, ErrImagePull, …), and a Deployment
   * its controller's verdicts: `ReplicaFailure` (pods refused), `ProgressDeadlineExceeded`.
   */
  firstSeen: Record<string, number>;
  /** Epoch ms when the action exited. */
  exitedAt: number;
  /** API server requests by verb during the run. */
  requests: Record<string, number>;
  /** AWS calls by operation during the run. */
  awsCalls: Record<string, number>;
}

type Json = Record<string, unknown>;

/** Runs the action while watching the API server's pods (in-process, no HTTP) for failure reasons. */
export async function runDeploy(
  stack: EksStack,
  ws: string,
  inputs: Record<string, string>,
  options: RunOptions = {}
): Promise<Measured> {
  const firstSeen: Record<string, number> = {};
  const before = stack.kube.requests.length;
  const awsBefore = stack.front.calls.length;
  const seen = (reason: string | undefined) => {
    if (reason && !(reason in firstSeen)) firstSeen[reason] = Date.now();
  };
  const watcher = setInterval(() => {
    for (const d of stack.kube.list('apps/v1', 'Deployment') as Json[]) {
      const conditions = ((d.status as Json | undefined)?.conditions ?? []) as Json[];
      if (conditions.some(c => c.type === 'ReplicaFailure' && c.status === 'True')) seen('ReplicaFailure');
      seen(conditions.find(c => c.reason === 'ProgressDeadlineExceeded')?.reason as string | undefined);
    }
    for (const pod of stack.kube.list('v1', 'Pod') as Json[]) {
      const status = (pod.status ?? {}) as { containerStatuses?: Json[]; initContainerStatuses?: Json[] };
      for (const c of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) {
        seen(((c.state as Json | undefined)?.waiting as Json | undefined)?.reason as string | undefined);
      }
    }
  }, 20);
  let result: RunResult;
  try {
    result = await runAction('deploy-eks', {
      ...options,
      cwd: ws,
      inputs: { cluster: stack.cluster, ...inputs },
      env: { ...stack.env, GITHUB_WORKSPACE: ws, ...(options.env ?? {}) }
    });
  } finally {
    clearInterval(watcher);
  }
  const exitedAt = Date.now();
  const requests: Record<string, number> = {};
  for (const r of stack.kube.requests.slice(before)) requests[r.verb] = (requests[r.verb] ?? 0) + 1;
  const awsCalls: Record<string, number> = {};
  for (const c of stack.front.calls.slice(awsBefore))
    awsCalls[c.operation] = (awsCalls[c.operation] ?? 0) + 1;
  return { result, firstSeen, exitedAt, requests, awsCalls };
}

/** The live Deployment's images, by container. */
export function liveImages(stack: EksStack, name = 'web'): Record<string, string> {
  const d = stack.kube.get('apps/v1', 'Deployment', NS, name) as
    { spec?: { template?: { spec?: { containers?: Json[]; initContainers?: Json[] } } } } | undefined;
  const spec = d?.spec?.template?.spec ?? {};
  return Object.fromEntries(
    [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map(c => [String(c.name), String(c.image)])
  );
}
