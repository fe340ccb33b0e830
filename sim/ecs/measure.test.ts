/** How a run is measured against the targets: pure, so it runs with the unit tests, without the stack. */
import { describe, expect, it } from '@jest/globals';
import { checkProgress, checkTargets, measure, pollsOf } from './measure.js';
import type { ApiCall, RecordingProxy } from './proxy.js';
import type { EcsScenarioLayer, Outcome, StartedDeployment } from './scenario.js';

describe('measurement', () => {
  const call = (operation: string, at: number, extra: Partial<ApiCall> = {}): ApiCall => ({
    service: 'ecs',
    operation,
    receivedAt: at,
    answeredAt: at + 5,
    status: 200,
    ...extra
  });
  function measured(calls: ApiCall[], outcome: Outcome, exitAt: number, rollback?: Outcome) {
    const proxy = { calls, countByOperation: () => ({}) } as unknown as RecordingProxy;
    const started: StartedDeployment[] = [
      { id: 'd1', taskDefinition: 'td:2', at: 100, plan: 'rollout', byAction: true }
    ];
    const outcomes = rollback ? [outcome, rollback] : [outcome];
    const layer = { started, outcomes, mainOutcome: () => outcome } as unknown as EcsScenarioLayer;
    return measure({ proxy, layer, startedAt: 0, exitAt, pollIntervalMs: 1000 });
  }

  it('groups calls into polls by the quiet gaps between them', () => {
    const rounds = pollsOf(
      [call('DescribeServices', 0), call('DescribeServices', 30), call('DescribeServices', 1000)],
      1000
    );
    expect(rounds.map(r => r.length)).toEqual([2, 1]);
  });

  it('passes a run that saw the outcome at the next poll and stopped there', () => {
    const calls = [
      call('UpdateService', 100),
      call('DescribeServices', 110),
      call('DescribeServices', 1110),
      call('DescribeServices', 2110)
    ];
    const m = measured(
      calls,
      { kind: 'FAILED', of: 'rollout', deploymentId: 'd1', at: 1500, shownAt: 2115 },
      2200
    );
    expect(m).toMatchObject({ seenMs: 615, pollsAfterSeen: 0, reactionMs: 85, detectionMs: 700 });
    expect(checkTargets(m, 1000).filter(c => !c.ok)).toEqual([]);
  });

  it('fails a run that polled twice per poll, saw the outcome late, and kept polling after it', () => {
    const calls = [
      call('UpdateService', 100),
      call('DescribeServices', 110),
      call('DescribeServices', 130),
      call('DescribeServices', 2600),
      call('DescribeServices', 3600)
    ];
    const m = measured(
      calls,
      { kind: 'FAILED', of: 'rollout', deploymentId: 'd1', at: 1000, shownAt: 2605 },
      3700
    );
    expect(
      checkTargets(m, 1000)
        .filter(c => !c.ok)
        .map(c => c.name)
    ).toEqual([
      'seen within one poll interval',
      'acted at the first poll that showed it',
      'next step (rollback or exit) right after that poll',
      'rollout: at most one DescribeServices per poll'
    ]);
  });

  it('checks by looks alone that the action acted on the look that showed the outcome, and on its rollback’s', () => {
    const calls = [
      call('UpdateService', 100),
      call('DescribeServices', 200),
      call('DescribeServices', 300),
      call('UpdateService', 400),
      call('DescribeServices', 500),
      call('DescribeServices', 600)
    ];
    const failed: Outcome = { kind: 'FAILED', of: 'rollout', deploymentId: 'd1', at: 290, shownAt: 305 };
    const back = (shownAt: number): Outcome => ({ kind: 'COMPLETED', of: 'rollback', at: 490, shownAt });
    expect(checkProgress(measured(calls, failed, 650, back(605))).filter(c => !c.ok)).toEqual([]);
    // Seen at the first look after the rollback, but looked once more before ending.
    expect(
      checkProgress(measured(calls, failed, 650, back(505)))
        .filter(c => !c.ok)
        .map(c => c.name)
    ).toEqual(['ended at the first poll that showed the rollback COMPLETED']);
  });
});
