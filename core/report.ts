import { DockyardError } from './errors.js';
import type { RunContext } from './github.js';

/**
 * The deployment report: one JSON record every Dockyard action outputs as `report`, and notify-ses
 * turns into an email. Versioned: readers accept any `dockyard.report/v1`; a breaking change bumps it.
 */
export const REPORT_SCHEMA = 'dockyard.report/v1';

export type ReportStatus = 'success' | 'failure' | 'cancelled' | 'skipped';

export interface Diagnostic {
  /** A short heading, such as `Stopped task 3f2a…` or `Scan findings`. */
  title: string;
  severity: 'error' | 'warning' | 'info';
  lines: string[];
}

export interface ImageTarget {
  repository: string;
  registry?: string;
  uri?: string;
  digest?: string;
  tags: string[];
}

export interface EcsTarget {
  cluster: string;
  service?: string;
  taskDefinitionArn?: string;
  revision?: number;
  previousTaskDefinitionArn?: string;
  deploymentId?: string;
}

export interface EksTarget {
  cluster: string;
  namespace: string;
  resources: string[];
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  action: string;
  status: ReportStatus;
  /** The action's own word for the result: PUSHED, SKIPPED, COMPLETED, ROLLED_BACK, … */
  outcome: string;
  /** A short name of what was acted on, for subject lines: the service, the repository, … */
  subject: string;
  /** One sentence of what happened. */
  summary: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  region?: string;
  image?: ImageTarget;
  ecs?: EcsTarget;
  eks?: EksTarget;
  /** Further facts as label → value, shown in order. */
  details: [string, string][];
  diagnostics: Diagnostic[];
  error?: string;
  run: RunContext;
}

export type ReportInit = Omit<Report, 'schema' | 'finishedAt' | 'durationMs' | 'details' | 'diagnostics'> &
  Partial<Pick<Report, 'details' | 'diagnostics'>> & { finishedAt?: string };

export function createReport(init: ReportInit, now: () => Date = () => new Date()): Report {
  const finishedAt = init.finishedAt ?? now().toISOString();
  return {
    schema: REPORT_SCHEMA,
    ...init,
    details: init.details ?? [],
    diagnostics: init.diagnostics ?? [],
    finishedAt,
    durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(init.startedAt))
  };
}

const STATUSES: ReportStatus[] = ['success', 'failure', 'cancelled', 'skipped'];

/** Validates one parsed value as a report; throws naming what is wrong. */
export function validateReport(value: unknown, where = 'report'): Report {
  const fail = (msg: string) => {
    throw new DockyardError(`${where} ${msg}`, {
      input: 'reports',
      hint: "Pass the 'report' output of a Dockyard action, e.g. ${{ needs.deploy.outputs.report }}."
    });
  };
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('is not a JSON object.');
  const r = value as Partial<Report>;
  if (typeof r.schema !== 'string' || !r.schema.startsWith('dockyard.report/'))
    fail('has no dockyard.report schema.');
  if (r.schema !== REPORT_SCHEMA) fail(`has schema '${r.schema}'; this version reads '${REPORT_SCHEMA}'.`);
  if (typeof r.action !== 'string' || r.action === '') fail("has no 'action'.");
  if (!STATUSES.includes(r.status as ReportStatus)) fail(`has an unknown status '${String(r.status)}'.`);
  return {
    ...(r as Report),
    details: Array.isArray(r.details) ? r.details : [],
    diagnostics: Array.isArray(r.diagnostics) ? r.diagnostics : []
  };
}

/**
 * Reads reports from an input: a JSON array, one JSON object, or several objects one a line.
 * Empty values (a skipped job's output) are ignored.
 */
export function parseReports(text: string): Report[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  let values: unknown[];
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    values = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    values = trimmed
      .split(/\r?\n/)
      .map(l => l.trim())
      .filter(l => l !== '')
      .map((line, i) => {
        try {
          return JSON.parse(line) as unknown;
        } catch (error) {
          throw new DockyardError(`line ${i + 1} is not valid JSON (${(error as Error).message}).`, {
            input: 'reports',
            hint: 'Give a JSON array of reports, or one report JSON a line.'
          });
        }
      });
  }
  return values
    .flatMap(v => (Array.isArray(v) ? v : [v]))
    .map((v, i) => validateReport(v, `report ${i + 1}`));
}

/** The overall status of several reports: any failure fails, then cancelled, then success. */
export function overallStatus(reports: Report[]): ReportStatus {
  if (reports.some(r => r.status === 'failure')) return 'failure';
  if (reports.some(r => r.status === 'cancelled')) return 'cancelled';
  if (reports.length > 0 && reports.every(r => r.status === 'skipped')) return 'skipped';
  return 'success';
}
