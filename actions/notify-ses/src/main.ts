import { SESv2Client } from '@aws-sdk/client-sesv2';
import {
  createClient,
  describeError,
  failureMessage,
  overallStatus,
  runDefinedAction,
  type ActionDefinition
} from '../../../core/index.js';
import { getInputs, type Inputs } from './inputs.js';
import { NO_REPORTS, mergeRunContext } from './facts.js';
import { renderEmail } from './render.js';
import { deliver } from './send.js';
import {
  describeReports,
  errorReport,
  errorSummary,
  notifyReport,
  summaryMarkdown,
  type Outcome
} from './summary.js';

export const notifySes: ActionDefinition<Inputs, Outcome> = {
  name: 'notify-ses',
  inputs: source => getInputs(source),
  timeoutMs: inputs => inputs.timeoutMs,
  async run(inputs, { log, signal, run: context, clock }) {
    const run = mergeRunContext(context, inputs.reports);
    const status = inputs.status ?? overallStatus(inputs.reports);

    const email = await log.group('Rendering the email', async () => {
      const rendered = renderEmail({
        reports: inputs.reports,
        run,
        status,
        environment: inputs.environment,
        subjectTemplate: inputs.subjectTemplate,
        htmlTemplate: inputs.template?.content
      });
      if (inputs.reports.length === 0) log.notice(NO_REPORTS);
      log.info(`${inputs.reports.length} report(s), status ${status}.`);
      // Reports carry text from apps and commits: it is printed where no line of it can be a workflow command.
      log.untrusted([`Reports: ${describeReports(inputs.reports)}`, `Subject: ${rendered.subject}`]);
      log.info(
        `HTML ${Buffer.byteLength(rendered.html)} bytes${inputs.template ? ` from ${inputs.template.path}` : ''}, text ${Buffer.byteLength(rendered.text)} bytes.`
      );
      return rendered;
    });

    const client = createClient(SESv2Client, { region: inputs.region, maxAttempts: 1, signal });
    try {
      const result = await log.group('Sending through SES', () =>
        deliver(client, { ...inputs, ...email }, { region: inputs.region, clock, signal }, log)
      );
      if (!result.sent && !inputs.failOnError)
        log.warning(`${result.error.describe()} (fail-on-error is false, so this step stays green.)`, {
          title: 'Email not sent'
        });
      return { inputs, email, result, status };
    } finally {
      client.destroy();
    }
  },
  finish(outcome) {
    const done = outcome.result;
    // fail-on-error covers SES refusing the message; a cancel or the step's timeout always fails the step.
    const aborted = outcome.cancelled || outcome.timedOut;
    if (!done || (aborted && !done.result.sent)) {
      const error =
        outcome.error ??
        (done && !done.result.sent ? done.result.error : undefined) ??
        failureMessage(outcome);
      const report = errorReport(error, outcome.run, outcome.startedAt, {
        invalidInput: outcome.inputs === undefined,
        cancelled: outcome.cancelled
      });
      return {
        outputs: { sent: false },
        report,
        summary: errorSummary(report),
        failed: describeError(error)
      };
    }
    const { result, inputs } = done;
    return {
      outputs: { sent: result.sent, 'message-id': result.sent ? result.messageId : undefined },
      report: notifyReport(done, outcome.run, outcome.startedAt),
      summary: summaryMarkdown(done),
      failed: !result.sent && inputs.failOnError ? describeError(result.error) : undefined
    };
  }
};

/** Reads inputs → renders the email → sends it → outputs, summary, report. */
export const main = () => runDefinedAction(notifySes);
