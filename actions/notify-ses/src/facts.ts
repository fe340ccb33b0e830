/**
 * What the email says, worked out once for both bodies (html.ts and plaintext.ts render the same view): which
 * facts, in which order, and how much of each. Everything taken from a report, a commit or the run is untrusted
 * text: it is cleaned of control characters here, and each body escapes it for its own format. Pure.
 */
import { stripVTControlCharacters } from 'node:util';
import {
  commitUrl,
  formatDuration,
  oneLine,
  repositoryUrl,
  runUrl,
  shortSha,
  type Report,
  type ReportStatus,
  type RunContext
} from '../../../core/index.js';

export interface EmailInput {
  reports: Report[];
  /** The workflow run: the notifying job's own context, completed from the reports (see mergeRunContext). */
  run: RunContext;
  status: ReportStatus;
  environment?: string;
  /** The subject template (placeholders: SUBJECT_PLACEHOLDERS). */
  subjectTemplate: string;
  /** A custom HTML template (placeholders: TEMPLATE_PLACEHOLDERS); the built-in layout when absent. */
  htmlTemplate?: string;
}

export const STATUS_LABEL: Record<ReportStatus, string> = {
  success: 'SUCCEEDED',
  failure: 'FAILED',
  cancelled: 'CANCELLED',
  skipped: 'SKIPPED'
};

/** How much of a report the email shows: enough to act on, and bounded however large the report is. */
export const LIMITS = {
  /** Diagnostics of one report. */
  diagnostics: 20,
  /** The last lines of each diagnostic (a log tail ends with the cause). */
  diagnosticLines: 40,
  /** Characters of one diagnostic line or one fact. */
  lineChars: 1000,
  /** Further facts (a report's `details`) of one report. */
  details: 40,
  /** Characters of a summary or an error. */
  textChars: 2000,
  commitMessage: 2000,
  /** EKS objects named before the rest are counted. */
  resources: 12
} as const;

export interface Fact {
  label: string;
  text: string;
  /** An http(s) link, never anything else. */
  url?: string;
  /** Shown in monospace. */
  code?: boolean;
}

export interface DiagnosticView {
  title: string;
  severity: 'error' | 'warning' | 'info';
  lines: string[];
}

export interface ReportView {
  /** `action · subject`. */
  title: string;
  status: ReportStatus;
  summary: string;
  /** The error, unless the summary already says it. */
  error?: string;
  facts: Fact[];
  diagnostics: DiagnosticView[];
}

export interface EmailView {
  status: ReportStatus;
  /** The headline report's title, else the repository. */
  headline: string;
  /** The headline report's summary. */
  summary: string;
  commitMessage?: string;
  runFacts: Fact[];
  /** http(s) links only. */
  links: { repository?: string; commit?: string; run?: string };
  repository: string;
  reports: ReportView[];
  /** Said instead of the reports when none reached the step. */
  noReports?: string;
}

export const NO_REPORTS =
  'No Dockyard report reached this step: the job before it wrote none (it was skipped, or stopped before writing one), or its report was not passed on. The workflow run has the details.';

/**
 * Text as it may be shown: escape sequences (terminal colours) removed, line breaks as `\n`, and any other control
 * character or bidirectional override (which could make text read other than it is) shown as U+FFFD.
 */
export function cleanText(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  return stripVTControlCharacters(text)
    .replace(/\r\n?/g, '\n')
    .replace(/(?![\t\n])[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, '\uFFFD');
}

/** At most `max` characters, ending with `…` when cut. */
function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The last `max` lines, after a line that counts the ones left out. */
function lastLines(lines: string[], max: number): string[] {
  if (lines.length <= max) return lines;
  return [`… ${lines.length - max} earlier lines left out`, ...lines.slice(-max)];
}

/** A link only for http(s) URLs; anything else (javascript:, data:, …) is never made clickable. */
function safeUrl(url: string | undefined): string | undefined {
  return url && /^https?:\/\/[^\s"'<>]+$/i.test(url) ? url : undefined;
}

/**
 * The run context the email describes: the notifying job's own values, with blanks filled from the
 * reports (the preview script, or a notify step outside the deploying workflow, has only the reports').
 */
export function mergeRunContext(own: RunContext, reports: Report[]): RunContext {
  const merged: RunContext = { ...own };
  const keys = Object.keys(own) as (keyof RunContext)[];
  for (const report of reports) {
    if (!report.run || typeof report.run !== 'object') continue;
    for (const key of new Set([...keys, 'commitMessage' as const])) {
      const value = report.run[key];
      if ((merged[key] === undefined || merged[key] === '') && typeof value === 'string' && value !== '')
        merged[key] = value;
    }
  }
  return merged;
}

/**
 * The report the subject line names: the first one that has the overall status (for a failure, the
 * step that failed first), otherwise the last one (the final stage, usually the deploy).
 */
export function headlineReport(reports: Report[], status: ReportStatus): Report | undefined {
  if (status !== 'success' && status !== 'skipped') {
    const first = reports.find(r => r.status === status);
    if (first) return first;
  }
  return reports.at(-1);
}

/** From the earliest start to the latest finish over all reports. */
export function totalDurationMs(reports: Report[]): number | undefined {
  const starts = reports.map(r => Date.parse(r.startedAt)).filter(Number.isFinite);
  const ends = reports.map(r => Date.parse(r.finishedAt)).filter(Number.isFinite);
  if (starts.length === 0 || ends.length === 0) return undefined;
  return Math.max(0, Math.max(...ends) - Math.min(...starts));
}

function formatTime(iso: string | undefined): string | undefined {
  const time = typeof iso === 'string' ? Date.parse(iso) : NaN;
  return Number.isFinite(time)
    ? `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`
    : undefined;
}

function reportTitle(report: Report): string {
  return oneLine(cleanText([report.action, report.subject].filter(Boolean).join(' · ')));
}

export function resourceList(resources: string[]): string {
  if (resources.length <= LIMITS.resources) return resources.join(', ');
  return `${resources.slice(0, LIMITS.resources).join(', ')} and ${resources.length - LIMITS.resources} more`;
}

/** A list of facts that leaves out empty values, and a value it already holds under the same label. */
function factList() {
  const facts: Fact[] = [];
  const add = (label: string, value: unknown, extra: Omit<Fact, 'label' | 'text'> = {}) => {
    if (value === undefined || value === null || value === '') return;
    const text = clip(cleanText(value).trim(), LIMITS.lineChars);
    const name = oneLine(cleanText(label), { max: 80 });
    // A report may list a fact among its details too (build-push's tags): it is shown once.
    if (text === '' || facts.some(f => f.label.toLowerCase() === name.toLowerCase() && f.text === text))
      return;
    facts.push({ label: name, text, ...extra });
  };
  return { facts, add };
}

function runFacts(input: EmailInput): Fact[] {
  const { run } = input;
  const { facts, add } = factList();
  const duration = totalDurationMs(input.reports);
  const attempt = run.runAttempt && run.runAttempt !== '1' ? ` (attempt ${run.runAttempt})` : '';
  add('Repository', run.repository, { url: safeUrl(repositoryUrl(run)) });
  add('Environment', input.environment);
  add('Ref', run.refName, { code: true });
  add('Commit', run.sha && shortSha(run.sha), { url: safeUrl(commitUrl(run)), code: true });
  add('Actor', run.actor);
  add('Event', run.eventName);
  add('Workflow run', (run.workflow || run.runId) && `${run.workflow || run.runId}${attempt}`, {
    url: safeUrl(runUrl(run))
  });
  add('Duration', duration === undefined ? undefined : formatDuration(duration));
  return facts.map(f => ({ ...f, text: oneLine(f.text) }));
}

function reportFacts(report: Report): Fact[] {
  const { facts, add } = factList();
  const code = { code: true };
  add('Outcome', report.outcome);
  add('Region', report.region);
  if (report.image) {
    add('Image', report.image.uri ?? report.image.repository, code);
    add('Digest', report.image.digest, code);
    if (Array.isArray(report.image.tags)) add('Tags', report.image.tags.join(', '), code);
  }
  if (report.ecs) {
    add('Cluster', report.ecs.cluster);
    add('Service', report.ecs.service);
    add('Task definition', report.ecs.taskDefinitionArn, code);
    add('Previous task definition', report.ecs.previousTaskDefinitionArn, code);
    add('Deployment', report.ecs.deploymentId, code);
  }
  if (report.eks) {
    add('Cluster', report.eks.cluster);
    add('Namespace', report.eks.namespace);
    if (Array.isArray(report.eks.resources))
      add('Resources', resourceList(report.eks.resources.map(String)), code);
  }
  const details = report.details.filter(pair => Array.isArray(pair) && pair.length >= 2);
  for (const [label, value] of details.slice(0, LIMITS.details)) add(String(label), value);
  if (details.length > LIMITS.details) add('More details', `${details.length - LIMITS.details} left out`);
  add('Started', formatTime(report.startedAt));
  add('Finished', formatTime(report.finishedAt));
  if (Number.isFinite(report.durationMs)) add('Duration', formatDuration(report.durationMs));
  return facts;
}

const SEVERITIES = new Set<unknown>(['error', 'warning', 'info']);

function diagnosticViews(report: Report): DiagnosticView[] {
  const all = report.diagnostics.filter(d => d !== null && typeof d === 'object');
  const views = all.slice(0, LIMITS.diagnostics).map((d): DiagnosticView => ({
    title: oneLine(cleanText(d.title)),
    severity: SEVERITIES.has(d.severity) ? d.severity : 'info',
    lines: lastLines(
      (Array.isArray(d.lines) ? d.lines : []).flatMap(line => cleanText(line).split('\n')),
      LIMITS.diagnosticLines
    ).map(line => clip(line.trimEnd(), LIMITS.lineChars))
  }));
  if (all.length > views.length)
    views.push({
      title: `${all.length - views.length} more diagnostics left out`,
      severity: 'info',
      lines: []
    });
  return views;
}

function reportView(report: Report): ReportView {
  const summary = oneLine(cleanText(report.summary), { max: LIMITS.textChars });
  const error = clip(cleanText(report.error).trim(), LIMITS.textChars);
  return {
    title: reportTitle(report),
    status: report.status,
    summary,
    // deploy-eks leads its summary with the root cause: the error is not said twice.
    error: error !== '' && !summary.includes(oneLine(error, { max: LIMITS.textChars })) ? error : undefined,
    facts: reportFacts(report),
    diagnostics: diagnosticViews(report)
  };
}

function commitMessage(run: RunContext): string | undefined {
  const message = cleanText(run.commitMessage).trim();
  return message === '' ? undefined : clip(message, LIMITS.commitMessage);
}

export function emailView(input: EmailInput): EmailView {
  const head = headlineReport(input.reports, input.status);
  const repository = oneLine(cleanText(input.run.repository));
  return {
    status: input.status,
    headline: head ? reportTitle(head) : repository,
    summary: head ? oneLine(cleanText(head.summary), { max: LIMITS.textChars }) : '',
    commitMessage: commitMessage(input.run),
    runFacts: runFacts(input),
    links: {
      repository: safeUrl(repositoryUrl(input.run)),
      commit: safeUrl(commitUrl(input.run)),
      run: safeUrl(runUrl(input.run))
    },
    repository,
    reports: input.reports.map(reportView),
    noReports: input.reports.length === 0 ? NO_REPORTS : undefined
  };
}
