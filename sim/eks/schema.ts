/**
 * The built-in kinds' schemas, for field validation: which fields an object may carry. The field lists are
 * the official JavaScript client's (`@kubernetes/client-node` 1.4, generated from the Kubernetes 1.34 OpenAPI),
 * so a field the API server would not know (`livenesProbe` for `livenessProbe`) is found here too. Kinds a
 * CRD defines have no schema here and keep every field, as a CRD that preserves unknown fields does.
 */
import * as models from '@kubernetes/client-node';
import { itemElement, pathString, type FieldPath, type Json } from './apply.js';
import type { ResourceInfo } from './resources.js';

interface Attribute {
  baseName: string;
  type: string;
}

type Model = { getAttributeTypeMap?: () => Attribute[] };

/** The client's model classes by name (`V1Deployment`, `V1PodSpec`, …). */
const MODELS = models as unknown as Record<string, Model | undefined>;

/** An unknown field, as the two decoders name it. */
export interface UnknownField {
  /** The strict JSON decoder's path (create, update, patches): `spec.template.spec.containers[0].livenesProbe`. */
  decodePath: string;
  /** The structured-merge-diff path (server-side apply): `.spec.template.spec.containers[name="app"].livenesProbe`. */
  applyPath: string;
}

/** The model of a built-in kind (`V1Deployment`, `V2HorizontalPodAutoscaler`, `CoreV1Event`), if it has one. */
function modelOf(info: ResourceInfo): string | undefined {
  if (info.crd) return undefined;
  const version = info.version.charAt(0).toUpperCase() + info.version.slice(1);
  return [`${version}${info.kind}`, `Core${version}${info.kind}`].find(
    name => MODELS[name]?.getAttributeTypeMap
  );
}

const LIST = /^Array<(.+)>$/;
const isObject = (v: Json | undefined): v is { [key: string]: Json } =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

interface Place {
  decode: string;
  apply: string;
  /** The field path so far, for the keys of associative lists. */
  path: FieldPath;
}

/** Every field of `object` that the kind's schema does not declare (empty for kinds without a schema). */
export function unknownFields(info: ResourceInfo, object: Json): UnknownField[] {
  const model = modelOf(info);
  const found: UnknownField[] = [];
  if (!model) return found;
  const visit = (value: Json | undefined, type: string, at: Place): void => {
    const list = LIST.exec(type);
    if (list && Array.isArray(value)) {
      const field = at.path.at(-1);
      const name = field && 'field' in field ? field.field : '';
      value.forEach((item, i) => {
        const element = itemElement(name, at.path.slice(0, -1), item);
        visit(item, list[1], {
          decode: `${at.decode}[${i}]`,
          apply: `${at.apply}${element ? pathString([element]) : `[${i}]`}`,
          path: element ? [...at.path, element] : at.path
        });
      });
      return;
    }
    const attributes = MODELS[type]?.getAttributeTypeMap?.();
    if (!attributes || !isObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const decode = at.decode ? `${at.decode}.${key}` : key;
      const apply = `${at.apply}.${key}`;
      const attribute = attributes.find(a => a.baseName === key);
      if (!attribute) found.push({ decodePath: decode, applyPath: apply });
      else visit(child, attribute.type, { decode, apply, path: [...at.path, { field: key }] });
    }
  };
  visit(object, model, { decode: '', apply: '', path: [] });
  return found;
}

/** The object without the fields its schema does not declare (what the server stores after a lenient decode). */
export function withoutUnknownFields(object: Json, unknown: UnknownField[]): Json {
  const copy = JSON.parse(JSON.stringify(object)) as Json;
  for (const { decodePath } of unknown) {
    const steps = decodePath.match(/[^.[\]]+/g) ?? [];
    let node: Json | undefined = copy;
    for (const step of steps.slice(0, -1))
      node = Array.isArray(node) ? node[Number(step)] : isObject(node) ? node[step] : undefined;
    if (isObject(node)) delete node[steps[steps.length - 1]];
  }
  return copy;
}

/** The Go package an API type lives in, as the API server's internal types print (`core.PodSpec`, `v1.ObjectMeta`). */
const META_TYPES = new Set([
  'ObjectMeta',
  'LabelSelector',
  'LabelSelectorRequirement',
  'OwnerReference',
  'ManagedFieldsEntry'
]);
const goType = (model: string) => {
  const name = model.replace(/^V\d+/, '');
  return `${META_TYPES.has(name) ? 'v1' : 'core'}.${name}`;
};
/** The Go field name: `restartPolicy` → `RestartPolicy`; `metadata` is the embedded `ObjectMeta`. */
const goField = (name: string) =>
  name === 'metadata' ? 'ObjectMeta' : name.charAt(0).toUpperCase() + name.slice(1);
const MAP = /^\{ \[key: string\]: (.+); \}$/;

/** A Go type name for a field's type (`[]core.Container`, `map[string]string`, `*int32`). */
function goTypeOf(type: string): string {
  const list = LIST.exec(type);
  if (list) return `[]${goTypeOf(list[1])}`;
  const map = MAP.exec(type);
  if (map) return `map[string]${goTypeOf(map[1])}`;
  if (MODELS[type]?.getAttributeTypeMap) return goType(type);
  return { string: 'string', number: 'int32', boolean: 'bool', Date: 'v1.Time' }[type] ?? 'interface {}';
}

/**
 * A value as Go's `%#v` prints the API server's internal struct (what `field is immutable` errors quote for
 * types with no String method, e.g. a Job's `core.PodTemplateSpec`): every field of the type, in the schema's
 * order, zero values included. The field order and pointer-ness follow the published schema, not the Go source,
 * so the text has the real one's shape and length, not its every character.
 */
export function goSyntax(value: Json | undefined, type: string): string {
  const list = LIST.exec(type);
  if (list) {
    if (!Array.isArray(value)) return `${goTypeOf(type)}(nil)`;
    return `${goTypeOf(type)}{${value.map(v => goSyntax(v, list[1])).join(', ')}}`;
  }
  const map = MAP.exec(type);
  if (map) {
    if (!isObject(value)) return `${goTypeOf(type)}(nil)`;
    const entries = Object.keys(value)
      .sort()
      .map(k => `${JSON.stringify(k)}:${goSyntax(value[k], map[1])}`);
    return `${goTypeOf(type)}{${entries.join(', ')}}`;
  }
  const attributes = MODELS[type]?.getAttributeTypeMap?.();
  if (attributes) {
    // ObjectMeta is embedded by value: it prints as a zero struct, not a nil pointer.
    if (!isObject(value) && type !== 'V1ObjectMeta') return `(*${goType(type)})(nil)`;
    const fields = attributes.map(
      a => `${goField(a.baseName)}:${goSyntax(isObject(value) ? value[a.baseName] : undefined, a.type)}`
    );
    return `${goType(type)}{${fields.join(', ')}}`;
  }
  if (value === undefined || value === null) return type === 'string' ? '""' : `(*${goTypeOf(type)})(nil)`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
