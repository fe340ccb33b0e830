import { describe, expect, it } from '@jest/globals';
import { DockyardError } from './errors.js';
import { runContext } from './github.js';
import { createReport, overallStatus, parseReports, REPORT_SCHEMA, type Report } from './report.js';

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
