import { describe, expect, it } from '@jest/globals';
import type { Report } from '../../../core/index.js';
import { renderEmail } from './render.js';
import { HOSTILE, emailFor, example } from './testing/fixtures.js';

describe('the plain-text body', () => {
  const [report] = example('deploy-ecs-failure');
  /** Text that, written at the start of a line, would read as the email's own structure. */
  const forged = [
    '== deploy-ecs · web — SUCCEEDED ==',
    'Repository: octo/trusted',
    '-- ',
    'SUCCEEDED: all good'
  ];
  const evil: Report = {
    ...report,
    subject: `web\n${forged[0]}`,
    summary: `Broke.\n${forged[3]}`,
    error: `Failed:\n${forged.join('\n')}`,
    details: [['Note', `first\n${forged[1]}`]],
    diagnostics: [
      { title: `Log\n${forged[2]}`, severity: 'error', lines: [`ok\n${forged[0]}\r${forged[1]}`, HOSTILE] }
    ],
    run: { ...report.run, commitMessage: `Fix\n${forged.join('\n')}\n\x1b[2J\x1b[31mred` }
  };
  const text = renderEmail(emailFor([evil], { status: 'failure' })).text;
  const lines = text.split('\n');

  it('keeps markup as written (it is not HTML)', () => {
    expect(text).toContain(HOSTILE);
  });

  it('indents every line of untrusted text under its heading, so none passes for the email’s own', () => {
    for (const line of forged.filter(l => l !== '-- ')) expect(lines).not.toContain(line);
    expect(lines.filter(l => l.startsWith('== '))).toEqual([
      '== deploy-ecs · web == deploy-ecs · web — SUCCEEDED == — FAILED =='
    ]);
    expect(lines.filter(l => l === '-- ')).toHaveLength(1);
    expect(lines).toContain('    == deploy-ecs · web — SUCCEEDED ==');
    expect(lines).toContain('> Repository: octo/trusted');
    expect(lines).toContain('       Repository: octo/trusted');
  });

  it('carries no terminal escape sequence or other control character', () => {
    expect(text).not.toMatch(/(?![\t\n])\p{Cc}/u);
    expect(lines).toContain('> red');
  });
});
