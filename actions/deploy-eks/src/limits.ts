/**
 * The sizes a Kubernetes API server refuses, checked on the rendered objects in the render phase, before anything
 * is sent: an object the server would refuse halfway through the set (after the ones before it were applied) is
 * refused here, naming its file and object, and nothing is written. Upstream values:
 * - the request body: 3 MiB (k8s.io/apiserver `MaxRequestBodyBytes`, twice etcd's default request size): HTTP 413
 *   `Request entity too large: limit is 3145728`;
 * - a ConfigMap's or a Secret's data, summed: 1 MiB (`MaxSecretSize`): `Too long: must have at most 1048576 bytes`;
 * - an object's annotations, keys and values summed: 256 KiB (`TotalAnnotationSizeLimitB`);
 * - etcd's default request limit, 1.5 MiB (`--max-request-bytes`): what an object takes once stored (protobuf
 *   for built-in kinds, JSON for custom resources) is not knowable here, so a larger object is a warning.
 */
import { DockyardError, InputError } from '../../../core/errors.js';
import { formatBytes } from './kube-transport.js';
import type { Manifest } from './manifests.js';

const MiB = 1024 * 1024;
export const REQUEST_LIMIT = 3 * MiB;
const DATA_LIMIT = 1 * MiB;
const ANNOTATIONS_LIMIT = 256 * 1024;
const ETCD_LIMIT = 1.5 * MiB;

const utf8 = (s: unknown) => (typeof s === 'string' ? Buffer.byteLength(s, 'utf8') : 0);
/** The bytes a base64 value stands for (data and binaryData hold base64). */
const base64Bytes = (s: unknown) => (typeof s === 'string' ? Buffer.from(s, 'base64').length : 0);

function entries(value: unknown): [string, unknown][] {
  return value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
}

/** The data of a ConfigMap or Secret as the API server sums it; undefined for another kind. */
function dataBytes(object: Manifest['object']): number | undefined {
  const o = object as Record<string, unknown>;
  if (object.apiVersion !== 'v1') return undefined;
  if (object.kind === 'ConfigMap')
    return (
      entries(o.data).reduce((n, [, v]) => n + utf8(v), 0) +
      entries(o.binaryData).reduce((n, [, v]) => n + base64Bytes(v), 0)
    );
  if (object.kind !== 'Secret') return undefined;
  // stringData is merged into data (a key in both takes stringData's value).
  const data = new Map(entries(o.data).map(([k, v]) => [k, base64Bytes(v)]));
  for (const [k, v] of entries(o.stringData)) data.set(k, utf8(v));
  return [...data.values()].reduce((n, b) => n + b, 0);
}

function annotationBytes(object: Manifest['object']): number {
  return entries(object.metadata.annotations).reduce((n, [k, v]) => n + utf8(k) + utf8(v), 0);
}

/** A size past a limit, in bytes when rounding would show it equal to the limit (`1048577 bytes`, not `1 MiB`). */
const over = (bytes: number, limit: number) =>
  formatBytes(bytes) === formatBytes(limit) ? `${bytes} bytes` : formatBytes(bytes);

const HINT =
  'Keep large data out of the manifests (a volume, the image, object storage) or split the object; nothing was applied.';

/** What is too large in one object: problems (refused) and warnings (may be refused by etcd). */
function objectProblems(m: Manifest): { problems: string[]; warnings: string[] } {
  const { object } = m;
  const name = `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
  const at = `${m.source}: ${name}`;
  const problems: string[] = [];
  const warnings: string[] = [];
  const body = Buffer.byteLength(JSON.stringify(object), 'utf8');
  if (body > REQUEST_LIMIT)
    problems.push(
      `${at} is ${over(body, REQUEST_LIMIT)} as sent; the API server refuses a request over ${formatBytes(REQUEST_LIMIT)} (HTTP 413, limit ${REQUEST_LIMIT} bytes).`
    );
  else if (body > ETCD_LIMIT)
    warnings.push(
      `${at} is ${over(body, ETCD_LIMIT)} as sent; etcd refuses to store more than ${formatBytes(ETCD_LIMIT)} by default ("etcdserver: request is too large"), and the stored form may be that large.`
    );
  const data = dataBytes(object);
  if (data !== undefined && data > DATA_LIMIT)
    problems.push(
      `${at} holds ${over(data, DATA_LIMIT)} of data; a ${object.kind}'s data may be at most ${formatBytes(DATA_LIMIT)} (${DATA_LIMIT} bytes).`
    );
  const annotations = annotationBytes(object);
  if (annotations > ANNOTATIONS_LIMIT)
    problems.push(
      `${at} has ${over(annotations, ANNOTATIONS_LIMIT)} of annotations; an object's annotations may be at most ${formatBytes(ANNOTATIONS_LIMIT)} (keys and values).`
    );
  return { problems, warnings };
}

/**
 * Checks every rendered object against the API server's size limits; throws one InputError naming each object
 * that would be refused (by the input it came from: `manifests` or `kustomize`), else returns the warnings.
 */
export function checkSizes(manifests: Manifest[]): string[] {
  const problems: DockyardError[] = [];
  const warnings: string[] = [];
  for (const m of manifests) {
    const found = objectProblems(m);
    const input = m.source.startsWith('kustomize:') ? 'kustomize' : 'manifests';
    problems.push(...found.problems.map(p => new DockyardError(p, { input, hint: HINT })));
    warnings.push(...found.warnings);
  }
  if (problems.length > 0) throw new InputError(problems);
  return warnings;
}
