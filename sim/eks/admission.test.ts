/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON here */
import { describe, expect, it } from '@jest/globals';
import { Admission, AdmissionError, quotaStatus, type AdmissionRequest } from './admission.js';
import { formatQuantity, parseQuantity } from './quantity.js';

/** A tiny cluster: objects by kind and namespace. */
function cluster(objects: Record<string, any[]>) {
  return new Admission({
    get: (_v, kind, ns, name) =>
      (objects[kind] ?? []).find(o => o.metadata.name === name && (o.metadata.namespace ?? '') === ns),
    list: (_v, kind, ns) => (objects[kind] ?? []).filter(o => o.metadata.namespace === ns)
  });
}

const pod = (name: string, spec: any = {}): any => ({
  metadata: { name, namespace: 'shop' },
  spec: { serviceAccountName: 'default', containers: [{ name: 'app', image: 'web:1' }], ...spec },
  status: { phase: 'Running' }
});
const request = (object: any, kind = 'Pod', resource = 'pods', group = ''): AdmissionRequest => ({
  operation: 'CREATE',
  kind,
  resource,
  group,
  namespace: 'shop',
  name: object.metadata.name,
  object
});
const refusal = (admission: Admission, req: AdmissionRequest): AdmissionError => {
  try {
    admission.admit(req);
  } catch (error) {
    if (error instanceof AdmissionError) return error;
    throw error;
  }
  throw new Error('admitted');
};
const ns = (labels: Record<string, string> = {}) => ({ metadata: { name: 'shop', labels } });
const sa = { metadata: { name: 'default', namespace: 'shop' } };
const withCpu = (cpu: string) => ({
  containers: [{ name: 'app', image: 'web:1', resources: { requests: { cpu } } }]
});

describe('quantities', () => {
  it.each([
    ['500m', '500m'],
    ['1.5', '1500m'],
    ['2', '2'],
    ['1056Mi', '1056Mi'],
    ['1Gi', '1Gi'],
    ['2G', '2G'],
    ['0', '0']
  ])('%s prints as %s', (text, canonical) => {
    expect(formatQuantity(parseQuantity(text)!)).toBe(canonical);
  });
});

describe('ResourceQuota', () => {
  const quota = {
    metadata: { name: 'compute', namespace: 'shop' },
    spec: { hard: { pods: '2', 'requests.cpu': '1' } }
  };

  it('refuses a pod past the hard limit, naming only what it exceeds (quota evaluator words)', () => {
    const admission = cluster({
      Namespace: [ns()],
      ServiceAccount: [sa],
      ResourceQuota: [quota],
      Pod: [pod('a', withCpu('600m'))]
    });
    const error = refusal(admission, request(pod('web-7d4b9c-x2x4z', withCpu('500m'))));
    expect(error).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      details: { name: 'web-7d4b9c-x2x4z', kind: 'pods' }
    });
    expect(error.message).toBe(
      'pods "web-7d4b9c-x2x4z" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1'
    );
  });

  it('asks for the requests a quota limits when a container sets none', () => {
    const admission = cluster({ Namespace: [ns()], ServiceAccount: [sa], ResourceQuota: [quota] });
    expect(refusal(admission, request(pod('p'))).message).toBe(
      'pods "p" is forbidden: failed quota: compute: must specify requests.cpu for: app'
    );
  });

  it('keeps the status the quota controller writes: hard and used, ended pods not counted', () => {
    const done = { ...pod('old', withCpu('1')), status: { phase: 'Succeeded' } };
    expect(quotaStatus(quota, [pod('a', withCpu('250m')), done])).toEqual({
      hard: { pods: '2', 'requests.cpu': '1' },
      used: { pods: '1', 'requests.cpu': '250m' }
    });
  });
});

describe('PodSecurity', () => {
  const restricted = { 'pod-security.kubernetes.io/enforce': 'restricted' };

  it('enforce refuses a pod with every check it fails, in the plugin order and words', () => {
    const admission = cluster({ Namespace: [ns(restricted)], ServiceAccount: [sa] });
    const privileged = pod('p', {
      containers: [{ name: 'app', image: 'web:1', securityContext: { privileged: true } }]
    });
    expect(refusal(admission, request(privileged)).message).toBe(
      'pods "p" is forbidden: violates PodSecurity "restricted:latest": privileged (container "app" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'
    );
  });

  it('on a workload, enforce and warn are warnings only; audit is an audit annotation', () => {
    const admission = cluster({
      Namespace: [
        ns({
          ...restricted,
          'pod-security.kubernetes.io/warn': 'baseline',
          'pod-security.kubernetes.io/audit': 'baseline'
        })
      ]
    });
    const deployment = {
      metadata: { name: 'web', namespace: 'shop' },
      spec: { template: { spec: { hostNetwork: true, containers: [{ name: 'app', image: 'web:1' }] } } }
    };
    const out = admission.admit(request(deployment, 'Deployment', 'deployments', 'apps'));
    expect(out.warnings).toHaveLength(2);
    expect(out.warnings[0]).toMatch(
      /^would violate PodSecurity "restricted:latest": host namespaces \(hostNetwork=true\), allowPrivilegeEscalation/
    );
    expect(out.warnings[1]).toBe(
      'would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)'
    );
    expect(out.audit).toEqual({
      'pod-security.kubernetes.io/audit-violations':
        'would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)'
    });
  });

  it('admits a pod that meets restricted', () => {
    const admission = cluster({ Namespace: [ns(restricted)], ServiceAccount: [sa] });
    const good = pod('p', {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'app',
          image: 'web:1',
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }
        }
      ]
    });
    expect(admission.admit(request(good))).toEqual({ warnings: [], audit: {} });
  });
});

describe('webhooks and service accounts', () => {
  it('a denying webhook words its refusal as the dispatcher does, with its code', () => {
    const admission = cluster({ Namespace: [ns()], ServiceAccount: [sa] });
    admission.webhooks.push({
      name: 'validation.gatekeeper.sh',
      message: '[require-team-label] you must provide labels: {"team"}',
      code: 403,
      resources: ['deployments']
    });
    const deployment = { metadata: { name: 'web', namespace: 'shop' }, spec: {} };
    expect(refusal(admission, request(deployment, 'Deployment', 'deployments', 'apps'))).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message:
        'admission webhook "validation.gatekeeper.sh" denied the request: [require-team-label] you must provide labels: {"team"}'
    });
    // Not registered for pods: they pass.
    expect(admission.admit(request(pod('p'))).warnings).toEqual([]);
  });

  it('a webhook without a code answers 400 (the dispatcher never lets a refusal be under 400)', () => {
    const admission = cluster({ Namespace: [ns()], ServiceAccount: [sa] });
    admission.webhooks.push({ name: 'validate.kyverno.svc-fail', message: 'blocked' });
    expect(refusal(admission, request(pod('p')))).toMatchObject({ code: 400, reason: '' });
  });

  it('a pod naming a service account that is not there is refused by the ServiceAccount plugin', () => {
    const admission = cluster({ Namespace: [ns()], ServiceAccount: [sa] });
    expect(refusal(admission, request(pod('p', { serviceAccountName: 'deployer' }))).message).toBe(
      'pods "p" is forbidden: error looking up service account shop/deployer: serviceaccount "deployer" not found'
    );
  });
});
