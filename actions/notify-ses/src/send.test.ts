import { afterEach, describe, expect, it } from '@jest/globals';
import {
  AccountSuspendedException,
  BadRequestException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SendEmailCommand,
  SendingPausedException,
  SESv2Client,
  TooManyRequestsException
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { DockyardError, explainAccessDenied, memoryLogger } from '../../../core/index.js';
import {
  buildSendEmailRequest,
  deliver,
  encodeMailbox,
  explainSendError,
  identitiesIn,
  type EmailMessage
} from './send.js';

const message: EmailMessage = {
  from: 'Deploys <deploys@example.com>',
  to: ['a@example.com', 'Bée <b@example.com>'],
  cc: ['c@example.com'],
  bcc: [],
  replyTo: ['oncall@example.com'],
  subject: '[FAILED] octo/app · production · deploy-ecs web',
  html: '<p>html</p>',
  text: 'text'
};
const context = { region: 'eu-west-1' };
const $metadata = { httpStatusCode: 400 };

const ses = mockClient(SESv2Client);
afterEach(() => {
  ses.reset();
});

function client(): SESv2Client {
  return new SESv2Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' }
  });
}

describe('buildSendEmailRequest', () => {
  it('uses Simple content with UTF-8 subject, HTML and text, and every address list', () => {
    expect(
      buildSendEmailRequest({ ...message, bcc: ['d@example.com'], configurationSet: 'deploys' })
    ).toEqual({
      FromEmailAddress: 'Deploys <deploys@example.com>',
      Destination: {
        ToAddresses: ['a@example.com', '=?UTF-8?B?QsOpZQ==?= <b@example.com>'],
        CcAddresses: ['c@example.com'],
        BccAddresses: ['d@example.com']
      },
      ReplyToAddresses: ['oncall@example.com'],
      ConfigurationSetName: 'deploys',
      Content: {
        Simple: {
          Subject: { Data: '[FAILED] octo/app · production · deploy-ecs web', Charset: 'UTF-8' },
          Body: { Html: { Data: '<p>html</p>', Charset: 'UTF-8' }, Text: { Data: 'text', Charset: 'UTF-8' } }
        }
      }
    });
  });

  it('leaves out empty lists and the configuration set', () => {
    const request = buildSendEmailRequest({ ...message, cc: [], replyTo: [] });
    expect(request.Destination?.CcAddresses).toBeUndefined();
    expect(request.Destination?.BccAddresses).toBeUndefined();
    expect(request.ReplyToAddresses).toBeUndefined();
    expect(request.ConfigurationSetName).toBeUndefined();
  });
});

describe('encodeMailbox', () => {
  it.each([
    ['a@example.com', 'a@example.com'],
    ['Deploy Bot <a@example.com>', 'Deploy Bot <a@example.com>'],
    ['"Ops, Team" <a@example.com>', '"Ops, Team" <a@example.com>'],
    ['Dr. "Who" <a@example.com>', '"Dr. \\"Who\\"" <a@example.com>'],
    ['Équipe déploiement <a@example.com>', '=?UTF-8?B?w4lxdWlwZSBkw6lwbG9pZW1lbnQ=?= <a@example.com>']
  ])('%s → %s', (input, encoded) => {
    expect(encodeMailbox(input)).toBe(encoded);
  });
});

describe('deliver', () => {
  it('sends once and returns the message id', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: '0100018c-abc' });
    const log = memoryLogger();
    const result = await deliver(client(), message, context, log);
    expect(result).toEqual({ sent: true, messageId: '0100018c-abc' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(ses.commandCalls(SendEmailCommand)[0].args[0].input).toEqual(buildSendEmailRequest(message));
    expect(log.text()).toContain('From Deploys <deploys@example.com> to 3 recipient(s) in eu-west-1.');
    expect(log.text()).toContain('SES accepted the message: 0100018c-abc');
  });

  it('returns a failure instead of throwing', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address not verified deploys@example.com', $metadata }));
    const result = await deliver(client(), message, context, memoryLogger());
    expect(result.sent).toBe(false);
    expect(!result.sent && result.error).toBeInstanceOf(DockyardError);
  });

  it('fails before calling SES when there are no credentials', async () => {
    const saved = { ...process.env };
    for (const k of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_PROFILE',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'
    ])
      delete process.env[k];
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
    process.env.AWS_CONFIG_FILE = '/nonexistent/config';
    try {
      const result = await deliver(
        new SESv2Client({ region: 'eu-west-1' }),
        message,
        context,
        memoryLogger()
      );
      expect(result.sent).toBe(false);
      expect(!result.sent && result.error.message).toBe('No AWS credentials were found.');
      expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    } finally {
      process.env = saved;
    }
  });

  it('treats an answer without a message id as not sent', async () => {
    ses.on(SendEmailCommand).resolves({});
    const result = await deliver(client(), message, context, memoryLogger());
    expect(!result.sent && result.error.message).toContain('SES answered without a MessageId.');
  });
});

describe('explainSendError', () => {
  const explain = (error: unknown, m: EmailMessage = message) => explainSendError(error, m, context);

  it('names the unverified sender (real SES wording) and the sandbox', () => {
    const e = explain(
      new MessageRejected({
        message:
          'Email address is not verified. The following identities failed the check in region EU-WEST-1: deploys@example.com',
        $metadata
      })
    );
    expect(e.input).toBe('from');
    expect(e.message).toMatch(
      /^SES refused the message: 'deploys@example.com' is not verified for sending in eu-west-1\./
    );
    expect(e.hint).toContain(
      "Verify the sender 'deploys@example.com' or its domain 'example.com' in SES in eu-west-1"
    );
    expect(e.hint).toContain('sandbox');
    expect(e.hint).toContain('only to verified addresses');
  });

  it('names the unverified sender (moto wording)', () => {
    const e = explain(
      new MessageRejected({ message: 'Email address not verified Deploys <deploys@example.com>', $metadata })
    );
    expect(e.input).toBe('from');
    expect(e.message).toContain("'deploys@example.com' is not verified");
  });

  it('names unverified recipients and says the account is in the sandbox', () => {
    const e = explain(
      new MessageRejected({
        message:
          'Email address is not verified. The following identities failed the check in region EU-WEST-1: a@example.com, b@example.com',
        $metadata
      })
    );
    expect(e.input).toBe('to');
    expect(e.message).toContain(
      "'a@example.com', 'b@example.com' are not verified for sending in eu-west-1."
    );
    expect(e.message).toContain('most likely still in the SES sandbox');
    expect(e.hint).toContain('Verify each recipient');
  });

  it('passes other rejections through with what SES said', () => {
    const e = explain(new MessageRejected({ message: 'Message length is more than 40 MB', $metadata }));
    expect(e.message).toContain('SES said: MessageRejected: Message length is more than 40 MB.');
    expect(e.input).toBeUndefined();
  });

  it('explains an unverified MAIL FROM domain', () => {
    const e = explain(
      new MailFromDomainNotVerifiedException({ message: 'MAIL FROM domain not verified', $metadata })
    );
    expect(e.input).toBe('from');
    expect(e.message).toContain('custom MAIL FROM domain');
    expect(e.hint).toContain('--behavior-on-mx-failure USE_DEFAULT_VALUE');
  });

  it('explains paused sending, for the account and for a configuration set', () => {
    const paused = new SendingPausedException({ message: 'Sending paused', $metadata });
    expect(explain(paused).message).toContain('email sending is paused for this account in eu-west-1');
    expect(explain(paused).hint).toContain('put-account-sending-attributes --sending-enabled');
    const withSet = explain(paused, { ...message, configurationSet: 'deploys' });
    expect(withSet.input).toBe('configuration-set');
    expect(withSet.message).toContain("or for the configuration set 'deploys'");
    expect(withSet.hint).toContain(
      'put-configuration-set-sending-options --configuration-set-name deploys --sending-enabled'
    );
  });

  it('explains a suspended account', () => {
    const e = explain(new AccountSuspendedException({ message: 'Account suspended', $metadata }));
    expect(e.message).toContain('has been suspended');
    expect(e.hint).toContain('AWS Support');
  });

  it('names a missing configuration set', () => {
    const e = explain(
      new NotFoundException({ message: 'Configuration set <nope> does not exist.', $metadata }),
      {
        ...message,
        configurationSet: 'nope'
      }
    );
    expect(e.input).toBe('configuration-set');
    expect(e.message).toContain("SES has no configuration set 'nope' in eu-west-1.");
  });

  it('says when throttling outlasted the retries', () => {
    const e = explain(
      new TooManyRequestsException({
        message: 'Maximum sending rate exceeded.',
        $metadata: { httpStatusCode: 429, attempts: 8 }
      })
    );
    expect(e.message).toBe(
      'SES kept throttling the request. SES said: TooManyRequestsException: Maximum sending rate exceeded.'
    );
    expect(e.hint).toContain('maximum send rate');
  });

  it('explains a bad request and anything else with what SES said', () => {
    expect(explain(new BadRequestException({ message: 'Missing final @domain', $metadata })).message).toBe(
      'SES refused the request as invalid. SES said: BadRequestException: Missing final @domain.'
    );
    expect(
      explain(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })).message
    ).toBe('Sending through SES in eu-west-1 failed. SES said: Error: connect ECONNREFUSED 127.0.0.1:1.');
  });

  it("keeps core's AccessDenied explanation (it names ses:SendEmail)", () => {
    const denied = explainAccessDenied(new Error('not authorized'), 'ses:SendEmail');
    expect(explain(denied)).toBe(denied);
  });
});

describe('identitiesIn', () => {
  it.each([
    [
      'Email address is not verified. The following identities failed the check in region US-EAST-1: a@x.com, x.com',
      ['a@x.com', 'x.com']
    ],
    ['Email address not verified a@x.com', ['a@x.com']],
    ['Email address not verified Name <a@x.com>', ['a@x.com']],
    ['Email address is not verified.', []]
  ])('%s', (text, identities) => {
    expect(identitiesIn(text)).toEqual(identities);
  });
});
