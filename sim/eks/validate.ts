/**
 * The API server's validation of the workloads, as far as clients meet it: what a real server answers 422
 * (Invalid) to. Each cause is `{ reason, field, message }` as in the Status `details.causes` it returns.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON in this file */
import { deepEqual } from './apply.js';
import { goSyntax } from './schema.js';
import { matchesRequirements, selectorRequirements } from './selectors.js';

type K = Record<string, any>;

export interface Cause {
  reason: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueForbidden';
  field: string;
  /** The cause as the server words it after the field (`Required value`, `Invalid value: …`). */
  detail: string;
}

const goMap = (labels: Record<string, string> | undefined) =>
  `map[string]string{${Object.entries(labels ?? {})
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(', ')}}`;

function podSpecCauses(spec: K | undefined, at: string): Cause[] {
  const causes: Cause[] = [];
  const containers = spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ reason: 'FieldValueRequired', field: `${at}.containers`, detail: 'Required value' });
    return causes;
  }
  const names = new Set<string>();
  for (const [list, items] of [
    ['initContainers', spec?.initContainers ?? []],
    ['containers', containers]
  ] as [string, K[]][]) {
    items.forEach((c, i) => {
      const field = `${at}.${list}[${i}]`;
      if (!c?.name)
        causes.push({ reason: 'FieldValueRequired', field: `${field}.name`, detail: 'Required value' });
      else if (names.has(c.name))
        causes.push({
          reason: 'FieldValueInvalid',
          field: `${field}.name`,
          detail: `Duplicate value: ${JSON.stringify(c.name)}`
        });
      else names.add(c.name);
      if (!c?.image)
        causes.push({ reason: 'FieldValueRequired', field: `${field}.image`, detail: 'Required value' });
    });
  }
  return causes;
}

const WORKLOADS = ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'];

/** The causes a write of `object` (replacing `old`, if any) is refused for; empty when it is valid. */
export function validate(kind: string, object: K, old: K | undefined): Cause[] {
  const causes: Cause[] = [];
  const spec = object.spec ?? {};
  if (WORKLOADS.includes(kind)) {
    const selector = spec.selector;
    if (
      !selector ||
      (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length)
    ) {
      causes.push({ reason: 'FieldValueRequired', field: 'spec.selector', detail: 'Required value' });
    } else {
      const labels = spec.template?.metadata?.labels;
      if (!matchesRequirements(selectorRequirements(selector), labels))
        causes.push({
          reason: 'FieldValueInvalid',
          field: 'spec.template.metadata.labels',
          detail: `Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\``
        });
      if (old && kind !== 'StatefulSet' && !deepEqual(old.spec?.selector, selector))
        causes.push({
          reason: 'FieldValueInvalid',
          field: 'spec.selector',
          detail: `Invalid value: v1.LabelSelector{MatchLabels:${goMap(selector.matchLabels)}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable`
        });
    }
    causes.push(...podSpecCauses(spec.template?.spec, 'spec.template.spec'));
  }
  if (kind === 'StatefulSet' && old) causes.push(...statefulSetUpdate(spec, old.spec ?? {}));
  if (kind === 'Service' && old) causes.push(...serviceUpdate(spec, old.spec ?? {}));
  if (kind === 'Job') {
    causes.push(...podSpecCauses(spec.template?.spec, 'spec.template.spec'));
    const policy = spec.template?.spec?.restartPolicy;
    if (policy !== 'Never' && policy !== 'OnFailure')
      causes.push({
        reason: 'FieldValueNotSupported',
        field: 'spec.template.spec.restartPolicy',
        detail: `Unsupported value: ${JSON.stringify(policy ?? 'Always')}: supported values: "OnFailure", "Never"`
      });
    if (old && !deepEqual(old.spec?.template, spec.template))
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.template',
        // The internal core.PodTemplateSpec has no String method: the server quotes it with %#v, all of it.
        detail: `Invalid value: ${goSyntax(spec.template, 'V1PodTemplateSpec')}: field is immutable`
      });
  }
  if (kind === 'CronJob')
    causes.push(
      ...podSpecCauses(spec.jobTemplate?.spec?.template?.spec, 'spec.jobTemplate.spec.template.spec')
    );
  if (kind === 'Pod') causes.push(...podSpecCauses(spec, 'spec'));
  return causes;
}

/** The StatefulSet fields an update may change (apps validation ValidateStatefulSetUpdate). */
const STATEFULSET_MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'revisionHistoryLimit',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds'
];

function statefulSetUpdate(spec: K, oldSpec: K): Cause[] {
  const keys = new Set([...Object.keys(spec), ...Object.keys(oldSpec)]);
  const changed = [...keys].filter(k => !STATEFULSET_MUTABLE.includes(k) && !deepEqual(spec[k], oldSpec[k]));
  if (!changed.length) return [];
  return [
    {
      reason: 'FieldValueForbidden',
      field: 'spec',
      detail:
        "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
    }
  ];
}

/** A Service's allocated cluster IP may not change (core validation ValidateServiceClusterIPsRelatedFields). */
function serviceUpdate(spec: K, oldSpec: K): Cause[] {
  if (!oldSpec.clusterIP || oldSpec.clusterIP === 'None' || spec.clusterIP === oldSpec.clusterIP) return [];
  const ips: string[] = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
  return [
    {
      reason: 'FieldValueInvalid',
      field: 'spec.clusterIPs[0]',
      detail: `Invalid value: []string{${ips.map(ip => JSON.stringify(ip)).join(', ')}}: may not change once set`
    }
  ];
}

/** The Status message: `Deployment.apps "web" is invalid: <field>: <detail>` (several causes in brackets). */
export function invalidMessage(kind: string, group: string, name: string, causes: Cause[]): string {
  const parts = causes.map(c => `${c.field}: ${c.detail}`);
  return `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`;
}
