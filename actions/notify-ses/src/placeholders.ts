/**
 * The `${var.name}` placeholders of the subject and of a custom HTML template (docs/templates.md): which names
 * exist, what each stands for, and the subject line they fill. Pure.
 */
import { formatDuration, oneLine, shortSha, substitute } from '../../../core/index.js';
import { STATUS_LABEL, cleanText, headlineReport, totalDurationMs, type EmailInput } from './facts.js';

export const DEFAULT_SUBJECT =
  '[${var.status}] ${var.repository} · ${var.environment} · ${var.action} ${var.subject}';

/** The longest subject line: mail clients show far less, and a header line stays short. */
export const MAX_SUBJECT = 200;

/** Placeholders of the subject template, and what they stand for (documented in the README). */
export const SUBJECT_PLACEHOLDERS = [
  'status',
  'repository',
  'environment',
  'action',
  'subject',
  'summary',
  'ref',
  'sha',
  'actor',
  'event',
  'workflow',
  'duration'
] as const;

/** Placeholders of a custom HTML template: the subject's, plus links and the built-in blocks. */
export const TEMPLATE_PLACEHOLDERS = [
  ...SUBJECT_PLACEHOLDERS,
  'title',
  'commit_message',
  'color',
  'repository_url',
  'commit_url',
  'run_url',
  'facts',
  'reports'
] as const;

export type PlaceholderValues = Record<(typeof SUBJECT_PLACEHOLDERS)[number], string>;

/**
 * Checks a subject or template against the placeholder rule (docs/templates.md) with every name it may use, so a
 * forgotten or misspelt placeholder is an input error before anything is sent. Throws a DockyardError for `input`.
 */
export function checkPlaceholders(
  text: string,
  known: readonly string[],
  input: 'subject' | 'template',
  where?: string
): void {
  substitute(text, Object.fromEntries(known.map(n => [n, ''])), input, {
    where,
    missing: (names, count) =>
      `${where ? `${where} uses ` : 'uses '}${count === 1 ? 'an unknown placeholder' : 'unknown placeholders'} ${names}.`,
    hint: () =>
      `Use any of: ${known.map(n => `\${var.${n}}`).join(', ')}; write $\${var.NAME} for the literal text.`
  });
}

/** The text every placeholder stands for: cleaned of control characters, not escaped. */
export function placeholderValues(input: EmailInput): PlaceholderValues {
  const head = headlineReport(input.reports, input.status);
  const duration = totalDurationMs(input.reports);
  const values: PlaceholderValues = {
    status: STATUS_LABEL[input.status],
    repository: input.run.repository,
    environment: input.environment ?? '',
    action: head?.action ?? '',
    subject: head?.subject ?? '',
    summary: head?.summary ?? '',
    ref: input.run.refName,
    sha: shortSha(input.run.sha),
    actor: input.run.actor,
    event: input.run.eventName,
    workflow: input.run.workflow,
    duration: duration === undefined ? '' : formatDuration(duration)
  };
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, cleanText(value)])
  ) as PlaceholderValues;
}

/**
 * Fills the subject template. A ` · `-separated part that comes out empty is left out, so a run without
 * an environment reads `[FAILED] owner/repo · deploy-ecs web`, not `… ·  · …`. One line (no CR or LF can reach
 * the header), at most MAX_SUBJECT characters.
 */
export function renderSubject(template: string, values: Record<string, string>): string {
  const oneLineValues = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, oneLine(cleanText(v), { max: MAX_SUBJECT })])
  );
  const filled = substitute(template, oneLineValues, 'subject').text;
  const parts = filled
    .split(' · ')
    .map(part => oneLine(cleanText(part), { max: MAX_SUBJECT }))
    .filter(part => part !== '');
  return oneLine(parts.join(' · '), { max: MAX_SUBJECT });
}
