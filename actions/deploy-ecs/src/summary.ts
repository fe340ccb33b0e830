/**
 * deploy-ecs's part of the outputs, the job summary and the report, from a DeployResult; the core
 * (core/deploy.ts) adds the status, the timing and what every deploy reports. Pure.
 */
import type { OutputValue } from '../../../core/run.js';
import { STATUS_ICON, summaryTitle } from '../../../core/deploy.js';
import { formatDuration } from '../../../core/duration.js';
import type { ReportInit } from '../../../core/report.js';
import { mdCode, mdEscape, SummaryBuilder } from '../../../core/summary.js';
import type { Inputs } from './inputs.js';
import { taskDefinitionKey } from './render.js';
import type { DeployResult } from './result.js';
import { strategyDetails, strategySummary } from './strategy-summary.js';

export function outputs(result: DeployResult): Record<string, OutputValue> {
  return {
    'task-definition-arn': result.taskDefinitionArn,
    'task-definition-revision': result.revision,
    registered: result.registered,
    'previous-task-definition-arn': result.previousTaskDefinitionArn,
    'deployment-id': result.deploymentId,
    'service-deployment-arn': result.serviceDeploymentArn,
    'lifecycle-stage': result.strategy?.view?.stage,
    paused: result.gates?.paused ? true : result.strategy ? false : undefined,
    'smoke-test-status': result.gates?.smokeTest?.status,
    'run-task-arn': result.runTask?.taskArn,
    'run-task-exit-code': result.runTask?.exitCode,
    services: serviceOutputs(result)
  };
}

/** `services`: each service's outcome, as JSON; the one service's too, so a workflow reads one shape. */
function serviceOutputs(result: DeployResult): object | undefined {
  const each = result.services ?? (result.service ? [result] : []);
  if (each.length === 0) return undefined;
  return each.map(r => ({
    service: r.service,
    status: r.status,
    reason: r.reason,
    'previous-task-definition-arn': r.previousTaskDefinitionArn,
    'deployment-id': r.deploymentId,
    'service-deployment-arn': r.serviceDeploymentArn,
    'lifecycle-stage': r.strategy?.view?.stage,
    'rolled-back': r.status === 'ROLLED_BACK'
  }));
}

export function buildSummary(result: DeployResult, options: { region?: string; durationMs: number }): string {
  const s = new SummaryBuilder();
  s.heading(summaryTitle('deploy-ecs', target(result), result));
  const problems = result.verify?.problems ?? [];
  // A verify failure lists its problems below, one a line, instead of in one paragraph.
  s.paragraph(mdEscape(problems.length > 0 ? result.reason.split('\n')[0] : result.reason));
  s.section(
    `Verify: ${problems.length} problem${problems.length === 1 ? '' : 's'}, nothing was written`,
    problems.map(p => `${mdCode(p.path)}: ${mdEscape(`${p.message} ${p.fix}`)}`)
  );
  s.facts(facts(result, options));
  if (result.services) serviceSections(s, result.services);
  else if (result.strategy) strategySummary(s, result.strategy);
  changes(s, result);
  s.diagnostics(result.diagnostics);
  s.section('Verify: checks skipped', (result.verify?.skipped ?? []).map(mdEscape));
  s.section('Warnings', result.warnings.map(mdEscape));
  return s.toString();
}

/** What the step deployed to: the service (or services) and the cluster, else the family. */
function target(result: DeployResult): string {
  const services = result.services?.map(r => r.service).join(', ') ?? result.service;
  return services ? `${services} (${result.cluster})` : (result.family ?? result.cluster);
}

/**
 * A release to several services: one section each, with its outcome, deployment, rollback and strategy, and what
 * changes for it when it ran another revision than the first service (whose changes the release's table shows).
 */
function serviceSections(s: SummaryBuilder, services: DeployResult[]): void {
  const shown = services[0]?.previousTaskDefinitionArn;
  for (const r of services) {
    const own = r.previousTaskDefinitionArn !== shown ? r.diff : undefined;
    const changed = own && [
      ...own.rows.map(c => `${c.container ? `${c.container} ` : ''}${c.field}`),
      ...own.otherFields
    ];
    s.heading(`${STATUS_ICON[r.status]} ${mdEscape(r.service ?? '')} — ${r.status}`, 3);
    if (r.reason) s.paragraph(mdEscape(r.reason));
    s.facts([
      [
        'Previously',
        r.previousTaskDefinitionArn ? mdCode(taskDefinitionKey(r.previousTaskDefinitionArn)) : undefined
      ],
      ['Deployment', r.deploymentId ? mdCode(r.deploymentId) : undefined],
      ['Rollback', rollbackFact(r)],
      ['Changes', changed && (changed.length > 0 ? mdEscape(changed.join(', ')) : 'none')]
    ]);
    if (r.strategy) strategySummary(s, r.strategy);
  }
}

function facts(
  result: DeployResult,
  options: { region?: string; durationMs: number }
): [string, string | undefined][] {
  const key = (arn: string | undefined) => (arn ? mdCode(taskDefinitionKey(arn)) : undefined);
  const { runTask, verify, removed } = result;
  return [
    ['Cluster', mdCode(result.cluster)],
    ['Service', result.services ? undefined : result.service && mdCode(result.service)],
    ['Services', result.services?.map(r => mdCode(r.service ?? '')).join(', ')],
    ['Region', options.region],
    ['Task definition', taskDefinitionFact(result)],
    ['Previously', key(result.previousTaskDefinitionArn)],
    ['Deployment', result.deploymentId ? mdCode(result.deploymentId) : undefined],
    [
      'One-off task',
      runTask
        ? `${mdCode(runTask.taskArn.split('/').pop() ?? '')} exit ${runTask.exitCode ?? '—'}`
        : undefined
    ],
    ['Rollback', rollbackFact(result)],
    ['Deregistered', result.cleanup?.deregistered.map(key).join(', ')],
    ...launchFacts(result),
    ...gateFacts(result),
    [
      'Verified',
      verify && verify.problems.length === 0
        ? `no problems${verify.checked.length > 0 ? `; ${verify.checked.length} remote checks passed` : ''}${verify.skipped.length > 0 ? `, ${verify.skipped.length} skipped` : ''}`
        : undefined
    ],
    ['Empty values removed', removed?.map(mdCode).join(', ')],
    ['Duration', formatDuration(options.durationMs)]
  ];
}

/** What the step set of the volumes configured at launch and of ECS Exec. */
function launchFacts(result: DeployResult): [string, string | undefined][] {
  const { volumeConfigurations: volumes, enableExecuteCommand: exec } = result.launch ?? {};
  const volume = (v: NonNullable<typeof volumes>[number]) => {
    const ebs = v.managedEBSVolume;
    const size =
      ebs?.sizeInGiB !== undefined ? `${ebs.sizeInGiB} GiB` : ebs?.snapshotId && `from ${ebs.snapshotId}`;
    const what = [ebs?.volumeType, size].filter(Boolean).join(', ');
    return `${mdCode(v.name ?? '')}${what ? ` (${mdEscape(what)})` : ''}`;
  };
  return [
    ['Volumes at launch', volumes && (volumes.length > 0 ? volumes.map(volume).join(', ') : 'removed')],
    ['ECS Exec', exec === undefined ? undefined : exec ? 'turned on' : 'turned off']
  ];
}

/** The smoke test, the pause the step ended at, the action a continuing step took. */
function gateFacts(result: DeployResult): [string, string | undefined][] {
  const smoke = result.gates?.smokeTest;
  const paused = result.gates?.paused;
  return [
    [
      'Smoke test',
      smoke &&
        `${mdCode(smoke.command.join(' '))} ${smoke.status}${smoke.exitCode !== undefined ? ` (exit ${smoke.exitCode})` : ''} in ${formatDuration(smoke.durationMs)}`
    ],
    ['Paused', paused && `${mdEscape(paused.text)}; continue with ${mdCode('continue-deployment')}`],
    ['Continued with', result.continued && `ContinueServiceDeployment ${result.continued}`]
  ];
}

/** The step's own rollback: an UpdateService deployment, or a strategy deployment stopped with ROLLBACK. */
function rollbackFact(result: DeployResult): string | undefined {
  const { rollback } = result;
  if (rollback)
    return `${mdCode(rollback.deploymentId)} ${rollback.ok ? 'completed' : rollback.outcome.status}`;
  const stopped = result.strategy?.rollback;
  if (!stopped) return undefined;
  return `StopServiceDeployment ROLLBACK: ${stopped.outcome.strategy.status ?? stopped.outcome.status}`;
}

function taskDefinitionFact(result: DeployResult): string | undefined {
  if (result.taskDefinitionArn) {
    const reused = result.registered === false ? ' (identical revision reused)' : '';
    const how = result.givenRevision
      ? ' (registered revision, as given)'
      : result.registered
        ? ' (registered)'
        : reused;
    return `${mdCode(taskDefinitionKey(result.taskDefinitionArn))}${how}`;
  }
  if (result.wouldRegister === undefined) return undefined;
  return result.wouldRegister ? 'a new revision would be registered' : 'identical revision would be reused';
}

/** The rendered task definition against the running one. */
function changes(s: SummaryBuilder, result: DeployResult): void {
  const diff = result.diff;
  if (!diff) return;
  if (diff.rows.length > 0) {
    s.heading('Changes against the running task definition', 3);
    s.table(
      ['Container', 'What', 'Before', 'After'],
      diff.rows.map(r => [
        r.container ? mdCode(r.container) : '',
        mdEscape(r.field),
        mdEscape(r.before),
        mdEscape(r.after)
      ])
    );
    s.paragraph(
      '_Environment and secret changes list names only: `+` added, `-` removed, `~` changed value._'
    );
  } else if (!diff.changed && result.previousTaskDefinitionArn) {
    s.paragraph('No change against the running task definition.');
  }
  if (diff.otherFields.length > 0) s.paragraph(`Also changed: ${diff.otherFields.map(mdCode).join(', ')}`);
}

/** The report's ECS part: the service (or family), its task definitions and the deployment. */
export function buildReport(
  result: DeployResult,
  inputs: Inputs | undefined
): Pick<ReportInit, 'subject' | 'region' | 'ecs' | 'details'> {
  const details: [string, string][] = [];
  if (result.givenRevision) details.push(['Task definition', 'the registered revision, as given']);
  else if (result.registered !== undefined)
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
  if (result.strategy && !result.services) details.push(...strategyDetails(result.strategy));
  for (const r of result.services ?? []) details.push(...serviceDetails(r));
  const smoke = result.gates?.smokeTest;
  if (smoke) details.push(['Smoke test', `${smoke.status}${smoke.cause ? `: ${smoke.cause}` : ''}`]);
  if (result.gates?.paused) details.push(['Paused', result.gates.paused.text]);
  if (result.continued) details.push(['Continued with', `ContinueServiceDeployment ${result.continued}`]);
  const services = result.services?.map(r => r.service).join(', ') ?? result.service;
  return {
    subject: services ?? result.family ?? result.cluster,
    region: inputs?.region ?? '',
    ecs: {
      cluster: result.cluster,
      service: services,
      taskDefinitionArn: result.taskDefinitionArn,
      revision: result.revision,
      previousTaskDefinitionArn: result.previousTaskDefinitionArn,
      deploymentId: result.deploymentId
    },
    details
  };
}

/** A release to several services: each service's outcome, deployment and rollback, labelled with its name. */
function serviceDetails(r: DeployResult): [string, string][] {
  const name = r.service ?? '';
  const facts = [
    r.status,
    r.deploymentId && `deployment ${r.deploymentId}`,
    r.previousTaskDefinitionArn && `before: ${taskDefinitionKey(r.previousTaskDefinitionArn)}`
  ];
  const rows: [string, string][] = [[name, facts.filter(Boolean).join(' · ')]];
  if (r.rollback)
    rows.push([
      `${name} rollback`,
      `${r.rollback.deploymentId} ${r.rollback.ok ? 'completed' : r.rollback.outcome.status}`
    ]);
  // A rolling update the step did not reconfigure has nothing to say of its strategy.
  if (r.strategy?.view || r.strategy?.changes.length)
    rows.push(
      ...strategyDetails(r.strategy).map(([k, v]): [string, string] => [`${name} ${k.toLowerCase()}`, v])
    );
  return rows;
}
