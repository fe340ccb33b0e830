import { describe, expect, it } from '@jest/globals';
import { DockyardError, describeError } from '../../../core/index.js';
import { planStrategy, refuseOtherControllers, serviceStrategy } from './strategy-config.js';
import type { StrategyInputs } from './strategy-inputs.js';
import { BLUE_GREEN_CONFIGURATION, service } from './testing/fixtures.js';

const none: StrategyInputs = { alarmRollback: true, waitUntil: 'completed' };
const blueGreen = service({ deploymentConfiguration: BLUE_GREEN_CONFIGURATION });

describe('refuseOtherControllers', () => {
  it.each([
    ['CODE_DEPLOY', /uses the CODE_DEPLOY deployment controller: AWS CodeDeploy makes its deployments/],
    ['EXTERNAL', /uses the EXTERNAL deployment controller/]
  ] as const)('refuses %s before any write, naming the service and what to do', (type, message) => {
    let error: unknown;
    try {
      refuseOtherControllers(service({ deploymentController: { type } }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DockyardError);
    expect((error as DockyardError).input).toBe('service');
    expect(describeError(error)).toMatch(message);
    expect(describeError(error)).toMatch(/Nothing was registered\./);
  });

  it('accepts the ECS controller, and a service that names none', () => {
    expect(() => refuseOtherControllers(service())).not.toThrow();
    expect(() => refuseOtherControllers(service({ deploymentController: undefined }))).not.toThrow();
  });
});

describe('planStrategy', () => {
  it('without strategy inputs sends no deployment configuration and keeps the service strategy', () => {
    expect(planStrategy(blueGreen, none)).toMatchObject({
      strategy: 'BLUE_GREEN',
      deploymentConfiguration: undefined,
      changes: []
    });
    expect(serviceStrategy(service())).toBe('ROLLING');
  });

  it("switches to BLUE_GREEN keeping the rest of the service's configuration, and says what changes", () => {
    const plan = planStrategy(service(), {
      ...none,
      strategy: 'BLUE_GREEN',
      bakeTimeMinutes: 15,
      alarms: ['web-5xx']
    });
    expect(plan.strategy).toBe('BLUE_GREEN');
    expect(plan.deploymentConfiguration).toEqual({
      deploymentCircuitBreaker: { enable: false, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 15,
      alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true }
    });
    expect(plan.changes).toEqual([
      'strategy ROLLING → BLUE_GREEN',
      'bake time — → 15m',
      'alarms — → web-5xx (rollback on)'
    ]);
  });

  it("a canary setting on a CANARY service keeps the service's other canary setting", () => {
    const canary = service({
      deploymentConfiguration: {
        strategy: 'CANARY',
        bakeTimeInMinutes: 5,
        canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: 10 }
      }
    });
    const plan = planStrategy(canary, { ...none, canaryPercent: 20 });
    expect(plan.deploymentConfiguration?.canaryConfiguration).toEqual({
      canaryPercent: 20,
      canaryBakeTimeInMinutes: 10
    });
    expect(plan.changes).toEqual(['canary percent 5% → 20%']);
  });

  it('leaving CANARY for LINEAR drops the canary settings ECS takes only under CANARY', () => {
    const canary = service({
      deploymentConfiguration: {
        strategy: 'CANARY',
        bakeTimeInMinutes: 5,
        canaryConfiguration: { canaryPercent: 5 }
      }
    });
    const plan = planStrategy(canary, { ...none, strategy: 'LINEAR', linearStepPercent: 25 });
    expect(plan.deploymentConfiguration).toEqual({
      strategy: 'LINEAR',
      bakeTimeInMinutes: 5,
      linearConfiguration: { stepPercent: 25 }
    });
    expect(plan.changes).toEqual([
      'strategy CANARY → LINEAR',
      'canary percent 5% → —',
      'linear step — → 25%'
    ]);
  });

  it('the same alarms again change nothing', () => {
    const withAlarms = service({
      deploymentConfiguration: { alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true } }
    });
    expect(planStrategy(withAlarms, { ...none, alarms: ['web-5xx'] }).changes).toEqual([]);
  });

  it.each([
    [
      { canaryPercent: 10 },
      "Input 'canary-percent': is a setting of strategy CANARY, and the service 'web' uses strategy BLUE_GREEN."
    ],
    [
      { linearStepBakeTimeMinutes: 3 },
      "Input 'linear-step-bake-time': is a setting of strategy LINEAR, and the service 'web' uses strategy BLUE_GREEN."
    ]
  ])('judges %j against the service when strategy is not given', (given, message) => {
    expect(() => planStrategy(blueGreen, { ...none, ...given })).toThrow(message);
  });

  it('wait-until and bake-time on a ROLLING service are refused, both named', () => {
    expect(() =>
      planStrategy(service(), { ...none, waitUntil: 'production-traffic', bakeTimeMinutes: 5 })
    ).toThrow(
      /2 inputs need fixing:\n {2}- Input 'bake-time': needs a BLUE_GREEN, LINEAR or CANARY deployment[^\n]*\n {2}- Input 'wait-until': 'production-traffic' is a stage/
    );
  });

  it('BLUE_GREEN needs a bake time: the service has none and the step gives none', () => {
    expect(() => planStrategy(service(), { ...none, strategy: 'BLUE_GREEN' })).toThrow(
      "Input 'bake-time': is required: the service 'web' has no bake time, and ECS needs one for a BLUE_GREEN deployment."
    );
    expect(planStrategy(blueGreen, { ...none, strategy: 'BLUE_GREEN' }).changes).toEqual([]);
  });
});
