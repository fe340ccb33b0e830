import { readFileSync } from 'node:fs';
import {
  DockyardError,
  InputReader,
  describeError,
  parseReports,
  splitList,
  type InputSource,
  type Report,
  type ReportStatus
} from '../../../core/index.js';
import { DEFAULT_SUBJECT, SUBJECT_PLACEHOLDERS, TEMPLATE_PLACEHOLDERS, checkPlaceholders } from './placeholders.js';

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

export function getInputs(source: InputSource, options: InputOptions = {}): Inputs {
  const r = new InputReader(source, options);

  const mailbox = (name: string, text: string): string | undefined => {
    const parsed = parseMailbox(text);
    if (typeof parsed === 'string') {
      r.fail(name, `'${text}' ${parsed}.`, "Write 'name@example.com' or 'Name <name@example.com>'.");
      return undefined;
    }
    return parsed.text;
  };
  const mailboxes = (name: string): string[] =>
    splitList(r.raw(name))
      .map(text => mailbox(name, text))
      .filter((m): m is string => m !== undefined);

  const fromText = r.required(
    'from',
    "Set 'from' to an address or domain you verified in SES, e.g. 'Deploys <deploys@example.com>'."
  );
  // A comma or line break outside a quoted display name means several addresses.
  const several = /[,\n]/.test(fromText.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
  if (several)
    r.fail('from', 'takes one address.', 'Give a single sender; list more people in to, cc or bcc.');
  const from = fromText && !several ? mailbox('from', fromText) : undefined;
  const to = mailboxes('to');
  if (r.raw('to') === '')
    r.fail('to', 'is required.', 'Give one or more recipients, separated by commas or newlines.');
  const cc = mailboxes('cc');
  const bcc = mailboxes('bcc');
  const replyTo = mailboxes('reply-to');
  const recipients = to.length + cc.length + bcc.length;
  if (recipients > MAX_RECIPIENTS) {
    r.fail(
      'to',
      `has ${recipients} recipients with cc and bcc; SES accepts at most ${MAX_RECIPIENTS} per message.`,
      'Send to a mailing list address instead.'
    );
  }

  const subjectTemplate = r.string('subject', { default: DEFAULT_SUBJECT }) ?? DEFAULT_SUBJECT;
  r.collect(() => checkPlaceholders(subjectTemplate, SUBJECT_PLACEHOLDERS, 'subject'));

  const statusText = r.raw('status').toLowerCase();
  const status = statusText === '' ? undefined : STATUS_VALUES[statusText];
  if (statusText !== '' && status === undefined) {
    r.fail(
      'status',
      `'${r.raw('status')}' is not a job status.`,
      'Use success, failure, cancelled or skipped, e.g. ${{ job.status }} or ${{ needs.deploy.result }}.'
    );
  }

  let reports: Report[] = [];
  try {
    reports = parseReports(r.raw('reports'));
  } catch (error) {
    r.problems.push(
      error instanceof DockyardError ? error : new DockyardError(describeError(error), { input: 'reports' })
    );
  }
  if (reports.length === 0 && status === undefined && r.problems.every(p => p.input !== 'reports')) {
    r.fail(
      'reports',
      'is empty and no status was given, so there is nothing to report.',
      "Pass the 'report' output of a Dockyard action (e.g. ${{ needs.deploy.outputs.report }}), and set 'status: ${{ needs.deploy.result }}' for runs that fail before writing one."
    );
  }

  const environment = r.string('environment');

  // A custom template: inside the workspace, every placeholder known, no scripts.
  let template: Inputs['template'];
  const templateText = r.string('template');
  const path =
    templateText === undefined ? undefined : r.pathValue('template', templateText, { kind: 'file' });
  if (templateText !== undefined && path !== undefined) {
    let content: string | undefined;
    try {
      content = readFileSync(path, 'utf8');
    } catch (error) {
      r.fail(
        'template',
        `'${templateText}' cannot be read (${describeError(error)}).`,
        'Give a readable file in the workspace.'
      );
    }
    if (
      content !== undefined &&
      r.collect(() => {
        checkPlaceholders(content, TEMPLATE_PLACEHOLDERS, 'template', `'${templateText}'`);
        return true;
      })
    ) {
      if (/<script\b/i.test(content)) {
        r.fail(
          'template',
          `'${templateText}' contains a <script> element.`,
          'Mail clients strip scripts; remove it.'
        );
      }
      template = { path, content };
    }
  }

  const configurationSet = r.string('configuration-set');
  if (configurationSet !== undefined && !CONFIGURATION_SET.test(configurationSet)) {
    r.fail(
      'configuration-set',
      `'${configurationSet}' is not a configuration set name.`,
      'Use up to 64 letters, digits, _ and -.'
    );
  }

  const failOnError = r.boolean('fail-on-error', false);
  const timeoutMs = r.duration('timeout', '2m', { min: 1000 });

  const region = r.region();

  r.done();
  return {
    from: from ?? '',
    to,
    cc,
    bcc,
    replyTo,
    subjectTemplate,
    status,
    reports,
    environment,
    template,
    configurationSet,
    failOnError,
    timeoutMs,
    region
  };
}
