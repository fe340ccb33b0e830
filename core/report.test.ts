import { describe, expect, it } from '@jest/globals';
import { DockyardError } from './errors.js';
import { runContext } from './github.js';
import {
  createReport,
  fitReport,
  overallStatus,
  parseReports,
  REPORT_MAX_BYTES,
  REPORT_SCHEMA,
  REPORT_SHORTENED,
  validateReport,
  type Report
} from './report.js';

const base = (status: Report['status'], action = 'deploy-ecs'): Report =>
  createReport({
    action,
    status,
    outcome: status === 'success' ? 'COMPLETED' : 'FAILED',
    subject: 'web',
    summary: 'Deployed web',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:30.000Z',
    run: runContext({ GITHUB_REPOSITORY: 'octo/app', GITHUB_SHA: 'abc' })
  });

describe('report', () => {
  it('computes the duration and stamps the schema', () => {
    const r = base('success');
    expect(r.schema).toBe(REPORT_SCHEMA);
    expect(r.durationMs).toBe(90_000);
    expect(r.diagnostics).toEqual([]);
  });

  it('reads a JSON array, one object, or one object a line, skipping blanks', () => {
    const a = base('success');
    const b = base('failure', 'build-push');
    expect(parseReports(JSON.stringify([a, b]))).toHaveLength(2);
    expect(parseReports(JSON.stringify(a))[0].action).toBe('deploy-ecs');
    expect(parseReports(`${JSON.stringify(a)}\n\n${JSON.stringify(b)}\n`).map(r => r.action)).toEqual([
      'deploy-ecs',
      'build-push'
    ]);
    expect(parseReports('  ')).toEqual([]);
  });

  it('says which report is wrong and how to fix it', () => {
    expect(() => parseReports('{"schema":"dockyard.report/v9","action":"x","status":"success"}')).toThrow(
      /report 1 has schema 'dockyard.report\/v9'/
    );
    expect(() => parseReports('{"hello":1}\nnot json')).toThrow(/line 2 is not valid JSON/);
    const error = (() => {
      try {
        parseReports('{"schema":"dockyard.report/v1","action":"x","status":"meh"}');
      } catch (e) {
        return e as DockyardError;
      }
    })();
    expect(error?.input).toBe('reports');
    expect(error?.describe()).toContain("unknown status 'meh'");
  });

  it('derives the overall status', () => {
    expect(overallStatus([base('success'), base('failure')])).toBe('failure');
    expect(overallStatus([base('success'), base('cancelled')])).toBe('cancelled');
    expect(overallStatus([base('success'), base('skipped')])).toBe('success');
    expect(overallStatus([base('skipped')])).toBe('skipped');
  });
});

describe('fitReport', () => {
  const bytes = (r: Report) => Buffer.byteLength(JSON.stringify(r));
  /** A failed deploy whose app logged long lines, many of them: what makes a report too large for an output. */
  const large = (): Report => ({
    ...base('failure'),
    error: `E: ${'e'.repeat(10_000)}`,
    details: [['Image', `web@sha256:${'a'.repeat(64)}`]],
    diagnostics: [
      { title: 'Stopped task', severity: 'error', lines: ['Exit code: 1'] },
      {
        title: 'Last log lines',
        severity: 'error',
        lines: Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(i % 7 === 0 ? 250_000 : 300)}`)
      }
    ]
  });

  it('leaves a report that fits as it is', () => {
    const report = base('failure');
    expect(fitReport(report)).toBe(report);
  });

  it('keeps two reports under the 128 KiB Linux allows one input (an environment variable) to hold', () => {
    // INPUT_REPORTS=<build>\n<deploy> and the terminating NUL.
    expect(Buffer.byteLength('INPUT_REPORTS=') + 2 * REPORT_MAX_BYTES + 2).toBeLessThan(128 * 1024);
  });

  it('keeps the last lines and the start of long texts, and says it shortened the report', () => {
    const report = large();
    const fitted = fitReport(report);
    expect(bytes(report)).toBeGreaterThan(1024 * 1024);
    expect(bytes(fitted)).toBeLessThanOrEqual(REPORT_MAX_BYTES);
    expect(validateReport(JSON.parse(JSON.stringify(fitted)))).toMatchObject({
      action: 'deploy-ecs',
      status: 'failure',
      summary: 'Deployed web',
      details: [['Image', `web@sha256:${'a'.repeat(64)}`]]
    });
    expect(fitted.error).toMatch(/^E: e+…$/);
    const [stopped, log, note] = fitted.diagnostics;
    expect(stopped.lines).toEqual(['Exit code: 1']);
    expect(log.lines[0]).toMatch(/^… \d+ earlier lines left out$/);
    expect(log.lines.at(-1)).toMatch(/^line 2999 x+$/);
    expect(note).toEqual({
      title: REPORT_SHORTENED,
      severity: 'warning',
      lines: [
        expect.stringMatching(/^The report was \d+ KiB of JSON; it is kept under 60 KiB so that the step/)
      ]
    });
  });

  it('fits however many details and diagnostics a report holds', () => {
    const report: Report = {
      ...large(),
      details: Array.from({ length: 20_000 }, (_, i) => [`d${i}`, 'v'.repeat(100)] as [string, string]),
      diagnostics: Array.from({ length: 5000 }, () => ({
        title: 't'.repeat(500),
        severity: 'info',
        lines: ['l']
      }))
    };
    const fitted = fitReport(report, 8 * 1024);
    expect(bytes(fitted)).toBeLessThanOrEqual(8 * 1024);
    expect(fitted.diagnostics.at(-1)?.title).toBe(REPORT_SHORTENED);
  });
});
