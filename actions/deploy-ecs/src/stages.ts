/**
 * The lifecycle stages of an ECS service deployment (blue/green, linear, canary), pure: their order, how a stage
 * ECS reports is read, and which stage `wait-until` waits for.
 *
 * The order is the one the ECS API reference gives for `ServiceDeployment.lifecycleStage` (and the developer
 * guide's "blue/green deployment workflow"); PRE_PRODUCTION_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT come
 * once per traffic step in a linear or canary deployment. The references do not agree on every name (some SDK
 * docs leave PRE_PRODUCTION_TRAFFIC_SHIFT out; the linear guide names CodeDeploy's BEFORE_INSTALL), so a stage
 * is read tolerantly: case and separators do not matter, and a name not in the list is shown as it is (made safe
 * to print) and never ends or breaks a wait.
 */

import { formatDuration } from '../../../core/duration.js';

export const STAGE_ORDER = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP'
] as const;

export type KnownStage = (typeof STAGE_ORDER)[number];

/** Other spellings seen in the references and SDKs, to the API's names. */
const ALIASES: Record<string, KnownStage> = {
  CLEANUP: 'CLEAN_UP',
  BAKE: 'BAKE_TIME',
  BAKETIME: 'BAKE_TIME',
  SCALEUP: 'SCALE_UP',
  PRESCALEUP: 'PRE_SCALE_UP',
  POSTSCALEUP: 'POST_SCALE_UP',
  RECONCILE: 'RECONCILE_SERVICE'
};

/** `wait-until`: how far the step follows a deployment before it ends. */
export const WAIT_UNTIL = ['completed', 'production-traffic', 'test-traffic'] as const;
export type WaitUntil = (typeof WAIT_UNTIL)[number];

/**
 * The first stage at which `wait-until` is reached. Test traffic is all on the new revision from
 * POST_TEST_TRAFFIC_SHIFT; production traffic is all on it, and the hooks after its shift have passed, when the
 * bake starts (a deployment without a bake goes on to CLEAN_UP, which is later still).
 */
const REACHED_AT: Record<Exclude<WaitUntil, 'completed'>, KnownStage> = {
  'test-traffic': 'POST_TEST_TRAFFIC_SHIFT',
  'production-traffic': 'BAKE_TIME'
};

export interface Stage {
  /** The API's name for a known stage; otherwise the name as ECS gave it, made safe to print. */
  name: string;
  known: boolean;
}

/** A stage as ECS reported it; undefined when it reported none. */
export function readStage(raw: string | undefined): Stage | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const name = raw
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_')
    .replace(/[^A-Z0-9_]/g, '')
    .slice(0, 64);
  const known = (STAGE_ORDER as readonly string[]).includes(name)
    ? (name as KnownStage)
    : ALIASES[name.replace(/_/g, '')];
  return known ? { name: known, known: true } : { name: name || '(unnamed stage)', known: false };
}

/** The position of a known stage in a deployment; -1 for a stage not in the list. */
export function stageRank(stage: Stage | undefined): number {
  return stage?.known ? STAGE_ORDER.indexOf(stage.name as KnownStage) : -1;
}

/** Whether a deployment at `stage` has gone as far as `waitUntil` asks (never for `completed`). */
export function reached(stage: Stage | undefined, waitUntil: WaitUntil): boolean {
  if (waitUntil === 'completed' || !stage?.known) return false;
  return stageRank(stage) >= STAGE_ORDER.indexOf(REACHED_AT[waitUntil]);
}

/** The stage `wait-until` waits for, for messages. */
export function waitUntilStage(waitUntil: Exclude<WaitUntil, 'completed'>): KnownStage {
  return REACHED_AT[waitUntil];
}

/** The known stages after `stage` that ECS still goes through, for saying what remains. */
export function stagesAfter(stage: Stage | undefined): KnownStage[] {
  const rank = stageRank(stage);
  return rank < 0 ? [] : STAGE_ORDER.slice(rank + 1);
}

/** Time since the wait started, to the second: `0s`, `45s`, `1m 05s`. */
export function elapsedText(ms: number): string {
  return ms < 1000 ? '0s' : formatDuration(ms);
}

/** The last part of a service deployment ARN, which is what the ECS console shows. */
export function shortArn(arn: string | undefined): string {
  return arn?.split('/').pop() ?? '(unknown)';
}
