/**
 * The job summary, the `resources` output and the report record, from a DeployResult. Pure.
 */
import { formatDuration } from '../../../core/duration.js';
import { describeError, DockyardError } from '../../../core/errors.js';
import type { Finish, Outcome } from '../../../core/run.js';
import type { RunContext } from '../../../core/github.js';
import { createReport, type Report, type ReportStatus } from '../../../core/report.js';
import { mdCode, mdEscape, SummaryBuilder } from '../../../core/summary.js';
import type { ResourceResult } from './apply.js';
import { summarizeResources, type DeployResult } from './deploy.js';
import type { Inputs } from './inputs.js';
import { describeRef } from './kube.js';

const ICON: Record<string, string> = {
  COMPLETED: '✅',
  DRY_RUN: '🔍',
  FAILED: '❌',
  ROLLED_BACK: '↩️',
  TIMED_OUT: '⏱️',
  CANCELLED: '🛑'
};

export function reportStatus(status: string, success: boolean): ReportStatus {
  if (status === 'CANCELLED') return 'cancelled';
  if (status === 'DRY_RUN') return 'skipped';
  return success ? 'success' : 'failure';
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
  s.heading(
    `${ICON[result.status] ?? ''} deploy-eks: ${subjectOf(result)} (${result.cluster}) — ${result.status}`.trim()
  );
  // The root cause first, in bold; the reason repeats it, so it is shown only when there is none.
  if (result.rootCause) s.paragraph(`**${mdEscape(result.rootCause)}**`);
  else s.paragraph(mdEscape(result.reason));
  s.facts([
    ['Cluster', mdCode(result.cluster)],
    ['Namespace', mdCode(result.namespace)],
    ['Region', options.region],
    [
      'Rollback',
      result.rollbacks.length ? result.rollbacks.map(r => mdEscape(r.result.message)).join('<br>') : undefined
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
    for (const r of changed)
      s.details(describeRef(r), `\`\`\`\n${r.changes!.join('\n').replace(/```/g, "'''")}\n\`\`\``);
  }
  if (result.workloads.length > 0) {
    s.heading('Rollout', 3);
    s.table(
      ['Workload', 'Outcome', 'State'],
      result.workloads.map(w => [mdEscape(describeRef(w.ref)), w.outcome, mdEscape(w.message)])
    );
  }
  if (result.diagnostics.length > 0) {
    s.heading('Diagnostics', 3);
    for (const d of result.diagnostics)
      s.details(d.title, `\`\`\`\n${d.lines.join('\n').replace(/```/g, "'''")}\n\`\`\``);
  }
  return s.toString();
}

export function buildReport(
  result: DeployResult,
  init: { region?: string; startedAt: Date; run: RunContext },
  now?: () => Date
): Report {
  const details: [string, string][] = [];
  if (result.server) details.push(['API server', result.server]);
  details.push(['Applied', summarizeResources(result.resources)]);
  for (const i of result.images) details.push([`${i.object} ${i.container}`, `${i.from} → ${i.to}`]);
  for (const r of result.rollbacks) details.push(['Rollback', r.result.message]);
  return createReport(
    {
      action: 'deploy-eks',
      status: reportStatus(result.status, result.success),
      outcome: result.status,
      subject: subjectOf(result),
      summary: result.reason,
      startedAt: init.startedAt.toISOString(),
      region: init.region,
      eks: {
        cluster: result.cluster,
        namespace: result.namespace,
        resources: result.resources.map(r => `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`)
      },
      details,
      diagnostics: result.diagnostics,
      // Why, when it failed: the root cause of a failed rollout, or the error.
      error: result.success ? undefined : (result.rootCause ?? result.reason),
      run: init.run
    },
    now
  );
}

/** Outputs, summary, report and the failure message, on every path: bad input, error, cancel, success. */
export function finish(outcome: Outcome<Inputs, DeployResult>): Finish {
  const region = outcome.inputs?.region;
  const result: DeployResult = outcome.result ?? {
    status: outcome.cancelled ? 'CANCELLED' : outcome.timedOut ? 'TIMED_OUT' : 'FAILED',
    success: false,
    reason: describeError(outcome.error),
    cluster: outcome.inputs?.cluster ?? 'cluster',
    namespace: outcome.inputs?.namespace ?? 'default',
    resources: [],
    images: outcome.inputs?.images ?? [],
    workloads: [],
    rollbacks: [],
    diagnostics: [],
    phase: 'connecting',
    error: outcome.error
  };
  // The core aborts the step at its deadline: what looks cancelled then is a timeout.
  if (outcome.timedOut && result.status === 'CANCELLED') result.status = 'TIMED_OUT';
  const durationMs = Date.now() - outcome.startedAt.getTime();
  const report = buildReport(result, { region, startedAt: outcome.startedAt, run: outcome.run });
  return {
    outputs: { status: result.status, resources: resourcesOutput(result.resources), report },
    summary: buildSummary(result, { region, durationMs }),
    report,
    failed: result.success
      ? undefined
      : result.error instanceof DockyardError
        ? describeError(result.error)
        : `${result.status}: ${result.reason}`
  };
}
