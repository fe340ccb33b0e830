import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '../../../core/errors.js';
import { checkKustomization } from './kustomization.js';

let root: string;
let ws: string;
let outside: string;

function write(base: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(base, name)), { recursive: true });
    writeFileSync(join(base, name), text);
  }
}

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'dockyard-kustomize-')));
  ws = join(root, 'ws');
  outside = join(root, 'outside');
  write(outside, {
    'kustomization.yaml': 'resources:\n  - secret.yaml\n',
    'secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: { name: stolen }\n',
    'prod.env': 'PASSWORD=hunter2\n'
  });
  // The layout of kustomize's examples/multibases: a base and an overlay that patches and generates.
  write(ws, {
    'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'base/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\n',
    'overlay/kustomization.yaml': [
      'resources:',
      '  - ../base',
      'components:',
      '  - ../components/tls',
      'patches:',
      '  - path: replicas.yaml',
      '  - patch: |-',
      '      - op: replace',
      '        path: /spec/replicas',
      '        value: 3',
      '    target: { kind: Deployment }',
      'configMapGenerator:',
      '  - name: settings',
      '    files: [config.json, app.properties=settings/app.properties]',
      '    envs: [settings/.env]'
    ].join('\n'),
    'overlay/replicas.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\n',
    'overlay/config.json': '{}',
    'overlay/settings/app.properties': 'a=b\n',
    'overlay/settings/.env': 'A=B\n',
    'components/tls/kustomization.yaml':
      'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches: [{ path: tls.yaml }]\n',
    'components/tls/tls.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: web }\n'
  });
  symlinkSync(outside, join(ws, 'vendored'));
  symlinkSync(join(outside, 'prod.env'), join(ws, 'prod.env'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `text` as the kustomization of a fresh directory under the workspace and checks it. */
let n = 0;
function check(text: string, remote = false): string[] {
  const dir = join(ws, `case${++n}`);
  write(dir, { 'kustomization.yaml': text });
  return checkKustomization(dir, { workspace: ws, remote });
}

/** The messages of the problems a kustomization has; [] when it is accepted. */
function problems(text: string, remote = false): string[] {
  try {
    check(text, remote);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    for (const p of (error as InputError).problems) expect(p.input).toBe('kustomize');
    return (error as InputError).problems.map(p => p.message);
  }
}

describe('checkKustomization', () => {
  it('accepts a kustomization whose paths (its bases, components, patches and generator files) stay inside', () => {
    expect(checkKustomization(join(ws, 'overlay'), { workspace: ws, remote: false })).toEqual([]);
  });

  it.each([
    [
      'resources',
      'resources:\n  - ../../outside\n',
      /resources\[0\]: '..\/..\/outside' is outside the workspace/
    ],
    ['bases', 'bases:\n  - ../../outside\n', /bases\[0\]: '..\/..\/outside' is outside the workspace/],
    ['an absolute path', `resources:\n  - ${'/etc/passwd'}\n`, /resources\[0\]: '\/etc\/passwd' is outside/],
    ['components', 'components: [../../outside]\n', /components\[0\]: '..\/..\/outside' is outside/],
    ['patches', 'patches:\n  - path: ../../outside/secret.yaml\n', /patches\[0\]\.path: '[^']+' is outside/],
    [
      'patchesJson6902',
      'patchesJson6902:\n  - path: ../../outside/secret.yaml\n    target: { kind: Secret, name: x }\n',
      /patchesJson6902\[0\]\.path/
    ],
    [
      'patchesStrategicMerge',
      'patchesStrategicMerge: [../../outside/secret.yaml]\n',
      /patchesStrategicMerge\[0\]/
    ],
    [
      'configMapGenerator files (key=path)',
      'configMapGenerator:\n  - name: c\n    files: [key=../../outside/prod.env]\n',
      /configMapGenerator\[0\]\.files\[0\]: '..\/..\/outside\/prod.env' is outside/
    ],
    [
      'secretGenerator envs',
      'secretGenerator:\n  - name: s\n    envs: [../../outside/prod.env]\n',
      /secretGenerator\[0\]\.envs\[0\]/
    ],
    [
      'secretGenerator env',
      'secretGenerator:\n  - name: s\n    env: ../../outside/prod.env\n',
      /secretGenerator\[0\]\.env:/
    ],
    ['crds', 'crds: [../../outside/secret.yaml]\n', /crds\[0\]/],
    ['transformers', 'transformers: [../../outside/secret.yaml]\n', /transformers\[0\]/],
    ['openapi', 'openapi:\n  path: ../../outside/secret.yaml\n', /openapi\.path/],
    ['replacements', 'replacements:\n  - path: ../../outside/secret.yaml\n', /replacements\[0\]\.path/]
  ])('refuses %s that reach outside, naming the file and the entry', (_what, text, message) => {
    const found = problems(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^case\d+\/kustomization\.yaml /);
    expect(found[0]).toMatch(message);
  });

  it('refuses a link out of the workspace: a base directory, and an env file', () => {
    const found = problems(
      'resources: [../vendored]\nsecretGenerator:\n  - name: s\n    envs: [../prod.env]\n'
    );
    expect(found).toEqual([
      expect.stringMatching(
        new RegExp(
          `resources\\[0\\]: '../vendored' leads outside the workspace through a symbolic link \\(to ${outside}\\)`
        )
      ),
      expect.stringMatching(
        /secretGenerator\[0\]\.envs\[0\]: '..\/prod.env' leads outside the workspace through a symbolic link/
      )
    ]);
  });

  it('follows bases: an escape in an included kustomization is named by that kustomization', () => {
    write(ws, { 'deep/base/kustomization.yaml': 'resources:\n  - ../../../outside\n' });
    expect(problems('resources: [../deep/base]\n')).toEqual([
      expect.stringMatching(
        /^deep\/base\/kustomization\.yaml resources\[0\]: '..\/..\/..\/outside' is outside/
      )
    ]);
  });

  it('names a base without a kustomization, and a missing path', () => {
    write(ws, { 'nokust/deployment.yaml': 'x: 1\n' });
    expect(problems('resources: [../nokust, missing.yaml]\n')).toEqual([
      expect.stringMatching(/^nokust has no kustomization/),
      expect.stringMatching(/resources\[1\]: 'missing.yaml' does not exist/)
    ]);
  });

  it('stops at a cycle of bases', () => {
    write(ws, {
      'cycle/a/kustomization.yaml': 'resources: [../b]\n',
      'cycle/b/kustomization.yaml': 'resources: [../a]\n'
    });
    expect(checkKustomization(join(ws, 'cycle/a'), { workspace: ws, remote: false })).toEqual([]);
  });

  // Remote forms from kustomize's docs (examples/remoteBuild.md) and its repospec tests.
  const remote = [
    'github.com/kubernetes-sigs/kustomize/examples/multibases?ref=v1.0.6',
    'https://github.com/kubernetes-sigs/kustomize//examples/multibases?ref=v1.0.6',
    'git::https://gitlab.com/org/repo//deploy?ref=main',
    'git@github.com:org/repo.git//deploy',
    'ssh://git@example.com/org/repo.git',
    'https://raw.githubusercontent.com/org/repo/main/deploy.yaml',
    'https://dev.azure.com/org/project/_git/repo'
  ];

  it('refuses remote bases and resources unless kustomize-remote allows them, naming each and the input', () => {
    const text = `resources:\n${remote.map(r => `  - ${r}\n`).join('')}`;
    const found = problems(text);
    expect(found).toHaveLength(remote.length);
    remote.forEach((r, i) =>
      expect(found[i]).toContain(`resources[${i}]: '${r}' is remote: kustomize would fetch it`)
    );
    const allowed = check(text, true);
    expect(allowed).toHaveLength(remote.length);
    expect(allowed[0]).toMatch(/^case\d+\/kustomization\.yaml resources\[0\]: 'github\.com\//);
  });

  it('refuses file:// always: it clones any directory of the runner', () => {
    expect(problems('resources: [file:///home/runner/secrets]\n', true)).toEqual([
      expect.stringContaining("resources[0]: 'file:///home/runner/secrets' is a file:// URL")
    ]);
  });

  it('refuses a kustomization that is itself a link out, or an alias bomb, naming the file', () => {
    write(ws, { 'linked/.keep': '' });
    symlinkSync(join(outside, 'kustomization.yaml'), join(ws, 'linked/kustomization.yaml'));
    expect(() => checkKustomization(join(ws, 'linked'), { workspace: ws, remote: false })).toThrow(
      /linked\/kustomization\.yaml leads outside the workspace through a symbolic link/
    );
    const bomb = [
      'a: &a [x,x,x,x,x,x,x,x,x]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]'
    ];
    expect(problems(`${bomb.join('\n')}\nresources: []\n`)).toEqual([
      expect.stringMatching(
        /^case\d+\/kustomization\.yaml: its aliases \(\*name\) expand to more than 100 copies/
      )
    ]);
  });

  it('leaves inline patches and generator configs alone', () => {
    expect(
      problems(
        'patchesStrategicMerge:\n  - |-\n    apiVersion: v1\n    kind: Service\n    metadata: { name: ../../outside }\ntransformers:\n  - |-\n    apiVersion: builtin\n    kind: LabelTransformer\n'
      )
    ).toEqual([]);
  });
});
