/**
 * deploy-eks inputs: read and validated together, and the manifests loaded and rendered, before any AWS or
 * cluster call, so a bad line or malformed YAML fails with nothing written.
 */
import { DockyardError } from '../../../core/errors.js';
import { runContext, runUrl, type RunContext } from '../../../core/github.js';
import { InputReader, splitLines, type InputSource } from '../../../core/inputs.js';
import { PLACEHOLDER_NAME } from '../../../core/template.js';
import {
  COMMIT_ANNOTATION,
  defaultSet,
  DNS_LABEL,
  MANAGED_BY,
  RUN_ANNOTATION,
  SET_LABEL,
  validKey,
  validLabelValue
} from './labels.js';
import { loadManifests, render, type ImageChange, type ImageRule, type Manifest } from './manifests.js';

export interface Inputs {
  cluster?: string;
  region?: string;
  roleArn?: string;
  /** Absolute path of the kubeconfig file. */
  kubeconfig?: string;
  namespace: string;
  manifests: Manifest[];
  images: ImageChange[];
  /** The value of the set label that prune selects on. */
  set: string;
  prune: boolean;
  wait: boolean;
  timeoutMs: number;
  rollback: boolean;
  forceConflicts: boolean;
  fieldManager: string;
  dryRun: boolean;
}

function keyValueMap(
  reader: InputReader,
  name: string,
  check: 'label' | 'annotation'
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of reader.keyValues(name, { allowEmptyValue: true, example: 'team=payments' })) {
    if (!validKey(kv.key)) {
      reader.fail(
        name,
        `line ${kv.line}: '${kv.key}' is not a valid ${check} key.`,
        'A key is an optional DNS prefix and a name of at most 63 letters, digits, -, _ and . (example.com/team).'
      );
      continue;
    }
    if (check === 'label' && !validLabelValue(kv.value)) {
      reader.fail(
        name,
        `line ${kv.line}: the value of '${kv.key}' is not a valid label value.`,
        'A label value is at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit.'
      );
      continue;
    }
    out[kv.key] = kv.value;
  }
  return out;
}

export function getInputs(
  source: InputSource,
  env: NodeJS.ProcessEnv = process.env,
  run: RunContext = runContext(env)
): Inputs {
  const reader = new InputReader(source, { env });
  const workspace = reader.workspace;

  const cluster = reader.string('cluster');
  const kubeconfigText = reader.string('kubeconfig');
  if (!cluster && !kubeconfigText)
    reader.fail(
      'cluster',
      'is required (or kubeconfig).',
      "Set 'cluster' to the EKS cluster's name, or 'kubeconfig' to a kubeconfig file."
    );
  if (cluster && kubeconfigText)
    reader.fail(
      'kubeconfig',
      "is given together with 'cluster'.",
      'Give one: the EKS cluster name, or a kubeconfig.'
    );
  if (cluster && !/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/.test(cluster))
    reader.fail(
      'cluster',
      `'${cluster}' is not an EKS cluster name.`,
      'A name is letters, digits, - and _, up to 100 characters.'
    );

  const region = reader.region('region', { required: !!cluster });

  const roleArn = reader.string('role-arn');
  if (roleArn && !/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn))
    reader.fail(
      'role-arn',
      `'${roleArn}' is not an IAM role ARN.`,
      'Use arn:aws:iam::<account>:role/<name>.'
    );

  const kubeconfig = kubeconfigText
    ? reader.pathValue('kubeconfig', kubeconfigText, { kind: 'file' })
    : undefined;

  const namespace = reader.string('namespace', { default: 'default' }) ?? 'default';
  if (!DNS_LABEL.test(namespace) || namespace.length > 63)
    reader.fail(
      'namespace',
      `'${namespace}' is not a namespace name.`,
      'Use lower-case letters, digits and -.'
    );

  const manifestLines = splitLines(reader.raw('manifests'));
  const kustomizeText = reader.string('kustomize');
  const kustomize = reader.path('kustomize', { kind: 'dir' });
  if (manifestLines.length === 0 && !kustomizeText)
    reader.fail(
      'manifests',
      'is required (or kustomize).',
      'List manifest files, directories or globs, one per line.'
    );

  const imageRules: ImageRule[] = [];
  for (const kv of reader.keyValues('images', {
    example: 'web=123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2'
  })) {
    if (/\s/.test(kv.value) || /\s/.test(kv.key)) {
      reader.fail(
        'images',
        `line ${kv.line}: '${kv.key}=${kv.value}' has spaces.`,
        'Write name=image, one a line, with no spaces.'
      );
      continue;
    }
    if (imageRules.some(r => r.name === kv.key)) {
      reader.fail('images', `line ${kv.line}: '${kv.key}' is given twice.`, 'Give each name once.');
      continue;
    }
    imageRules.push({ name: kv.key, image: kv.value, line: kv.line });
  }

  const vars: Record<string, string> = {};
  for (const kv of reader.keyValues('vars', { allowEmptyValue: true, example: 'REPLICAS=3' })) {
    if (!PLACEHOLDER_NAME.test(kv.key)) {
      reader.fail(
        'vars',
        `line ${kv.line}: '${kv.key}' is not a variable name.`,
        'A name is letters, digits and _, not starting with a digit.'
      );
      continue;
    }
    vars[kv.key] = kv.value;
  }

  const userLabels = keyValueMap(reader, 'labels', 'label');
  const userAnnotations = keyValueMap(reader, 'annotations', 'annotation');
  const setText = reader.string('prune-set');
  if (setText && !validLabelValue(setText))
    reader.fail(
      'prune-set',
      `'${setText}' is not a valid label value.`,
      'Use at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit.'
    );
  const set = setText || defaultSet(run, namespace);

  const prune = reader.boolean('prune', false);
  const wait = reader.boolean('wait', true);
  const timeoutMs = reader.duration('timeout', '10m', { min: 1000 });
  const rollback = reader.boolean('rollback', true);
  const forceConflicts = reader.boolean('force-conflicts', false);
  const fieldManager = reader.string('field-manager', { default: 'dockyard' }) ?? 'dockyard';
  if (fieldManager.length > 128 || /[\s/]/.test(fieldManager))
    reader.fail(
      'field-manager',
      `'${fieldManager}' is not a field manager name.`,
      'Use up to 128 characters without spaces or /.'
    );
  const dryRun = reader.boolean('dry-run', false);

  // The manifests are read only once every other input is sound, so one run reports every input problem,
  // and a manifest problem is never hidden behind (or confused with) an input typo.
  let manifests: Manifest[] = [];
  let images: ImageChange[] = [];
  if (reader.problems.length === 0) {
    try {
      const loaded = loadManifests({
        manifests: manifestLines,
        kustomize: kustomize && kustomizeText ? { dir: kustomize, text: kustomizeText } : undefined,
        workspace
      });
      if (loaded.length === 0)
        throw new DockyardError('holds no Kubernetes objects.', {
          input: kustomizeText && manifestLines.length === 0 ? 'kustomize' : 'manifests',
          hint: 'Check the files: every document is empty.'
        });
      const url = runUrl(run);
      const rendered = render(loaded, {
        vars,
        images: imageRules,
        labels: { [MANAGED_BY]: 'dockyard', [SET_LABEL]: set, ...userLabels },
        annotations: {
          ...(url ? { [RUN_ANNOTATION]: url } : {}),
          ...(run.sha ? { [COMMIT_ANNOTATION]: run.sha } : {}),
          ...userAnnotations
        }
      });
      manifests = rendered.manifests;
      images = rendered.images;
    } catch (error) {
      if (!(error instanceof DockyardError)) throw error;
      reader.problems.push(error);
    }
  }
  reader.done();
  return {
    cluster,
    region,
    roleArn,
    kubeconfig,
    namespace,
    manifests,
    images,
    set,
    prune,
    wait,
    timeoutMs,
    rollback,
    forceConflicts,
    fieldManager,
    dryRun
  };
}
