import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, recordInputSource } from '../../../core/index.js';
import { DEFAULT_SUBJECT } from './placeholders.js';
import { MAX_RECIPIENTS, getInputs, parseMailbox } from './inputs.js';

const root = new URL('../../../', import.meta.url).pathname;
const failureReport = readFileSync(join(root, 'examples/reports/deploy-ecs-failure.json'), 'utf8');
const buildReport = readFileSync(join(root, 'examples/reports/build-push.json'), 'utf8');

const base = {
  from: 'Deploys <deploys@example.com>',
  to: 'team@example.com',
  reports: failureReport,
  region: 'eu-west-1'
};

function read(values: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  return getInputs(recordInputSource(values), { env });
}

function problems(values: Record<string, string>, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    read(values, env);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems.map(p => `${p.input}: ${p.message}`);
  }
  throw new Error('expected an InputError');
}

describe('getInputs', () => {
  it('reads a full configuration', () => {
    const inputs = read({
      ...base,
      to: 'a@example.com, Bee <b@example.com>\nc@example.com',
      cc: 'd@example.com',
      bcc: 'e@example.com,\nf@example.com',
      'reply-to': 'oncall@example.com',
      subject: '${var.status}: ${var.repository}',
      status: 'Failure',
      environment: 'production',
      'configuration-set': 'deploy-mail_1',
      'fail-on-error': 'true'
    });
    expect(inputs).toMatchObject({
      from: 'Deploys <deploys@example.com>',
      to: ['a@example.com', 'Bee <b@example.com>', 'c@example.com'],
      cc: ['d@example.com'],
      bcc: ['e@example.com', 'f@example.com'],
      replyTo: ['oncall@example.com'],
      subjectTemplate: '${var.status}: ${var.repository}',
      status: 'failure',
      environment: 'production',
      configurationSet: 'deploy-mail_1',
      failOnError: true,
      region: 'eu-west-1'
    });
    expect(inputs.reports.map(r => r.action)).toEqual(['deploy-ecs']);
  });

  it('defaults: the documented subject, no status override, fail-on-error false, region from the environment', () => {
    const inputs = read({ ...base, region: '' }, { AWS_REGION: 'us-west-2' });
    expect(inputs.subjectTemplate).toBe(DEFAULT_SUBJECT);
    expect(inputs.status).toBeUndefined();
    expect(inputs.failOnError).toBe(false);
    expect(inputs.region).toBe('us-west-2');
    expect(inputs.cc).toEqual([]);
  });

  it.each([
    ['success', 'success'],
    ['SUCCESS', 'success'],
    ['failure', 'failure'],
    ['cancelled', 'cancelled'],
    ['canceled', 'cancelled'],
    ['skipped', 'skipped']
  ])('maps the job status %s', (text, status) => {
    expect(read({ ...base, status: text }).status).toBe(status);
  });

  it('reads several reports, as a JSON array or one a line', () => {
    const oneLine = (json: string) => JSON.stringify(JSON.parse(json));
    expect(
      read({ ...base, reports: `${oneLine(buildReport)}\n${oneLine(failureReport)}` }).reports
    ).toHaveLength(2);
    expect(read({ ...base, reports: `[${buildReport},${failureReport}]` }).reports).toHaveLength(2);
  });

  it('reads report files: a directory in name order, and a file; what is wrong names the file', () => {
    const ws = realpathSync(mkdtempSync(join(tmpdir(), 'notify-report-files-')));
    mkdirSync(join(ws, 'reports'));
    writeFileSync(join(ws, 'reports', 't002-production.json'), failureReport);
    writeFileSync(join(ws, 'reports', 't001-staging.json'), buildReport);
    writeFileSync(join(ws, 'reports', 'notes.txt'), 'not a report');
    writeFileSync(join(ws, 'one.json'), failureReport);
    writeFileSync(join(ws, 'broken.json'), '{"schema":');
    const env = { GITHUB_WORKSPACE: ws };
    const inputs = read({ ...base, reports: '', 'report-files': 'reports\none.json' }, env);
    expect(inputs.reports.map(r => r.action)).toEqual(['build-push', 'deploy-ecs', 'deploy-ecs']);
    expect(problems({ ...base, reports: '', 'report-files': 'broken.json\n../outside' }, env)).toEqual([
      expect.stringMatching(/^report-files: line 1: .*broken\.json: line 1 is not valid JSON/),
      expect.stringMatching(/^report-files: line 2: '\.\.\/outside' is outside the workspace/)
    ]);
  });

  it('accepts no reports when a status is given (the deploy job failed before writing one)', () => {
    expect(read({ ...base, reports: '', status: 'failure' }).reports).toEqual([]);
  });

  it('names every problem at once, each with its input', () => {
    expect(
      problems({
        from: 'not-an-address',
        to: 'ok@example.com, bad@, also bad@example.com',
        cc: 'x@localhost',
        'reply-to': 'Name <a@b.c',
        subject: '[${var.stauts}] ${var.repository}',
        status: 'maybe',
        reports: '{"schema":"dockyard.report/v1"',
        'configuration-set': 'has spaces',
        'fail-on-error': 'perhaps',
        region: 'Europe'
      })
    ).toEqual([
      "from: 'not-an-address' is not an email address (no 'name@domain').",
      "to: 'bad@' has an invalid domain ('').",
      "to: 'also bad@example.com' has an invalid part before the '@' ('also bad').",
      "cc: 'x@localhost' has an invalid domain ('localhost').",
      "reply-to: 'Name <a@b.c' has a '<' or '>' out of place (write 'Name <name@example.com>').",
      'subject: uses an unknown placeholder ${var.stauts}.',
      "status: 'maybe' is not a job status.",
      expect.stringMatching(/^reports: line 1 is not valid JSON/),
      "configuration-set: 'has spaces' is not a configuration set name.",
      "fail-on-error: 'perhaps' is not a boolean.",
      "region: 'Europe' is not an AWS region."
    ]);
  });

  it('requires from, to, and reports or a status', () => {
    expect(problems({ region: 'eu-west-1' })).toEqual([
      'from: is required.',
      'to: is required.',
      'reports: is empty and no status was given, so there is nothing to report.'
    ]);
  });

  it('needs a region', () => {
    expect(problems({ ...base, region: '' })).toEqual(['region: no AWS region is set.']);
  });

  it('takes one sender, whose quoted name may hold a comma', () => {
    expect(problems({ ...base, from: 'a@example.com, b@example.com' })).toEqual(['from: takes one address.']);
    expect(problems({ ...base, from: 'a@example.com\nb@example.com' })).toEqual(['from: takes one address.']);
    expect(read({ ...base, from: '"Ops, Team" <ops@example.com>' }).from).toBe(
      '"Ops, Team" <ops@example.com>'
    );
  });

  it('refuses a report of another schema', () => {
    const v2 = failureReport.replace('dockyard.report/v1', 'dockyard.report/v2');
    expect(problems({ ...base, reports: v2 })).toEqual([
      "reports: report 1 has schema 'dockyard.report/v2'; this version reads 'dockyard.report/v1'."
    ]);
  });

  it(`refuses more than ${MAX_RECIPIENTS} recipients`, () => {
    const many = Array.from({ length: 30 }, (_, i) => `p${i}@example.com`).join(',');
    expect(problems({ ...base, to: many, bcc: many })).toEqual([
      `to: has 60 recipients with cc and bcc; SES accepts at most ${MAX_RECIPIENTS} per message.`
    ]);
  });

  describe('template', () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'notify-template-')));
    const dir = join(root, 'ws');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'ok.html'),
      '<html><body>${var.title} ${var.commit_message} ${var.reports}</body></html>'
    );
    writeFileSync(join(dir, 'typo.html'), '<p>${var.titel} ${var.reports} ${var.colour}</p>');
    writeFileSync(join(dir, 'unmarked.html'), '<p>${title} ${commit_message} ${var.reports} ${HOME}</p>');
    writeFileSync(join(dir, 'script.html'), '<p>${var.title}</p><SCRIPT>alert(1)</SCRIPT>');
    writeFileSync(join(root, 'outside.html'), '<p>outside</p>');
    symlinkSync(join(root, 'outside.html'), join(dir, 'link.html'));

    it('reads a template relative to the workspace', () => {
      const inputs = read({ ...base, template: 'ok.html' }, { GITHUB_WORKSPACE: dir });
      expect(inputs.template).toEqual({
        path: join(dir, 'ok.html'),
        content: '<html><body>${var.title} ${var.commit_message} ${var.reports}</body></html>'
      });
      expect(
        getInputs(recordInputSource({ ...base, template: 'ok.html' }), { env: {}, workspace: dir }).template
          ?.path
      ).toBe(join(dir, 'ok.html'));
    });

    it('names a missing template', () => {
      expect(problems({ ...base, template: 'missing.html' }, { GITHUB_WORKSPACE: dir })).toEqual([
        `template: 'missing.html' does not exist (looked for ${join(dir, 'missing.html')}).`
      ]);
      expect(problems({ ...base, template: '.' }, { GITHUB_WORKSPACE: dir })).toEqual([
        "template: '.' is not a file."
      ]);
    });

    it('refuses a template outside the workspace, by .., an absolute path or a symlink', () => {
      expect(problems({ ...base, template: '../../../../etc/passwd' }, { GITHUB_WORKSPACE: dir })).toEqual([
        `template: '../../../../etc/passwd' is outside the workspace (${dir}).`
      ]);
      expect(problems({ ...base, template: '/etc/passwd' }, { GITHUB_WORKSPACE: dir })).toEqual([
        `template: '/etc/passwd' is outside the workspace (${dir}).`
      ]);
      expect(problems({ ...base, template: 'link.html' }, { GITHUB_WORKSPACE: dir })).toEqual([
        `template: 'link.html' leads outside the workspace through a symbolic link (to ${join(root, 'outside.html')}).`
      ]);
    });

    it('names unknown and unmarked placeholders, and refuses scripts', () => {
      expect(problems({ ...base, template: 'typo.html' }, { GITHUB_WORKSPACE: dir })).toEqual([
        "template: 'typo.html' uses unknown placeholders ${var.titel}, ${var.colour}."
      ]);
      expect(problems({ ...base, template: 'unmarked.html' }, { GITHUB_WORKSPACE: dir })).toEqual([
        "template: ${title}, ${commit_message} in 'unmarked.html' name declared values without the 'var.' marker."
      ]);
      expect(problems({ ...base, template: 'script.html' }, { GITHUB_WORKSPACE: dir })).toEqual([
        "template: 'script.html' contains a <script> element."
      ]);
    });
  });
});

describe('parseMailbox', () => {
  it.each([
    ['deploys@example.com', { address: 'deploys@example.com', name: undefined }],
    ['Deploy Bot <deploys@example.com>', { address: 'deploys@example.com', name: 'Deploy Bot' }],
    ['"Ops, Team" <ops@mail.example.co.uk>', { address: 'ops@mail.example.co.uk', name: 'Ops, Team' }],
    ['Équipe <deploys@example.com>', { address: 'deploys@example.com', name: 'Équipe' }],
    ['first.last+tag@sub.example.com', { address: 'first.last+tag@sub.example.com', name: undefined }],
    ['a@xn--bcher-kva.example', { address: 'a@xn--bcher-kva.example', name: undefined }]
  ])('accepts %s', (text, expected) => {
    expect(parseMailbox(text)).toMatchObject(expected);
  });

  it.each([
    ['plain', "no 'name@domain'"],
    ['a@b', 'invalid domain'],
    ['.a@example.com', 'invalid part before'],
    ['a..b@example.com', 'invalid part before'],
    ['a@bücher.example', 'non-ASCII'],
    ['ü@example.com', 'non-ASCII'],
    ['a@-example.com', 'invalid domain'],
    ['Evil\r\nBcc: x@example.com <a@example.com>', 'line break'],
    ['a <b> <c@example.com>', 'angle bracket'],
    ['a@b.c', 'invalid domain']
  ])('refuses %j', (text, reason) => {
    expect(parseMailbox(text)).toEqual(expect.stringContaining(reason));
  });
});
