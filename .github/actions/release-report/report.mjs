// @ts-check
/**
 * The release job's step: every target's report in one place for the one email, and the release's outcome. Each
 * deploy job left its report in an artifact (a matrix job's outputs are those of whichever leg finished last, so
 * they cannot carry one report a target); the job downloads them into one directory before this runs. A target
 * without a report gets one here, saying why it has none: its wave never ran (an earlier wave failed), or its job
 * failed or was cancelled before the deploy step wrote one. No credential, no AWS call.
 */
import { existsSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCommand, input, setOutputs } from '../release-plan/runner-io.mjs';

/**
 * @typedef {import('../release-plan/plan.mjs').Leg} Leg
 * @typedef {Record<string, string>} Results the result of each job the release job needs, by id
 * @typedef {{ schema: string, action: string, status: string, outcome: string, summary: string,
 *   ecs?: { taskDefinitionArn?: string, cluster?: string, service?: string } } & Record<string, unknown>} Report
 * @typedef {{ leg: Leg, report: Report, text: string, made: boolean }} Entry
 */

const STATUSES = ['success', 'failure', 'cancelled', 'skipped'];

/**
 * Each target's report: the one its deploy job left (`<id>.json` in `dir`), else one made here from its wave job's
 * result.
 * @param {'ecs' | 'eks'} kind
 * @param {Leg[]} legs
 * @param {Results} results
 * @param {string} dir
 * @param {{ env?: NodeJS.ProcessEnv, now?: Date }} [context]
 * @returns {Entry[]}
 */
export function gatherReports(kind, legs, results, dir, context = {}) {
  const waves = [...new Set(legs.map(l => l.wave))].sort((a, b) => a - b);
  return legs.map(leg => {
    const file = join(dir, `${leg.id}.json`);
    const text = readIfThere(file);
    const report = text === '' ? undefined : readReport(text);
    if (report) return { leg, report, text, made: false };
    const job = `deploy-${waves.indexOf(leg.wave) + 1}`;
    const made = missingReport(kind, leg, results[job] || 'skipped', context);
    return { leg, report: made, text: JSON.stringify(made), made: true };
  });
}

/**
 * A report file's JSON, when it is one.
 * @param {string} text
 * @returns {Report | undefined}
 */
function readReport(text) {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && STATUSES.includes(value.status) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The report of a target whose deploy step wrote none (dockyard.report/v1, as core/report.ts defines it).
 * @param {'ecs' | 'eks'} kind
 * @param {Leg} leg
 * @param {string} result the wave job's result: skipped, failure, cancelled (success when its upload was lost)
 * @param {{ env?: NodeJS.ProcessEnv, now?: Date }} context
 * @returns {Report}
 */
export function missingReport(kind, leg, result, context) {
  const env = context.env ?? process.env;
  const at = (context.now ?? new Date()).toISOString();
  const why = {
    skipped: [
      'skipped',
      `Not deployed: the release stopped before wave ${leg.wave}, as an earlier wave did not succeed (or the build failed).`
    ],
    cancelled: ['cancelled', 'Cancelled before the deploy step reported.'],
    failure: ['failure', "The deploy job failed before its deploy step reported; the job's log says why."]
  }[result] ?? ['failure', 'The deploy job ended without a report.'];
  const where =
    kind === 'ecs'
      ? { ecs: { cluster: leg.cluster, service: leg.service || undefined } }
      : {
          eks: { cluster: leg.cluster, namespace: leg.namespace ?? '', resources: [] }
        };
  return {
    schema: 'dockyard.report/v1',
    action: `deploy-${kind}`,
    status: why[0],
    outcome: 'NOT_DEPLOYED',
    subject: (kind === 'ecs' ? leg.service : leg.namespace) || leg.cluster,
    summary: why[1],
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
    region: leg.region,
    ...where,
    details: [
      ['Target', leg.name],
      ['Wave', String(leg.wave)]
    ],
    diagnostics: [],
    // notify-ses describes the run from its own job's context; this only says which run the report was made in.
    run: {
      repository: env.GITHUB_REPOSITORY ?? '',
      runId: env.GITHUB_RUN_ID ?? '',
      job: env.GITHUB_JOB ?? ''
    }
  };
}

/**
 * What the release says: the email's status (any failure, a failed build or reject job included, then any cancel,
 * else success), the deploy's word for
 * the workflow's `status` output (the first target that did not succeed, else the first target's), and a row a
 * target.
 * @param {Entry[]} entries
 * @param {Results} results
 */
export function releaseOutcome(entries, results) {
  // A reject job that failed may have left a deployment paused whose report still says it went well.
  const rejectFailed = Object.entries(results).some(([job, r]) => /^reject-\d$/.test(job) && r === 'failure');
  const statuses = [
    ...entries.map(e => e.report.status),
    results.build === 'failure' || rejectFailed ? 'failure' : ''
  ];
  const status = statuses.includes('failure')
    ? 'failure'
    : statuses.includes('cancelled')
      ? 'cancelled'
      : 'success';
  const worst = entries.find(e => e.report.status !== 'success') ?? entries[0];
  const targets = entries.map(({ leg, report }) => ({
    ...leg,
    status: report.status,
    outcome: report.outcome,
    'task-definition-arn': report.ecs?.taskDefinitionArn
  }));
  return { status, outcome: worst?.report.outcome ?? '', targets };
}

/** Text of a target or report value fit for a Markdown table cell: one line, no markup. */
const cell = (/** @type {unknown} */ value) =>
  String(value ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>|#]/g, c => `\\${c}`);

/**
 * The job summary: one row a target, in wave order.
 * @param {ReturnType<typeof releaseOutcome>} outcome
 */
export function summaryTable(outcome) {
  const rows = outcome.targets.map(t =>
    [t.wave, t.environment, t.region, t.cluster, t.service ?? t.namespace ?? '', t.outcome]
      .map(cell)
      .join(' | ')
  );
  const target = outcome.targets.some(t => t.namespace !== undefined) ? 'Namespace' : 'Service';
  return [
    `### Release: ${outcome.status === 'success' ? '✅' : '❌'} ${outcome.targets.length} target(s)`,
    '',
    `| Wave | Environment | Region | Cluster | ${target} | Outcome |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(r => `| ${r} |`),
    ''
  ].join('\n');
}

/** A file's text, or '' when there is none. */
const readIfThere = (/** @type {string} */ file) =>
  existsSync(file) ? readFileSync(file, 'utf8').trim() : '';

/** The step: gathers, writes the reports made here beside the others, the summary and the outputs. */
export function main(env = process.env) {
  const kind = input('kind', env) === 'eks' ? 'eks' : 'ecs';
  const dir = input('reports-dir', env);
  let legs, results;
  try {
    legs = /** @type {Leg[]} */ (JSON.parse(input('targets', env) || '[]'));
    results = /** @type {Results} */ (JSON.parse(input('results', env) || '{}'));
  } catch (error) {
    const why = /** @type {Error} */ (error).message;
    console.log(
      errorCommand(`The plan's targets or the jobs' results are not JSON: ${why}`, 'Dockyard release')
    );
    process.exitCode = 1;
    return;
  }
  const entries = gatherReports(kind, legs, results, dir, { env });
  for (const e of entries.filter(e => e.made)) writeFileSync(join(dir, `${e.leg.id}.json`), e.text);
  const outcome = releaseOutcome(entries, results);
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, summaryTable(outcome));
  const one = entries.length === 1 ? entries[0] : undefined;
  setOutputs(
    {
      status: outcome.status,
      outcome: outcome.outcome,
      targets: JSON.stringify(outcome.targets),
      report: one && !one.made ? one.text : '',
      'task-definition-arn': one?.report.ecs?.taskDefinitionArn ?? '',
      resources: one && !one.made ? readIfThere(join(dir, `${one.leg.id}.resources`)) : ''
    },
    env
  );
}
