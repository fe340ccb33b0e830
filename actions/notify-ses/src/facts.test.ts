import { describe, expect, it } from '@jest/globals';
import { runContext, type Report } from '../../../core/index.js';
import {
  LIMITS,
  NO_REPORTS,
  cleanText,
  emailView,
  headlineReport,
  mergeRunContext,
  resourceList,
  type ReportView
} from './facts.js';
import { emailFor, example } from './testing/fixtures.js';

const [build] = example('build-push');
const [deployOk] = example('deploy-ecs-success');
const [deployBad] = example('deploy-ecs-failure');

const viewOf = (report: Report): ReportView => emailView(emailFor([report])).reports[0];

describe('headline and context', () => {
  it('names the first failing report on failure, the last report otherwise', () => {
    const failedBuild = { ...build, status: 'failure' as const };
    expect(headlineReport([failedBuild, deployBad], 'failure')).toBe(failedBuild);
    expect(headlineReport([build, deployOk], 'success')).toBe(deployOk);
    // A status override of failure while every report succeeded (a later step failed): the last stage.
    expect(headlineReport([build, deployOk], 'failure')).toBe(deployOk);
    expect(headlineReport([], 'failure')).toBeUndefined();
  });

  it("prefers the notifying job's own run context and fills its blanks from the reports", () => {
    const own = runContext({ GITHUB_REPOSITORY: 'octo/other', GITHUB_RUN_ID: '1', GITHUB_JOB: 'notify' });
    const merged = mergeRunContext(own, [build]);
    expect(merged.repository).toBe('octo/other');
    expect(merged.runId).toBe('1');
    expect(merged.job).toBe('notify');
    expect(merged.sha).toBe(build.run.sha);
    expect(merged.commitMessage).toBe(build.run.commitMessage);
  });

  it('says so when no report reached the step, instead of showing none', () => {
    const view = emailView({
      ...emailFor([], { status: 'failure' }),
      run: mergeRunContext(runContext({}), [build])
    });
    expect(view.noReports).toBe(NO_REPORTS);
    expect(view.headline).toBe('octo/app');
    expect(emailView(emailFor([build])).noReports).toBeUndefined();
  });
});

describe('report facts', () => {
  it.each(['build-push', 'deploy-ecs-success', 'deploy-ecs-failure', 'deploy-eks-failure'])(
    'shows each fact of %s once',
    name => {
      for (const view of emailView(emailFor(example(name))).reports) {
        const shown = view.facts.map(f => `${f.label}: ${f.text}`);
        expect(shown).toEqual([...new Set(shown)]);
      }
    }
  );

  it("shows build-push's tags once, although its report lists them in its image and its details", () => {
    expect(build.details).toContainEqual(['Tags', 'sha-1f2e3d4, v2.4.0']);
    expect(viewOf(build).facts.filter(f => f.label === 'Tags')).toEqual([
      { label: 'Tags', text: 'sha-1f2e3d4, v2.4.0', code: true }
    ]);
  });

  it('keeps a detail that has the label of a fact but says something else', () => {
    const report = { ...build, details: [['Tags', 'sha-1f2e3d4 only'] as [string, string]] };
    expect(
      viewOf(report)
        .facts.filter(f => f.label === 'Tags')
        .map(f => f.text)
    ).toEqual(['sha-1f2e3d4, v2.4.0', 'sha-1f2e3d4 only']);
  });

  it('names the first objects of a large EKS deploy and counts the rest', () => {
    const many = Array.from({ length: 30 }, (_, i) => `ConfigMap/shop/c${i}`);
    expect(resourceList(many)).toBe(`${many.slice(0, 12).join(', ')} and 18 more`);
    expect(resourceList(['Deployment/shop/web'])).toBe('Deployment/shop/web');
  });

  it('does not say the error twice when the summary leads with it (deploy-eks)', () => {
    const [eks] = example('deploy-eks-failure');
    expect(viewOf(eks).error).toBeUndefined();
    expect(viewOf(deployBad).error).toBe(deployBad.error);
  });
});

describe('a report of any size gives an email of bounded size', () => {
  const huge: Report = {
    ...deployBad,
    summary: 's'.repeat(50_000),
    details: Array.from({ length: 500 }, (_, i) => [`Detail ${i}`, 'v'.repeat(5000)] as [string, string]),
    diagnostics: Array.from({ length: 100 }, (_, i) => ({
      title: `Log ${i}`,
      severity: 'error' as const,
      lines: Array.from({ length: 1000 }, (_, j) => `line ${j} ${'x'.repeat(3000)}`)
    })),
    run: { ...deployBad.run, commitMessage: 'm'.repeat(100_000) }
  };
  const view = emailView(emailFor([huge]));
  const report = view.reports[0];

  it('keeps the last lines of a diagnostic, says how many were left out, and cuts long lines', () => {
    const lines = report.diagnostics[0].lines;
    expect(lines).toHaveLength(LIMITS.diagnosticLines + 1);
    expect(lines[0]).toBe(`… ${1000 - LIMITS.diagnosticLines} earlier lines left out`);
    expect(lines.at(-1)).toMatch(/^line 999 x+…$/);
    expect(Math.max(...lines.map(l => l.length))).toBe(LIMITS.lineChars);
  });

  it('counts the diagnostics and details left out', () => {
    expect(report.diagnostics).toHaveLength(LIMITS.diagnostics + 1);
    expect(report.diagnostics.at(-1)).toEqual({
      title: `${100 - LIMITS.diagnostics} more diagnostics left out`,
      severity: 'info',
      lines: []
    });
    expect(report.facts).toContainEqual({ label: 'More details', text: `${500 - LIMITS.details} left out` });
  });

  it('cuts the summary and the commit message', () => {
    expect(report.summary).toHaveLength(LIMITS.textChars);
    expect(view.commitMessage).toHaveLength(LIMITS.commitMessage);
  });
});

describe('untrusted text', () => {
  it('drops terminal colours and shows other control characters and bidirectional overrides as U+FFFD', () => {
    expect(cleanText('\x1b[31mERROR\x1b[0m config\r\nnext\rlast\ttab')).toBe('ERROR config\nnext\nlast\ttab');
    expect(cleanText('a\x00b\x07c\x1bd\x7fe\x85f')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf');
    // "Trojan source": text that reads other than it is.
    expect(cleanText('deploy \u202Eevil\u202C ok \u2066x\u2069')).toBe(
      'deploy \uFFFDevil\uFFFD ok \uFFFDx\uFFFD'
    );
    expect(cleanText(undefined)).toBe('');
    expect(cleanText(42)).toBe('42');
  });

  it('splits a diagnostic line that holds line breaks, so each part is a line of its own', () => {
    const report = {
      ...deployBad,
      diagnostics: [
        { title: 'Log\nINJECTED', severity: 'error' as const, lines: ['one\ntwo\r\nthree\rfour'] }
      ]
    };
    expect(viewOf(report).diagnostics[0]).toEqual({
      title: 'Log INJECTED',
      severity: 'error',
      lines: ['one', 'two', 'three', 'four']
    });
  });

  it('reads diagnostics that are not what the schema says without failing', () => {
    const report = {
      ...deployBad,
      diagnostics: [
        null,
        { title: 'no lines', severity: 'constructor' },
        { title: 7, severity: 'warning', lines: [1, null, 'x'] }
      ]
    } as unknown as Report;
    expect(viewOf(report).diagnostics).toEqual([
      { title: 'no lines', severity: 'info', lines: [] },
      { title: '7', severity: 'warning', lines: ['1', '', 'x'] }
    ]);
  });
});
