/**
 * Every action's metadata and README agree: the runner reads action.yml, people read the README.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const actionsDir = new URL('.', import.meta.url).pathname;
const actions = readdirSync(actionsDir).filter(a => existsSync(join(actionsDir, a, 'action.yml')));

interface Spec {
  name?: string;
  description?: string;
  branding?: { icon?: string; color?: string };
  runs?: { using?: string; main?: string };
  inputs?: Record<string, { description?: string; required?: boolean; default?: unknown }>;
  outputs?: Record<string, { description?: string }>;
}

interface Row {
  name: string;
  cells: Record<string, string>;
}

/** The rows of the first table under `## <heading>`, keyed by the lower-cased column headers. */
export function tableRows(markdown: string, heading: string): Row[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex(l => new RegExp(`^##\\s+${heading}\\s*$`, 'i').test(l.trim()));
  if (start < 0) return [];
  const rows: Row[] = [];
  let headers: string[] | undefined;
  const split = (l: string) =>
    l
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map(c => c.trim());
  for (const line of lines.slice(start + 1)) {
    if (/^##\s/.test(line)) break;
    if (!line.trim().startsWith('|')) {
      if (headers && rows.length > 0) break;
      continue;
    }
    const cells = split(line);
    if (!headers) {
      headers = cells.map(c => c.toLowerCase());
      continue;
    }
    if (cells.every(c => /^:?-+:?$/.test(c))) continue;
    const name = /`([^`]+)`/.exec(cells[0])?.[1];
    if (name) rows.push({ name, cells: Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? ''])) });
  }
  return rows;
}

// A default in backticks is a literal (so `NONE` stays NONE); bare words like "none" or "—" mean no default.
const normaliseDefault = (text: string | undefined) =>
  /^`[^`]*`$/.test((text ?? '').trim())
    ? (text ?? '').trim().slice(1, -1).trim()
    : (text ?? '')
        .replace(/`/g, '')
        .replace(/^(none|—|-|–|\(none\)|unset|empty)$/i, '')
        .trim();

describe.each(actions)('actions/%s', action => {
  const spec = parse(readFileSync(join(actionsDir, action, 'action.yml'), 'utf8')) as Spec;
  const readmePath = join(actionsDir, action, 'README.md');
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';

  it('runs on node24 from its bundle, with a name, description and branding', () => {
    expect(spec.runs?.using).toBe('node24');
    expect(spec.runs?.main).toBe(`../../dist/${action}/index.js`);
    expect(spec.name).toBeTruthy();
    expect(spec.description).toBeTruthy();
    expect(spec.branding?.icon).toBeTruthy();
    expect(spec.branding?.color).toBeTruthy();
  });

  it('describes every input and output', () => {
    for (const [name, input] of Object.entries(spec.inputs ?? {}))
      expect([name, input.description]).toEqual([name, expect.any(String)]);
    for (const [name, output] of Object.entries(spec.outputs ?? {}))
      expect([name, output.description]).toEqual([name, expect.any(String)]);
    expect(Object.keys(spec.outputs ?? {})).toContain('report');
  });

  it('has a README that documents exactly the inputs of action.yml, with the same defaults', () => {
    expect(readme).not.toBe('');
    const rows = tableRows(readme, 'Inputs');
    expect(rows.map(r => r.name).sort()).toEqual(Object.keys(spec.inputs ?? {}).sort());
    for (const row of rows) {
      const input = spec.inputs?.[row.name];
      if ('default' in row.cells) {
        expect([row.name, normaliseDefault(row.cells.default)]).toEqual([
          row.name,
          input?.default === undefined ? '' : String(input.default).trim()
        ]);
      }
      if ('required' in row.cells) {
        const documented = /^(yes|true|required|✓|✅)/i.test(row.cells.required.replace(/\*/g, ''));
        expect([row.name, documented]).toEqual([row.name, input?.required === true]);
      }
    }
  });

  it('has a README that documents exactly the outputs of action.yml', () => {
    expect(
      tableRows(readme, 'Outputs')
        .map(r => r.name)
        .sort()
    ).toEqual(Object.keys(spec.outputs ?? {}).sort());
  });

  it('has a README with the IAM policy the action needs', () => {
    expect(readme).toMatch(/IAM/);
    expect(readme).toMatch(/"Action"\s*:/);
  });
});

// Example workflows, the reusable workflows and the docs' YAML are checked against these action.yml files in
// scripts/workflows.test.ts.
