/**
 * A thin Kubernetes REST client: the calls deploy-eks makes and nothing else (discovery, server-side apply,
 * get, list, delete, container logs). Objects are plain JSON, so fields newer than this code reach the server
 * untouched. How requests travel (TLS, tokens, retries, limits) is kube-transport.ts; how objects are named
 * and found is kube-refs.ts.
 */
import { DockyardError } from '../../../core/errors.js';
import { Discovery, objectPath, type ObjectRef, type Resource } from './kube-refs.js';
import {
  formatBytes,
  KubeError,
  KubeTransport,
  quotable,
  type Connection,
  type TransportOptions
} from './kube-transport.js';

export { describeRef, groupOf, refKey, type ObjectRef, type Resource } from './kube-refs.js';
export {
  isRetryableKube,
  KubeError,
  parseWarnings,
  type Connection,
  type TokenSource
} from './kube-transport.js';

/** A Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
    managedFields?: unknown[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** What deploy-eks uses of a client: the real one, or a fake in unit tests. */
export type Kube = Pick<
  KubeClient,
  'resource' | 'get' | 'list' | 'apply' | 'patch' | 'delete' | 'logs' | 'close'
>;

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
  /** Told each `Warning:` header of the answer (deprecations, PodSecurity, admission webhooks). */
  onWarning?: (text: string) => void;
}

export interface DeleteOptions {
  dryRun?: boolean;
  /** Background (the default) or Foreground: the object stays, with a finalizer, until what it owns is gone. */
  propagationPolicy?: 'Background' | 'Foreground';
  /** Delete only this object (not one made again under the same name since). */
  uid?: string;
}

export interface LogOptions {
  /** The previous instance of the container (the one that crashed). */
  previous?: boolean;
  tailLines?: number;
}

/** The most of a container's log tail that is read (the server's `limitBytes`). */
export const LOG_LIMIT_BYTES = 64 * 1024;
/** A log line longer than this is cut: a line is evidence, not a payload. */
export const LOG_LINE_MAX_CHARS = 2000;
const DEFAULT_TAIL_LINES = 30;

export class KubeClient {
  private readonly transport: KubeTransport;
  private readonly discovery: Discovery;

  constructor(connection: Connection, options: TransportOptions = {}) {
    this.transport = new KubeTransport(connection, options);
    this.discovery = new Discovery(async base => {
      try {
        return await this.request<{ resources?: Resource[] }>('GET', base);
      } catch (error) {
        if (error instanceof KubeError && error.status === 404) return undefined;
        throw error;
      }
    });
  }

  close(): void {
    this.transport.close();
  }

  /** One request, JSON in and out (see KubeTransport.request for the retries and limits). */
  async request<T = unknown>(
    method: string,
    path: string,
    options: {
      body?: unknown;
      contentType?: string;
      /** Told each `Warning:` header of the answer. */
      onWarning?: (text: string) => void;
    } = {}
  ): Promise<T> {
    const answer = await this.transport.request(method, path, {
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      contentType: options.contentType
    });
    for (const warning of answer.warnings) options.onWarning?.(warning);
    if (answer.text === '') return undefined as T;
    try {
      return JSON.parse(answer.text) as T;
    } catch {
      throw new DockyardError(
        `The API server ${this.transport.host} answered ${method} ${path.split('?')[0]} with something that is not JSON (${answer.contentType || 'no content type'})${quotable(answer.text) ?? ''}.`
      );
    }
  }

  /** The resource for a kind, from discovery; discovery is asked again once when the kind is missing (a new CRD). */
  resource(apiVersion: string, kind: string): Promise<Resource> {
    return this.discovery.resource(apiVersion, kind);
  }

  /** The URL path of an object (or, without a name, of its collection). */
  async path(
    ref: Omit<ObjectRef, 'name'> & { name?: string },
    query: Record<string, string | undefined> = {}
  ): Promise<string> {
    return objectPath(await this.resource(ref.apiVersion, ref.kind), ref, query);
  }

  /**
   * Server-side apply, with `fieldValidation=Strict` as kubectl sends it: a field the schema does not know is
   * refused, not dropped.
   */
  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const path = await this.path(
      { ...object, namespace: object.metadata.namespace, name: object.metadata.name },
      {
        fieldManager: options.fieldManager,
        fieldValidation: 'Strict',
        force: options.force ? 'true' : undefined,
        dryRun: options.dryRun ? 'All' : undefined
      }
    );
    return this.request<KubeObject>('PATCH', path, {
      body: object,
      contentType: 'application/apply-patch+yaml',
      onWarning: options.onWarning
    });
  }

  /** A JSON patch (RFC 6902), for what apply cannot write (managedFields). */
  async patch(ref: ObjectRef, operations: unknown[]): Promise<KubeObject> {
    return this.request<KubeObject>('PATCH', await this.path(ref), {
      body: operations,
      contentType: 'application/json-patch+json'
    });
  }

  /** The object, or undefined when it does not exist. */
  async get<T = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', await this.path(ref));
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return undefined;
      throw error;
    }
  }

  async list<T = KubeObject>(
    ref: Omit<ObjectRef, 'name'>,
    selectors: { labelSelector?: string; fieldSelector?: string } = {}
  ): Promise<T[]> {
    const out = await this.request<{ items?: T[] }>('GET', await this.path(ref, selectors));
    return out?.items ?? [];
  }

  /** Deletes (background propagation unless told); true when it existed. */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    try {
      await this.request('DELETE', await this.path(ref, { dryRun: options.dryRun ? 'All' : undefined }), {
        body: {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          propagationPolicy: options.propagationPolicy ?? 'Background',
          ...(options.uid ? { preconditions: { uid: options.uid } } : {})
        }
      });
      return true;
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return false;
      throw error;
    }
  }

  /**
   * The last lines of a container's log (of its previous instance with `previous`), at most LOG_LIMIT_BYTES and
   * each line at most LOG_LINE_MAX_CHARS. The server's byte limit keeps the start of the tail and drops its end,
   * where the reason for a crash usually is: when the tail is cut, the last line is asked for alone, and a line
   * says what was left out.
   */
  async logs(namespace: string, pod: string, container: string, options: LogOptions = {}): Promise<string[]> {
    const tailLines = options.tailLines ?? DEFAULT_TAIL_LINES;
    const read = (lines: number) => this.logTail(namespace, pod, container, lines, options.previous);
    const tail = await read(tailLines);
    // One line over the limit is cut by capLine, which says so.
    if (!tail.cut || tailLines === 1) return tail.lines.map(capLine);
    // A cut tail ends inside a line, unless the limit fell on a line's end.
    const whole = tail.complete ? tail.lines : tail.lines.slice(0, -1);
    const last = (await read(1)).lines;
    if (tail.complete && last.at(-1) === whole.at(-1)) return whole.map(capLine);
    const note = `(… cut: the last ${tailLines} lines of the log are over ${formatBytes(LOG_LIMIT_BYTES)}: their start and the last line are shown)`;
    return [...whole, note, ...last].map(capLine);
  }

  private async logTail(
    namespace: string,
    pod: string,
    container: string,
    tailLines: number,
    previous?: boolean
  ): Promise<{ lines: string[]; cut: boolean; complete: boolean }> {
    const q = new URLSearchParams({
      container,
      tailLines: String(tailLines),
      limitBytes: String(LOG_LIMIT_BYTES)
    });
    if (previous) q.set('previous', 'true');
    const answer = await this.transport.request(
      'GET',
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log?${q}`,
      { maxBytes: LOG_LIMIT_BYTES, truncate: true }
    );
    // The server may stop at the limit itself (limitBytes), or ignore it and be cut here: either way it is full.
    const cut = answer.truncated || answer.bytes >= LOG_LIMIT_BYTES;
    return { lines: logLines(answer.text), cut, complete: answer.text.endsWith('\n') };
  }
}

/** A log as lines: the final newline ends the last line, it does not start an empty one. */
function logLines(text: string): string[] {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.at(-1) === '' ? lines.slice(0, -1) : lines;
}

function capLine(line: string): string {
  return line.length <= LOG_LINE_MAX_CHARS
    ? line
    : `${line.slice(0, LOG_LINE_MAX_CHARS)}… (line cut at ${LOG_LINE_MAX_CHARS} characters)`;
}
