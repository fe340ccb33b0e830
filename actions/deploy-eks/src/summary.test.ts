import { describe, expect, it } from '@jest/globals';
import { DockyardError, InputError } from '../../../core/errors.js';
import { runContext } from '../../../core/github.js';
import type { Outcome } from '../../../core/run.js';
import type { Inputs } from './inputs.js';
import { deployEks } from './main.js';
import type { DeployResult } from './result.js';

const finish = (outcome: Outcome<Inputs, DeployResult>) => deployEks.finish(outcome);

const run = runContext({ GITHUB_REPOSITORY: 'octo/app', GITHUB_RUN_ID: '1' });
const base = {
  startedAt: new Date('2026-12-06T10:00:00Z'),
  finishedAt: new Date('2026-12-06T10:00:42Z'),
  run,
  cancelled: false,
  timedOut: false
};
const inputs = { cluster: 'prod', region: 'us-east-1', namespace: 'shop', images: [] } as unknown as Inputs;
const result = (over: Partial<DeployResult>): DeployResult => ({
  status: 'COMPLETED',
  success: true,
  reason: 'Applied 1 created; 1 workload rolled out.',
  cluster: 'prod',
  namespace: 'shop',
  resources: [
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', action: 'created' }
  ],
  images: [],
  workloads: [],
  loadBalancers: [],
  rollbacks: [],
  diagnostics: [],
  warnings: [],
  ...over
});

describe('finish', () => {
  it('success: status, resources and report; the step does not fail', () => {
    const f = finish({ ...base, inputs, result: result({}) } as Outcome<Inputs, DeployResult>);
    expect(f.outputs.status).toBe('COMPLETED');
    expect(f.outputs.resources).toEqual([
      { kind: 'Deployment', namespace: 'shop', name: 'web', action: 'created' }
    ]);
    expect(f.report).toMatchObject({
      action: 'deploy-eks',
      status: 'success',
      outcome: 'COMPLETED',
      eks: { cluster: 'prod', namespace: 'shop', resources: ['Deployment/shop/web'] }
    });
    expect(f.failed).toBeUndefined();
    expect(f.summary).toContain('deploy-eks: web (prod) — COMPLETED');
    // Timed on the outcome's clock, the same for the report and the summary.
    expect(f.report.durationMs).toBe(42_000);
    expect(f.summary).toContain('42s');
  });

  const NLB = 'k8s-shop-web-0123456789-0123456789abcdef.elb.us-east-1.amazonaws.com';
  it.each([
    ['none', [], ''],
    ['one', [{ namespace: 'shop', name: 'web', addresses: [NLB] }], NLB],
    [
      'several (each in load-balancers only)',
      [
        { namespace: 'shop', name: 'web', addresses: [NLB] },
        { namespace: 'shop', name: 'admin', addresses: ['203.0.113.7'] }
      ],
      ''
    ]
  ])('load balancers: %s', (_what, loadBalancers, address) => {
    const f = finish({ ...base, inputs, result: result({ loadBalancers }) } as Outcome<Inputs, DeployResult>);
    expect(f.outputs['load-balancer-address']).toBe(address);
    expect(f.outputs['load-balancers']).toEqual(loadBalancers);
    for (const lb of loadBalancers) {
      expect(f.summary).toContain(`\`${lb.addresses[0]}\``);
      expect(f.report.details).toContainEqual([`Load balancer shop/${lb.name}`, lb.addresses[0]]);
    }
  });

  it('bad input: FAILED with the input problem, an empty resources list and a report', () => {
    const error = new InputError([new DockyardError('is required.', { input: 'manifests' })]);
    const f = finish({ ...base, error } as Outcome<Inputs, DeployResult>);
    expect(f.outputs).toMatchObject({ status: 'FAILED', resources: [] });
    expect(f.failed).toBe("Input 'manifests': is required.");
    expect(f.report.status).toBe('failure');
  });

  it('an error while reaching the cluster fails with its explanation', () => {
    const error = new DockyardError("no EKS cluster 'prod' in us-east-1.", {
      input: 'cluster',
      hint: 'Check the name.'
    });
    const f = finish({ ...base, inputs, error } as Outcome<Inputs, DeployResult>);
    expect(f.failed).toBe("Input 'cluster': no EKS cluster 'prod' in us-east-1. Check the name.");
    expect(f.report.eks).toMatchObject({ cluster: 'prod', namespace: 'shop' });
  });

  it('cancelled and timed out: the status says which, the step fails', () => {
    const cancelled = finish({
      ...base,
      cancelled: true,
      inputs,
      result: result({ status: 'CANCELLED', success: false, reason: 'Cancelled while waiting.' })
    } as Outcome<Inputs, DeployResult>);
    expect(cancelled.outputs.status).toBe('CANCELLED');
    expect(cancelled.report.status).toBe('cancelled');
    expect(cancelled.failed).toBe('CANCELLED: Cancelled while waiting.');
    // The core aborts at the deadline: the deploy sees an abort, the outcome says timed out.
    const late = finish({
      ...base,
      timedOut: true,
      inputs,
      result: result({ status: 'CANCELLED', success: false, reason: 'Cancelled while applying.' })
    } as Outcome<Inputs, DeployResult>);
    expect(late.outputs.status).toBe('TIMED_OUT');
  });

  it('a failed rollout leads the summary title and the reason with its root cause; a dry run is skipped', () => {
    const failed = finish({
      ...base,
      inputs,
      result: result({
        status: 'ROLLED_BACK',
        success: false,
        rootCause: 'web: container app CrashLoopBackOff (exit 1): boom',
        reason:
          'web: container app CrashLoopBackOff (exit 1): boom. Deployment shop/web rolled back to revision 1.'
      })
    } as Outcome<Inputs, DeployResult>);
    expect(failed.summary.split('\n')[0]).toBe(
      '## ↩️ deploy-eks: web (prod) — ROLLED_BACK: web: container app CrashLoopBackOff (exit 1): boom'
    );
    // One rule for both deploy actions: the report's error is the reason, which starts with the root cause.
    expect(failed.report.error).toBe(failed.report.summary);
    expect(failed.failed).toBe(`ROLLED_BACK: ${failed.report.summary}`);
    const dry = finish({ ...base, inputs, result: result({ status: 'DRY_RUN' }) } as Outcome<
      Inputs,
      DeployResult
    >);
    expect([dry.report.status, dry.failed]).toEqual(['skipped', undefined]);
  });
});
