import { describe, expect, it } from '@jest/globals';
import { InputError, InputReader, recordInputSource } from '../../../core/index.js';
import { strategyInputs, type StrategyContext } from './strategy-inputs.js';

function read(
  values: Record<string, string>,
  context: StrategyContext = { service: 'web', wait: true, rollback: true }
) {
  const r = new InputReader(recordInputSource(values), { env: {} });
  const inputs = strategyInputs(r, context);
  r.done();
  return inputs;
}

function problems(values: Record<string, string>, context?: Parameters<typeof read>[1]): string[] {
  try {
    read(values, context);
  } catch (error) {
    if (error instanceof InputError) return error.problems.map(p => p.describe());
    throw error;
  }
  return [];
}

describe('strategyInputs', () => {
  it('by default changes nothing and waits for the deployment to complete', () => {
    expect(read({})).toEqual({ alarmRollback: true, waitUntil: 'completed' });
  });

  it('reads a canary deployment with alarms', () => {
    expect(
      read({
        strategy: 'canary',
        'bake-time': '1h',
        'canary-percent': '12.5%',
        'canary-bake-time': '15m',
        alarms: 'web-5xx, web-p99\nweb-5xx',
        'wait-until': 'Production-Traffic'
      })
    ).toEqual({
      strategy: 'CANARY',
      bakeTimeMinutes: 60,
      canaryPercent: 12.5,
      canaryBakeTimeMinutes: 15,
      alarms: ['web-5xx', 'web-p99'],
      alarmRollback: true,
      waitUntil: 'production-traffic'
    });
  });

  it.each([
    ['blue-green', 'BLUE_GREEN'],
    ['BLUE_GREEN', 'BLUE_GREEN'],
    ['bluegreen', 'BLUE_GREEN'],
    ['Linear', 'LINEAR'],
    ['rolling', 'ROLLING']
  ])('strategy %s is %s', (text, strategy) => {
    expect(read({ strategy: text }).strategy).toBe(strategy);
  });

  it('ECS rolls back on the alarms unless rollback is off', () => {
    expect(read({ alarms: 'web-5xx' }, { service: 'web', wait: true, rollback: false }).alarmRollback).toBe(
      false
    );
  });

  it.each([
    [{ strategy: 'red-black' }, "Input 'strategy': 'red-black' is not a deployment strategy."],
    [
      { 'bake-time': '10' },
      "Input 'bake-time': '10' is not a bake time in whole minutes from 0 to 24 hours."
    ],
    [{ 'bake-time': '90s' }, "Input 'bake-time': '90s' is not a bake time"],
    [{ 'bake-time': '25h' }, "Input 'bake-time': '25h' is not a bake time"],
    [
      { strategy: 'CANARY', 'canary-percent': '0' },
      "Input 'canary-percent': '0' is not a percentage from 0.1 to 100"
    ],
    [
      { strategy: 'CANARY', 'canary-percent': '10.25' },
      "Input 'canary-percent': '10.25' is not a percentage"
    ],
    [
      { strategy: 'LINEAR', 'linear-step-percent': '2' },
      "Input 'linear-step-percent': '2' is not a percentage from 3 to 100"
    ],
    [
      { strategy: 'LINEAR', 'linear-step-bake-time': 'soon' },
      "Input 'linear-step-bake-time': 'soon' is not a bake time"
    ],
    [{ 'wait-until': 'stable' }, "Input 'wait-until': 'stable' is not one of the accepted values."],
    [
      { strategy: 'LINEAR', 'canary-percent': '10' },
      "Input 'canary-percent': is a setting of strategy CANARY, and 'strategy' is LINEAR."
    ],
    [
      { strategy: 'BLUE_GREEN', 'linear-step-bake-time': '5m' },
      "Input 'linear-step-bake-time': is a setting of strategy LINEAR"
    ],
    [
      { strategy: 'ROLLING', 'bake-time': '5m' },
      "Input 'bake-time': is for BLUE_GREEN, LINEAR and CANARY deployments"
    ],
    [
      { strategy: 'ROLLING', 'wait-until': 'test-traffic' },
      "Input 'wait-until': 'test-traffic' is a stage of BLUE_GREEN"
    ],
    [{ alarms: `${'a'.repeat(256)}` }, "Input 'alarms': "]
  ])('%j: %s', (values, message) => {
    const found = problems(values);
    expect(found).toHaveLength(1);
    expect(found[0].startsWith(message)).toBe(true);
  });

  it('wait-until needs the step to wait', () => {
    expect(
      problems({ 'wait-until': 'test-traffic' }, { service: 'web', wait: false, rollback: true })
    ).toEqual([
      "Input 'wait-until': is set but 'wait' is false, so the step does not follow the deployment. Set 'wait: true', or remove 'wait-until'."
    ]);
  });

  it("wait-until at its default (action.yml's, which the runner passes) needs no service", () => {
    const noService = { service: undefined, wait: true, rollback: true };
    expect(problems({ 'wait-until': 'completed' }, noService)).toEqual([]);
    expect(problems({ 'wait-until': 'test-traffic' }, noService)).toEqual([
      "Input 'wait-until': needs 'service'. Set 'service', or remove this input."
    ]);
  });

  it('every strategy input needs a service, each named', () => {
    const found = problems(
      { strategy: 'BLUE_GREEN', 'bake-time': '5m', alarms: 'a' },
      { service: undefined, wait: true, rollback: true }
    );
    expect(found).toEqual([
      "Input 'strategy': needs 'service'. Set 'service', or remove this input.",
      "Input 'bake-time': needs 'service'. Set 'service', or remove this input.",
      "Input 'alarms': needs 'service'. Set 'service', or remove this input."
    ]);
  });
});
