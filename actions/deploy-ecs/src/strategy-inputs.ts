/**
 * The deployment strategy inputs (`strategy`, `bake-time`, `canary-percent`, `canary-bake-time`,
 * `linear-step-percent`, `linear-step-bake-time`, `alarms`, `wait-until`), read and checked together with the
 * step's other inputs before any AWS call. What can only be judged against the service (a canary setting on a
 * service that is LINEAR, `wait-until` on a ROLLING one) is judged by strategy-config.ts, still before any write.
 *
 * The ranges are the ECS API reference's: bake times in whole minutes from 0 to 1440, a canary percentage from
 * 0.1 to 100 and a linear step from 3 to 100, both in steps of 0.1.
 */
import type { DeploymentStrategy } from '@aws-sdk/client-ecs';
import type { InputReader } from '../../../core/inputs.js';
import { parseDuration } from '../../../core/duration.js';
import { oneLine } from '../../../core/text.js';
import { WAIT_UNTIL, type WaitUntil } from './stages.js';

export const STRATEGIES = [
  'ROLLING',
  'BLUE_GREEN',
  'LINEAR',
  'CANARY'
] as const satisfies readonly DeploymentStrategy[];
export type StrategyName = (typeof STRATEGIES)[number];

export interface StrategyInputs {
  /** Undefined: the service keeps its strategy. */
  strategy?: StrategyName;
  bakeTimeMinutes?: number;
  canaryPercent?: number;
  canaryBakeTimeMinutes?: number;
  linearStepPercent?: number;
  linearStepBakeTimeMinutes?: number;
  /** CloudWatch alarm names that fail the deployment; ECS rolls back on them unless `rollback` is false. */
  alarms?: string[];
  alarmRollback: boolean;
  waitUntil: WaitUntil;
}

/** Which inputs belong to one strategy only. */
export const STRATEGY_OF_INPUT: Record<string, StrategyName> = {
  'canary-percent': 'CANARY',
  'canary-bake-time': 'CANARY',
  'linear-step-percent': 'LINEAR',
  'linear-step-bake-time': 'LINEAR'
};

/** The inputs that only a strategy deployment (not ROLLING) uses. */
export const TRAFFIC_SHIFT_INPUTS = ['bake-time', ...Object.keys(STRATEGY_OF_INPUT)];

const MAX_BAKE_MINUTES = 1440;
const MAX_ALARM_NAME = 255;

export interface StrategyContext {
  service?: string;
  wait: boolean;
  /** The `rollback` input: whether ECS rolls back on the alarms too. */
  rollback: boolean;
}

/** Reads and checks the strategy inputs; every problem goes to the reader, named by its input. */
export function strategyInputs(r: InputReader, context: StrategyContext): StrategyInputs {
  const inputs: StrategyInputs = {
    strategy: strategyName(r),
    bakeTimeMinutes: minutes(r, 'bake-time'),
    canaryPercent: percent(r, 'canary-percent', 0.1),
    canaryBakeTimeMinutes: minutes(r, 'canary-bake-time'),
    linearStepPercent: percent(r, 'linear-step-percent', 3),
    linearStepBakeTimeMinutes: minutes(r, 'linear-step-bake-time'),
    alarms: alarmNames(r),
    alarmRollback: context.rollback,
    waitUntil: r.choice('wait-until', WAIT_UNTIL, 'completed', { ignoreCase: true })
  };
  crossCheck(r, inputs, context);
  return inputs;
}

function strategyName(r: InputReader): StrategyName | undefined {
  const text = r.raw('strategy').trim();
  if (text === '') return undefined;
  const name = text.toUpperCase().replace(/[-\s/]+/g, '_');
  const found = STRATEGIES.find(s => s === name || s.replace('_', '') === name);
  if (!found)
    r.fail(
      'strategy',
      `'${text}' is not a deployment strategy.`,
      `Use one of: ${STRATEGIES.join(', ')}; leave it empty to keep the service's.`
    );
  return found;
}

/** A bake time: a duration in whole minutes, from 0 to 24 hours. A bare number is refused: its unit is unclear. */
function minutes(r: InputReader, name: string): number | undefined {
  const text = r.raw(name).trim();
  if (text === '') return undefined;
  const ms = /^\d+(\.\d+)?$/.test(text) ? undefined : parseDuration(text);
  const whole = ms !== undefined && ms % 60_000 === 0 ? ms / 60_000 : undefined;
  if (whole === undefined || whole > MAX_BAKE_MINUTES) {
    r.fail(
      name,
      `'${text}' is not a bake time in whole minutes from 0 to 24 hours.`,
      `Write it with a unit, such as '10m' or '1h' (ECS counts bake time in minutes).`
    );
    return undefined;
  }
  return whole;
}

/** A traffic percentage from `min` to 100 in steps of 0.1 (`10`, `12.5`, `5%`). */
function percent(r: InputReader, name: string, min: number): number | undefined {
  const text = r.raw(name).trim();
  if (text === '') return undefined;
  const value = /^\d+(\.\d+)?%?$/.test(text) ? Number(text.replace('%', '')) : NaN;
  const tenths = Math.round(value * 10);
  if (!(value >= min && value <= 100) || Math.abs(value * 10 - tenths) > 1e-9) {
    r.fail(
      name,
      `'${text}' is not a percentage from ${min} to 100 in steps of 0.1.`,
      `Give a number such as '10' or '12.5'.`
    );
    return undefined;
  }
  return tenths / 10;
}

/** CloudWatch alarm names, separated by commas or lines. */
function alarmNames(r: InputReader): string[] | undefined {
  const names = r.list('alarms');
  if (names.length === 0) return undefined;
  for (const name of names)
    if (name.length > MAX_ALARM_NAME || /[\p{Cc}]/u.test(name))
      r.fail(
        'alarms',
        `'${oneLine(name, { max: 60 })}' is not a CloudWatch alarm name.`,
        `Give alarm names of up to ${MAX_ALARM_NAME} characters, separated by commas or lines.`
      );
  return [...new Set(names)];
}

/** What goes with what: settings of one strategy under another, stages a rolling update has not, a service. */
function crossCheck(r: InputReader, inputs: StrategyInputs, context: StrategyContext): void {
  const set = (name: string) => r.raw(name).trim() !== '';
  const strategy = inputs.strategy;
  for (const [name, owner] of Object.entries(STRATEGY_OF_INPUT))
    if (set(name) && strategy !== undefined && strategy !== owner)
      r.fail(
        name,
        `is a setting of strategy ${owner}, and 'strategy' is ${strategy}.`,
        `Remove '${name}', or set 'strategy: ${owner}'.`
      );
  if (set('bake-time') && strategy === 'ROLLING')
    r.fail(
      'bake-time',
      'is for BLUE_GREEN, LINEAR and CANARY deployments; a ROLLING update has no bake.',
      "Remove 'bake-time', or choose another 'strategy'."
    );
  if (inputs.waitUntil !== 'completed') {
    if (strategy === 'ROLLING')
      r.fail(
        'wait-until',
        `'${inputs.waitUntil}' is a stage of BLUE_GREEN, LINEAR and CANARY deployments; a ROLLING update has none.`,
        "Leave 'wait-until' at 'completed', or choose another 'strategy'."
      );
    if (!context.wait)
      r.fail(
        'wait-until',
        "is set but 'wait' is false, so the step does not follow the deployment.",
        "Set 'wait: true', or remove 'wait-until'."
      );
  }
  // `wait-until: completed` is its default (the runner passes action.yml's): only another value needs a service.
  const needService = [...['strategy', ...TRAFFIC_SHIFT_INPUTS, 'alarms'].filter(set)];
  if (inputs.waitUntil !== 'completed') needService.push('wait-until');
  if (context.service === undefined)
    for (const name of needService) r.fail(name, "needs 'service'.", "Set 'service', or remove this input.");
}
