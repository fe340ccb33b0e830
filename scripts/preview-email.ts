/**
 * Renders the notify-ses email for report files, without sending it, so it can be looked at in a browser.
 *
 *   npm run preview-email -- examples/reports/deploy-ecs-failure.json [more.json ...]
 *     [--environment production] [--status failure] [--subject '<template>'] [--template file.html] [--out email.html]
 *
 * Writes the HTML (and the plain-text alternative next to it, .txt) and prints their paths.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  DockyardError,
  describeError,
  overallStatus,
  parseReports,
  runContext,
  type Report,
  type ReportStatus,
  type RunContext
} from '../core/index.js';
import { getInputs } from '../actions/notify-ses/src/inputs.js';
import { mergeRunContext } from '../actions/notify-ses/src/facts.js';
import { DEFAULT_SUBJECT } from '../actions/notify-ses/src/placeholders.js';
import { renderEmail } from '../actions/notify-ses/src/render.js';

export interface Preview {
  subject: string;
  htmlPath: string;
  textPath: string;
}

const USAGE =
  'Usage: npm run preview-email -- <report.json>... [--environment <name>] [--status success|failure|cancelled|skipped] [--subject <template>] [--template <file.html>] [--out <file.html>]';

/** The GitHub variables when there are any (on a runner), else the run the reports came from. */
function previewRunContext(env: NodeJS.ProcessEnv, reports: Report[]): RunContext {
  const own = { ...runContext(env), serverUrl: env.GITHUB_SERVER_URL ?? '' };
  const merged = mergeRunContext(own, reports);
  return { ...merged, serverUrl: merged.serverUrl || 'https://github.com' };
}

export function previewEmail(argv: string[], env: NodeJS.ProcessEnv = process.env): Preview {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      environment: { type: 'string' },
      status: { type: 'string' },
      subject: { type: 'string' },
      template: { type: 'string' },
      out: { type: 'string' }
    }
  });
  if (positionals.length === 0) throw new DockyardError(`No report files given. ${USAGE}`);
  const reports: Report[] = positionals.flatMap(file => {
    try {
      return parseReports(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new DockyardError(`${file}: ${describeError(error)}`);
    }
  });
  // The action's own input validation checks the template, subject and status the same way.
  const inputs = getInputs(
    name =>
      ({
        reports: JSON.stringify(reports),
        from: 'preview@example.com',
        to: 'preview@example.com',
        region: 'us-east-1',
        status: values.status ?? '',
        subject: values.subject ?? '',
        template: values.template ? resolve(values.template) : '',
        environment: values.environment ?? ''
      })[name] ?? '',
    // The action keeps a template inside the workspace; here the file is the one named on the command line.
    { env: {}, workspace: values.template ? dirname(resolve(values.template)) : process.cwd() }
  );
  const status: ReportStatus = inputs.status ?? overallStatus(inputs.reports);
  const email = renderEmail({
    reports: inputs.reports,
    // Off a runner there is no GITHUB_* context; the reports carry the run they came from.
    run: previewRunContext(env, inputs.reports),
    status,
    environment: inputs.environment,
    subjectTemplate: values.subject ?? DEFAULT_SUBJECT,
    htmlTemplate: inputs.template?.content
  });
  const htmlPath = resolve(
    values.out ??
      join(tmpdir(), 'dockyard-email-preview', `${positionals.map(p => basename(p, '.json')).join('+')}.html`)
  );
  const textPath = htmlPath.replace(/(\.html?)?$/i, '.txt');
  mkdirSync(dirname(htmlPath), { recursive: true });
  writeFileSync(htmlPath, email.html);
  writeFileSync(textPath, email.text);
  return { subject: email.subject, htmlPath, textPath };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    const preview = previewEmail(process.argv.slice(2));
    console.log(`Subject: ${preview.subject}`);
    console.log(`HTML:    ${preview.htmlPath}`);
    console.log(`Text:    ${preview.textPath}`);
  } catch (error) {
    console.error(describeError(error));
    process.exit(1);
  }
}
