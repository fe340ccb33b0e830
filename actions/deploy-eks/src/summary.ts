/**
 * deploy-eks's part of the outputs, the job summary and the report, from a DeployResult; the core
 * (core/deploy.ts) adds the status, the timing and what every deploy reports. Pure.
 */
import { summaryTitle } from '../../../core/deploy.js';
import { formatDuration } from '../../../core/duration.js';
import type { ReportInit } from '../../../core/report.js';
import type { OutputValue } from '../../../core/run.js';
import { mdCode, mdEscape, SummaryBuilder } from '../../../core/summary.js';
import type { ResourceResult } from './apply.js';
import type { Inputs } from './inputs.js';
import { describeRef } from './kube.js';
import { summarizeResources, type DeployResult } from './result.js';

export function outputs(result: DeployResult): Record<string, OutputValue> {
  const [only] = result.loadBalancers;
  return {
    resources: resourcesOutput(result.resources),
    'load-balancers': result.loadBalancers,
    // One LoadBalancer Service: its address, for a following step; several are in `load-balancers`.
    'load-balancer-address': result.loadBalancers.length === 1 ? (only?.addresses[0] ?? '') : ''
  };
}

/** The `resources` output: kind, namespace, name, action. */
export function resourcesOutput(
  resources: ResourceResult[]
): { kind: string; namespace?: string; name: string; action: string }[] {
  return resources.map(r => ({
    kind: r.kind,
    ...(r.namespace ? { namespace: r.namespace } : {}),
    name: r.name,
    action: r.action
  }));
}

export function subjectOf(result: Pick<DeployResult, 'resources' | 'cluster' | 'namespace'>): string {
  const workloads = result.resources.filter(r =>
    ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'].includes(r.kind)
  );
  const names = (workloads.length ? workloads : result.resources).map(r => r.name);
  return names.length === 0
    ? `${result.cluster}/${result.namespace}`
    : names.length <= 3
      ? names.join(', ')
      : `${names.slice(0, 3).join(', ')} +${names.length - 3}`;
}

export function buildSummary(result: DeployResult, options: { region?: string; durationMs: number }): string {
  const s = new SummaryBuilder();
  s.heading(summaryTitle('deploy-eks', `${subjectOf(result)} (${result.cluster})`, result));
  s.paragraph(mdEscape(result.reason));
  s.facts([
    ['Cluster', mdCode(result.cluster)],
    ['Namespace', mdCode(result.namespace)],
    ['Region', options.region],
    [
      'Rollback',
      result.rollbacks.length ? result.rollbacks.map(r => mdEscape(r.result.message)).join('<br>') : undefined
    ],
    [
      'Load balancer',
      result.loadBalancers.length
        ? result.loadBalancers
            .map(lb => `${mdCode(`${lb.namespace}/${lb.name}`)}: ${lb.addresses.map(mdCode).join(', ')}`)
            .join('<br>')
        : undefined
    ],
    ['Duration', formatDuration(options.durationMs)]
  ]);
  if (result.resources.length > 0) {
    s.heading('Resources', 3);
    s.table(
      ['Kind', 'Namespace', 'Name', 'Action'],
      result.resources.map(r => [
        mdEscape(r.kind),
        r.namespace ? mdCode(r.namespace) : '',
        mdCode(r.name),
        r.action
      ])
    );
  }
  if (result.images.length > 0) {
    s.heading('Images', 3);
    s.table(
      ['Object', 'Container', 'Before', 'After'],
      result.images.map(i => [mdEscape(i.object), mdCode(i.container), mdCode(i.from), mdCode(i.to)])
    );
  }
  const changed = result.resources.filter(r => r.changes?.length);
  if (result.status === 'DRY_RUN' && changed.length > 0) {
    s.heading('What would change', 3);
    for (const r of changed) s.detailsCode(describeRef(r), r.changes ?? []);
  }
  if (result.workloads.length > 0) {
    s.heading('Rollout', 3);
    s.table(
      ['Workload', 'Outcome', 'State'],
      result.workloads.map(w => [mdEscape(describeRef(w.ref)), w.outcome, mdEscape(w.message)])
    );
  }
  s.diagnostics(result.diagnostics);
  s.section('Warnings', result.warnings.map(mdEscape));
  return s.toString();
}

/** The report's Kubernetes part: the cluster, the namespace and every object acted on. */
export function buildReport(
  result: DeployResult,
  inputs: Inputs | undefined
): Pick<ReportInit, 'subject' | 'region' | 'eks' | 'details'> {
  const details: [string, string][] = [];
  if (result.server) details.push(['API server', result.server]);
  details.push(['Applied', summarizeResources(result.resources)]);
  for (const i of result.images) details.push([`${i.object} ${i.container}`, `${i.from} → ${i.to}`]);
  for (const lb of result.loadBalancers)
    details.push([`Load balancer ${lb.namespace}/${lb.name}`, lb.addresses.join(', ')]);
  for (const r of result.rollbacks) details.push(['Rollback', r.result.message]);
  return {
    subject: subjectOf(result),
    region: inputs?.region,
    eks: {
      cluster: result.cluster,
      namespace: result.namespace,
      resources: result.resources.map(r => `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`)
    },
    details
  };
}
