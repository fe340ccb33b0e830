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
  sentence,
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

/** An SES refusal, and what it is about. */
interface Refusal {
  error: unknown;
  /** What SES said. */
  aws: string;
  /** ` SES said: Name: message.`, the end of every explanation. */
  said: string;
  region: string;
  fromAddress: string;
  fromDomain: string;
  configurationSet?: string;
}

function notVerified(f: Refusal): DockyardError {
  const named = identitiesIn(f.aws);
  const identities = named.length > 0 ? named : [f.fromAddress];
  const lower = identities.map(i => i.toLowerCase());
  const senderFailed =
    lower.includes(f.fromAddress.toLowerCase()) || lower.includes(f.fromDomain.toLowerCase());
  const which = identities.map(i => `'${i}'`).join(', ');
  const recipientNote = senderFailed
    ? ''
    : ' These are recipients, so the account is most likely still in the SES sandbox.';
  const fix = senderFailed
    ? `Verify the sender '${f.fromAddress}' or its domain '${f.fromDomain}' in SES in ${f.region} (aws sesv2 create-email-identity --email-identity ${f.fromDomain} --region ${f.region}, then publish its DKIM records), or send from an identity that is verified there. `
    : `Verify each recipient in SES in ${f.region} (aws sesv2 create-email-identity --email-identity <address> --region ${f.region}), or move the account out of the sandbox. `;
  return new DockyardError(
    `SES refused the message: ${which} ${identities.length === 1 ? 'is' : 'are'} not verified for sending in ${f.region}.${recipientNote}${f.said}`,
    { input: senderFailed ? 'from' : 'to', hint: fix + SANDBOX_NOTE, cause: f.error }
  );
}

function sendingPaused(f: Refusal): DockyardError {
  const set = f.configurationSet;
  const where = set
    ? `for this account in ${f.region} or for the configuration set '${set}'`
    : `for this account in ${f.region}`;
  return new DockyardError(`SES is not sending: email sending is paused ${where}.${f.said}`, {
    input: set ? 'configuration-set' : undefined,
    hint:
      'SES pauses sending when bounce or complaint rates get too high, or someone paused it. Find the cause in the SES console (Reputation metrics), then resume: ' +
      `aws sesv2 put-account-sending-attributes --sending-enabled --region ${f.region}` +
      (set
        ? `, or for the configuration set: aws sesv2 put-configuration-set-sending-options --configuration-set-name ${set} --sending-enabled --region ${f.region}.`
        : '.'),
    cause: f.error
  });
}

/** The explanation of each SES error by name; undefined where the error is not of that kind after all. */
const EXPLANATIONS: Record<string, (f: Refusal) => DockyardError | undefined> = {
  MessageRejected: f =>
    /not verified/i.test(f.aws)
      ? notVerified(f)
      : new DockyardError(`SES rejected the message from '${f.fromAddress}' in ${f.region}.${f.said}`, {
          hint: 'SES refuses messages it considers invalid, such as one over the size limit or one containing a virus; the reason is in its answer above. The email was not sent.',
          cause: f.error
        }),
  MailFromDomainNotVerifiedException: f =>
    new DockyardError(
      `SES could not send from '${f.fromAddress}': the custom MAIL FROM domain configured for its identity ('${f.fromDomain}' or the address) is not verified; SES could not find the domain's MX record.${f.said}`,
      {
        input: 'from',
        hint: `Publish the MX and SPF (TXT) records that the SES console shows for the MAIL FROM domain, or let SES fall back to amazonses.com: aws sesv2 put-email-identity-mail-from-attributes --email-identity ${f.fromDomain} --behavior-on-mx-failure USE_DEFAULT_VALUE --region ${f.region}.`,
        cause: f.error
      }
    ),
  SendingPausedException: sendingPaused,
  AccountSuspendedException: f =>
    new DockyardError(
      `SES is not sending: this AWS account's ability to send email in ${f.region} has been suspended.${f.said}`,
      {
        hint: 'AWS restricted sending for the account, usually after a review of bounces or complaints; no setting in this workflow can fix that. Contact AWS Support from the SES console (Account dashboard).',
        cause: f.error
      }
    ),
  NotFoundException: f =>
    f.configurationSet
      ? new DockyardError(`SES has no configuration set '${f.configurationSet}' in ${f.region}.${f.said}`, {
          input: 'configuration-set',
          hint: `Create it (aws sesv2 create-configuration-set --configuration-set-name ${f.configurationSet} --region ${f.region}), or leave 'configuration-set' empty.`,
          cause: f.error
        })
      : undefined,
  BadRequestException: f =>
    new DockyardError(`SES refused the request as invalid.${f.said}`, {
      hint: "Check the addresses in 'from', 'to', 'cc', 'bcc' and 'reply-to'.",
      cause: f.error
    })
};

/** Turns an SES SendEmail failure into what went wrong, which identity or input, and the fix. */
export function explainSendError(error: unknown, message: EmailMessage, context: SendContext): DockyardError {
  if (error instanceof DockyardError) return error;
  const name = errorName(error);
  const aws = (error as Error)?.message ?? String(error);
  const from = parseMailbox(message.from);
  const fromAddress = typeof from === 'string' ? message.from : from.address;
  const refusal: Refusal = {
    error,
    aws,
    said: ` SES said: ${sentence(`${name}: ${aws}`)}`,
    region: context.region,
    fromAddress,
    fromDomain: fromAddress.split('@').pop() ?? '',
    configurationSet: message.configurationSet
  };
  const explained = Object.hasOwn(EXPLANATIONS, name) ? EXPLANATIONS[name](refusal) : undefined;
  if (explained) return explained;
  if (isThrottling(error))
    return new DockyardError(`SES kept throttling the request.${refusal.said}`, {
      hint: "The account's maximum send rate was reached (1 message a second in the sandbox), possibly by other senders in the same account and region. Re-run the job, or request a higher sending quota.",
      cause: error
    });
  return new DockyardError(`Sending through SES in ${context.region} failed.${refusal.said}`, {
    cause: error
  });
}
