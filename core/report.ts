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

/**
 * The most a `report` output takes, in bytes of JSON. A report reaches notify-ses through an input, which the
 * runner hands to the action as an environment variable, and Linux starts no program with one over 128 KiB
 * (MAX_ARG_STRLEN; the runner then fails the step with "Argument list too long"): at 60 KiB a build's and a
 * deploy's report fit in one input together. GitHub's own limit, 1 MB for all of a job's outputs, is further.
 */
export const REPORT_MAX_BYTES = 60 * 1024;

/** The title of the diagnostic that says a report was shortened to fit. */
export const REPORT_SHORTENED = 'Report shortened to fit';

/** How much of each array (its last lines, for a diagnostic's lines) and of each text is kept, tried in turn. */
const KEEP: { items: number; chars: number }[] = [
  { items: 200, chars: 2000 },
  { items: 50, chars: 500 },
  { items: 20, chars: 200 },
  { items: 5, chars: 100 },
  { items: 0, chars: 60 }
];

function shorten(value: unknown, keep: (typeof KEEP)[number], key = ''): unknown {
  if (typeof value === 'string')
    return value.length > keep.chars ? `${value.slice(0, keep.chars - 1)}…` : value;
  if (Array.isArray(value)) {
    if (value.length <= keep.items) return value.map(v => shorten(v, keep));
    // A diagnostic's lines are a log's tail, events in order, …: the last ones say most.
    const kept = key === 'lines' ? value.slice(value.length - keep.items) : value.slice(0, keep.items);
    const note = key === 'lines' ? [`… ${value.length - keep.items} earlier lines left out`] : [];
    return [...note, ...kept.map(v => shorten(v, keep))];
  }
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v, keep, k)]));
  return value;
}

/**
 * The report as it fits in `maxBytes` of JSON: the same report when it fits; otherwise with fewer lines and
 * shorter texts, step by step until it fits, and a warning diagnostic that says so (notify-ses shows it).
 */
export function fitReport(report: Report, maxBytes = REPORT_MAX_BYTES): Report {
  const bytes = (r: Report) => Buffer.byteLength(JSON.stringify(r));
  const size = bytes(report);
  if (size <= maxBytes) return report;
  const note: Diagnostic = {
    title: REPORT_SHORTENED,
    severity: 'warning',
    lines: [
      `The report was ${Math.ceil(size / 1024)} KiB of JSON; it is kept under ${Math.floor(maxBytes / 1024)} KiB so that the step that reads it can start. Long texts and earlier lines were left out.`
    ]
  };
  let fitted = report;
  for (const keep of KEEP) {
    const short = shorten(report, keep) as Report;
    fitted = { ...short, diagnostics: [...short.diagnostics, note] };
    if (bytes(fitted) <= maxBytes) break;
  }
  return fitted;
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
