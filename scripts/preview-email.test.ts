import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { previewEmail } from './preview-email.js';

const root = new URL('../', import.meta.url).pathname;
const example = (name: string) => join(root, 'examples', 'reports', `${name}.json`);
const golden = (name: string) => readFileSync(join(root, 'actions/notify-ses/src/golden', name), 'utf8');

describe('preview-email', () => {
  const dir = mkdtempSync(join(tmpdir(), 'preview-email-'));

  it('writes exactly the email the action would send (the reviewed golden files) and names the files', () => {
    const out = join(dir, 'failure.html');
    const preview = previewEmail(
      [example('deploy-ecs-failure'), '--environment', 'production', '--out', out],
      {}
    );
    expect(preview).toEqual({
      subject: '[FAILED] octo/app · production · deploy-ecs web',
      htmlPath: out,
      textPath: join(dir, 'failure.txt')
    });
    expect(readFileSync(out, 'utf8')).toBe(golden('failure.html'));
    expect(readFileSync(preview.textPath, 'utf8')).toBe(golden('failure.txt'));
  });

  it('renders several report files into one email', () => {
    const preview = previewEmail(
      [
        example('build-push'),
        example('deploy-ecs-success'),
        '--environment',
        'production',
        '--out',
        join(dir, 'ok.html')
      ],
      {}
    );
    expect(readFileSync(preview.htmlPath, 'utf8')).toBe(golden('success.html'));
  });

  it('takes a status, a subject and a custom template', () => {
    writeFileSync(join(dir, 'custom.html'), '<h1 style="color:${var.color}">${var.title}</h1>');
    const preview = previewEmail(
      [
        example('deploy-ecs-success'),
        '--status',
        'cancelled',
        '--subject',
        '${var.status} ${var.sha}',
        '--template',
        join(dir, 'custom.html'),
        '--out',
        join(dir, 'custom-out.html')
      ],
      {}
    );
    expect(preview.subject).toBe('CANCELLED 1f2e3d4');
    expect(readFileSync(preview.htmlPath, 'utf8')).toBe('<h1 style="color:#6e7781">CANCELLED 1f2e3d4</h1>');
  });

  it('explains a missing argument and a bad report file', () => {
    expect(() => previewEmail([], {})).toThrow(/No report files given\. Usage: npm run preview-email/);
    writeFileSync(join(dir, 'bad.json'), '{"schema": "something/else"}');
    expect(() => previewEmail([join(dir, 'bad.json')], {})).toThrow(
      /bad\.json: Input 'reports': report 1 has no dockyard\.report schema\./
    );
  });
});
