import { describe, expect, it } from '@jest/globals';
import { SummaryBuilder } from '../../../core/index.js';
import type { StrategyView } from './stage-progress.js';
import { strategyDetails, strategySummary } from './strategy-summary.js';
import { SERVICE_DEPLOYMENT_ARN } from './testing/fixtures.js';

const baking: StrategyView = {
  strategy: 'BLUE_GREEN',
  origin: 0,
  serviceDeploymentArn: SERVICE_DEPLOYMENT_ARN,
  status: 'IN_PROGRESS',
  stage: 'BAKE_TIME',
  stages: [
    { stage: 'SCALE_UP', status: 'IN_PROGRESS', atMs: 0, production: 0, test: 0 },
    { stage: 'TEST_TRAFFIC_SHIFT', status: 'IN_PROGRESS', atMs: 15_000, production: 0, test: 100 },
    { stage: 'BAKE_TIME', status: 'IN_PROGRESS', atMs: 40_000, production: 100, test: 100 }
  ],
  bake: { minutes: 60, leftMs: 55 * 60_000 },
  remaining: ['the rest of BAKE_TIME (about 55m 00s)', 'CLEAN_UP']
};

describe('strategySummary', () => {
  it('shows the strategy, the stage, the bake time left, what ECS still does and each stage entered', () => {
    const s = new SummaryBuilder();
    strategySummary(s, { view: baking, changes: ['strategy ROLLING → BLUE_GREEN', 'bake time — → 60m'] });
    const text = s.toString();
    expect(text).toContain('### Deployment strategy: BLUE_GREEN');
    expect(text).toContain('| **Configuration** | strategy ROLLING → BLUE_GREEN; bake time — → 60m |');
    expect(text).toContain('| **Service deployment** | `ejGvqq2ilnbKT9qj0vLJe` |');
    expect(text).toContain('| **Lifecycle stage** | `BAKE_TIME` (IN_PROGRESS) |');
    expect(text).toContain('| `SCALE_UP` | +0s | 0% | 0% |');
    expect(text).toContain('| **Bake time** | 60m (about 55m 00s left) |');
    expect(text).toContain('| **ECS still does** | the rest of BAKE_TIME (about 55m 00s), CLEAN_UP |');
    expect(text).toContain('| `TEST_TRAFFIC_SHIFT` | +15s | 0% | 100% |');
  });

  it('after ECS rolled back, says where to and the status of each stage', () => {
    const s = new SummaryBuilder();
    const view: StrategyView = {
      ...baking,
      status: 'ROLLBACK_SUCCESSFUL',
      rollbackTo: 'web:41',
      remaining: undefined,
      stages: [
        ...baking.stages,
        { stage: 'BAKE_TIME', status: 'ROLLBACK_SUCCESSFUL', atMs: 50_000, production: 0 }
      ]
    };
    strategySummary(s, { view, changes: [] });
    const text = s.toString();
    expect(text).toContain('| **Rolled back to** | `web:41` |');
    expect(text).toContain('| **Bake time** | 60m |');
    expect(text).toContain('| `BAKE_TIME` ROLLBACK_SUCCESSFUL | +50s | 0% |  |');
    expect(text).not.toContain('Configuration');
  });

  it('a rolling deployment without changes adds nothing', () => {
    const s = new SummaryBuilder();
    strategySummary(s, { changes: [] });
    expect(s.toString()).toBe('\n');
  });
});

describe('strategyDetails', () => {
  it('gives the report the strategy, the service deployment, the stage and what remains', () => {
    expect(strategyDetails({ view: baking, changes: [] })).toEqual([
      ['Strategy', 'BLUE_GREEN'],
      ['Service deployment', SERVICE_DEPLOYMENT_ARN],
      ['Lifecycle stage', 'BAKE_TIME (IN_PROGRESS)'],
      ['ECS still does', 'the rest of BAKE_TIME (about 55m 00s), CLEAN_UP']
    ]);
  });
});
