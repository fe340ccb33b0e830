/**
 * What a container does, chosen by its image: a rule table a test sets, then defaults by tag
 * (`repo:crashloop`, `repo:pull-fail`, …), then `runs`. And the phase durations the controller uses.
 */

export type BehaviourName =
  'runs' | 'crashloop' | 'crash-once' | 'pull-fail' | 'never-ready' | 'unschedulable' | 'fails';

const BEHAVIOURS: readonly BehaviourName[] = [
  'runs',
  'crashloop',
  'crash-once',
  'pull-fail',
  'never-ready',
  'unschedulable',
  'fails'
];

export interface Timing {
  /** Creation → PodScheduled. */
  scheduleMs: number;
  /** Scheduled → container running (ContainerCreating meanwhile). */
  startMs: number;
  /** Running → Ready. */
  readyMs: number;
  /** Running → exit, for crashing behaviours. */
  crashAfterMs: number;
  /** The first back-off (CrashLoopBackOff, ImagePullBackOff); doubles up to 5 minutes. */
  backoffMs: number;
  /** Running → exit, for Job pods. */
  jobRunMs: number;
  /** A deleted pod stays Terminating (deletionTimestamp set, not counted by its controller) this long; 0: gone at once. */
  terminateMs: number;
}

export const DEFAULT_TIMING: Timing = {
  scheduleMs: 100,
  startMs: 300,
  readyMs: 400,
  crashAfterMs: 500,
  backoffMs: 10_000,
  jobRunMs: 500,
  terminateMs: 0
};

export interface Behaviour {
  behaviour: BehaviourName;
  /** The lines each instance of the container logs (a crashing one logs them, then exits). */
  logs?: string[];
  exitCode?: number;
  /**
   * The pull error (pull-fail), the scheduling message (unschedulable), or what a crashing container wrote to
   * its termination log (its terminated state's `message`, as the kubelet reads `terminationMessagePath`).
   */
  message?: string;
  /** Per-behaviour timing overrides. */
  timing?: Partial<Timing>;
}

export type Match = string | RegExp;

export const CRASH_LOGS = [
  'starting app',
  'connecting to database db:5432',
  'panic: cannot connect to database'
];
export const RUN_LOGS = ['starting app', 'listening on :8080'];

/** The default behaviour of an image, by tag (the part after the last `:` that is not a registry port). */
function behaviourByTag(image: string): BehaviourName {
  const lastSlash = image.lastIndexOf('/');
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const tag = colon > lastSlash ? name.slice(colon + 1) : '';
  return (BEHAVIOURS as readonly string[]).includes(tag) && tag !== 'runs' ? (tag as BehaviourName) : 'runs';
}

export class BehaviourTable {
  private rules: { match: Match; behaviour: Behaviour }[] = [];

  set(match: Match, behaviour: BehaviourName | Behaviour): void {
    this.rules.push({ match, behaviour: typeof behaviour === 'string' ? { behaviour } : behaviour });
  }

  clear(): void {
    this.rules = [];
  }

  resolve(image: string): Behaviour {
    for (const { match, behaviour } of this.rules) {
      if (
        match instanceof RegExp
          ? match.test(image)
          : match.endsWith('*')
            ? image.startsWith(match.slice(0, -1))
            : match === image
      )
        return behaviour;
    }
    return { behaviour: behaviourByTag(image) };
  }
}
