// @ts-check
/**
 * The plan of a release (the reusable workflows' plan job): the `targets` input, or the one target the workflow's
 * own inputs name, checked together and grouped into waves, as the matrices of the wave jobs. GitHub runs the
 * targets of a wave in parallel; the workflow runs the waves in order and stops at the first that fails. Nothing
 * here calls AWS or holds a credential.
 */
import { randomUUID } from 'node:crypto';
import { errorCommand, input, setOutputs } from './runner-io.mjs';

/** The wave jobs each reusable workflow has (deploy-1 … deploy-4). */
export const MAX_WAVES = 4;
/** GitHub makes at most 256 jobs of one matrix. */
export const MAX_TARGETS_PER_WAVE = 256;

/**
 * @typedef {'ecs' | 'eks'} Kind
 * @typedef {{ input: string, message: string }} Problem
 * @typedef {{
 *   id: string, name: string, wave: number, environment: string, 'environment-url': string, region: string,
 *   cluster: string, 'role-to-assume': string, service?: string, namespace?: string, 'cluster-role-arn'?: string,
 *   'approval-environment'?: string
 * }} Leg
 * @typedef {{ legs: Leg[], waves: Leg[][], problems: Problem[] }} Plan
 */

/**
 * Whether the build job runs: not when the caller gives an image to deploy, nor (ECS) a registered revision.
 * @param {Record<string, string>} given
 */
export const buildsImage = given => given.image === '' && (given['task-definition-arn'] ?? '') === '';

/** What a target may say, by workflow; the rest comes from the workflow's inputs of the same name. */
const KEYS = {
  ecs: [
    'environment',
    'environment-url',
    'region',
    'cluster',
    'service',
    'role-to-assume',
    'approval-environment',
    'wave'
  ],
  eks: [
    'environment',
    'environment-url',
    'region',
    'cluster',
    'namespace',
    'cluster-role-arn',
    'role-to-assume',
    'wave'
  ]
};
/** The workflow input each target key falls back to. */
const DEFAULT_INPUT = /** @type {Record<string, string>} */ ({ region: 'aws-region' });
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const URL = /^https?:\/\/[^\s/]+\S*$/;

/**
 * The plan from the workflow's inputs: `targets` (JSON, may be empty) and the defaults (`environment`,
 * `environment-url`, `aws-region`, `cluster`, `service` or `namespace`, `cluster-role-arn`, `role-to-assume`).
 * @param {Kind} kind
 * @param {Record<string, string>} given
 * @returns {Plan}
 */
export function planRelease(kind, given) {
  /** @type {Problem[]} */
  const problems = [];
  const listed = given.targets !== '';
  const targets = listed ? readTargets(given.targets, problems) : [{}];
  const legs = targets.flatMap((target, i) => {
    const leg = targetLeg(kind, target, i, given, listed, problems);
    return leg ? [leg] : [];
  });
  if (problems.length > 0) return { legs: [], waves: [], problems };
  checkDistinct(kind, legs, problems);
  const waves = groupWaves(legs, problems);
  checkApproval(legs, listed, problems);
  return problems.length > 0 ? { legs: [], waves: [], problems } : { legs, waves, problems };
}

/**
 * `targets`: a JSON array of objects.
 * @param {string} text
 * @param {Problem[]} problems
 * @returns {Record<string, unknown>[]}
 */
function readTargets(text, problems) {
  const fail = (/** @type {string} */ message) => problems.push({ input: 'targets', message });
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail(`is not valid JSON (${/** @type {Error} */ (error).message}). Give a JSON array of targets.`);
    return [];
  }
  if (!Array.isArray(value) || value.length === 0) {
    fail(
      'is not a list of targets. Give a JSON array of objects, such as [{"environment": "staging", "cluster": "staging"}].'
    );
    return [];
  }
  return value.flatMap((t, i) => {
    if (t && typeof t === 'object' && !Array.isArray(t)) return [/** @type {Record<string, unknown>} */ (t)];
    fail(`targets[${i}] is not an object.`);
    return [];
  });
}

/**
 * One target with the workflow's inputs as defaults, checked; problems name `targets[i]`, or the workflow input
 * when there is no `targets` list.
 * @param {Kind} kind
 * @param {Record<string, unknown>} target
 * @param {number} i
 * @param {Record<string, string>} given
 * @param {boolean} listed
 * @param {Problem[]} problems
 * @returns {Leg | undefined}
 */
function targetLeg(kind, target, i, given, listed, problems) {
  const before = problems.length;
  const fail = (/** @type {string} */ key, /** @type {string} */ message) =>
    problems.push(
      listed
        ? { input: 'targets', message: `targets[${i}].${key}: ${message}` }
        : { input: DEFAULT_INPUT[key] ?? key, message }
    );
  for (const key of Object.keys(target))
    if (!KEYS[kind].includes(key)) fail(key, `is not a target key. A target has ${KEYS[kind].join(', ')}.`);
  /** @type {Record<string, string>} */
  const values = {};
  for (const key of KEYS[kind].filter(k => k !== 'wave')) {
    const own = target[key];
    if (own !== undefined && typeof own !== 'string') {
      fail(key, 'is not a string.');
      continue;
    }
    // A URL belongs to one environment: the workflow's is no default for a list of targets.
    const fallback = key === 'environment-url' && listed ? '' : (given[DEFAULT_INPUT[key] ?? key] ?? '');
    const value = (typeof own === 'string' ? own : fallback).trim();
    if ([...value].some(c => c.charCodeAt(0) < 0x20))
      fail(key, 'holds a line break or another control character.');
    values[key] = value;
  }
  for (const key of ['environment', 'region', 'cluster', 'role-to-assume'])
    if (values[key] === '')
      fail(key, listed ? `is not given, and the workflow's input is empty.` : 'is required.');
  if (values.region && !REGION.test(values.region))
    fail('region', `'${values.region}' is not an AWS region.`);
  if (values['environment-url'] && !URL.test(values['environment-url']))
    fail('environment-url', `'${values['environment-url']}' is not an http(s) URL.`);
  const wave = waveNumber(target.wave);
  if (wave === undefined) fail('wave', `${JSON.stringify(target.wave)} is not a wave number (1, 2, …).`);
  if (problems.length > before || wave === undefined) return undefined;
  const what = kind === 'ecs' ? values.service || '(no service)' : values.namespace;
  const name = `${values.environment} · ${values.region} · ${values.cluster}/${what}`;
  const slug = `${values.environment}-${values.region}-${what}`
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 60);
  return /** @type {Leg} */ ({ id: `t${String(i + 1).padStart(3, '0')}-${slug}`, name, wave, ...values });
}

/**
 * A target's wave: 1 when it says none; a positive whole number, also written as a string.
 * @param {unknown} value
 */
function waveNumber(value) {
  if (value === undefined) return 1;
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : undefined;
}

/**
 * No two targets deploy to the same place (the same account, region, cluster and service or namespace): they would
 * race each other. The account is the deploy role's: staging and production may use the same names in two accounts.
 * @param {Kind} kind
 * @param {Leg[]} legs
 * @param {Problem[]} problems
 */
function checkDistinct(kind, legs, problems) {
  /** @type {Map<string, number>} */
  const seen = new Map();
  legs.forEach((leg, i) => {
    const role = leg['role-to-assume'];
    const account = /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(role)?.[1] ?? role;
    const where = [leg.region, leg.cluster, kind === 'ecs' ? leg.service : leg.namespace].join('/');
    const first = seen.get(`${account} ${where}`);
    if (first !== undefined)
      problems.push({
        input: 'targets',
        message: `targets[${i}] deploys to ${where} in the account of ${role}, as targets[${first}] does. List each service once.`
      });
    else seen.set(`${account} ${where}`, i);
  });
}

/**
 * The targets by wave, in the order of the wave numbers (which need not follow each other).
 * @param {Leg[]} legs
 * @param {Problem[]} problems
 * @returns {Leg[][]}
 */
function groupWaves(legs, problems) {
  const numbers = [...new Set(legs.map(l => l.wave))].sort((a, b) => a - b);
  if (numbers.length > MAX_WAVES)
    problems.push({
      input: 'targets',
      message: `has ${numbers.length} waves (${numbers.join(', ')}); the workflow runs at most ${MAX_WAVES}. Put more targets in one wave.`
    });
  const waves = numbers.map(n => legs.filter(l => l.wave === n));
  for (const wave of waves)
    if (wave.length > MAX_TARGETS_PER_WAVE)
      problems.push({
        input: 'targets',
        message: `wave ${wave[0].wave} has ${wave.length} targets; GitHub runs at most ${MAX_TARGETS_PER_WAVE} jobs of one matrix.`
      });
  return waves;
}

/**
 * `approval-environment` (ECS): an environment of its own, not the one the target deploys in, whose protection the
 * deploy job has already passed.
 * @param {Leg[]} legs
 * @param {boolean} listed
 * @param {Problem[]} problems
 */
function checkApproval(legs, listed, problems) {
  legs.forEach((leg, i) => {
    const approval = leg['approval-environment'] ?? '';
    if (approval === '' || approval !== leg.environment) return;
    const message = `'${approval}' is the environment the target deploys in. Name an environment of its own, with the required reviewers who approve the promotion.`;
    problems.push(
      listed
        ? { input: 'targets', message: `targets[${i}].approval-environment: ${message}` }
        : { input: 'approval-environment', message }
    );
  });
}

/**
 * The plan's outputs: one matrix a wave job (`[]` for a wave job with nothing to do), every target, the deploy
 * roles (for check-roles), the environments (for the email), whether to build, and an id that keeps this release's
 * artifacts apart from another call's in the same workflow run.
 * @param {Plan} plan
 * @param {{ releaseId: string, build: boolean }} release
 * @returns {Record<string, string>}
 */
export function planOutputs(plan, release) {
  /** @type {Record<string, string>} */
  const outputs = {
    'release-id': release.releaseId,
    build: String(release.build),
    waves: String(plan.waves.length),
    targets: JSON.stringify(plan.legs),
    roles: [...new Set(plan.legs.map(l => l['role-to-assume']))].join('\n'),
    environments: [...new Set(plan.legs.map(l => l.environment))].join(', ')
  };
  for (let n = 1; n <= MAX_WAVES; n++) {
    const wave = plan.waves[n - 1] ?? [];
    outputs[`wave-${n}`] = JSON.stringify(wave);
    // The matrix of the wave's promote job: its targets with an approval environment (`[]`: the job does not run).
    outputs[`promote-${n}`] = JSON.stringify(wave.filter(l => (l['approval-environment'] ?? '') !== ''));
  }
  return outputs;
}

/** The step: reads the inputs, prints the plan or every problem, writes the outputs. */
export function main(env = process.env) {
  const kind = input('kind', env) === 'eks' ? 'eks' : 'ecs';
  const names = [
    'targets',
    'environment',
    'environment-url',
    'aws-region',
    'cluster',
    'role-to-assume',
    'image'
  ];
  names.push(
    ...(kind === 'ecs'
      ? ['service', 'task-definition-arn', 'approval-environment']
      : ['namespace', 'cluster-role-arn'])
  );
  const given = Object.fromEntries(names.map(n => [n, input(n, env)]));
  const plan = planRelease(kind, given);
  if (plan.problems.length > 0) {
    for (const p of plan.problems) console.log(errorCommand(p.message, `Dockyard: input '${p.input}'`));
    process.exitCode = 1;
    return;
  }
  plan.waves.forEach((wave, i) => {
    console.log(`Wave ${i + 1} of ${plan.waves.length} (wave ${wave[0].wave}):`);
    for (const leg of wave)
      console.log(
        `  ${leg.name}${leg['approval-environment'] ? ` (promoted after approval in ${leg['approval-environment']})` : ''}`
      );
  });
  setOutputs(planOutputs(plan, { releaseId: randomUUID().slice(0, 8), build: buildsImage(given) }), env);
}
