/**
 * The scheduler and kubelet of the test cluster: each pod is scheduled, then its containers move through
 * their states by the behaviour their image is given (behaviour.ts), with restarts and back-offs, readiness,
 * the kubelet's own checks (image reference, ConfigMaps and Secrets the env names), Events as the kubelet and
 * scheduler word them, and the log lines of every container instance (for `previous=true`).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON in this file */
import { randomBytes } from 'node:crypto';
import { clone } from './apply.js';
import { CRASH_LOGS, RUN_LOGS, type Behaviour, type BehaviourTable, type Timing } from './behaviour.js';
import { volumeBinding } from './cloud.js';
import type { ControllerOptions } from './controller.js';
import type { ResourceInfo } from './resources.js';
import { Provisioner } from './nodes.js';
import { iso, setCondition } from './status.js';
import { nameOf, namespaceOf, uidOf, type Entry, type Store } from './store.js';

type K = Record<string, any>;

const KUBELET = 'kubelet';

/** Records an Event about `involved` as `component` would (`extra`: fieldPath, host). */
export type EmitEvent = (
  involved: K,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  component: string,
  extra?: K
) => void;

/** What the kubelet needs from the cluster around it (the controllers implement it). */
export interface KubeletHost {
  readonly store: Store;
  readonly behaviours: BehaviourTable;
  readonly options: ControllerOptions;
  /** The current tick's time. */
  readonly now: number;
  info(apiVersion: string, kind: string): ResourceInfo;
  /** A duration scaled by the cluster's speed. */
  ms(value: number): number;
  nodeNames(): string[];
  /** A new node joins (a late node's NodeClaim became a Node). */
  join(name: string, labels: Record<string, string>): void;
  event: EmitEvent;
  putStatus(e: Entry, status: K): void;
}

interface ContainerSim {
  name: string;
  /** The container as the pod spec declares it (env, envFrom). */
  spec: K;
  image: string;
  init: boolean;
  behaviour: Behaviour;
  timing: Timing;
  /** waiting | running | terminated, with the moment it began and when the next step is due. */
  state: K;
  since: number;
  next: number;
  ready: boolean;
  started: boolean;
  restartCount: number;
  crashes: number;
  pulls: number;
  lastState: K;
  /** Log lines per instance of the container, oldest first. */
  instances: string[][];
  containerId: string;
}

interface PodSim {
  uid: string;
  /** When a Terminating pod is gone. */
  terminateAt?: number;
  created: number;
  scheduled: boolean;
  node?: string;
  job: boolean;
  restartPolicy: string;
  containers: ContainerSim[];
  lastSchedulingEvent?: number;
  lastUnhealthy?: number;
  ip: string;
}

export class Kubelet {
  /**
   * The node with the fewest pods (ties by name), as the default scheduler's LeastAllocated scoring spreads equal
   * pods: deterministic, so a test that throttles one node knows pods land on it.
   */
  private leastLoadedNode(): string | undefined {
    const load = new Map(this.host.nodeNames().map(n => [n, 0]));
    for (const other of this.sims.values())
      if (other.node && load.has(other.node)) load.set(other.node, load.get(other.node)! + 1);
    return [...load.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0]?.[0];
  }

  private readonly sims = new Map<string, PodSim>();
  private ipCounter = 10;
  private readonly provisioner = new Provisioner();
  /** Pulls refused with 429 so far, per node. */
  private readonly throttled = new Map<string, number>();

  constructor(private readonly host: KubeletHost) {}

  reset(): void {
    this.sims.clear();
    this.provisioner.reset();
    this.throttled.clear();
  }

  /** Forgets the pods that are gone. */
  forget(live: Set<string>): void {
    for (const uid of this.sims.keys()) if (!live.has(uid)) this.sims.delete(uid);
  }

  private simFor(pod: K): PodSim {
    const uid = uidOf(pod);
    let sim = this.sims.get(uid);
    if (sim) return sim;
    const job = (pod.metadata.ownerReferences ?? []).some((r: K) => r.kind === 'Job');
    const containers = [
      ...(pod.spec.initContainers ?? []).map((c: K) => ({ c, init: true })),
      ...(pod.spec.containers ?? []).map((c: K) => ({ c, init: false }))
    ].map(({ c, init }): ContainerSim => {
      const behaviour = this.host.behaviours.resolve(String(c.image ?? ''));
      return {
        name: c.name,
        spec: c,
        image: c.image,
        init,
        behaviour,
        timing: { ...this.host.options.timing, ...(behaviour.timing ?? {}) },
        state: { waiting: { reason: init ? 'PodInitializing' : 'ContainerCreating' } },
        since: this.host.now,
        next: 0,
        ready: false,
        started: false,
        restartCount: 0,
        crashes: 0,
        pulls: 0,
        lastState: {},
        instances: [],
        containerId: ''
      };
    });
    sim = {
      uid,
      created: this.host.now,
      scheduled: false,
      node: pod.spec.nodeName,
      job,
      restartPolicy: pod.spec.restartPolicy ?? 'Always',
      containers,
      ip: `10.0.${Math.floor(this.ipCounter / 250) % 250}.${(this.ipCounter++ % 250) + 2}`
    };
    this.sims.set(uid, sim);
    return sim;
  }

  /** The instance lines a container logs, for `pods/log`. `previous`: the instance before the current one. */
  logs(podUid: string, container: string): { instances: string[][]; state: K } | undefined {
    const c = this.sims.get(podUid)?.containers.find(x => x.name === container);
    return c ? { instances: c.instances, state: c.state } : undefined;
  }

  /** One look at a pod: schedule it, move its containers on, write its status. */
  pod(e: Entry): void {
    const pod = e.object as K;
    const sim = this.simFor(pod);
    if (pod.metadata.deletionTimestamp) {
      if (sim.terminateAt === undefined) {
        sim.terminateAt = this.host.now + this.host.ms(this.host.options.timing.terminateMs);
        for (const c of sim.node ? sim.containers.filter(x => x.state.running) : [])
          this.host.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, KUBELET, {
            fieldPath: `spec.containers{${c.name}}`,
            host: sim.node
          });
      }
      if (this.host.now >= sim.terminateAt) this.host.store.remove(e.info, namespaceOf(pod), nameOf(pod));
      return;
    }
    const status = clone(pod.status ?? {});
    const t = this.host.options.timing;
    if (!sim.scheduled) {
      // A rule may make scheduling slow (e.g. a Fargate pod waits about a minute for its node).
      const scheduleMs = Math.max(t.scheduleMs, ...sim.containers.map(c => c.timing.scheduleMs));
      const unschedulable = sim.containers.find(c => c.behaviour.behaviour === 'unschedulable');
      if (unschedulable) {
        const n = this.host.options.nodes;
        const message =
          unschedulable.behaviour.message ??
          `0/${n} nodes are available: ${n} Insufficient cpu. preemption: 0/${n} nodes are available: ${n} No preemption victims found for incoming pod.`;
        setCondition(
          status,
          { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message },
          this.host.now,
          false
        );
        status.phase = 'Pending';
        if (
          this.host.now - sim.created >= this.host.ms(scheduleMs) &&
          (sim.lastSchedulingEvent === undefined ||
            this.host.now - sim.lastSchedulingEvent >= this.host.ms(t.backoffMs))
        ) {
          sim.lastSchedulingEvent = this.host.now;
          this.host.event(pod, 'Warning', 'FailedScheduling', message, 'default-scheduler');
        }
        this.host.putStatus(e, this.podStatus(status, pod, sim));
        return;
      }
      if (this.host.now - sim.created < this.host.ms(scheduleMs)) {
        status.phase = 'Pending';
        this.host.putStatus(e, this.podStatus(status, pod, sim));
        return;
      }
      if (!sim.node && this.waitsForNode(e, pod, sim, status)) return;
      sim.node ??= this.leastLoadedNode();
      if (this.waitsForVolumes(e, pod, sim, status)) return;
      sim.scheduled = true;
      if (pod.spec.nodeName !== sim.node) {
        const o = clone(pod);
        o.spec.nodeName = sim.node;
        this.host.store.write(e.info, o, { manager: 'default-scheduler' });
        e = this.host.store.entry(e.info, namespaceOf(pod), nameOf(pod))!;
      }
      this.host.event(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${namespaceOf(pod)}/${nameOf(pod)} to ${sim.node}`,
        'default-scheduler'
      );
      setCondition(status, { type: 'PodScheduled', status: 'True' }, this.host.now, false);
      status.startTime = iso(this.host.now);
      for (const c of sim.containers) {
        c.since = this.host.now;
        c.next = this.host.now + this.host.ms(c.timing.startMs);
      }
    }
    const inits = sim.containers.filter(c => c.init);
    const initsDone = inits.every(c => c.state.terminated?.exitCode === 0);
    const current = initsDone
      ? sim.containers.filter(c => !c.init)
      : [inits.find(c => c.state.terminated?.exitCode !== 0)!];
    for (const c of current) this.container(pod, sim, c);
    this.host.putStatus(e, this.podStatus(status, pod, sim));
  }

  /**
   * A late node: the pod is unschedulable until the provisioner's node joins (FailedScheduling from the
   * scheduler, one Nominated from the provisioner), then it is bound to that node. True while it waits.
   */
  private waitsForNode(e: Entry, pod: K, sim: PodSim, status: K): boolean {
    const late = this.host.options.lateNode;
    const pool = late?.nodePool ?? 'default';
    const placed = this.provisioner.place(
      sim.uid,
      late,
      this.host.now,
      this.host.ms(late?.delayMs ?? 0),
      node => this.host.join(node, { 'karpenter.sh/nodepool': pool, 'karpenter.sh/registered': 'true' })
    );
    if (!placed.wait) {
      sim.node = placed.node;
      return false;
    }
    const n = this.host.nodeNames().length;
    this.unschedulable(
      pod,
      sim,
      status,
      `0/${n} nodes are available: ${n} Insufficient cpu. preemption: 0/${n} nodes are available: ${n} No preemption victims found for incoming pod.`
    );
    if (placed.nominate)
      this.host.event(
        pod,
        'Normal',
        'Nominated',
        `Pod should schedule on: nodeclaim/${placed.claim}`,
        'karpenter'
      );
    this.host.putStatus(e, this.podStatus(status, pod, sim));
    return true;
  }

  /**
   * The scheduler's volume binding: a pod whose claims are not Bound stays Pending, unschedulable (an unbound
   * Immediate claim, a missing one: FailedScheduling on the scheduler's back-off) or waiting for its
   * WaitForFirstConsumer claims to be provisioned on its node. True while it waits.
   */
  private waitsForVolumes(e: Entry, pod: K, sim: PodSim, status: K): boolean {
    const host = this.host;
    const binding = volumeBinding(
      host.store,
      (v, k) => host.info(v, k),
      pod,
      sim.node!,
      host.nodeNames().length
    );
    if (!binding.wait) return false;
    status.phase = 'Pending';
    if (binding.unschedulable) this.unschedulable(pod, sim, status, binding.unschedulable);
    host.putStatus(e, this.podStatus(status, pod, sim));
    return true;
  }

  /** A pod the scheduler cannot place: PodScheduled False, and FailedScheduling on the scheduler's back-off. */
  private unschedulable(pod: K, sim: PodSim, status: K, message: string): void {
    const host = this.host;
    setCondition(
      status,
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message },
      host.now,
      false
    );
    status.phase = 'Pending';
    if (
      sim.lastSchedulingEvent === undefined ||
      host.now - sim.lastSchedulingEvent >= host.ms(host.options.timing.backoffMs)
    ) {
      sim.lastSchedulingEvent = host.now;
      host.event(pod, 'Warning', 'FailedScheduling', message, 'default-scheduler');
    }
  }

  /** The registry's 429 for a pull on a node that is still throttled, counting it; undefined when the pull goes through. */
  private throttle(sim: PodSim, image: string): string | undefined {
    const rule = this.host.options.pullThrottle;
    if (!rule || rule.node !== sim.node) return undefined;
    const used = this.throttled.get(rule.node) ?? 0;
    if (used >= rule.failures) return undefined;
    this.throttled.set(rule.node, used + 1);
    const ref = qualified(image);
    const [host, ...path] = ref.split('/');
    const colon = path.join('/').lastIndexOf(':');
    const repo = colon > 0 ? path.join('/').slice(0, colon) : path.join('/');
    const tag = colon > 0 ? path.join('/').slice(colon + 1) : 'latest';
    // containerd's resolver, meeting the registry's rate limit (ECR: Rate exceeded; Docker Hub: pull rate limit).
    return `rpc error: code = Unknown desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": unexpected status from HEAD request to https://${host}/v2/${repo}/manifests/${tag}: 429 Too Many Requests`;
  }

  private container(pod: K, sim: PodSim, c: ContainerSim): void {
    if (this.host.now < c.next) return;
    const b = c.behaviour.behaviour;
    const fieldPath = `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}`;
    const kubelet = (type: 'Normal' | 'Warning', reason: string, message: string) =>
      this.host.event(pod, type, reason, message, KUBELET, { fieldPath, host: sim.node });
    const scale = this.host.options.backoffScale;
    const backoff = (n: number) =>
      Math.min(this.host.ms(c.timing.backoffMs) * 2 ** Math.max(0, n), this.host.ms(300_000)) * scale;
    const runsToEnd = c.init || sim.job || b === 'fails';
    const waiting = c.state.waiting?.reason;
    if (STARTING.includes(waiting)) {
      const invalid = imageReferenceError(c.image);
      if (invalid) {
        // The kubelet cannot even parse the image: it stays there until the pod spec changes.
        const message = `Failed to apply default image tag "${c.image}": couldn't parse image name "${c.image}": ${invalid}`;
        c.state = { waiting: { reason: 'InvalidImageName', message } };
        c.next = Infinity;
        kubelet('Warning', 'InspectFailed', message);
        kubelet('Warning', 'Failed', 'Error: InvalidImageName');
        return;
      }
      const refused = waiting === 'ErrImagePull' ? undefined : this.throttle(sim, c.image);
      if (
        b === 'pull-fail' ||
        refused ||
        (waiting === 'ErrImagePull' && c.behaviour.behaviour !== 'pull-fail')
      ) {
        if (waiting === 'ErrImagePull') {
          const wait = backoff(c.pulls - 1);
          c.state = {
            waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` }
          };
          c.next = this.host.now + wait;
          kubelet('Normal', 'BackOff', `Back-off pulling image "${c.image}"`);
          kubelet('Warning', 'Failed', 'Error: ImagePullBackOff');
        } else {
          c.pulls++;
          const error =
            refused ??
            c.behaviour.message ??
            `rpc error: code = NotFound desc = failed to pull and unpack image "${qualified(c.image)}": failed to resolve reference "${qualified(c.image)}": ${qualified(c.image)}: not found`;
          c.state = { waiting: { reason: 'ErrImagePull', message: error } };
          c.next = this.host.now + this.host.ms(c.timing.startMs);
          kubelet('Normal', 'Pulling', `Pulling image "${c.image}"`);
          kubelet('Warning', 'Failed', `Failed to pull image "${c.image}": ${error}`);
          kubelet('Warning', 'Failed', 'Error: ErrImagePull');
        }
        return;
      }
      const missing = this.missingConfig(namespaceOf(pod), c.spec);
      if (missing) {
        // The image is there but the container cannot be made: retried until the ConfigMap/Secret appears.
        if (waiting !== 'CreateContainerConfigError')
          kubelet('Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
        c.state = { waiting: { reason: 'CreateContainerConfigError', message: missing } };
        c.next = this.host.now + this.host.ms(c.timing.startMs);
        kubelet('Warning', 'Failed', `Error: ${missing}`);
        return;
      }
      this.startInstance(c, sim, kubelet, !c.started);
      return;
    }
    if (waiting === 'CrashLoopBackOff') {
      this.startInstance(c, sim, kubelet, false);
      return;
    }
    if (c.state.running) {
      const crashes =
        b === 'crashloop' || (b === 'crash-once' && c.crashes === 0) || (b === 'fails' && !runsToEnd);
      const ends = runsToEnd && !crashes;
      if (crashes || ends) {
        const exitCode = ends
          ? b === 'fails'
            ? (c.behaviour.exitCode ?? 1)
            : 0
          : (c.behaviour.exitCode ?? 1);
        // The kubelet reports what the container wrote to its termination log (terminationMessagePath).
        const message = exitCode !== 0 ? c.behaviour.message : undefined;
        c.state = {
          terminated: {
            exitCode,
            reason: exitCode === 0 ? 'Completed' : 'Error',
            ...(message ? { message } : {}),
            startedAt: c.state.running.startedAt,
            finishedAt: iso(this.host.now),
            containerID: c.containerId
          }
        };
        c.ready = false;
        if (exitCode !== 0) c.crashes++;
        if (exitCode === 0 || sim.restartPolicy === 'Never') {
          c.next = Infinity;
          return;
        }
        // Restarted at once after the first crash; from the second on, a back-off (CrashLoopBackOff).
        if (c.crashes === 1) {
          c.next = this.host.now + this.host.ms(50);
        } else {
          const wait = backoff(c.crashes - 2);
          c.lastState = c.state;
          c.state = {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off ${Math.round((wait * this.host.options.speed) / scale / 1000)}s restarting failed container=${c.name} pod=${nameOf(pod)}_${namespaceOf(pod)}(${uidOf(pod)})`
            }
          };
          c.next = this.host.now + wait;
          kubelet(
            'Warning',
            'BackOff',
            `Back-off restarting failed container ${c.name} in pod ${nameOf(pod)}_${namespaceOf(pod)}(${uidOf(pod)})`
          );
        }
        return;
      }
      if (!c.ready && b !== 'never-ready' && !c.init) {
        c.ready = true;
        c.next = Infinity;
      }
      if (b === 'never-ready') {
        kubelet('Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503');
        c.next = this.host.now + this.host.ms(c.timing.readyMs * 2);
      }
      return;
    }
    if (c.state.terminated && c.next !== Infinity) {
      // The immediate restart after a first crash.
      c.lastState = c.state;
      this.startInstance(c, sim, kubelet, false);
    }
  }

  /** What the kubelet says when a container's env names a ConfigMap or Secret (or key) that is not there. */
  private missingConfig(namespace: string, spec: K): string | undefined {
    const lookup = (kind: 'ConfigMap' | 'Secret', name: string) =>
      this.host.store.get(this.host.info('v1', kind), namespace, name) as K | undefined;
    const check = (kind: 'ConfigMap' | 'Secret', ref: K | undefined, key?: string): string | undefined => {
      if (!ref || ref.optional) return undefined;
      const object = lookup(kind, String(ref.name));
      if (!object) return `${kind.toLowerCase()} "${ref.name}" not found`;
      if (key !== undefined && !(key in (object.data ?? {})) && !(key in (object.binaryData ?? {})))
        return `couldn't find key ${key} in ${kind} ${namespace}/${ref.name}`;
      return undefined;
    };
    for (const e of spec.env ?? []) {
      const from = e.valueFrom ?? {};
      const problem =
        check('ConfigMap', from.configMapKeyRef, from.configMapKeyRef?.key) ??
        check('Secret', from.secretKeyRef, from.secretKeyRef?.key);
      if (problem) return problem;
    }
    for (const e of spec.envFrom ?? []) {
      const problem = check('ConfigMap', e.configMapRef) ?? check('Secret', e.secretRef);
      if (problem) return problem;
    }
    return undefined;
  }

  private startInstance(
    c: ContainerSim,
    sim: PodSim,
    kubelet: (type: 'Normal' | 'Warning', reason: string, message: string) => void,
    first: boolean
  ): void {
    const b = c.behaviour.behaviour;
    if (first) {
      kubelet('Normal', 'Pulling', `Pulling image "${c.image}"`);
      kubelet(
        'Normal',
        'Pulled',
        `Successfully pulled image "${c.image}" in 1.2s (1.2s including waiting). Image size: 12345678 bytes.`
      );
    } else {
      kubelet('Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
      c.restartCount++;
    }
    kubelet('Normal', 'Created', `Created container: ${c.name}`);
    kubelet('Normal', 'Started', `Started container ${c.name}`);
    c.containerId = `containerd://${randomBytes(32).toString('hex')}`;
    c.started = true;
    c.state = { running: { startedAt: iso(this.host.now) } };
    const crashing = b === 'crashloop' || (b === 'crash-once' && c.crashes === 0);
    const jobLike = c.init || b === 'fails' || (b !== 'never-ready' && sim.job);
    c.instances.push(
      c.behaviour.logs ?? (crashing || b === 'fails' ? CRASH_LOGS : jobLike ? ['starting', 'done'] : RUN_LOGS)
    );
    c.next =
      this.host.now +
      this.host.ms(crashing ? c.timing.crashAfterMs : jobLike ? c.timing.jobRunMs : c.timing.readyMs);
  }

  /**
   * Readiness gates (`target-health.elbv2.k8s.aws/…`): once the containers are ready, the AWS Load Balancer
   * Controller registers the pod and sets the gate's condition (True, or False with the target's health when
   * `readinessGates: 'closed'`). Returns the kubelet's message while a gate is not True, else undefined.
   */
  private readinessGates(pod: K, status: K, containersReady: boolean): string | undefined {
    const gates: string[] = (pod.spec?.readinessGates ?? []).map((g: K) => String(g.conditionType));
    const open = this.host.options.readinessGates !== 'closed';
    for (const gate of containersReady ? gates : [])
      setCondition(
        status,
        open
          ? { type: gate, status: 'True' }
          : {
              type: gate,
              status: 'False',
              reason: 'Target.FailedHealthChecks',
              message: 'Health checks failed'
            },
        this.host.now,
        false
      );
    const messages = gates.flatMap(gate => {
      const c = (status.conditions ?? []).find((x: K) => x.type === gate);
      if (!c) return [`corresponding condition of pod readiness gate "${gate}" does not exist.`];
      return c.status === 'True'
        ? []
        : [`the status of pod readiness gate "${gate}" is not "True", but ${c.status}`];
    });
    return messages.length ? messages.join(', ') : undefined;
  }

  private podStatus(status: K, pod: K, sim: PodSim): K {
    const toStatus = (c: ContainerSim): K => ({
      name: c.name,
      image: c.image,
      imageID: c.started ? `${qualified(c.image).replace(/:[^:/@]+$/, '')}@sha256:${hashHex(c.image)}` : '',
      ...(c.started ? { containerID: c.containerId } : {}),
      ready: c.ready,
      started: Boolean(c.state.running),
      restartCount: c.restartCount,
      state: c.state,
      lastState: c.lastState
    });
    const apps = sim.containers.filter(c => !c.init);
    const inits = sim.containers.filter(c => c.init);
    if (sim.scheduled) {
      status.hostIP = '192.168.1.' + (Number(/\d+$/.exec(sim.node ?? '1')?.[0] ?? 1) + 10);
      status.hostIPs = [{ ip: status.hostIP }];
      status.podIP = sim.ip;
      status.podIPs = [{ ip: sim.ip }];
      status.containerStatuses = apps.map(toStatus);
      if (inits.length) status.initContainerStatuses = inits.map(toStatus);
      const initialized = inits.every(c => c.state.terminated?.exitCode === 0);
      const containersReady = initialized && apps.every(c => c.ready);
      const gates = this.readinessGates(pod, status, containersReady);
      const ready = containersReady && !gates;
      const completed = apps.every(c => c.state.terminated && c.next === Infinity);
      const notReady = apps.filter(c => !c.ready).map(c => c.name);
      setCondition(status, { type: 'PodReadyToStartContainers', status: 'True' }, this.host.now, false);
      setCondition(
        status,
        initialized
          ? { type: 'Initialized', status: 'True' }
          : {
              type: 'Initialized',
              status: 'False',
              reason: 'ContainersNotInitialized',
              message: `containers with incomplete status: [${inits
                .filter(c => c.state.terminated?.exitCode !== 0)
                .map(c => c.name)
                .join(' ')}]`
            },
        this.host.now,
        false
      );
      // A pod whose containers all ended is not ready because it completed, not because a container is unready.
      const unready = completed
        ? { status: 'False', reason: 'PodCompleted' }
        : {
            status: 'False',
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${notReady.join(' ')}]`
          };
      setCondition(
        status,
        containersReady
          ? { type: 'ContainersReady', status: 'True' }
          : { type: 'ContainersReady', ...unready },
        this.host.now,
        false
      );
      setCondition(
        status,
        ready
          ? { type: 'Ready', status: 'True' }
          : containersReady
            ? { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: gates }
            : { type: 'Ready', ...unready },
        this.host.now,
        false
      );
      setCondition(status, { type: 'PodScheduled', status: 'True' }, this.host.now, false);
      const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
      status.conditions.sort((a: K, b: K) => order.indexOf(a.type) - order.indexOf(b.type));
      if (completed)
        status.phase = apps.every(c => c.state.terminated.exitCode === 0) ? 'Succeeded' : 'Failed';
      else status.phase = apps.some(c => c.started) && initialized ? 'Running' : 'Pending';
    }
    status.qosClass ??= 'BestEffort';
    return status;
  }
}

function hashCode(text: string): number {
  let h = 0;
  for (const ch of text) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

function hashHex(text: string): string {
  let out = '';
  for (let i = 0; out.length < 64; i++) out += (hashCode(`${text}/${i}`) >>> 0).toString(16).padStart(8, '0');
  return out.slice(0, 64);
}

const STARTING: (string | undefined)[] = [
  'ContainerCreating',
  'PodInitializing',
  'ErrImagePull',
  'ImagePullBackOff',
  'CreateContainerConfigError'
];

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Why an image reference does not parse (the distribution reference grammar), or undefined when it does. */
export function imageReferenceError(image: string): string | undefined {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  let name = at >= 0 ? image.slice(0, at) : image;
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) return 'invalid reference format';
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    if (!/^[\w][\w.-]{0,127}$/.test(name.slice(colon + 1))) return 'invalid reference format';
    name = name.slice(0, colon);
  }
  const parts = name.split('/');
  const hasDomain = parts.length > 1 && /[.:]|^localhost$/.test(parts[0]);
  if (hasDomain && !/^[a-zA-Z0-9.-]+(:\d+)?$/.test(parts[0])) return 'invalid reference format';
  const path = hasDomain ? parts.slice(1) : parts;
  if (!path.length || path.some(p => p === '')) return 'invalid reference format';
  if (path.some(p => !PATH_COMPONENT.test(p))) {
    if (path.every(p => PATH_COMPONENT.test(p.toLowerCase())))
      return `invalid reference format: repository name (${hasDomain ? path.join('/') : (path.length === 1 ? 'library/' : '') + path.join('/')}) must be lowercase`;
    return 'invalid reference format';
  }
  return undefined;
}

/** `nginx:1` → `docker.io/library/nginx:1`, as containerd names an image. */
function qualified(image: string): string {
  const first = image.split('/')[0];
  if (image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost'))
    return image;
  return `docker.io/${image.includes('/') ? '' : 'library/'}${image}`;
}
