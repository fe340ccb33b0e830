/**
 * The HorizontalPodAutoscaler controller: it keeps its target's replicas within minReplicas..maxReplicas and at
 * the count its metrics ask for, writing them through the target's `scale` subresource as kube-controller-manager
 * does (an Update by `kube-controller-manager` with subresource `scale`, which takes `.spec.replicas` from the
 * manifest's applier). There is no metrics server here: a test says what the metrics ask for with the annotation
 * `dockyard.dev/test-desired-replicas`; without it the current count stands, clamped to the range.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON in this file */
import { clone } from './apply.js';
import type { EmitEvent } from './kubelet.js';
import type { ResourceInfo } from './resources.js';
import { iso, setCondition } from './status.js';
import { namespaceOf, type Entry, type Store } from './store.js';

type K = Record<string, any>;

/** The annotation a test sets on an HPA to stand for its metrics: the replica count they ask for. */
export const DESIRED_ANNOTATION = 'dockyard.dev/test-desired-replicas';

const MANAGER = 'kube-controller-manager';
const COMPONENT = 'horizontal-pod-autoscaler';

export interface HpaHost {
  readonly store: Store;
  readonly now: number;
  info(apiVersion: string, kind: string): ResourceInfo | undefined;
  event: EmitEvent;
  putStatus(e: Entry, status: K): void;
}

/**
 * Why the HPA picks a count, in the controller's words (`New size: 4; reason: …`): the metric's direction when
 * metrics asked (even past the range: that is the ScalingLimited condition), else the range it enforced.
 */
function rescaleReason(current: number, desired: number, wanted: number | undefined): string {
  if (wanted !== undefined)
    return desired > current
      ? 'cpu resource utilization (percentage of request) above target'
      : 'All metrics below target';
  return desired > current
    ? 'Current number of replicas below Spec.MinReplicas'
    : 'Current number of replicas above Spec.MaxReplicas';
}

/** One look at an HPA: read the target's scale, write the count it wants, record its status. */
export function autoscale(host: HpaHost, e: Entry): void {
  const hpa = e.object as K;
  const ref = hpa.spec?.scaleTargetRef ?? {};
  const info = host.info(String(ref.apiVersion ?? ''), String(ref.kind ?? ''));
  const target = info && host.store.entry(info, namespaceOf(hpa), String(ref.name));
  const status: K = clone(hpa.status ?? {});
  if (!info || !target) {
    const message = `the HPA controller was unable to get the target's current scale: ${info ? `${info.resource}${info.group ? `.${info.group}` : ''}` : String(ref.kind).toLowerCase()} "${ref.name}" not found`;
    setCondition(
      status,
      { type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message },
      host.now,
      false
    );
    if (status.conditions.find((c: K) => c.type === 'AbleToScale')?.lastTransitionTime === iso(host.now))
      host.event(hpa, 'Warning', 'FailedGetScale', message, COMPONENT);
    host.putStatus(e, status);
    return;
  }
  const current = Number((target.object as K).spec?.replicas ?? 1);
  const annotated = hpa.metadata.annotations?.[DESIRED_ANNOTATION];
  const wanted = annotated === undefined ? undefined : Number(annotated);
  const min = hpa.spec.minReplicas ?? 1;
  const desired = Math.min(hpa.spec.maxReplicas, Math.max(min, wanted ?? current));
  if (desired !== current) {
    const scaled = clone(target.object) as K;
    scaled.spec.replicas = desired;
    host.store.write(info, scaled, { manager: MANAGER, subresource: 'scale' });
    host.event(
      hpa,
      'Normal',
      'SuccessfulRescale',
      `New size: ${desired}; reason: ${rescaleReason(current, desired, wanted)}`,
      COMPONENT
    );
    status.lastScaleTime = iso(host.now);
  }
  status.currentReplicas = current;
  status.desiredReplicas = desired;
  setCondition(
    status,
    {
      type: 'AbleToScale',
      status: 'True',
      reason: desired !== current ? 'SucceededRescale' : 'ReadyForNewScale',
      message:
        desired !== current
          ? 'the HPA controller was able to update the target scale to ' + desired
          : 'recommended size matches current size'
    },
    host.now,
    false
  );
  setCondition(
    status,
    wanted === desired || wanted === undefined
      ? {
          type: 'ScalingLimited',
          status: 'False',
          reason: 'DesiredWithinRange',
          message: 'the desired count is within the acceptable range'
        }
      : {
          type: 'ScalingLimited',
          status: 'True',
          reason: wanted > desired ? 'TooManyReplicas' : 'TooFewReplicas',
          message: `the desired replica count is ${wanted > desired ? 'more' : 'less'} than the ${wanted > desired ? 'maximum' : 'minimum'} replica count`
        },
    host.now,
    false
  );
  host.putStatus(e, status);
}
