/**
 * Reads every input of deploy-ecs in one table, then checks them together before any AWS call: values, line
 * formats, what goes with what, the files inside the workspace (the task definition, env files) and `${var.NAME}`
 * placeholders. Problems are collected and reported together.
 */
import { readFileSync } from 'node:fs';
import { parse as parseShell } from 'shell-quote';
import type { DeploymentSpec } from '../../../core/deployments.js';
import { DockyardError } from '../../../core/errors.js';
import { controlCharacter } from '../../../core/image.js';
import { InputReader, splitLines, type InputSource, type KeyValue } from '../../../core/inputs.js';
import { PLACEHOLDER_NAME, substituteInValue } from '../../../core/template.js';
import {
  parseTaskDefinitionText,
  type Changes,
  type ImageChange,
  type TaskDefinitionDocument,
  type VariableChange
} from './render.js';
import { gateInputs, type ContinueInputs } from './gate-inputs.js';
import { launchSettingsInput, type LaunchSettings } from './launch-settings.js';
import { taskCpu, taskMemory } from './normalise.js';
import { registeredRevisionInput, type RegisteredRevision } from './registered.js';
import { serviceNames } from './service-list.js';
import { strategyInputs, type StrategyInputs } from './strategy-inputs.js';

/** The task definition changes (images, environment, secrets, cpu/memory, command, roles) and the rest. */
export interface Inputs extends Changes {
  cluster: string;
  /** The service to update: the only one, or (several given) the one a service run of services.ts updates. */
  service?: string;
  /** Every service given, in order (service-list.ts); several are deployed together by services.ts. */
  services: string[];
  region: string;
  taskDefinitionFile?: string;
  /** The parsed file with placeholders replaced, when `task-definition` is set. */
  taskDefinition?: TaskDefinitionDocument;
  /** `task-definition-arn`: a registered revision deployed as it is (nothing rendered or registered). */
  registered?: RegisteredRevision;
  /** `volume-configurations` and `enable-execute-command`, for UpdateService and the one-off task. */
  launch: LaunchSettings;
  vars: Record<string, string>;
  desiredCount?: number;
  forceNewDeployment: boolean;
  wait: boolean;
  timeoutMs: number;
  pollIntervalMs: number;
  rollback: boolean;
  runTask?: string[];
  keepRevisions: number;
  dryRun: boolean;
  /** The GitHub deployment to record (`github-deployment: true`). */
  github?: GitHubDeploymentInputs;
  /** Check the task definition (locally and with read-only calls) before anything is registered. */
  verify: boolean;
  /** The deployment strategy and its settings, `alarms` and `wait-until` (strategy-inputs.ts). */
  strategy: StrategyInputs;
  /** `smoke-test`: run while a PAUSE hook holds the deployment at POST_TEST_TRAFFIC_SHIFT (smoke-test.ts). */
  smokeTest?: string[];
  /** `continue-deployment` / `continue-action`: act on a paused deployment instead of starting one (pause.ts). */
  continuing?: ContinueInputs;
  /** Warnings found while reading (unused vars, unknown keys in the file). */
  warnings: string[];
}

/** What the inputs give of the deployment's spec; main.ts adds what is deployed (`target`). */
export type GitHubDeploymentInputs = Pick<
  DeploymentSpec,
  'environment' | 'token' | 'environmentUrl' | 'production'
>;

export interface InputOptions {
  /** Where path inputs are resolved and must stay: GITHUB_WORKSPACE (else the working directory) by default. */
  workspace?: string;
  env?: NodeJS.ProcessEnv;
}

const ARN_ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

/** Every input, read as written (the reader checks booleans, numbers and durations). */
function read(r: InputReader) {
  return {
    cluster: r.required('cluster', "Set 'cluster' to the name or ARN of the ECS cluster."),
    services: serviceNames(r),
    region: r.region(),
    vars: r.keyValues('vars', { allowEmptyValue: true, example: 'TAG=1.2.3' }),
    taskDefinitionFile: r.string('task-definition'),
    images: r.keyValues('images', {
      example: 'web=123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:…'
    }),
    container: r.string('container'),
    image: r.string('image'),
    environment: variableChanges(r, 'environment'),
    secrets: variableChanges(r, 'secrets'),
    envFiles: splitLines(r.raw('env-files')),
    cpu: r.string('cpu'),
    memory: r.string('memory'),
    command: r.raw('command'),
    runTask: r.raw('run-task'),
    taskRoleArn: r.string('task-role-arn'),
    executionRoleArn: r.string('execution-role-arn'),
    desiredCount: r.integer('desired-count', { min: 0 }),
    forceNewDeployment: r.boolean('force-new-deployment', false),
    wait: r.boolean('wait', true),
    timeoutMs: r.duration('timeout', '15m', { min: 1000 }),
    pollIntervalMs: r.duration('poll-interval', '5s', { min: 100 }),
    rollback: r.boolean('rollback', true),
    keepRevisions: r.integer('keep-revisions', { min: 0 }) ?? 0,
    dryRun: r.boolean('dry-run', false),
    githubDeployment: r.boolean('github-deployment', false),
    githubEnvironment: r.string('github-environment'),
    environmentUrl: r.string('environment-url'),
    production:
      r.raw('production-environment') === '' ? undefined : r.boolean('production-environment', false),
    verify: r.boolean('verify', true)
  };
}

type Read = ReturnType<typeof read>;

export function getInputs(source: InputSource, options: InputOptions = {}): Inputs {
  const r = new InputReader(source, options);
  const inputs = check(r, read(r));
  r.done();
  return inputs;
}

/** The checks: each value's format, what goes with what, and the files the inputs name. */
/**
 * A gate holds one service deployment (a PAUSE hook of one service): with several services the approval or the
 * smoke test would speak for one of them while the others went on.
 */
function refuseGatesOfSeveral(r: InputReader): void {
  for (const name of ['smoke-test', 'continue-deployment'] as const)
    if (r.raw(name) !== '')
      r.fail(
        name,
        "gates one service's deployment, and 'service' lists several.",
        'Deploy the gated service in a step of its own, or list one service.'
      );
}

function check(r: InputReader, raw: Read): Inputs {
  const warnings: string[] = [];
  const vars = variables(r, raw.vars);
  const taskDefinition = taskDefinitionFile(r, raw, vars, warnings);
  const service = raw.services[0];
  const context = { region: raw.region, service, runTask: raw.runTask };
  const registered = registeredRevisionInput(r, context);
  if (raw.taskDefinitionFile === undefined && service === undefined && r.raw('task-definition-arn') === '')
    r.fail(
      'task-definition',
      "is required when 'service' is not set.",
      "Give a task definition file, a registered revision ('task-definition-arn'), or a 'service' whose task definition is the base."
    );
  for (const s of raw.secrets)
    if (s.value !== undefined && /\s/.test(s.value.trim()))
      r.fail(
        'secrets',
        `line ${s.line}: the value of '${s.fullKey}' is not an ARN or parameter name.`,
        'Write KEY=arn:aws:secretsmanager:… or KEY=arn:aws:ssm:…:parameter/name.'
      );
  if (raw.cpu !== undefined && taskCpu(raw.cpu) === undefined)
    r.fail('cpu', `'${raw.cpu}' is not a CPU size.`, "Use CPU units such as '256' or '1024', or '0.5 vCPU'.");
  if (raw.memory !== undefined && taskMemory(raw.memory) === undefined)
    r.fail('memory', `'${raw.memory}' is not a memory size.`, "Use MiB such as '512', or '2 GB'.");
  for (const [name, arn] of [
    ['task-role-arn', raw.taskRoleArn],
    ['execution-role-arn', raw.executionRoleArn]
  ] as const)
    if (arn !== undefined && !ARN_ROLE.test(arn))
      r.fail(name, `'${arn}' is not an IAM role ARN.`, 'Use arn:aws:iam::<account>:role/<name>.');
  if (service === undefined)
    for (const name of ['desired-count', 'force-new-deployment'] as const)
      if (r.raw(name) !== '' && !(name === 'force-new-deployment' && !raw.forceNewDeployment))
        r.fail(name, "needs 'service'.", "Set 'service', or remove this input.");
  if (raw.services.length > 1) refuseGatesOfSeveral(r);
  const strategyContext = { service, wait: raw.wait, rollback: raw.rollback };
  const strategy = strategyInputs(r, strategyContext);
  return {
    cluster: raw.cluster,
    service,
    services: raw.services,
    region: raw.region,
    taskDefinitionFile: raw.taskDefinitionFile,
    taskDefinition,
    registered,
    launch: launchSettingsInput(r, context),
    vars,
    images: imageChanges(r, raw),
    container: raw.container,
    environment: [...envFiles(r, raw.envFiles), ...raw.environment],
    secrets: raw.secrets,
    cpu: raw.cpu,
    memory: raw.memory,
    command: shellWords(r, 'command', raw.command),
    taskRoleArn: raw.taskRoleArn,
    executionRoleArn: raw.executionRoleArn,
    desiredCount: raw.desiredCount,
    forceNewDeployment: raw.forceNewDeployment,
    wait: raw.wait,
    timeoutMs: raw.timeoutMs,
    pollIntervalMs: raw.pollIntervalMs,
    rollback: raw.rollback,
    runTask: shellWords(r, 'run-task', raw.runTask),
    keepRevisions: raw.keepRevisions,
    dryRun: raw.dryRun,
    github: githubDeployment(r, raw, warnings),
    verify: raw.verify,
    strategy,
    ...gateInputs(r, { ...strategyContext, waitUntil: strategy.waitUntil, split: splitCommand }),
    warnings
  };
}

/** `vars`: NAME=VALUE, values kept intact. */
function variables(r: InputReader, lines: KeyValue[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const kv of lines) {
    if (PLACEHOLDER_NAME.test(kv.key)) vars[kv.key] = kv.value;
    else
      r.fail(
        'vars',
        `line ${kv.line}: '${kv.key}' is not a valid placeholder name.`,
        'Use letters, digits and _, not starting with a digit, as in ${var.IMAGE_TAG}.'
      );
  }
  return vars;
}

/** The task definition file: inside the workspace, parses, every ${var.NAME} declared; unused vars warned of. */
function taskDefinitionFile(
  r: InputReader,
  raw: Read,
  vars: Record<string, string>,
  warnings: string[]
): TaskDefinitionDocument | undefined {
  const file = raw.taskDefinitionFile;
  if (file === undefined) {
    if (Object.keys(vars).length > 0)
      r.fail(
        'vars',
        "is set but 'task-definition' is not.",
        "Placeholders are filled in the 'task-definition' file; set it or remove 'vars'."
      );
    return undefined;
  }
  const path = r.pathValue('task-definition', file, { kind: 'file' });
  if (path === undefined) return undefined;
  try {
    const parsed = parseTaskDefinitionText(readFileSync(path, 'utf8'), file);
    const substituted = substituteInValue(parsed, vars, 'task-definition', { where: `'${file}'` });
    for (const name of Object.keys(vars).filter(v => !substituted.used.has(v)))
      warnings.push(`vars: '${name}' is not used by any \${var.${name}} placeholder in '${file}'.`);
    return substituted.value as TaskDefinitionDocument;
  } catch (error) {
    if (error instanceof DockyardError) r.problems.push(error);
    else r.fail('task-definition', (error as Error).message, 'Give a task definition in JSON or YAML.');
    return undefined;
  }
}

/** `images` lines and `image` (+ `container`): image references, one per container. */
function imageChanges(r: InputReader, raw: Read): ImageChange[] {
  const images: ImageChange[] = raw.images.map(kv => ({
    container: kv.key,
    image: kv.value.trim(),
    input: 'images',
    line: kv.line
  }));
  if (raw.image !== undefined)
    images.push({ container: raw.container, image: raw.image, input: 'image', line: 1 });
  const seen = new Set<string>();
  for (const change of images) {
    const control = controlCharacter(`${change.container ?? ''}${change.image}`);
    if (control)
      r.fail(
        change.input,
        `line ${change.line} holds a control character (${control}).`,
        'Write container=image on one line.'
      );
    else if (/\s/.test(change.image))
      r.fail(
        change.input,
        `line ${change.line}: '${change.image}' is not an image reference (it contains spaces).`,
        'Write container=image, one a line.'
      );
    const name = change.container ?? '';
    if (seen.has(name))
      r.fail(
        change.input,
        `the container '${name || '(single)'}' is given more than one image.`,
        'Give each container one image.'
      );
    seen.add(name);
  }
  return images;
}

/** `env-files`: `container=path` or `path` lines; each file holds KEY=VALUE lines. */
function envFiles(r: InputReader, lines: { text: string; line: number }[]): VariableChange[] {
  const changes: VariableChange[] = [];
  for (const { text, line } of lines) {
    const eq = text.indexOf('=');
    const qualifier = eq > 0 ? text.slice(0, eq).trim() : undefined;
    const file = (eq > 0 ? text.slice(eq + 1) : text).trim();
    if (file === '') {
      r.fail('env-files', `line ${line}: no file is given.`, 'Give container=path or path, one a line.');
      continue;
    }
    const path = r.pathValue('env-files', file, { kind: 'file', line });
    if (path === undefined) continue;
    for (const entry of splitLines(readFileSync(path, 'utf8'))) {
      const body = entry.text.replace(/^export\s+/, '');
      const e = body.indexOf('=');
      const key = e > 0 ? body.slice(0, e).trim() : '';
      if (key === '' || /\s/.test(key)) {
        // The line is never quoted: what follows the key's first word, or a line without a key, may be a secret.
        const first = key.split(/\s/)[0];
        const named = first === '' || controlCharacter(first) ? '' : ` (key '${first} …' has a space)`;
        r.fail(
          'env-files',
          `'${file}' line ${entry.line}${named} is not of the form KEY=VALUE (the line is not shown: an env file holds values).`,
          'Write one KEY=VALUE a line, the key without spaces; # starts a comment.'
        );
        continue;
      }
      changes.push({
        qualifier,
        key,
        fullKey: key,
        value: body.slice(e + 1),
        input: 'env-files',
        line: entry.line,
        file
      });
    }
  }
  return changes;
}

/** `github-deployment` and what it needs: the GitHub environment, a token, an http(s) environment URL. */
function githubDeployment(r: InputReader, raw: Read, warnings: string[]): GitHubDeploymentInputs | undefined {
  const { githubEnvironment: environment, environmentUrl, production } = raw;
  if (environmentUrl !== undefined && !/^https?:\/\/[^\s/]+\S*$/.test(environmentUrl))
    r.fail(
      'environment-url',
      `'${environmentUrl}' is not an http(s) URL.`,
      "Use a URL such as 'https://app.example.com'."
    );
  if (!raw.githubDeployment) {
    const set = ['github-environment', 'environment-url', 'production-environment'].filter(
      n => r.raw(n) !== ''
    );
    if (set.length > 0)
      warnings.push(
        `${set.map(n => `'${n}'`).join(', ')} set, but 'github-deployment' is false: no GitHub deployment is recorded.`
      );
    return undefined;
  }
  const token = r.secret('github-token') ?? '';
  if (environment === undefined)
    r.fail(
      'github-environment',
      "is required when 'github-deployment' is true.",
      "Set it to the GitHub environment to record the deployment in, such as 'production'."
    );
  if (token === '')
    r.fail(
      'github-token',
      "is empty, and 'github-deployment' needs a token.",
      "Leave 'github-token' at its default (the job's GITHUB_TOKEN), or pass a token with 'deployments: write'."
    );
  return { environment: environment ?? '', token, environmentUrl, production };
}

function variableChanges(r: InputReader, name: 'environment' | 'secrets'): VariableChange[] {
  const example = name === 'environment' ? 'web.LOG_LEVEL=debug' : 'DB_PASSWORD=arn:aws:secretsmanager:…';
  return r.keyValues(name, { allowEmptyValue: true, example }).flatMap(kv => {
    const dot = kv.key.indexOf('.');
    const qualifier = dot > 0 ? kv.key.slice(0, dot) : undefined;
    const key = dot > 0 ? kv.key.slice(dot + 1) : kv.key;
    if (key === '' || /\s/.test(kv.key)) {
      r.fail(
        name,
        `line ${kv.line}: '${kv.key}' is not a variable name.`,
        `Write one entry a line, such as '${example}'.`
      );
      return [];
    }
    return [
      {
        qualifier,
        key,
        fullKey: kv.key,
        value: kv.value === '' ? undefined : kv.value,
        input: name,
        line: kv.line
      }
    ];
  });
}

/**
 * Splits a command line with shell-style quoting. Operators (`|`, `&&`, `>`) are refused; a glob (`*.txt`) is
 * kept as the literal word, since no shell expands it; `$NAME` and `${NAME}` become the literal `$NAME`; a `#`
 * comment ends the command.
 */
export function splitCommand(text: string): string[] | { error: string } {
  const words: string[] = [];
  for (const token of parseShell(text, name => `$${name}`)) {
    if (typeof token === 'string') {
      words.push(token);
      continue;
    }
    if ('op' in token && token.op === 'glob') {
      words.push(token.pattern);
      continue;
    }
    if ('comment' in token) break;
    return {
      error: `'${'op' in token ? token.op : String(token)}' is a shell operator; the command is not run by a shell.`
    };
  }
  if (words.length === 0) return { error: 'the command is empty.' };
  return words;
}

function shellWords(r: InputReader, name: 'command' | 'run-task', text: string): string[] | undefined {
  if (text === '') return undefined;
  const words = splitCommand(text);
  if (!Array.isArray(words)) {
    r.fail(name, words.error, "To use shell features, write it as: sh -c 'your | pipeline'.");
    return undefined;
  }
  return words;
}
