/**
 * The deploy-eks scenarios of `npm run bench`: the bundled action against the EKS stack (sim/eks), with
 * default settings. Measured: seconds from the first CrashLoopBackOff / ErrImagePull of a new pod, from a
 * Deployment's ReplicaFailure (pods refused) and from its ProgressDeadlineExceeded (pods never Ready) to the
 * action's exit (target under 30 s), API server requests per deploy, the token refresh against a short token
 * lifetime, and no false alarm when a pod crashes once.
 */
import { startEksStack, type EksStack } from './stack.js';
import type { KubeServerOptions } from './server.js';
import { appManifest, NS, REGISTRY, runDeploy, workspace, type Measured } from './scenario.js';

export const DETECTION_TARGET_MS = 30_000;

export interface EksScenario {
  name: string;
  description: string;
  /** Image tag of the measured deploy (after a first deploy of :v1 when `redeploy`). */
  tag: string;
  redeploy: boolean;
  server?: KubeServerOptions;
  replicas?: number;
  expect: { status: string; success: boolean };
  /**
   * What starts the detection clock, first seen in the API server: a pod's waiting reason, or a Deployment's
   * `ReplicaFailure` / `ProgressDeadlineExceeded` (scenario.ts `firstSeen`).
   */
  detectFrom?: string[];
  /** Done to the cluster after the first deploy (a quota that the next rollout exceeds). */
  setup?: (stack: EksStack) => void;
}

export const EKS_SCENARIOS: Record<string, EksScenario> = {
  'eks-success': {
    name: 'eks-success',
    description: 'a new image rolls out (2 replicas)',
    tag: 'v2',
    redeploy: true,
    expect: { status: 'COMPLETED', success: true }
  },
  'eks-crashloop': {
    name: 'eks-crashloop',
    description: 'the new pods crash-loop; fail, explain, roll back',
    tag: 'crashloop',
    redeploy: true,
    expect: { status: 'ROLLED_BACK', success: false },
    detectFrom: ['CrashLoopBackOff']
  },
  'eks-pull': {
    name: 'eks-pull',
    description: 'the new image cannot be pulled; fail, name the image, roll back',
    tag: 'pull-fail',
    redeploy: true,
    expect: { status: 'ROLLED_BACK', success: false },
    detectFrom: ['ErrImagePull', 'ImagePullBackOff']
  },
  'eks-crash-once': {
    name: 'eks-crash-once',
    description: 'each new pod crashes once, then runs: no false alarm',
    tag: 'crash-once',
    redeploy: true,
    expect: { status: 'COMPLETED', success: true }
  },
  'eks-never-ready': {
    name: 'eks-never-ready',
    description:
      'the new pods run but never pass their readiness probe: fail at the progress deadline (600 s at 60×: 10 s), explain, roll back',
    tag: 'never-ready',
    redeploy: true,
    server: { speed: 60 },
    expect: { status: 'ROLLED_BACK', success: false },
    detectFrom: ['ProgressDeadlineExceeded']
  },
  'eks-failed-create': {
    name: 'eks-failed-create',
    description:
      'a ResourceQuota refuses the new pods (FailedCreate, ReplicaFailure): fail, name the quota, roll back',
    tag: 'v2',
    redeploy: true,
    setup: stack =>
      stack.kube.apply({
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'compute', namespace: NS },
        spec: { hard: { pods: '2' } }
      }),
    expect: { status: 'ROLLED_BACK', success: false },
    detectFrom: ['ReplicaFailure']
  },
  'eks-token-refresh': {
    name: 'eks-token-refresh',
    description: 'a 30 s rollout with a 10 s token lifetime',
    tag: 'v1',
    redeploy: false,
    replicas: 1,
    server: { tokenLifetimeMs: 10_000, timing: { readyMs: 30_000 } },
    expect: { status: 'COMPLETED', success: true }
  }
};

export interface EksRow {
  scenario: EksScenario;
  status: string;
  exitCode: number | null;
  /** First failure reason of a new pod → exit. */
  detectionMs?: number;
  totalMs: number;
  requests: Record<string, number>;
  unauthorized: number;
  tokenRejections: string[];
  problems: string[];
}

async function runOne(stack: EksStack, scenario: EksScenario): Promise<EksRow> {
  await stack.fresh(scenario.server);
  const ws = workspace({ 'k8s/app.yaml': appManifest({ replicas: scenario.replicas }) });
  try {
    if (scenario.redeploy) {
      const first = await runDeploy(stack, ws.dir, { manifests: 'k8s' });
      if (first.result.code !== 0) throw new Error(`setup deploy failed: ${first.result.stdout.slice(-500)}`);
    }
    scenario.setup?.(stack);
    const start = stack.kube.requests.length;
    const run: Measured = await runDeploy(
      stack,
      ws.dir,
      { manifests: 'k8s', images: `web=${REGISTRY}/web:${scenario.tag}` },
      { timeoutMs: 120_000 }
    );
    const firsts = (scenario.detectFrom ?? [])
      .map(r => run.firstSeen[r])
      .filter((t): t is number => t !== undefined);
    const detectionMs = firsts.length ? run.exitedAt - Math.min(...firsts) : undefined;
    const status = run.result.outputs.status ?? '';
    const problems: string[] = [];
    if (status !== scenario.expect.status || (run.result.code === 0) !== scenario.expect.success)
      problems.push(`status ${status || '(none)'}, expected ${scenario.expect.status}`);
    if (scenario.detectFrom) {
      if (detectionMs === undefined) problems.push(`no ${scenario.detectFrom.join('/')} was seen`);
      else if (detectionMs >= DETECTION_TARGET_MS)
        problems.push(`detection ${(detectionMs / 1000).toFixed(1)} s ≥ 30 s`);
    }
    const requests = stack.kube.requests.slice(start);
    return {
      scenario,
      status,
      exitCode: run.result.code,
      detectionMs,
      totalMs: run.result.durationMs,
      requests: run.requests,
      unauthorized: requests.filter(r => r.status === 401).length,
      tokenRejections: stack.kube.auth.rejections.map(r => r.reason),
      problems
    };
  } finally {
    ws.remove();
  }
}

/** Runs the named EKS scenarios; returns the rows and the targets missed. */
export async function runEksBench(
  names: string[],
  print: (text: string) => void
): Promise<{ rows: EksRow[]; failures: string[] }> {
  const stack = await startEksStack();
  const rows: EksRow[] = [];
  try {
    for (const name of names) {
      const row = await runOne(stack, EKS_SCENARIOS[name]);
      rows.push(row);
      const total = Object.values(row.requests).reduce((a, b) => a + b, 0);
      print(
        `\n## ${name} — ${row.scenario.description}\n` +
          `status ${row.status} (exit ${row.exitCode}); first failure → exit ${row.detectionMs === undefined ? '—' : `${(row.detectionMs / 1000).toFixed(2)}s`}; ` +
          `total ${(row.totalMs / 1000).toFixed(2)}s; API requests ${total} (${Object.entries(row.requests)
            .sort()
            .map(([v, n]) => `${v} ${n}`)
            .join(
              ', '
            )}); 401s ${row.unauthorized}${row.tokenRejections.length ? ` (${[...new Set(row.tokenRejections)].join(', ')})` : ''}\n` +
          (row.problems.length ? row.problems.map(p => `✗ ${p}`).join('\n') : '✓ targets met')
      );
    }
  } finally {
    await stack.stop();
  }
  return { rows, failures: rows.flatMap(r => r.problems.map(p => `${r.scenario.name}: ${p}`)) };
}
