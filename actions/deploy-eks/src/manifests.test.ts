import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockyardError } from '../../../core/errors.js';
import {
  imageMatches,
  imageRepository,
  kustomizeBuild,
  loadManifests,
  parseManifests,
  render,
  substituteImages,
  type Manifest,
  type RunProgram
} from './manifests.js';
import { manifestFiles } from './inputs.js';

let ws: string;
let outside: string;
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'dockyard-eks-ws-'));
  outside = mkdtempSync(join(tmpdir(), 'dockyard-eks-out-'));
  mkdirSync(join(ws, 'k8s/base'), { recursive: true });
  writeFileSync(
    join(ws, 'k8s/a.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# empty\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n'
  );
  writeFileSync(
    join(ws, 'k8s/b.yml'),
    'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: { name: s }\n'
  );
  writeFileSync(join(ws, 'k8s/notes.txt'), 'not a manifest');
  writeFileSync(join(ws, 'k8s/base/c.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: { name: c }\n');
  writeFileSync(join(outside, 'x.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n');
  symlinkSync(join(outside, 'x.yaml'), join(ws, 'k8s/escape.link'));
});
afterAll(() => {
  rmSync(ws, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const names = (files: string[]) => files.map(f => f.slice(ws.length + 1));
const lines = (...texts: string[]) => texts.map((text, i) => ({ text, line: i + 1 }));

describe('manifestFiles', () => {
  it('reads a directory for its manifest files, not its subdirectories; globs with * and **', () => {
    expect(names(manifestFiles(lines('k8s'), ws))).toEqual(['k8s/a.yaml', 'k8s/b.yml']);
    expect(names(manifestFiles(lines('k8s/*.yaml'), ws))).toEqual(['k8s/a.yaml']);
    expect(names(manifestFiles(lines('k8s/**/*.yaml'), ws))).toEqual(['k8s/a.yaml', 'k8s/base/c.yaml']);
    expect(names(manifestFiles(lines('k8s/a.yaml', 'k8s'), ws))).toEqual(['k8s/a.yaml', 'k8s/b.yml']);
  });

  it('refuses paths outside the workspace, by .. or by a symlink, and lines that match nothing', () => {
    const input = (paths: string[]) => {
      try {
        manifestFiles(lines(...paths), ws);
      } catch (error) {
        return (error as DockyardError).input;
      }
      return 'accepted';
    };
    expect(input([`../${outside.split('/').pop()}/x.yaml`])).toBe('manifests');
    expect(input([join(outside, 'x.yaml')])).toBe('manifests');
    expect(input(['k8s/escape.link'])).toBe('manifests');
    expect(input(['k8s/nothing-*.yaml'])).toBe('manifests');
    expect(input(['missing.yaml'])).toBe('manifests');
  });

  it('loads every document in order, skipping empty ones and flattening Lists, then the kustomization', async () => {
    const loaded = await loadManifests({
      files: manifestFiles(lines('k8s'), ws),
      workspace: ws,
      kustomize: {
        text: 'overlay',
        build: async () => 'apiVersion: v1\nkind: Service\nmetadata: { name: k }\n'
      }
    });
    expect(loaded.map(m => `${m.object.kind}/${m.object.metadata.name} ${m.source}`)).toEqual([
      'ConfigMap/a k8s/a.yaml (document 1)',
      'ConfigMap/b k8s/a.yaml (document 3)',
      'Secret/s k8s/b.yml',
      'Service/k kustomize:overlay'
    ]);
  });

  it('refuses manifests that hold no object, naming the input they came from', async () => {
    const empty = { text: 'overlay', build: async () => '# nothing\n' };
    await expect(loadManifests({ files: [], workspace: ws, kustomize: empty })).rejects.toMatchObject({
      input: 'kustomize',
      message: 'holds no Kubernetes objects.'
    });
  });
});

describe('parseManifests', () => {
  it('names the file and line of malformed YAML and the manifests input', () => {
    const error = (() => {
      try {
        parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n', 'k8s/bad.yaml');
      } catch (e) {
        return e as DockyardError;
      }
    })();
    expect(error?.input).toBe('manifests');
    expect(error?.message).toMatch(/^k8s\/bad\.yaml line \d+ is not valid YAML/);
  });

  it('refuses a document without apiVersion, kind or metadata.name', () => {
    expect(() => parseManifests('kind: ConfigMap\nmetadata: { name: a }\n', 'f.yaml')).toThrow(
      "has no 'apiVersion'"
    );
    expect(() =>
      parseManifests('apiVersion: v1\nkind: Pod\nmetadata: { generateName: p- }\n', 'f.yaml')
    ).toThrow('has no metadata.name');
    expect(() => parseManifests('- a\n- b\n', 'f.yaml')).toThrow('is not a Kubernetes object');
  });

  // The YAML form of the billion laughs (https://en.wikipedia.org/wiki/Billion_laughs_attack), as a ConfigMap.
  const laughs = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: { name: lol }',
    'data:',
    '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...'bcdefghi'.split('').map((c, i) => {
      const prev = 'abcdefghi'[i];
      return `  ${c}: &${c} [${Array(9).fill(`*${prev}`).join(',')}]`;
    })
  ].join('\n');

  it('refuses an alias bomb, naming the file, the document and the input, and what to do', () => {
    const error = (() => {
      try {
        parseManifests(
          `apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n---\n${laughs}\n`,
          'k8s/lol.yaml'
        );
      } catch (e) {
        return e as DockyardError;
      }
    })();
    expect(error).toBeInstanceOf(DockyardError);
    expect(error?.input).toBe('manifests');
    expect(error?.message).toMatch(
      /^k8s\/lol\.yaml \(document 2\): its aliases \(\*name\) expand to more than 100 copies/
    );
    expect(error?.hint).toMatch(/nothing was applied/);
    expect(() => parseManifests(laughs, 'kustomize:overlay', 'kustomize')).toThrow(
      expect.objectContaining({ input: 'kustomize' }) as unknown as Error
    );
  });

  it('keeps the library default: four levels of nine aliases (6561 copies), which a limit of 1000 let through, are refused', () => {
    const fourLevels = laughs.split('\n').slice(0, 8).join('\n');
    expect(() => parseManifests(fourLevels, 'k8s/lol.yaml')).toThrow(/expand to more than 100 copies/);
  });

  it('a manifest that reuses an anchor a few times loads', () => {
    const text = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: web }',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - { name: a, image: web, resources: &res { limits: { cpu: 500m } } }',
      '        - { name: b, image: web, resources: *res }',
      '        - { name: c, image: web, resources: *res }'
    ].join('\n');
    const [m] = parseManifests(text, 'k8s/web.yaml');
    expect(JSON.stringify(m.object)).toContain(
      '"name":"c","image":"web","resources":{"limits":{"cpu":"500m"}}'
    );
  });

  it('names the file of an alias whose anchor is missing', () => {
    expect(() => parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: *nope\n', 'k8s/x.yaml')).toThrow(
      /^k8s\/x\.yaml/
    );
  });
});

describe('images', () => {
  it('finds the repository of a reference, registry port and digest included', () => {
    expect(imageRepository('registry.local:5000/team/web:v1')).toBe('registry.local:5000/team/web');
    expect(imageRepository('registry.local:5000/team/web@sha256:abc')).toBe('registry.local:5000/team/web');
    expect(imageRepository('web')).toBe('web');
    expect(imageRepository('localhost:5000/web')).toBe('localhost:5000/web');
  });

  it('matches the whole repository or its last segments, never a prefix', () => {
    expect(imageMatches('registry.local:5000/team/web:v1', 'web')).toBe(true);
    expect(imageMatches('registry.local:5000/team/web:v1', 'team/web')).toBe(true);
    expect(imageMatches('web:v1', 'web')).toBe(true);
    expect(imageMatches('registry.local:5000/team/web-sidecar:v1', 'web')).toBe(false);
    expect(imageMatches('webhook:v1', 'web')).toBe(false);
    expect(imageMatches('registry.local:5000/web:v1', '5000/web')).toBe(false);
  });

  const workloads = (): Manifest[] =>
    parseManifests(
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      initContainers: [{ name: migrate, image: "registry.local:5000/web:v1" }]
      containers:
        - { name: app, image: "registry.local:5000/web:v1" }
        - { name: proxy, image: "registry.local:5000/web-sidecar:v1" }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly }
spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: job, image: "web" }] } } } } }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: c }
data: { image: "web:v1" }
`,
      'k8s/app.yaml'
    );

  it('sets init and app containers of every workload kind, leaves the sidecar and non-workloads alone', () => {
    const manifests = workloads();
    const changes = substituteImages(manifests, [
      { name: 'web', image: 'registry.local:5000/web:v2', line: 1 }
    ]);
    expect(changes.map(c => `${c.object} ${c.container}`)).toEqual([
      'Deployment/web migrate',
      'Deployment/web app',
      'CronJob/nightly job'
    ]);
    const spec = (manifests[0].object.spec as { template: { spec: { containers: { image: string }[] } } })
      .template.spec;
    expect(spec.containers.map(c => c.image)).toEqual([
      'registry.local:5000/web:v2',
      'registry.local:5000/web-sidecar:v1'
    ]);
    expect(manifests[2].object.data).toEqual({ image: 'web:v1' });
  });

  const rollout = (apiVersion: string, kind = 'Rollout') =>
    parseManifests(
      `apiVersion: ${apiVersion}
kind: ${kind}
metadata: { name: web }
spec:
  template:
    spec: { containers: [{ name: app, image: "registry.local:5000/team/web:v1" }] }
  workloadTemplate:
    spec: { containers: [{ name: app, image: "registry.local:5000/team/web:v1" }] }
`,
      'k8s/rollout.yaml'
    );
  const rule = [{ name: 'team/web', image: 'registry.local:5000/team/web:v2', line: 1 }];

  it.each([
    ['an Argo Rollout, known', 'argoproj.io/v1alpha1', 'Rollout', undefined, ['Rollout/web app']],
    [
      'a kind named with its path',
      'apps.kruise.io/v1alpha1',
      'CloneSet',
      [{ kind: 'CloneSet', group: 'apps.kruise.io', path: ['spec', 'template'] }],
      ['CloneSet/web app']
    ],
    [
      'a Rollout at the path named for it',
      'argoproj.io/v1alpha1',
      'Rollout',
      [{ kind: 'Rollout', group: 'argoproj.io', path: ['spec', 'workloadTemplate'] }],
      ['Rollout/web app']
    ]
  ])('sets the containers of %s', (_what, apiVersion, kind, custom, changed) => {
    const manifests = rollout(apiVersion, kind);
    expect(substituteImages(manifests, rule, custom).map(c => `${c.object} ${c.container}`)).toEqual(changed);
  });

  it('leaves a Rollout of another group alone (a kind is known by its group)', () => {
    expect(() => substituteImages(rollout('example.com/v1'), rule)).toThrow(/matches no container image/);
  });

  it('an entry that matches nothing is an error naming images and its line', () => {
    const error = (() => {
      try {
        substituteImages(workloads(), [
          { name: 'web', image: 'web:v2', line: 1 },
          { name: 'api', image: 'api:v2', line: 2 }
        ]);
      } catch (e) {
        return e as DockyardError;
      }
    })();
    expect(error?.input).toBe('images');
    expect(error?.message).toContain("line 2 ('api=…')");
  });
});

describe('render', () => {
  const one = () =>
    parseManifests(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: "${var.NAME}" }\ndata:\n  pod: "$(POD_NAME)"\n  region: "${AWS_REGION}"\n  literal: "$${var.NAME}"\n',
      'k8s/c.yaml'
    );

  it('fills ${var.NAME}, leaves what the cluster fills at run time, and adds labels and annotations', () => {
    const { manifests } = render(one(), {
      vars: { NAME: 'web' },
      images: [],
      labels: { 'app.kubernetes.io/managed-by': 'dockyard' },
      annotations: { 'dockyard.dev/run': 'https://github.com/o/r/actions/runs/1' }
    });
    const o = manifests[0].object;
    expect(o.metadata).toEqual({
      name: 'web',
      labels: { 'app.kubernetes.io/managed-by': 'dockyard' },
      annotations: { 'dockyard.dev/run': 'https://github.com/o/r/actions/runs/1' }
    });
    expect(o.data).toEqual({ pod: '$(POD_NAME)', region: '${AWS_REGION}', literal: '${var.NAME}' });
  });

  it('a forgotten variable is an error naming the file, before anything is applied', () => {
    expect(() => render(one(), { vars: {}, images: [], labels: {}, annotations: {} })).toThrow(
      /\$\{var\.NAME\} in k8s\/c\.yaml has no value/
    );
  });

  it('refuses an object defined twice', () => {
    const twice = [...one(), ...one()];
    expect(() => render(twice, { vars: { NAME: 'a' }, images: [], labels: {}, annotations: {} })).toThrow(
      'defined twice'
    );
  });
});

describe('kustomizeBuild', () => {
  const options = { timeoutMs: 60_000 };
  const missing = Object.assign(new Error('spawn kustomize ENOENT'), { code: 'ENOENT' });

  it('uses kustomize, else kubectl kustomize, and says what to install when neither exists', async () => {
    const tried: string[] = [];
    const onlyKubectl: RunProgram = async command => {
      tried.push(command);
      if (command === 'kustomize') throw missing;
      return { stdout: 'apiVersion: v1\n' };
    };
    expect(await kustomizeBuild('/ws/overlay', options, onlyKubectl)).toBe('apiVersion: v1\n');
    expect(tried).toEqual(['kustomize', 'kubectl']);
    const none: RunProgram = async () => {
      throw missing;
    };
    await expect(kustomizeBuild('/ws/overlay', options, none)).rejects.toThrow(
      'neither kustomize nor kubectl is installed'
    );
  });

  it('reports a failing build with its stderr, naming the kustomize input', async () => {
    const failing: RunProgram = async () => {
      throw Object.assign(new Error('Command failed: kustomize build /ws/overlay'), {
        code: 1,
        stderr: 'Error: accumulating resources: missing.yaml\n'
      });
    };
    await expect(kustomizeBuild('/ws/overlay', options, failing)).rejects.toMatchObject({
      input: 'kustomize',
      message: "'kustomize build /ws/overlay' failed: Error: accumulating resources: missing.yaml"
    });
  });

  it("runs under the step's signal and time left: a cancel stops it, so does the deadline", async () => {
    const seen: { signal?: AbortSignal; timeout: number }[] = [];
    const hangs: RunProgram = async (_command, _args, o) => {
      seen.push(o);
      throw Object.assign(new Error('Command failed'), { killed: true, signal: 'SIGTERM' });
    };
    await expect(kustomizeBuild('/ws/overlay', { timeoutMs: 5000 }, hangs)).rejects.toMatchObject({
      input: 'kustomize',
      message: "'kustomize build /ws/overlay' did not finish within 5s."
    });
    const controller = new AbortController();
    controller.abort(new Error('Received SIGTERM'));
    await expect(
      kustomizeBuild('/ws/overlay', { signal: controller.signal, timeoutMs: 5000 }, hangs)
    ).rejects.toThrow("'kustomize build /ws/overlay' was stopped: Received SIGTERM.");
    expect(seen.map(o => [o.signal?.aborted ?? false, o.timeout])).toEqual([
      [false, 5000],
      [true, 5000]
    ]);
  });
});
