import { describe, expect, it } from '@jest/globals';
import { reached, readStage, stageRank, stagesAfter } from './stages.js';

describe('readStage', () => {
  it.each([
    ['BAKE_TIME', 'BAKE_TIME', true],
    ['bake_time', 'BAKE_TIME', true],
    ['Bake Time', 'BAKE_TIME', true],
    ['CLEANUP', 'CLEAN_UP', true],
    ['post-test-traffic-shift', 'POST_TEST_TRAFFIC_SHIFT', true],
    // Named in the linear deployment guide (CodeDeploy's name), not an ECS stage: shown, not ranked.
    ['BEFORE_INSTALL', 'BEFORE_INSTALL', false],
    ['TRAFFIC_WARMUP', 'TRAFFIC_WARMUP', false],
    ['::error::x', 'ERRORX', false],
    ['%%%', '(unnamed stage)', false]
  ])('%s → %s', (raw, name, known) => {
    expect(readStage(raw)).toEqual({ name, known });
  });

  it('no stage is undefined', () => {
    expect(readStage(undefined)).toBeUndefined();
    expect(readStage('  ')).toBeUndefined();
  });

  it('caps a long name', () => {
    expect(readStage('X'.repeat(300))?.name).toHaveLength(64);
  });
});

describe('reached', () => {
  it.each([
    ['SCALE_UP', 'test-traffic', false],
    ['TEST_TRAFFIC_SHIFT', 'test-traffic', false],
    ['POST_TEST_TRAFFIC_SHIFT', 'test-traffic', true],
    ['PRODUCTION_TRAFFIC_SHIFT', 'test-traffic', true],
    ['PRODUCTION_TRAFFIC_SHIFT', 'production-traffic', false],
    ['POST_PRODUCTION_TRAFFIC_SHIFT', 'production-traffic', false],
    ['BAKE_TIME', 'production-traffic', true],
    ['CLEAN_UP', 'production-traffic', true],
    ['CLEAN_UP', 'completed', false],
    ['SOMETHING_NEW', 'test-traffic', false]
  ] as const)('%s, wait-until %s: %s', (stage, waitUntil, expected) => {
    expect(reached(readStage(stage), waitUntil)).toBe(expected);
  });
});

describe('stage order', () => {
  it('follows the API reference, PRE_PRODUCTION before PRODUCTION_TRAFFIC_SHIFT', () => {
    const rank = (s: string) => stageRank(readStage(s));
    expect(rank('PRE_SCALE_UP')).toBeLessThan(rank('SCALE_UP'));
    expect(rank('PRE_PRODUCTION_TRAFFIC_SHIFT')).toBeLessThan(rank('PRODUCTION_TRAFFIC_SHIFT'));
    expect(rank('BAKE_TIME')).toBeLessThan(rank('CLEAN_UP'));
    expect(rank('UNKNOWN')).toBe(-1);
  });

  it('says what remains after a stage', () => {
    expect(stagesAfter(readStage('POST_PRODUCTION_TRAFFIC_SHIFT'))).toEqual(['BAKE_TIME', 'CLEAN_UP']);
    expect(stagesAfter(readStage('WHATEVER'))).toEqual([]);
  });
});
