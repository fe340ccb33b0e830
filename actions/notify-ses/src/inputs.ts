import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  DockyardError,
  InputReader,
  describeError,
  splitLines,
  parseReports,
  type InputSource,
  type Report,
  type ReportStatus
} from '../../../core/index.js';
import {
  DEFAULT_SUBJECT,
  SUBJECT_PLACEHOLDERS,
  TEMPLATE_PLACEHOLDERS,
  checkPlaceholders
} from './placeholders.js';

export interface Inputs {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subjectTemplate: string;
  /** The `status` override; undefined means "derive it from the reports". */
  status?: ReportStatus;
  reports: Report[];
  environment?: string;
  template?: { path: string; content: string };
  configurationSet?: string;
  failOnError: boolean;
  region: string;
  /** The whole step's time limit. */
  timeoutMs: number;
}

/** SES accepts at most 50 recipients (To, Cc and Bcc together) per message. */
export const MAX_RECIPIENTS = 50;

const STATUS_VALUES: Record<string, ReportStatus> = {
  success: 'success',
  failure: 'failure',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  skipped: 'skipped'
};

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]$/;

export interface Mailbox {
  /** As written: `deploy@example.com` or `Deploy bot <deploy@example.com>`. */
  text: string;
  /** The display name, when given (quotes removed). */
  name?: string;
  /** The bare address. */
  address: string;
}

/**
 * Parses `addr@domain` or `Display Name <addr@domain>`. Returns a reason when it is not an address SES
 * accepts (SES needs 7-bit ASCII addresses; an internationalised domain must be written in Punycode).
 */
export function parseMailbox(text: string): Mailbox | string {
  const value = text.trim();
  if (/[\r\n]/.test(value)) return 'has a line break';
  const angle = /^(.*?)\s*<([^<>]*)>$/.exec(value);
  if (!angle && /[<>]/.test(value)) return "has a '<' or '>' out of place (write 'Name <name@example.com>')";
  const address = (angle ? angle[2] : value).trim();
  let name = angle ? angle[1].trim() : undefined;
  if (name && /^".*"$/.test(name)) name = name.slice(1, -1).replace(/\\(.)/g, '$1');
  if (name !== undefined && /[<>]/.test(name)) return 'has an angle bracket in its display name';
  const at = address.lastIndexOf('@');
  if (at <= 0) return "is not an email address (no 'name@domain')";
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (/[^\x20-\x7e]/.test(address))
    return 'has non-ASCII characters in the address (write an internationalised domain in Punycode, xn--…)';
  if (local.length > 64 || !LOCAL_PART.test(local)) return `has an invalid part before the '@' ('${local}')`;
  if (!DOMAIN.test(domain)) return `has an invalid domain ('${domain}')`;
  return { text: value, name: name || undefined, address };
}

const CONFIGURATION_SET = /^[A-Za-z0-9_-]{1,64}$/;

export interface InputOptions {
  env?: NodeJS.ProcessEnv;
  /** Where `template` is resolved and must stay: GITHUB_WORKSPACE (else the working directory) by default. */
  workspace?: string;
}

/** A mailbox input's value as written, or undefined (and a problem named for `name`) when it is not one. */
function mailbox(r: InputReader, name: string, text: string): string | undefined {
  const parsed = parseMailbox(text);
  if (typeof parsed !== 'string') return parsed.text;
  r.fail(name, `'${text}' ${parsed}.`, "Write 'name@example.com' or 'Name <name@example.com>'.");
  return undefined;
}

function mailboxes(r: InputReader, name: string, required = false): string[] {
  if (required && r.raw(name) === '')
    r.fail(name, 'is required.', 'Give one or more recipients, separated by commas or newlines.');
  return r
    .list(name)
    .map(text => mailbox(r, name, text))
    .filter((m): m is string => m !== undefined);
}

function sender(r: InputReader): string {
  const text = r.required(
    'from',
    "Set 'from' to an address or domain you verified in SES, e.g. 'Deploys <deploys@example.com>'."
  );
  if (text === '') return '';
  // A comma or line break outside a quoted display name means several addresses.
  if (/[,\n]/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) {
    r.fail('from', 'takes one address.', 'Give a single sender; list more people in to, cc or bcc.');
    return '';
  }
  return mailbox(r, 'from', text) ?? '';
}

function subjectTemplate(r: InputReader): string {
  const template = r.string('subject', { default: DEFAULT_SUBJECT }) ?? DEFAULT_SUBJECT;
  r.collect(() => checkPlaceholders(template, SUBJECT_PLACEHOLDERS, 'subject'));
  return template;
}

function statusOverride(r: InputReader): ReportStatus | undefined {
  const text = r.raw('status');
  if (text === '') return undefined;
  const status = STATUS_VALUES[text.toLowerCase()];
  if (status === undefined)
    r.fail(
      'status',
      `'${text}' is not a job status.`,
      'Use success, failure, cancelled or skipped, e.g. ${{ job.status }} or ${{ needs.deploy.result }}.'
    );
  return status;
}

function reports(r: InputReader): Report[] {
  return (
    r.collect(() => {
      try {
        return parseReports(r.raw('reports'));
      } catch (error) {
        if (error instanceof DockyardError) throw error;
        throw new DockyardError(describeError(error), { input: 'reports' });
      }
    }) ?? []
  );
}

/**
 * `report-files`: files of reports, one path a line, inside the workspace; a directory stands for its `.json` files
 * in name order. For more reports than an input can carry (a release to many targets: the runner passes an input
 * as one environment variable, which Linux caps at 128 KiB).
 */
function reportFiles(r: InputReader): Report[] {
  return splitLines(r.raw('report-files')).flatMap(({ text, line }) => {
    const path = r.pathValue('report-files', text, { line });
    if (path === undefined) return [];
    const files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter(f => f.endsWith('.json'))
          .sort()
          .map(f => join(path, f))
      : [path];
    return files.flatMap(
      file =>
        r.collect(() => {
          try {
            return parseReports(readFileSync(file, 'utf8'));
          } catch (error) {
            const why = error instanceof DockyardError ? error.message : describeError(error);
            throw new DockyardError(`line ${line}: ${file}: ${why}`, { input: 'report-files' });
          }
        }) ?? []
    );
  });
}

/** A custom template: inside the workspace, every placeholder known, no scripts. */
function template(r: InputReader): Inputs['template'] {
  const name = r.string('template');
  const path = name === undefined ? undefined : r.pathValue('template', name, { kind: 'file' });
  if (name === undefined || path === undefined) return undefined;
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    r.fail(
      'template',
      `'${name}' cannot be read (${describeError(error)}).`,
      'Give a readable file in the workspace.'
    );
    return undefined;
  }
  const known = r.collect(() => {
    checkPlaceholders(content, TEMPLATE_PLACEHOLDERS, 'template', `'${name}'`);
    return true;
  });
  if (!known) return undefined;
  if (/<script\b/i.test(content)) {
    r.fail('template', `'${name}' contains a <script> element.`, 'Mail clients strip scripts; remove it.');
    return undefined;
  }
  return { path, content };
}

function configurationSet(r: InputReader): string | undefined {
  const name = r.string('configuration-set');
  if (name !== undefined && !CONFIGURATION_SET.test(name))
    r.fail(
      'configuration-set',
      `'${name}' is not a configuration set name.`,
      'Use up to 64 letters, digits, _ and -.'
    );
  return name;
}

/** What no single input can say alone: how many recipients, and whether there is anything to report. */
function crossCheck(r: InputReader, inputs: Inputs): void {
  const recipients = inputs.to.length + inputs.cc.length + inputs.bcc.length;
  if (recipients > MAX_RECIPIENTS)
    r.fail(
      'to',
      `has ${recipients} recipients with cc and bcc; SES accepts at most ${MAX_RECIPIENTS} per message.`,
      'Send to a mailing list address instead.'
    );
  const reportsUnreadable = r.problems.some(p => p.input === 'reports' || p.input === 'report-files');
  if (
    inputs.reports.length === 0 &&
    inputs.status === undefined &&
    !reportsUnreadable &&
    r.raw('status') === ''
  )
    r.fail(
      'reports',
      'is empty and no status was given, so there is nothing to report.',
      "Pass the 'report' output of a Dockyard action (e.g. ${{ needs.deploy.outputs.report }}), and set 'status: ${{ needs.deploy.result }}' for runs that fail before writing one."
    );
}

export function getInputs(source: InputSource, options: InputOptions = {}): Inputs {
  const r = new InputReader(source, options);
  const inputs: Inputs = {
    from: sender(r),
    to: mailboxes(r, 'to', true),
    cc: mailboxes(r, 'cc'),
    bcc: mailboxes(r, 'bcc'),
    replyTo: mailboxes(r, 'reply-to'),
    subjectTemplate: subjectTemplate(r),
    status: statusOverride(r),
    reports: [...reports(r), ...reportFiles(r)],
    environment: r.string('environment'),
    template: template(r),
    configurationSet: configurationSet(r),
    failOnError: r.boolean('fail-on-error', false),
    timeoutMs: r.duration('timeout', '2m', { min: 1000 }),
    region: r.region()
  };
  crossCheck(r, inputs);
  r.done();
  return inputs;
}
