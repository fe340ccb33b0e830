/**
 * notify-ses end to end: the bundle (dist/notify-ses/index.js) run like the GitHub runner runs it,
 * against moto's SES v2 (the run's moto, behind a recording proxy). Like SES in the sandbox, moto refuses
 * (MessageRejected) a sender that is not a verified identity (address or domain). The messages moto accepted
 * are read on the way, as moto stores them, rather than from /moto-api/data.json, which dumps everything the
 * run's other tests put in the shared moto and slows down as they do.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitReport, REPORT_MAX_BYTES, type Report } from '../core/index.js';
import { mdPlain } from '../core/summary.js';
import { startRecordingProxy, type RecordingProxy } from '../sim/ecs/proxy.js';
import { awsEnv, TEST_REGION, useMoto, type Moto } from '../sim/moto.js';
import { ROOT, runAction } from '../sim/runner.js';

interface MotoMessage {
  id: string;
  source: string;
  subject: string;
  body: string;
  destinations: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
}

const report = (name: string) =>
  JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'examples/reports', `${name}.json`), 'utf8')));
const reports = `${report('build-push')}\n${report('deploy-ecs-failure')}`;
const hostileCommit = 'Fix <script>alert("owned")</script> & <img src=x onerror=alert(1)>';
const event = { head_commit: { message: hostileCommit } };

let moto: Moto;
let proxy: RecordingProxy;
/** The environment that points the action at moto, through the proxy. */
let env: Record<string, string>;
const sent: MotoMessage[] = [];

/** What moto's SES v2 keeps of a message it accepted (moto/sesv2/responses.py): Simple content's HTML, else its text. */
function asStored(params: Record<string, unknown>, answer: string): MotoMessage {
  const { FromEmailAddress, Destination, Content } = params as {
    FromEmailAddress: string;
    Destination?: MotoMessage['destinations'];
    Content: {
      Simple: { Subject: { Data: string }; Body: { Html?: { Data: string }; Text?: { Data: string } } };
    };
  };
  const { Subject, Body } = Content.Simple;
  return {
    id: (JSON.parse(answer) as { MessageId: string }).MessageId,
    source: FromEmailAddress,
    subject: Subject.Data,
    body: Body.Html?.Data ?? Body.Text?.Data ?? '',
    destinations: Destination ?? {}
  };
}

async function sentMessages(): Promise<MotoMessage[]> {
  return [...sent];
}

function run(inputs: Record<string, string>) {
  return runAction('notify-ses', {
    inputs: { environment: 'production', reports, ...inputs },
    env,
    event
  });
}

beforeAll(async () => {
  moto = await useMoto();
  proxy = await startRecordingProxy(moto.endpoint);
  proxy.setHandler(async (request, forward) => {
    const answer = await forward();
    if (request.operation === 'SendEmail' && answer.status === 200)
      sent.push(asStored(request.params, answer.body));
    return answer;
  });
  env = awsEnv(proxy.endpoint);
  const ses = new SESv2Client({
    region: TEST_REGION,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
  // The run's moto is shared: the identities may be there already.
  for (const identity of ['deploys@example.com', 'example.org'])
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: identity })).catch((e: Error) => {
      if (e.name !== 'AlreadyExistsException') throw e;
    });
  ses.destroy();
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

describe('notify-ses on moto SES v2', () => {
  it('sends from a verified identity; moto records the message as rendered', async () => {
    const result = await run({
      from: 'Dockyard Deploys <deploys@example.com>',
      to: 'dev@example.com,\nops@example.com',
      cc: 'lead@example.com',
      bcc: 'audit@example.com',
      'reply-to': 'oncall@example.com'
    });
    expect(result.code).toBe(0);
    expect(result.outputs.sent).toBe('true');
    const message = (await sentMessages()).find(m => m.id === result.outputs['message-id']);
    expect(message).toBeDefined();
    expect(message).toMatchObject({
      source: 'Dockyard Deploys <deploys@example.com>',
      subject: '[FAILED] octo/app · production · deploy-ecs web',
      destinations: {
        ToAddresses: ['dev@example.com', 'ops@example.com'],
        CcAddresses: ['lead@example.com'],
        BccAddresses: ['audit@example.com']
      }
    });
    // Moto keeps the HTML part of Simple content.
    const html = message!.body;
    expect(html).toContain(
      'Fix &lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;'
    );
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain(
      'href="https://github.com/octo/app/commit/0123456789abcdef0123456789abcdef01234567"'
    );
    expect(html).toContain('href="https://github.com/octo/app/actions/runs/4242"');
    expect(html).toContain('Stopped task 8f14e45fceea (container web)');
    expect(html).toContain('build-push · web');

    expect(result.summary).toContain('## Email sent');
    expect(result.summary).toContain(`| **Message ID** | \`${result.outputs['message-id']}\` |`);
    expect(mdPlain(result.summary)).not.toContain('audit@example.com');
    expect(JSON.parse(result.outputs.report)).toMatchObject({
      schema: 'dockyard.report/v1',
      action: 'notify-ses',
      status: 'success',
      outcome: 'SENT'
    });
    expect(result.stdout).toContain('::group::Sending through SES');
  });

  it('sends from an address whose domain is the verified identity', async () => {
    const result = await run({
      from: 'alerts@example.org',
      to: 'dev@example.com',
      reports: report('deploy-ecs-success')
    });
    expect(result.code).toBe(0);
    const message = (await sentMessages()).find(m => m.id === result.outputs['message-id']);
    expect(message?.subject).toBe('[SUCCEEDED] octo/app · production · deploy-ecs web');
  });

  it('sends with only a status when the deploy job failed before writing a report, and says none arrived', async () => {
    const result = await run({
      from: 'deploys@example.com',
      to: 'dev@example.com',
      reports: '',
      status: 'failure'
    });
    expect(result.code).toBe(0);
    const message = (await sentMessages()).find(m => m.id === result.outputs['message-id']);
    expect(message?.subject).toBe('[FAILED] octo/app · production');
    expect(message?.body).toContain('No Dockyard report reached this step');
    expect(result.commands).toContainEqual(
      expect.objectContaining({
        name: 'notice',
        data: expect.stringMatching(/^No Dockyard report reached this step/)
      })
    );
  });

  it('prints what reports and commits say as data: no line of it runs as a workflow command', async () => {
    const injected = [
      '::add-mask::octo',
      '::set-output name=injected::yes',
      '##[set-output name=injected;]yes',
      '::warning::forged',
      '::error file=app.js,line=1::forged',
      '::stop-commands::forged',
      '  ::endgroup::'
    ];
    const deploy = {
      ...JSON.parse(report('deploy-ecs-failure')),
      subject: 'web ##[set-output name=injected;]yes',
      summary: 'Failed. ##[warning]forged',
      diagnostics: [{ title: 'Last log lines', severity: 'error', lines: injected }]
    };
    const result = await runAction('notify-ses', {
      inputs: { from: 'deploys@example.com', to: 'dev@example.com', reports: JSON.stringify(deploy) },
      env,
      event: { head_commit: { message: `Fix\n${injected.join('\n')}` } }
    });
    expect(result.code).toBe(0);
    expect(result.outputs.sent).toBe('true');
    expect(result.outputs.injected).toBeUndefined();
    expect(result.stdout).toContain(
      'Subject: [FAILED] octo/app · deploy-ecs web ##[set-output name=injected;]yes'
    );
    const executed = result.commands.filter(c => !['group', 'endgroup', 'debug'].includes(c.name));
    // What a stop-commands block executes: its start and its end, under a token nobody could guess.
    expect(executed.length).toBeGreaterThan(0);
    for (const c of executed) expect(c.name).toMatch(/^(stop-commands|[0-9a-f]{32})$/);
    expect(JSON.stringify(result.commands)).not.toMatch(/forged|injected/);
  });

  it('reads two reports shortened to the size a report output is kept to, and says they were shortened', async () => {
    // A failed deploy whose app logged a megabyte of long lines; the core keeps its report output under
    // REPORT_MAX_BYTES, and two such reports still fit in one input (an environment variable, 128 KiB on Linux).
    const long = (name: string) => {
      const base = JSON.parse(report(name)) as Report;
      const lines = Array.from({ length: 2000 }, (_, i) => `${i} ${'x'.repeat(270)}`);
      return JSON.stringify(
        fitReport({ ...base, diagnostics: [...base.diagnostics, { title: 'Log', severity: 'error', lines }] })
      );
    };
    const both = `${long('build-push')}\n${long('deploy-ecs-failure')}`;
    expect(Buffer.byteLength(both)).toBeGreaterThan(2 * REPORT_MAX_BYTES - 8 * 1024);
    const result = await run({ from: 'deploys@example.com', to: 'dev@example.com', reports: both });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Reports: build-push web (success, shortened), deploy-ecs web (failure, shortened)'
    );
    const message = (await sentMessages()).find(m => m.id === result.outputs['message-id']);
    expect(message?.body.match(/WARNING · Report shortened to fit/g)).toHaveLength(2);
    expect(message?.body).toContain('earlier lines left out');
  });

  it('fills a custom template from the workspace', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'notify-workspace-'));
    mkdirSync(join(workspace, '.github'));
    writeFileSync(
      join(workspace, '.github', 'email.html'),
      '<html><body><h1 style="color:${var.color}">${var.status} ${var.action} ${var.subject}</h1><p>${var.commit_message}</p><a href="${var.run_url}">run</a>${var.reports}</body></html>'
    );
    try {
      const result = await runAction('notify-ses', {
        inputs: {
          from: 'deploys@example.com',
          to: 'dev@example.com',
          reports,
          template: '.github/email.html'
        },
        env: { ...env, GITHUB_WORKSPACE: workspace },
        event
      });
      expect(result.code).toBe(0);
      const message = (await sentMessages()).find(m => m.id === result.outputs['message-id']);
      expect(message?.subject).toBe('[FAILED] octo/app · deploy-ecs web');
      expect(message?.body).toMatch(
        /^<html><body><h1 style="color:#cf222e">FAILED deploy-ecs web<\/h1><p>Fix &lt;script&gt;alert\(&quot;owned&quot;\)&lt;\/script&gt; &amp; &lt;img src=x onerror=alert\(1\)&gt;<\/p><a href="https:\/\/github.com\/octo\/app\/actions\/runs\/4242">run<\/a><table/
      );
      expect(message?.body).toContain('Stopped task 8f14e45fceea (container web)');
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('fails with the explained error for an unverified sender when fail-on-error is true', async () => {
    const before = (await sentMessages()).length;
    const result = await run({
      from: 'nobody@unverified.example',
      to: 'dev@example.com',
      'fail-on-error': 'true'
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "::error::Input 'from': SES refused the message: 'nobody@unverified.example' is not verified for sending in us-east-1."
    );
    expect(result.stdout).toContain(
      "Verify the sender 'nobody@unverified.example' or its domain 'unverified.example' in SES in us-east-1"
    );
    expect(result.stdout).toContain('it can send only to verified addresses');
    expect(result.stdout).toContain(
      'SES said: MessageRejected: Email address not verified nobody@unverified.example.'
    );
    expect(result.outputs.sent).toBe('false');
    expect(result.outputs['message-id']).toBeUndefined();
    expect(JSON.parse(result.outputs.report)).toMatchObject({
      action: 'notify-ses',
      status: 'failure',
      outcome: 'NOT_SENT'
    });
    expect(result.summary).toContain('## Email not sent');
    expect(await sentMessages()).toHaveLength(before);
  });

  it('leaves the step green with a warning for the same failure when fail-on-error is false (the default)', async () => {
    const result = await run({ from: 'nobody@unverified.example', to: 'dev@example.com' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /::warning title=Email not sent::Input 'from': SES refused the message: 'nobody@unverified\.example' is not verified for sending in us-east-1\..*fail-on-error is false, so this step stays green\./
    );
    expect(result.stdout).not.toContain('::error');
    expect(result.outputs.sent).toBe('false');
    expect(result.summary).toContain('## Email not sent');
  });

  it('fails on invalid inputs before calling SES, naming each one', async () => {
    const before = (await sentMessages()).length;
    const result = await run({
      from: 'deploys@example.com',
      to: 'dev@example.com, not-an-address',
      subject: '${var.stauts}'
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Input 'to': 'not-an-address' is not an email address");
    expect(result.stdout).toContain("Input 'subject': uses an unknown placeholder ${var.stauts}.");
    expect(result.outputs.sent).toBe('false');
    expect(JSON.parse(result.outputs.report)).toMatchObject({ status: 'failure', outcome: 'INVALID_INPUT' });
    expect(await sentMessages()).toHaveLength(before);
  });

  describe('a template outside the workspace, or with a forgotten placeholder, is refused before anything is sent', () => {
    let root: string;
    let workspace: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'notify-escape-'));
      workspace = join(root, 'ws');
      mkdirSync(workspace);
      writeFileSync(join(root, 'private.html'), '<p>PRIVATE-OUTSIDE-THE-WORKSPACE</p>');
      symlinkSync(join(root, 'private.html'), join(workspace, 'email.html'));
      writeFileSync(join(workspace, 'old.html'), '<h1>${status}</h1><p>${commit_message}</p>${var.reports}');
      writeFileSync(join(workspace, 'typo.html'), '<h1>${var.status}</h1><p>${var.commit_mesage}</p>');
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it.each([
      [
        'a path up and out',
        '../../../../etc/passwd',
        /Input 'template': '..\/..\/..\/..\/etc\/passwd' is outside the workspace/
      ],
      ['an absolute path', '/etc/passwd', /Input 'template': '\/etc\/passwd' is outside the workspace/],
      [
        'a symlink pointing out',
        'email.html',
        /Input 'template': 'email.html' leads outside the workspace through a symbolic link/
      ],
      [
        'the unmarked form of known names',
        'old.html',
        /Input 'template': \$\{status\}, \$\{commit_message\} in 'old.html' name declared values without the 'var.' marker/
      ],
      [
        'a misspelt placeholder',
        'typo.html',
        /Input 'template': 'typo.html' uses an unknown placeholder \$\{var.commit_mesage\}/
      ]
    ])('%s', async (_name, template, message) => {
      const before = (await sentMessages()).length;
      const result = await runAction('notify-ses', {
        inputs: { from: 'deploys@example.com', to: 'dev@example.com', reports, template },
        env,
        cwd: workspace,
        event
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(message);
      expect(result.output).not.toMatch(/root:x:0|PRIVATE-OUTSIDE/);
      expect(result.outputs.sent).toBe('false');
      expect(result.outputs.report).not.toMatch(/root:x:0|PRIVATE-OUTSIDE/);
      expect(result.summary).not.toMatch(/root:x:0|PRIVATE-OUTSIDE/);
      expect(await sentMessages()).toHaveLength(before);
    });
  });
});
