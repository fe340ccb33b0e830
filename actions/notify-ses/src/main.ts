import { SESv2Client } from '@aws-sdk/client-sesv2';
import {
  actionsInputSource,
  createClient,
  overallStatus,
  runAction,
  runContext,
  setOutputs,
  writeSummary
} from '../../../core/index.js';
import { getInputs, type Inputs } from './inputs.js';
import { mergeRunContext, renderEmail } from './render.js';
import { deliver } from './send.js';
import { describeReports, inputErrorReport, notifyReport, summaryMarkdown } from './summary.js';

/** Reads inputs → renders the email → sends it → outputs, summary, report. */
export async function main(): Promise<void> {
  await runAction(async ({ log, startedAt }) => {
    let inputs: Inputs;
    try {
      inputs = getInputs(actionsInputSource);
    } catch (error) {
      setOutputs({ sent: false, report: inputErrorReport(error, runContext(), startedAt) });
      throw error;
    }
    const run = mergeRunContext(runContext(), inputs.reports);
    const status = inputs.status ?? overallStatus(inputs.reports);

    const email = await log.group('Rendering the email', async () => {
      log.info(`Reports: ${describeReports(inputs.reports)}; status ${status}.`);
      const rendered = renderEmail({
        reports: inputs.reports,
        run,
        status,
        environment: inputs.environment,
        subjectTemplate: inputs.subjectTemplate,
        htmlTemplate: inputs.template?.content
      });
      log.info(`Subject: ${rendered.subject}`);
      log.info(
        `HTML ${Buffer.byteLength(rendered.html)} bytes${inputs.template ? ` from ${inputs.template.path}` : ''}, text ${Buffer.byteLength(rendered.text)} bytes.`
      );
      log.debug(rendered.text);
      return rendered;
    });

    const client = createClient(SESv2Client, { region: inputs.region });
    const result = await log.group('Sending through SES', () =>
      deliver(client, { ...inputs, ...email }, { region: inputs.region }, log)
    );

    const outcome = { inputs, email, result, status };
    setOutputs({
      sent: result.sent,
      'message-id': result.sent ? result.messageId : undefined,
      report: notifyReport(outcome, runContext(), startedAt)
    });
    await writeSummary(summaryMarkdown(outcome), log);
    if (!result.sent) {
      if (inputs.failOnError) throw result.error;
      log.warning(`${result.error.describe()} (fail-on-error is false, so this step stays green.)`, {
        title: 'Email not sent'
      });
    }
  });
}
