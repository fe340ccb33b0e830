/**
 * What a kustomization may reach, checked before kustomize runs. kustomize itself loads `resources`, `bases` and
 * `components` from any directory (its load restrictor covers only files such as patches), follows links, and
 * clones remote bases: so every path that a kustomization (and each kustomization it includes) names is resolved
 * here by the rule of every other path input (core/inputs.ts `resolveInsideWorkspace`: inside the workspace, links
 * followed), and a remote entry (a URL, `github.com/…`, `git::…`, `git@…`) is refused unless `kustomize-remote`
 * allows it. `file://` URLs are refused always: they clone a local directory, wherever it is.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { collectProblem, DockyardError, InputError } from '../../../core/errors.js';
import { resolveInsideWorkspace } from '../../../core/inputs.js';
import { isObject, parseYamlDocuments } from './manifests.js';

/** The file names kustomize recognises in a directory, in its order. */
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** How kustomize reads an entry: a resource (file or directory with a kustomization, or remote) or a file. */
type EntryKind = 'resource' | 'file';

/** One path-like value of a kustomization, with where it is written: `resources[2]`, `patches[0].path`. */
interface Entry {
  field: string;
  value: string;
  kind: EntryKind;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** A string that is YAML written in place (a patch, a generator's config) rather than a path: it has a newline. */
const inline = (v: string) => v.includes('\n');

function entriesOf(k: Record<string, unknown>): Entry[] {
  const out: Entry[] = [];
  const add = (field: string, value: unknown, kind: EntryKind) => {
    if (str(value) && !inline(value)) out.push({ field, value: value.trim(), kind });
  };
  for (const field of ['resources', 'bases', 'components', 'generators', 'transformers', 'validators'])
    list(k[field]).forEach((v, i) => add(`${field}[${i}]`, v, 'resource'));
  for (const field of ['crds', 'configurations', 'patchesStrategicMerge'])
    list(k[field]).forEach((v, i) => add(`${field}[${i}]`, v, 'file'));
  for (const field of ['patches', 'patchesJson6902', 'replacements'])
    list(k[field]).forEach((v, i) => isObject(v) && add(`${field}[${i}].path`, v.path, 'file'));
  if (isObject(k.openapi)) add('openapi.path', k.openapi.path, 'file');
  for (const field of ['configMapGenerator', 'secretGenerator'])
    list(k[field]).forEach((g, i) => {
      if (!isObject(g)) return;
      // `files` entries are `path` or `key=path`.
      list(g.files).forEach((f, j) =>
        add(`${field}[${i}].files[${j}]`, str(f) ? f.slice(f.indexOf('=') + 1) : f, 'file')
      );
      list(g.envs).forEach((f, j) => add(`${field}[${i}].envs[${j}]`, f, 'file'));
      add(`${field}[${i}].env`, g.env, 'file');
    });
  return out;
}

/** How kustomize's loader tells a remote entry (git repository or URL) from a path, before it looks on disk. */
const REMOTE = [
  /^[a-z][a-z0-9+.-]*:\/\//i, // https://, ssh://, git://, s3:// …
  /^git::/i,
  /^gh:/i,
  /^[\w.-]+@[\w.-]+:/, // git@github.com:org/repo (scp-like ssh)
  /^github\.com[:/]/i,
  /_git\// // Azure DevOps
];
const isRemote = (value: string) => REMOTE.some(re => re.test(value));

/** The kustomization file of a directory; undefined when it has none. */
function kustomizationFile(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map(f => join(dir, f)).find(f => existsSync(f));
}

export interface KustomizationCheck {
  /** Where the workspace is: every path must resolve inside it. */
  workspace: string;
  /** Remote entries are allowed (`kustomize-remote: true`). */
  remote: boolean;
}

class Walk {
  readonly problems: DockyardError[] = [];
  /** Remote entries allowed, by the kustomization file that names them: `overlay/kustomization.yaml resources[0]: …`. */
  readonly remote: string[] = [];
  private readonly seen = new Set<string>();
  private readonly root: string;
  constructor(private readonly options: KustomizationCheck) {
    this.root = realpathSync(options.workspace);
  }

  /** A path as the workspace names it: `overlays/prod/kustomization.yaml`. */
  private name(path: string): string {
    return relative(this.root, path).split(sep).join('/') || '.';
  }

  private fail(message: string, hint: string): void {
    this.problems.push(new DockyardError(message, { input: 'kustomize', hint }));
  }

  /** Reads the kustomization of `dir` (a directory inside the workspace) and checks each entry. */
  visit(dir: string): void {
    if (this.seen.has(dir)) return;
    this.seen.add(dir);
    const found = kustomizationFile(dir);
    if (!found) {
      this.fail(
        `${this.name(dir)} has no kustomization (${KUSTOMIZATION_FILES.join(', ')}).`,
        'A directory named by a kustomization, or given as kustomize, holds a kustomization.yaml.'
      );
      return;
    }
    const where = this.name(found);
    const file = this.inside(found, where, dir);
    const k = file && this.read(file, where);
    if (k === undefined) return;
    if (!isObject(k)) {
      this.fail(`${where} is not a kustomization (a mapping).`, 'Check the file.');
      return;
    }
    for (const entry of entriesOf(k)) this.entry(entry, dir, where);
  }

  /** The kustomization's value; undefined, with a problem, when it is not YAML (or an alias bomb). */
  private read(file: string, where: string): unknown {
    return collectProblem(
      this.problems,
      () => parseYamlDocuments(readFileSync(file, 'utf8'), where, 'kustomize')[0]?.value ?? null
    );
  }

  private entry({ field, value, kind }: Entry, dir: string, where: string): void {
    const at = `${where} ${field}: '${value}'`;
    if (/^file:/i.test(value))
      return this.fail(
        `${at} is a file:// URL, which reaches any directory of the runner.`,
        'Give a path relative to the kustomization, inside the workspace.'
      );
    if (isRemote(value)) {
      if (this.options.remote) this.remote.push(at);
      else
        this.fail(
          `${at} is remote: kustomize would fetch it (and apply what it holds) from outside the workspace.`,
          "Check it out or vendor it into the repository and name it by path, or set 'kustomize-remote: true' to let kustomize fetch it (pin it to a commit: ?ref=<sha>)."
        );
      return;
    }
    const real = this.inside(value, at, dir);
    if (real && kind === 'resource' && statSync(real).isDirectory()) this.visit(real);
  }

  /** `value` resolved from `dir` inside the workspace (links followed); undefined, with a problem, when not. */
  private inside(value: string, where: string, dir: string): string | undefined {
    return collectProblem(this.problems, () =>
      resolveInsideWorkspace('kustomize', value, {
        workspace: this.options.workspace,
        base: dir,
        where,
        hint: 'A kustomization names paths relative to its directory; every one must stay inside the workspace (the repository checkout), links included. Copy what it needs into the repository.'
      })
    );
  }
}

/**
 * Checks the kustomization in `dir` and every one it includes; throws one InputError naming each entry refused
 * (by its kustomization file and field), else returns the remote entries that `remote: true` let through.
 */
export function checkKustomization(dir: string, options: KustomizationCheck): string[] {
  const walk = new Walk(options);
  walk.visit(dir);
  if (walk.problems.length > 0) throw new InputError(walk.problems);
  return walk.remote;
}
