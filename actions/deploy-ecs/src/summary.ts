/**
 * The job summary and the report record, from a DeployResult. Pure: main.ts writes them.
 */
import {
  SummaryBuilder,
  createReport,
  formatDuration,
  mdCode,
  mdEscape,
  type Report,
  type ReportStatus,
  type RunContext
} from '../../../core/index.js';
import type { DeployResult } from './deploy.js';
import { taskDefinitionKey } from './render.js';

const ICON: Record<string, string> = {
  COMPLETED: '✅',
  DRY_RUN: '🔍',
  REGISTERED: '✅',
  IN_PROGRESS: '⏳',
  FAILED: '❌',
  ROLLED_BACK: '↩️',
  SUPERSEDED: '⚠️',
  TIMED_OUT: '⏱️',
  CANCELLED: '🛑'
};

export function reportStatus(result: DeployResult): ReportStatus {
  if (result.status === 'CANCELLED') return 'cancelled';
  if (result.status === 'DRY_RUN') return 'skipped';
  return result.success ? 'success' : 'failure';
}

export function buildSummary(result: DeployResult, options: { region: string; durationMs: number }): string {
  const s = new SummaryBuilder();
  const what = result.service ? `${result.service} (${result.cluster})` : (result.family ?? result.cluster);
  const cause = result.rootCause ?? (result.success ? undefined : firstLine(result.reason));
  s.heading(
    `${ICON[result.status] ?? ''} deploy-ecs: ${what} — ${result.status}${cause ? `: ${cause}` : ''}`.trim()
  );
  const problems = result.verify?.problems ?? [];
  // A verify failure lists its problems below, one a line, instead of in one paragraph.
  s.paragraph(mdEscape(problems.length > 0 ? result.reason.split('\n')[0] : result.reason));
  if (problems.length > 0) {
    s.heading(
      `Verify: ${problems.length} problem${problems.length === 1 ? '' : 's'}, nothing was written`,
      3
    );
    s.list(problems.map(p => `${mdCode(p.path)}: ${mdEscape(`${p.message} ${p.fix}`)}`));
  }
  s.facts([
    ['Cluster', mdCode(result.cluster)],
    ['Service', result.service ? mdCode(result.service) : undefined],
    ['Region', options.region],
    [
      'Task definition',
      result.taskDefinitionArn
        ? `${mdCode(taskDefinitionKey(result.taskDefinitionArn))} ${result.registered === false ? '(identical revision reused)' : result.registered ? '(registered)' : ''}`.trim()
        : result.wouldRegister !== undefined
          ? result.wouldRegister
            ? 'a new revision would be registered'
            : 'identical revision would be reused'
          : undefined
    ],
    [
      'Previously',
      result.previousTaskDefinitionArn
        ? mdCode(taskDefinitionKey(result.previousTaskDefinitionArn))
        : undefined
    ],
    ['Deployment', result.deploymentId ? mdCode(result.deploymentId) : undefined],
    [
      'One-off task',
      result.runTask
        ? `${mdCode(result.runTask.taskArn.split('/').pop() ?? '')} exit ${result.runTask.exitCode ?? '—'}`
        : undefined
    ],
    [
      'Rollback',
      result.rollback
        ? `${mdCode(result.rollback.deploymentId)} ${result.rollback.ok ? 'completed' : result.rollback.outcome.status}`
        : undefined
    ],
    [
      'Deregistered',
      result.cleanup && result.cleanup.deregistered.length > 0
        ? result.cleanup.deregistered.map(a => mdCode(taskDefinitionKey(a))).join(', ')
        : undefined
    ],
    [
      'Verified',
      result.verify && result.verify.problems.length === 0
        ? `no problems${result.verify.checked.length > 0 ? `; ${result.verify.checked.length} remote checks passed` : ''}${result.verify.skipped.length > 0 ? `, ${result.verify.skipped.length} skipped` : ''}`
        : undefined
    ],
    [
      'Empty values removed',
      result.removed && result.removed.length > 0 ? result.removed.map(mdCode).join(', ') : undefined
    ],
    ['Duration', formatDuration(options.durationMs)]
  ]);
  if (result.diff && result.diff.rows.length > 0) {
    s.heading('Changes against the running task definition', 3);
    s.table(
      ['Container', 'What', 'Before', 'After'],
      result.diff.rows.map(r => [
        r.container ? mdCode(r.container) : '',
        mdEscape(r.field),
        mdEscape(r.before),
        mdEscape(r.after)
      ])
    );
    s.paragraph(
      '_Environment and secret changes list names only: `+` added, `-` removed, `~` changed value._'
    );
  } else if (result.diff && !result.diff.changed && result.previousTaskDefinitionArn) {
    s.paragraph('No change against the running task definition.');
  }
  if (result.diff && result.diff.otherFields.length > 0)
    s.paragraph(`Also changed: ${result.diff.otherFields.map(mdCode).join(', ')}`);
  if (result.diagnostics.length > 0) {
    s.heading('Diagnostics', 3);
    for (const d of result.diagnostics) s.detailsCode(d.title, d.lines);
  }
  if ((result.verify?.skipped ?? []).length > 0) {
    s.heading('Verify: checks skipped', 3);
    s.list(result.verify!.skipped.map(mdEscape));
  }
  if (result.warnings.length > 0) {
    s.heading('Warnings', 3);
    s.list(result.warnings.map(mdEscape));
  }
  return s.toString();
}

function firstLine(text: string): string | undefined {
  const line = text.split('\n')[0].trim();
  return line === '' ? undefined : line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

export function buildReport(
  result: DeployResult,
  init: { region: string; startedAt: Date; run: RunContext },
  now?: () => Date
): Report {
  const details: [string, string][] = [];
  if (result.registered !== undefined)
    details.push(['Registered', result.registered ? 'new revision' : 'identical revision reused']);
  for (const r of result.diff?.rows ?? [])
    details.push([`${r.container ? `${r.container} ` : ''}${r.field}`, `${r.before} → ${r.after}`]);
  if (result.runTask)
    details.push(['One-off task', `${result.runTask.taskArn} exit ${result.runTask.exitCode ?? '—'}`]);
  if (result.rollback)
    details.push([
      'Rollback',
      `${result.rollback.deploymentId} ${result.rollback.ok ? 'completed' : result.rollback.outcome.status}`
    ]);
  if (result.cleanup?.deregistered.length)
    details.push(['Deregistered', result.cleanup.deregistered.map(taskDefinitionKey).join(', ')]);
  return createReport(
    {
      action: 'deploy-ecs',
      status: reportStatus(result),
      outcome: result.status,
      subject: result.service ?? result.family ?? result.cluster,
      summary: result.reason,
      startedAt: init.startedAt.toISOString(),
      region: init.region,
      ecs: {
        cluster: result.cluster,
        service: result.service,
        taskDefinitionArn: result.taskDefinitionArn,
        revision: result.revision,
        previousTaskDefinitionArn: result.previousTaskDefinitionArn,
        deploymentId: result.deploymentId
      },
      details,
      diagnostics: result.diagnostics,
      error: result.success ? undefined : result.reason,
      run: init.run
    },
    now
  );
}
