import { describe, expect, it } from '@jest/globals';
import type { Report } from '../../../core/index.js';
import type { EmailInput } from './facts.js';
import {
  DEFAULT_SUBJECT,
  MAX_SUBJECT,
  SUBJECT_PLACEHOLDERS,
  TEMPLATE_PLACEHOLDERS,
  checkPlaceholders,
  placeholderValues,
  renderSubject
} from './placeholders.js';
import { renderEmail } from './render.js';
import { emailFor, example } from './testing/fixtures.js';

describe('subject template', () => {
  const values = placeholderValues(
    emailFor([...example('build-push'), ...example('deploy-ecs-failure')], { status: 'failure' })
  );

  it('defaults to [STATUS] repository · environment · action subject', () => {
    expect(renderSubject(DEFAULT_SUBJECT, values)).toBe('[FAILED] octo/app · production · deploy-ecs web');
  });

  it('drops a part that comes out empty, such as a missing environment', () => {
    expect(renderSubject(DEFAULT_SUBJECT, { ...values, environment: '' })).toBe(
      '[FAILED] octo/app · deploy-ecs web'
    );
    expect(renderSubject(DEFAULT_SUBJECT, { ...values, environment: '', action: '', subject: '' })).toBe(
      '[FAILED] octo/app'
    );
  });

  it('fills every documented placeholder', () => {
    const template = SUBJECT_PLACEHOLDERS.map(n => `${n}=\${var.${n}}`).join(';');
    expect(renderSubject(template, { ...values, summary: values.summary.slice(0, 20) })).toBe(
      'status=FAILED;repository=octo/app;environment=production;action=deploy-ecs;subject=web;' +
        'summary=The deployment of we;' +
        'ref=main;sha=1f2e3d4;actor=octocat;event=push;workflow=deploy;duration=19h 21m'
    );
  });

  it('keeps custom text, other ${...} and the $${var.NAME} escape around the placeholders', () => {
    expect(
      renderSubject(
        'Deploy ${var.status} (${var.sha} on ${var.ref}) by ${var.actor} ${{x}} $${var.ref}',
        values
      )
    ).toBe('Deploy FAILED (1f2e3d4 on main) by octocat ${{x}} ${var.ref}');
  });

  it('keeps the subject on one line and at most MAX_SUBJECT characters', () => {
    const subject = renderSubject('${var.status} ${var.subject}', {
      ...values,
      subject: `line one\r\nline two ${'x'.repeat(300)}`
    });
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject.startsWith('FAILED line one line two xxx')).toBe(true);
    expect(subject).toHaveLength(MAX_SUBJECT);
    expect(subject.endsWith('…')).toBe(true);
  });

  it('labels each status', () => {
    const reports = example('deploy-ecs-success');
    const subject = (status: EmailInput['status']) => renderEmail(emailFor(reports, { status })).subject;
    expect(subject('success')).toBe('[SUCCEEDED] octo/app · production · deploy-ecs web');
    expect(subject('cancelled')).toBe('[CANCELLED] octo/app · production · deploy-ecs web');
    expect(subject('skipped')).toBe('[SKIPPED] octo/app · production · deploy-ecs web');
  });

  it('works without reports when the status is given (a job that failed before writing one)', () => {
    const input = emailFor(example('deploy-ecs-success'), { status: 'failure', environment: 'staging' });
    expect(renderEmail({ ...input, reports: [] }).subject).toBe('[FAILED] octo/app · staging');
  });

  it('keeps CR, LF and other control characters out of the header, whatever a report or the template holds', () => {
    const [report] = example('deploy-ecs-failure');
    const hostile: Report = {
      ...report,
      action: 'deploy-ecs\r\nBcc: victim@example.com',
      subject: 'web\nX-Injected: 1',
      summary: 'ok\u2028\u2029\u0085\x00\x1b[31mred'
    };
    const input: EmailInput = emailFor([hostile], {
      status: 'failure',
      environment: 'prod\r\n\r\n<html>',
      subjectTemplate: '${var.status}\r\n${var.action} ${var.subject} ${var.environment} ${var.summary}\r\n'
    });
    const subject = renderEmail(input).subject;
    expect(subject).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
    expect(subject).toBe(
      'FAILED deploy-ecs Bcc: victim@example.com web X-Injected: 1 prod <html> ok \uFFFD\uFFFDred'
    );
  });

  it('refuses the placeholders it does not know and the unmarked form, before sending', () => {
    expect(() =>
      checkPlaceholders('${var.status} ${var.branch} ${var.stauts}', SUBJECT_PLACEHOLDERS, 'subject')
    ).toThrow('uses unknown placeholders ${var.branch}, ${var.stauts}.');
    expect(() => checkPlaceholders('[${status}]', SUBJECT_PLACEHOLDERS, 'subject')).toThrow(
      "${status} names a declared value without the 'var.' marker."
    );
    expect(() =>
      checkPlaceholders(
        '$status {status} ${{ job.status }} ${HOME} $${var.x}',
        SUBJECT_PLACEHOLDERS,
        'subject'
      )
    ).not.toThrow();
    // Every name a template may use, underscores included, is known.
    expect(() =>
      checkPlaceholders(
        TEMPLATE_PLACEHOLDERS.map(n => `\${var.${n}}`).join(''),
        TEMPLATE_PLACEHOLDERS,
        'template'
      )
    ).not.toThrow();
  });
});
