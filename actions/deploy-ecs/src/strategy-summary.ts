/**
 * The job summary's and the report's part about a blue/green, linear or canary deployment, pure: the strategy,
 * the service deployment, each stage as it was entered with the traffic on the new revision, the bake time left,
 * where ECS rolled back to, and what ECS still does when the step stopped following early.
 */
import { formatDuration } from '../../../core/duration.js';
import { mdCode, mdEscape, type SummaryBuilder } from '../../../core/summary.js';
import type { StrategyView } from './stage-progress.js';
import { elapsedText, shortArn } from './stages.js';

/** What the step did with the deployment's configuration, for the summary (`strategy ROLLING → BLUE_GREEN`). */
export interface StrategyReport {
  name?: string;
  view?: StrategyView;
  changes: string[];
}

export function strategySummary(s: SummaryBuilder, report: StrategyReport): void {
  const view = report.view;
  if (!view && report.changes.length === 0) return;
  const name = view?.strategy ?? report.name;
  s.heading(`Deployment strategy${name ? `: ${name}` : ''}`, 3);
  s.facts([
    ['Configuration', report.changes.length > 0 ? mdEscape(report.changes.join('; ')) : undefined],
    [
      'Service deployment',
      view?.serviceDeploymentArn ? mdCode(shortArn(view.serviceDeploymentArn)) : undefined
    ],
    [
      'Lifecycle stage',
      view?.stage ? `${mdCode(view.stage)}${view.status ? ` (${view.status})` : ''}` : undefined
    ],
    ['Bake time', view ? bakeText(view) : undefined],
    [
      'Rolled back to',
      view?.rollbackTo && view.status?.startsWith('ROLLBACK') ? mdCode(view.rollbackTo) : undefined
    ],
    ['ECS still does', view?.remaining?.length ? mdEscape(view.remaining.join(', ')) : undefined]
  ]);
  const stages = view?.stages ?? [];
  if (stages.length === 0) return;
  s.table(
    ['Stage', 'Entered', 'Production traffic', 'Test traffic'],
    stages.map(e => [
      `${mdCode(e.stage)}${e.status && e.status !== 'IN_PROGRESS' ? ` ${mdEscape(e.status)}` : ''}`,
      `+${elapsedText(e.atMs)}`,
      e.production === undefined ? '' : `${e.production}%`,
      e.test === undefined ? '' : `${e.test}%`
    ])
  );
}

function bakeText(view: StrategyView): string | undefined {
  if (!view.bake) return undefined;
  const left =
    view.stage === 'BAKE_TIME' && view.status === 'IN_PROGRESS' && view.bake.leftMs !== undefined
      ? ` (about ${formatDuration(view.bake.leftMs)} left)`
      : '';
  return `${view.bake.minutes}m${left}`;
}

/** The report's details rows (the email's facts). */
export function strategyDetails(report: StrategyReport): [string, string][] {
  const view = report.view;
  const rows: [string, string | undefined][] = [
    ['Strategy', view?.strategy ?? report.name],
    ['Configuration', report.changes.length > 0 ? report.changes.join('; ') : undefined],
    ['Service deployment', view?.serviceDeploymentArn],
    ['Lifecycle stage', view?.stage ? `${view.stage}${view.status ? ` (${view.status})` : ''}` : undefined],
    ['Rolled back to', view?.rollbackTo && view.status?.startsWith('ROLLBACK') ? view.rollbackTo : undefined],
    ['ECS still does', view?.remaining?.length ? view.remaining.join(', ') : undefined]
  ];
  return rows.filter((r): r is [string, string] => r[1] !== undefined);
}
