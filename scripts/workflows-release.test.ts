/**
 * A release to many targets: the plan job's step (.github/actions/release-plan), which checks the targets and groups
 * them into waves, and the release job's (.github/actions/release-report), which gives every target a report. Pure
 * functions by table, then each step run as the runner runs it (its action.yml's runs.main under Node 24).
 */
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateReport } from '../core/report.js';
import { runAction } from '../sim/runner.js';
import {
  buildsImage,
  MAX_TARGETS_PER_WAVE,
  planOutputs,
  planRelease,
  type Leg
} from '../.github/actions/release-plan/plan.mjs';
import {
  gatherReports,
  missingReport,
  releaseOutcome,
  summaryTable
} from '../.github/actions/release-report/report.mjs';

const STAGING = 'arn:aws:iam::123456789012:role/dockyard-deploy-staging';
const PRODUCTION = 'arn:aws:iam::210987654321:role/dockyard-deploy-production';
const defaults = {
  targets: '',
  environment: '',
  'environment-url': '',
  'aws-region': 'us-east-1',
  cluster: 'web',
  service: 'web',
  'role-to-assume': STAGING
};
const targets = (list: unknown[]) => ({ ...defaults, targets: JSON.stringify(list) });
const problems = (kind: 'ecs' | 'eks', given: Record<string, string>) =>
  planRelease(kind, given).problems.map(p => `${p.input}: ${p.message}`);

describe('planRelease', () => {
  it("makes one target of the workflow's own inputs when there is no list", () => {
    const plan = planRelease('ecs', {
      ...defaults,
      environment: 'production',
      'environment-url': 'https://www.example.com'
    });
    expect(plan.legs).toEqual([
      {
        id: 't001-production-us-east-1-web',
        name: 'production · us-east-1 · web/web',
        wave: 1,
        environment: 'production',
        'environment-url': 'https://www.example.com',
        region: 'us-east-1',
        cluster: 'web',
        service: 'web',
        'role-to-assume': STAGING,
        'approval-environment': ''
      }
    ]);
    expect(plan.waves).toEqual([plan.legs]);
  });

  it('fills what a target leaves out from the inputs, and groups the targets by wave number in order', () => {
    const plan = planRelease(
      'ecs',
      targets([
        { environment: 'production', region: 'eu-west-1', wave: 10, 'role-to-assume': PRODUCTION },
        { environment: 'staging', cluster: 'web-staging' },
        { environment: 'production', wave: '3', 'role-to-assume': PRODUCTION },
        { environment: 'production', region: 'ap-southeast-2', wave: 10, 'role-to-assume': PRODUCTION }
      ])
    );
    expect(plan.problems).toEqual([]);
    expect(plan.waves.map(w => w.map(l => l.name))).toEqual([
      ['staging · us-east-1 · web-staging/web'],
      ['production · us-east-1 · web/web'],
      ['production · eu-west-1 · web/web', 'production · ap-southeast-2 · web/web']
    ]);
    expect(plan.legs[1]).toMatchObject({ 'role-to-assume': STAGING, wave: 1, 'environment-url': '' });
    const outputs = planOutputs(plan, { releaseId: 'a1b2c3d4', build: true });
    expect(outputs).toMatchObject({
      'release-id': 'a1b2c3d4',
      build: 'true',
      waves: '3',
      roles: `${PRODUCTION}\n${STAGING}`,
      environments: 'production, staging',
      'wave-4': '[]'
    });
    expect((JSON.parse(outputs['wave-3']) as Leg[]).map(l => l.region)).toEqual([
      'eu-west-1',
      'ap-southeast-2'
    ]);
    // Each target's id is unique and fit for an artifact's name.
    const ids = plan.legs.map(l => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it('takes a namespace and a cluster role for EKS', () => {
    const plan = planRelease('eks', {
      ...defaults,
      service: '',
      namespace: 'web',
      'cluster-role-arn': '',
      targets: JSON.stringify([
        { environment: 'staging' },
        { environment: 'production', wave: 2, namespace: 'web-live', 'cluster-role-arn': PRODUCTION }
      ])
    });
    expect(plan.legs.map(l => [l.namespace, l['cluster-role-arn'], l.name])).toEqual([
      ['web', '', 'staging · us-east-1 · web/web'],
      ['web-live', PRODUCTION, 'production · us-east-1 · web/web-live']
    ]);
    expect(
      problems('eks', { ...defaults, environment: 'x', namespace: 'a', targets: '[{"service": "web"}]' })
    ).toEqual([expect.stringMatching(/^targets: targets\[0\]\.service: is not a target key/)]);
  });

  it.each([
    ['not JSON', '[{', /^targets: is not valid JSON/],
    ['not a list', '{"environment": "x"}', /^targets: is not a list of targets/],
    ['an empty list', '[]', /^targets: is not a list of targets/],
    ['an item that is no object', '["production"]', /^targets: targets\[0\] is not an object\.$/],
    [
      'an unknown key',
      '[{"environment": "x", "namespace": "y"}]',
      /^targets: targets\[0\]\.namespace: is not a target key/
    ],
    [
      'a number for a string',
      '[{"environment": 1}]',
      /^targets: targets\[0\]\.environment: is not a string\.$/
    ],
    [
      'no environment',
      '[{"cluster": "x"}]',
      /^targets: targets\[0\]\.environment: is not given, and the workflow's input is empty\.$/
    ],
    [
      'a region that is none',
      '[{"environment": "x", "region": "europe"}]',
      /^targets: targets\[0\]\.region: 'europe' is not an AWS region\.$/
    ],
    [
      'a URL without a scheme',
      '[{"environment": "x", "environment-url": "www.example.com"}]',
      /is not an http\(s\) URL/
    ],
    [
      'a line break',
      '[{"environment": "x\\nname=evil"}]',
      /^targets: targets\[0\]\.environment: holds a line break/
    ],
    ['wave 0', '[{"environment": "x", "wave": 0}]', /^targets: targets\[0\]\.wave: 0 is not a wave number/],
    [
      'wave 1.5',
      '[{"environment": "x", "wave": 1.5}]',
      /^targets: targets\[0\]\.wave: 1\.5 is not a wave number/
    ],
    [
      'one service twice',
      '[{"environment": "staging"}, {"environment": "production", "wave": 2}]',
      /^targets: targets\[1\] deploys to us-east-1\/web\/web in the account of arn:aws:iam::123456789012:role\/dockyard-deploy-staging, as targets\[0\] does/
    ],
    [
      'five waves',
      JSON.stringify([1, 2, 3, 4, 5].map(wave => ({ environment: 'x', cluster: `c${wave}`, wave }))),
      /^targets: has 5 waves \(1, 2, 3, 4, 5\); the workflow runs at most 4/
    ]
  ])('refuses %s, naming the target and the key', (_, text, message) => {
    expect(problems('ecs', { ...defaults, targets: text })).toEqual([expect.stringMatching(message)]);
  });

  it('refuses more targets in a wave than a matrix takes', () => {
    const many = Array.from({ length: MAX_TARGETS_PER_WAVE + 1 }, (_, i) => ({
      environment: 'x',
      service: `s${i}`
    }));
    expect(problems('ecs', targets(many))).toEqual([
      `targets: wave 1 has ${MAX_TARGETS_PER_WAVE + 1} targets; GitHub runs at most 256 jobs of one matrix.`
    ]);
  });

  it('names the workflow input when there is no list', () => {
    expect(problems('ecs', { ...defaults, cluster: '', 'aws-region': 'mars' })).toEqual([
      'environment: is required.',
      'cluster: is required.',
      "aws-region: 'mars' is not an AWS region."
    ]);
  });

  it("takes an approval environment per target (the workflow's by default), each wave's own promote matrix", () => {
    const given = {
      ...targets([
        { environment: 'staging', cluster: 'staging', 'approval-environment': '' },
        { environment: 'production', wave: 2 },
        { environment: 'production', region: 'eu-west-1', wave: 2 }
      ]),
      'approval-environment': 'production-approval'
    };
    const plan = planRelease('ecs', given);
    expect(plan.problems).toEqual([]);
    const outputs = planOutputs(plan, { releaseId: 'r1', build: true });
    expect(JSON.parse(outputs['promote-1'])).toEqual([]);
    expect(
      (JSON.parse(outputs['promote-2']) as { region: string; 'approval-environment': string }[]).map(l => [
        l.region,
        l['approval-environment']
      ])
    ).toEqual([
      ['us-east-1', 'production-approval'],
      ['eu-west-1', 'production-approval']
    ]);
    expect([outputs['promote-3'], outputs['promote-4']]).toEqual(['[]', '[]']);
  });

  it('refuses an approval in the environment the target deploys in, naming the target or the input', () => {
    expect(
      problems('ecs', { ...defaults, environment: 'production', 'approval-environment': 'production' })
    ).toEqual([
      expect.stringMatching(/^approval-environment: 'production' is the environment the target deploys in\./)
    ]);
    expect(
      problems('ecs', targets([{ environment: 'production', 'approval-environment': 'production' }]))
    ).toEqual([
      expect.stringMatching(/^targets: targets\[0\]\.approval-environment: 'production' is the environment/)
    ]);
  });

  it('builds unless an image or (ECS) a registered revision is given', () => {
    expect([
      buildsImage({ image: '' }),
      buildsImage({ image: 'v1.2.3' }),
      buildsImage({ image: '', 'task-definition-arn': 'web:7' })
    ]).toEqual([true, false, false]);
  });
});

const legs = planRelease(
  'ecs',
  targets([
    { environment: 'staging', cluster: 'web-staging' },
    { environment: 'production', wave: 2, 'role-to-assume': PRODUCTION },
    { environment: 'production', region: 'eu-west-1', wave: 3, 'role-to-assume': PRODUCTION }
  ])
).legs;
const context = {
  env: { GITHUB_REPOSITORY: 'octo/app', GITHUB_RUN_ID: '4242' },
  now: new Date('2026-11-22T10:00:00Z')
};
/** The report a deploy job kept (its own action's shape, abridged). */
const kept = (leg: Leg, status: string, outcome: string) => ({
  schema: 'dockyard.report/v1',
  action: 'deploy-ecs',
  status,
  outcome,
  subject: leg.service,
  summary: `${outcome} in ${leg.region}.`,
  ecs: {
    cluster: leg.cluster,
    service: leg.service,
    taskDefinitionArn: `arn:aws:ecs:${leg.region}:1:task-definition/web:8`
  },
  details: [],
  diagnostics: []
});

describe('the release report', () => {
  it.each([
    ['skipped', 'skipped', /^Not deployed: the release stopped before wave 3/],
    ['failure', 'failure', /failed before its deploy step reported/],
    ['cancelled', 'cancelled', /^Cancelled before the deploy step reported/],
    ['success', 'failure', /ended without a report/]
  ])(
    'makes a report for a target whose wave job ended %s without one, as notify-ses reads it',
    (result, status, summary) => {
      const report = missingReport('ecs', legs[2], result, context);
      expect(validateReport(report)).toMatchObject({
        action: 'deploy-ecs',
        status,
        outcome: 'NOT_DEPLOYED',
        region: 'eu-west-1',
        ecs: { cluster: 'web', service: 'web' },
        run: { repository: 'octo/app', runId: '4242' }
      });
      expect(report.summary).toMatch(summary);
    }
  );

  it('gathers the kept reports, makes the missing ones, and says how the release went', () => {
    const dir = mkdtempSync(join(tmpdir(), 'release-report-'));
    writeFileSync(join(dir, `${legs[0].id}.json`), JSON.stringify(kept(legs[0], 'success', 'COMPLETED')));
    writeFileSync(join(dir, `${legs[1].id}.json`), JSON.stringify(kept(legs[1], 'failure', 'ROLLED_BACK')));
    const results = { build: 'success', 'deploy-1': 'success', 'deploy-2': 'failure', 'deploy-3': 'skipped' };
    const entries = gatherReports('ecs', legs, results, dir, context);
    expect(entries.map(e => [e.made, e.report.outcome, e.report.status])).toEqual([
      [false, 'COMPLETED', 'success'],
      [false, 'ROLLED_BACK', 'failure'],
      [true, 'NOT_DEPLOYED', 'skipped']
    ]);
    const outcome = releaseOutcome(entries, results);
    expect(outcome).toMatchObject({ status: 'failure', outcome: 'ROLLED_BACK' });
    expect(outcome.targets.map(t => t['task-definition-arn'])).toEqual([
      'arn:aws:ecs:us-east-1:1:task-definition/web:8',
      'arn:aws:ecs:us-east-1:1:task-definition/web:8',
      undefined
    ]);
    expect(summaryTable(outcome)).toContain('| 3 | production | eu-west-1 | web | web | NOT\\_DEPLOYED |');
  });

  it('fails the release on a failed build though every target was skipped, and reads a cancel as such', () => {
    const skipped = legs.map(leg => ({
      leg,
      report: missingReport('ecs', leg, 'skipped', context),
      text: '',
      made: true
    }));
    expect(releaseOutcome(skipped, { build: 'failure' }).status).toBe('failure');
    const cancelled = [{ ...skipped[0], report: missingReport('ecs', legs[0], 'cancelled', context) }];
    expect(releaseOutcome(cancelled, { build: 'success' }).status).toBe('cancelled');
  });

  it('fails the release when a reject job failed: a deployment may still be paused whose report says it went well', () => {
    const paused = { ...kept(legs[0], 'success', 'IN_PROGRESS'), ecs: {} };
    const entries = [{ leg: legs[0], report: paused, text: '', made: false }];
    expect(releaseOutcome(entries, { build: 'success', 'reject-1': 'skipped' }).status).toBe('success');
    expect(releaseOutcome(entries, { build: 'success', 'reject-1': 'failure' }).status).toBe('failure');
  });

  it("keeps a target's text out of the table's markup", () => {
    const leg = { ...legs[0], cluster: 'a|b `c` <img>' };
    const table = summaryTable(
      releaseOutcome([{ leg, report: kept(leg, 'success', 'COMPLETED'), text: '', made: false }], {})
    );
    expect(table).toContain('a\\|b \\`c\\` \\<img\\>');
  });
});

describe('the steps, as the runner runs them', () => {
  it('release-plan writes the waves, or every problem as an error naming its input', async () => {
    const inputs = {
      kind: 'ecs',
      'aws-region': 'us-east-1',
      'role-to-assume': STAGING,
      cluster: 'web',
      service: 'web',
      targets: JSON.stringify([
        { environment: 'staging' },
        { environment: 'production', wave: 2, 'role-to-assume': PRODUCTION }
      ])
    };
    const ok = await runAction('.github/actions/release-plan', { inputs });
    expect(ok.code).toBe(0);
    expect(ok.outputs).toMatchObject({ waves: '2', build: 'true', 'wave-3': '[]' });
    expect(ok.outputs['release-id']).toMatch(/^[0-9a-f]{8}$/);
    expect(ok.stdout).toContain('Wave 2 of 2 (wave 2):\n  production · us-east-1 · web/web');
    const bad = await runAction('.github/actions/release-plan', {
      inputs: { ...inputs, targets: '[{"environment": "x%0A::warning::y", "region": "mars"}]' }
    });
    expect(bad.code).toBe(1);
    expect(bad.outputs).toEqual({});
    // The target's text stays data: the one command the runner sees is the error, its title and text intact.
    expect(bad.commands.map(c => [c.name, c.properties.title, c.data])).toEqual([
      ['error', "Dockyard: input 'targets'", "targets[0].region: 'mars' is not an AWS region."]
    ]);
  });

  it('release-report writes the missing reports beside the kept ones, the summary and the outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'release-reports-'));
    mkdirSync(dir, { recursive: true });
    const one = legs.slice(0, 1);
    const run = await runAction('.github/actions/release-report', {
      inputs: {
        kind: 'ecs',
        targets: JSON.stringify(legs),
        results: JSON.stringify({ build: 'failure', 'deploy-1': 'skipped' }),
        'reports-dir': dir
      }
    });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'failure', outcome: 'NOT_DEPLOYED', report: '' });
    expect(readdirSync(dir).sort()).toEqual(legs.map(l => `${l.id}.json`).sort());
    expect(run.summary).toContain('| Wave | Environment | Region | Cluster | Service | Outcome |');
    writeFileSync(join(dir, `${one[0].id}.json`), JSON.stringify(kept(one[0], 'success', 'COMPLETED')));
    const single = await runAction('.github/actions/release-report', {
      inputs: {
        kind: 'ecs',
        targets: JSON.stringify(one),
        results: '{"deploy-1": "success"}',
        'reports-dir': dir
      }
    });
    expect(single.outputs).toMatchObject({
      status: 'success',
      outcome: 'COMPLETED',
      'task-definition-arn': 'arn:aws:ecs:us-east-1:1:task-definition/web:8'
    });
    expect(JSON.parse(single.outputs.report)).toMatchObject({ outcome: 'COMPLETED' });
    expect(readFileSync(join(dir, `${one[0].id}.json`), 'utf8')).toContain('COMPLETED');
  });
});
