/**
 * deploy-ecs's part of the outputs, the job summary and the report, from a DeployResult; the core
 * (core/deploy.ts) adds the status, the timing and what every deploy reports. Pure.
 */
import type { OutputValue } from '../../../core/run.js';
import { summaryTitle } from '../../../core/deploy.js';
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
    'run-task-exit-code': result.runTask?.exitCode
  };
}

export function buildSummary(result: DeployResult, options: { region?: string; durationMs: number }): string {
  const s = new SummaryBuilder();
  const what = result.service ? `${result.service} (${result.cluster})` : (result.family ?? result.cluster);
  s.heading(summaryTitle('deploy-ecs', what, result));
  const problems = result.verify?.problems ?? [];
  // A verify failure lists its problems below, one a line, instead of in one paragraph.
  s.paragraph(mdEscape(problems.length > 0 ? result.reason.split('\n')[0] : result.reason));
  s.section(
    `Verify: ${problems.length} problem${problems.length === 1 ? '' : 's'}, nothing was written`,
    problems.map(p => `${mdCode(p.path)}: ${mdEscape(`${p.message} ${p.fix}`)}`)
  );
  s.facts(facts(result, options));
  if (result.strategy) strategySummary(s, result.strategy);
  changes(s, result);
  s.diagnostics(result.diagnostics);
  s.section('Verify: checks skipped', (result.verify?.skipped ?? []).map(mdEscape));
  s.section('Warnings', result.warnings.map(mdEscape));
  return s.toString();
}

function facts(
  result: DeployResult,
  options: { region?: string; durationMs: number }
): [string, string | undefined][] {
  const key = (arn: string | undefined) => (arn ? mdCode(taskDefinitionKey(arn)) : undefined);
  const { runTask, verify, removed } = result;
  return [
    ['Cluster', mdCode(result.cluster)],
    ['Service', result.service ? mdCode(result.service) : undefined],
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
  if (result.strategy) details.push(...strategyDetails(result.strategy));
  const smoke = result.gates?.smokeTest;
  if (smoke) details.push(['Smoke test', `${smoke.status}${smoke.cause ? `: ${smoke.cause}` : ''}`]);
  if (result.gates?.paused) details.push(['Paused', result.gates.paused.text]);
  if (result.continued) details.push(['Continued with', `ContinueServiceDeployment ${result.continued}`]);
  return {
    subject: result.service ?? result.family ?? result.cluster,
    region: inputs?.region ?? '',
    ecs: {
      cluster: result.cluster,
      service: result.service,
      taskDefinitionArn: result.taskDefinitionArn,
      revision: result.revision,
      previousTaskDefinitionArn: result.previousTaskDefinitionArn,
      deploymentId: result.deploymentId
    },
    details
  };
}
