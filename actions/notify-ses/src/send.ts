/**
 * Sends the rendered email with SES v2 SendEmail (Simple content: SES builds the MIME message) and turns
 * SES's refusals into explanations a person can act on. SendEmail goes through a client without SDK retries
 * and core's `sendOnce`: a throttled send is tried again, but after a 5xx or a lost connection SES may already
 * have accepted the message, so it is tried at most once more, with a warning that a duplicate is possible.
 *
 * There is deliberately no GetEmailIdentity check before sending: VerifiedForSendingStatus lags behind
 * a fresh verification (and moto always reports false), so the send is the only reliable test.
 */
import { SendEmailCommand, type SendEmailCommandInput, type SESv2Client } from '@aws-sdk/client-sesv2';
import {
  DockyardError,
  ensureCredentials,
  errorName,
  isThrottling,
  sendOnce,
  type Clock,
  type Logger
} from '../../../core/index.js';
import { parseMailbox } from './inputs.js';

export interface EmailMessage {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html: string;
  text: string;
  configurationSet?: string;
}

export interface SendContext {
  region: string;
  clock?: Clock;
  signal?: AbortSignal;
}

export type SendResult = { sent: true; messageId: string } | { sent: false; error: DockyardError };

/**
 * A mailbox as SES wants it: a non-ASCII display name as a MIME encoded-word (RFC 2047), a name with
 * special characters quoted. The address itself is ASCII (inputs.ts checks that).
 */
export function encodeMailbox(text: string): string {
  const parsed = parseMailbox(text);
  if (typeof parsed === 'string' || !parsed.name) return typeof parsed === 'string' ? text : parsed.address;
  const { name, address } = parsed;
  if (/[^\x20-\x7e]/.test(name))
    return `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?= <${address}>`;
  if (/[()<>[\]:;@\\,."]/.test(name)) return `"${name.replace(/(["\\])/g, '\\$1')}" <${address}>`;
  return `${name} <${address}>`;
}

export function buildSendEmailRequest(message: EmailMessage): SendEmailCommandInput {
  const list = (items: string[]) => (items.length > 0 ? items.map(encodeMailbox) : undefined);
  return {
    FromEmailAddress: encodeMailbox(message.from),
    Destination: {
      ToAddresses: list(message.to),
      CcAddresses: list(message.cc),
      BccAddresses: list(message.bcc)
    },
    ReplyToAddresses: list(message.replyTo),
    ConfigurationSetName: message.configurationSet,
    Content: {
      Simple: {
        Subject: { Data: message.subject, Charset: 'UTF-8' },
        Body: {
          Html: { Data: message.html, Charset: 'UTF-8' },
          Text: { Data: message.text, Charset: 'UTF-8' }
        }
      }
    }
  };
}

/** Checks credentials, then sends (see `sendOnce`). `client` has no SDK retries. Never throws: a failure is a result. */
export async function deliver(
  client: SESv2Client,
  message: EmailMessage,
  context: SendContext,
  log: Logger
): Promise<SendResult> {
  const recipients = message.to.length + message.cc.length + message.bcc.length;
  log.info(
    `From ${message.from} to ${recipients} recipient(s) in ${context.region}${message.configurationSet ? `, configuration set ${message.configurationSet}` : ''}.`
  );
  try {
    await ensureCredentials(client);
    const request = buildSendEmailRequest(message);
    const output = await sendOnce({
      operation: 'SendEmail',
      send: () => client.send(new SendEmailCommand(request)),
      log,
      clock: context.clock,
      signal: context.signal
    });
    if (!output.MessageId) throw new Error('SES answered without a MessageId.');
    log.info(`SES accepted the message: ${output.MessageId}`);
    return { sent: true, messageId: output.MessageId };
  } catch (error) {
    return { sent: false, error: explainSendError(error, message, context) };
  }
}

function awsMessage(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}

/** The identities an SES "not verified" message names: addresses and domains after the last colon, or any address in it. */
export function identitiesIn(message: string): string[] {
  const afterColon = /failed the check in region [^:]*:\s*(.+)$/i.exec(message)?.[1];
  if (afterColon) {
    return afterColon
      .split(/[,\s]+/)
      .map(s => s.replace(/[.;]+$/, ''))
      .filter(s => s !== '');
  }
  return [...new Set(message.match(/[^\s<>,:;"']+@[^\s<>,:;"']+[A-Za-z0-9]/g) ?? [])];
}

const SANDBOX_NOTE =
  'A new SES account is in the sandbox in each region: it can send only to verified addresses, so every recipient must be verified too, ' +
  'until you request production access (SES console > Account dashboard, or aws sesv2 put-account-details --production-access-enabled).';

/** Turns an SES SendEmail failure into what went wrong, which identity or input, and the fix. */
export function explainSendError(error: unknown, message: EmailMessage, context: SendContext): DockyardError {
  if (error instanceof DockyardError) return error;
  const name = errorName(error);
  const aws = awsMessage(error);
  const said = ` SES said: ${name}: ${aws}${/[.!?]$/.test(aws) ? '' : '.'}`;
  const region = context.region;
  const from = parseMailbox(message.from);
  const fromAddress = typeof from === 'string' ? message.from : from.address;
  const fromDomain = fromAddress.split('@').pop() ?? '';

  if (name === 'MessageRejected' && /not verified/i.test(aws)) {
    const named = identitiesIn(aws);
    const identities = named.length > 0 ? named : [fromAddress];
    const lower = identities.map(i => i.toLowerCase());
    const senderFailed =
      lower.includes(fromAddress.toLowerCase()) || lower.includes(fromDomain.toLowerCase());
    const which = identities.map(i => `'${i}'`).join(', ');
    const recipientNote = senderFailed
      ? ''
      : ' These are recipients, so the account is most likely still in the SES sandbox.';
    return new DockyardError(
      `SES refused the message: ${which} ${identities.length === 1 ? 'is' : 'are'} not verified for sending in ${region}.${recipientNote}${said}`,
      {
        input: senderFailed ? 'from' : 'to',
        hint:
          (senderFailed
            ? `Verify the sender '${fromAddress}' or its domain '${fromDomain}' in SES in ${region} (aws sesv2 create-email-identity --email-identity ${fromDomain} --region ${region}, then publish its DKIM records), or send from an identity that is verified there. `
            : `Verify each recipient in SES in ${region} (aws sesv2 create-email-identity --email-identity <address> --region ${region}), or move the account out of the sandbox. `) +
          SANDBOX_NOTE,
        cause: error
      }
    );
  }
  if (name === 'MessageRejected') {
    return new DockyardError(`SES rejected the message from '${fromAddress}' in ${region}.${said}`, {
      hint: 'SES refuses messages it considers invalid, such as one over the size limit or one containing a virus; the reason is in its answer above. The email was not sent.',
      cause: error
    });
  }
  if (name === 'MailFromDomainNotVerifiedException') {
    return new DockyardError(
      `SES could not send from '${fromAddress}': the custom MAIL FROM domain configured for its identity ('${fromDomain}' or the address) is not verified; SES could not find the domain's MX record.${said}`,
      {
        input: 'from',
        hint: `Publish the MX and SPF (TXT) records that the SES console shows for the MAIL FROM domain, or let SES fall back to amazonses.com: aws sesv2 put-email-identity-mail-from-attributes --email-identity ${fromDomain} --behavior-on-mx-failure USE_DEFAULT_VALUE --region ${region}.`,
        cause: error
      }
    );
  }
  if (name === 'SendingPausedException') {
    const where = message.configurationSet
      ? `for this account in ${region} or for the configuration set '${message.configurationSet}'`
      : `for this account in ${region}`;
    return new DockyardError(`SES is not sending: email sending is paused ${where}.${said}`, {
      input: message.configurationSet ? 'configuration-set' : undefined,
      hint:
        'SES pauses sending when bounce or complaint rates get too high, or someone paused it. Find the cause in the SES console (Reputation metrics), then resume: ' +
        `aws sesv2 put-account-sending-attributes --sending-enabled --region ${region}` +
        (message.configurationSet
          ? `, or for the configuration set: aws sesv2 put-configuration-set-sending-options --configuration-set-name ${message.configurationSet} --sending-enabled --region ${region}.`
          : '.'),
      cause: error
    });
  }
  if (name === 'AccountSuspendedException') {
    return new DockyardError(
      `SES is not sending: this AWS account's ability to send email in ${region} has been suspended.${said}`,
      {
        hint: 'AWS restricted sending for the account, usually after a review of bounces or complaints; no setting in this workflow can fix that. Contact AWS Support from the SES console (Account dashboard).',
        cause: error
      }
    );
  }
  if (name === 'NotFoundException' && message.configurationSet) {
    return new DockyardError(
      `SES has no configuration set '${message.configurationSet}' in ${region}.${said}`,
      {
        input: 'configuration-set',
        hint: `Create it (aws sesv2 create-configuration-set --configuration-set-name ${message.configurationSet} --region ${region}), or leave 'configuration-set' empty.`,
        cause: error
      }
    );
  }
  if (isThrottling(error)) {
    return new DockyardError(`SES kept throttling the request.${said}`, {
      hint: "The account's maximum send rate was reached (1 message a second in the sandbox), possibly by other senders in the same account and region. Re-run the job, or request a higher sending quota.",
      cause: error
    });
  }
  if (name === 'BadRequestException') {
    return new DockyardError(`SES refused the request as invalid.${said}`, {
      hint: "Check the addresses in 'from', 'to', 'cc', 'bcc' and 'reply-to'.",
      cause: error
    });
  }
  return new DockyardError(`Sending through SES in ${region} failed.${said}`, { cause: error });
}
