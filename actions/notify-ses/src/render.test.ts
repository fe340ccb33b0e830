import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NO_REPORTS } from './facts.js';
import { escapeHtml } from './html.js';
import { renderEmail } from './render.js';
import { emailFor, example } from './testing/fixtures.js';

const goldenDir = new URL('./golden/', import.meta.url).pathname;

/**
 * Compares with the committed golden file. UPDATE_GOLDEN=1 rewrites it instead (then review the
 * change with `npm run preview-email` and `git diff` before committing).
 */
function expectGolden(name: string, actual: string): void {
  const path = join(goldenDir, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(path, actual);
  }
  expect(existsSync(path)).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('golden emails', () => {
  it('renders a success email (build-push + deploy-ecs) exactly as reviewed', () => {
    const email = renderEmail(emailFor([...example('build-push'), ...example('deploy-ecs-success')]));
    expect(email.subject).toBe('[SUCCEEDED] octo/app · production · deploy-ecs web');
    // build-push lists its tags in its image and in its details: one row in each body.
    expect(email.html.match(/>Tags</g)).toHaveLength(1);
    expect(email.text.match(/^ *Tags:/gm)).toHaveLength(1);
    expectGolden('success.html', email.html);
    expectGolden('success.txt', email.text);
  });

  it('renders a failure email (a rolled-back deploy-ecs) exactly as reviewed', () => {
    const reports = example('deploy-ecs-failure');
    const email = renderEmail(emailFor(reports, { status: 'failure' }));
    expect(email.subject).toBe('[FAILED] octo/app · production · deploy-ecs web');
    expectGolden('failure.html', email.html);
    expectGolden('failure.txt', email.text);
  });

  it('renders an EKS failure email (a rolled-back deploy-eks) exactly as reviewed', () => {
    const email = renderEmail(emailFor(example('deploy-eks-failure'), { status: 'failure' }));
    expect(email.subject).toBe('[FAILED] octo/app · production · deploy-eks web');
    for (const body of [email.text, email.html]) {
      // The root cause leads; cluster, namespace, resources, images, rollback and the log tail follow.
      expect(body).toContain(
        'web: container migrate CrashLoopBackOff (exit 1): panic: cannot connect to database'
      );
      expect(body).toContain('Namespace');
      expect(body).toContain('Deployment/shop/web');
      expect(body).toContain('rolled back to revision 1');
    }
    expect(email.text.indexOf('CrashLoopBackOff (exit 1)')).toBeLessThan(email.text.indexOf('Repository:'));
    expectGolden('eks-failure.html', email.html);
    expectGolden('eks-failure.txt', email.text);
  });

  it('is deterministic: the same input gives the same bytes', () => {
    const input = emailFor(example('deploy-ecs-failure'), { status: 'failure' });
    expect(renderEmail(input)).toEqual(renderEmail(structuredClone(input)));
  });
});

describe('both bodies carry the same facts', () => {
  const reports = example('deploy-ecs-failure');
  const email = renderEmail(emailFor(reports, { status: 'failure' }));
  const facts = [
    'FAILED',
    'octo/app',
    'production',
    'main',
    'a94a8fe',
    'https://github.com/octo/app/commit/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
    'Payments: read the API endpoint from PAYMENTS_API_URL',
    'hubot',
    'push',
    'https://github.com/octo/app/actions/runs/9876543299/attempts/2',
    '8m 25s',
    'ROLLED_BACK',
    'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:43',
    'ecs-svc/5093344556677889900',
    'Stopped task 8f14e45fceea (container web)',
    '2026-11-21T09:17:03Z ERROR config: PAYMENTS_API_URL is not set',
    'the circuit breaker stopped it after 3 tasks failed to start'
  ];
  it.each(facts)('%s', fact => {
    expect(email.html).toContain(escapeHtml(fact));
    expect(email.text).toContain(fact);
  });

  it('links the commit and the run in the HTML', () => {
    expect(email.html).toContain(
      'href="https://github.com/octo/app/commit/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"'
    );
    expect(email.html).toContain('href="https://github.com/octo/app/actions/runs/9876543299/attempts/2"');
  });

  it('has no scripts, no images and no remote resources', () => {
    expect(email.html).not.toMatch(/<script|<img|<link|<iframe|<style|url\(|src=/i);
  });
});

describe('custom template', () => {
  it('fills placeholders with escaped values and the built-in blocks', () => {
    const reports = example('deploy-ecs-failure');
    const email = renderEmail(
      emailFor(reports, {
        status: 'failure',
        htmlTemplate:
          '<html><body style="color:${var.color}"><h1>${var.title}</h1><a href="${var.run_url}">run</a> <a href="${var.commit_url}">${var.sha}</a> <a href="${var.repository_url}">${var.repository}</a> ${var.environment} ${var.duration}${var.facts}${var.reports}</body></html>'
      })
    );
    expect(email.html).toContain(
      '<body style="color:#cf222e"><h1>[FAILED] octo/app · production · deploy-ecs web</h1>'
    );
    expect(email.html).toContain(
      '<a href="https://github.com/octo/app/actions/runs/9876543299/attempts/2">run</a>'
    );
    expect(email.html).toContain(
      '<a href="https://github.com/octo/app/commit/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3">a94a8fe</a>'
    );
    expect(email.html).toContain('production 8m 25s<table');
    expect(email.html).toContain('Stopped task 8f14e45fceea (container web)');
    // The plain-text alternative is always the built-in one.
    expect(email.text).toBe(renderEmail(emailFor(reports, { status: 'failure' })).text);
  });
});

describe('no report', () => {
  it('says in both bodies that none reached the step, and why that happens', () => {
    const input = emailFor(example('deploy-ecs-failure'), { status: 'failure' });
    const email = renderEmail({ ...input, reports: [] });
    expect(email.text).toContain('FAILED: octo/app');
    expect(email.text).toContain(NO_REPORTS);
    expect(email.html).toContain(escapeHtml(NO_REPORTS));
  });
});
