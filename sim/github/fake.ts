/**
 * A small local fake of GitHub's deployments API, for the unit tests of core/deployments.ts and the
 * end-to-end tests of the bundles (which reach it through GITHUB_API_URL, as Octokit honours it).
 *
 * It records every call and keeps deployments and their statuses the way GitHub does (facts from GitHub's REST
 * documentation, "REST API endpoints for deployments" and "… for deployment statuses"): lists newest first,
 * filters by sha/ref/task/environment, `production_environment` defaults to true for an environment named
 * `production`, and a `success` status with `auto_inactive` (the default) marks the environment's earlier
 * successful non-production, non-transient deployments `inactive`. It can refuse (403, as a GITHUB_TOKEN
 * without `deployments: write` is refused), drop connections, or never answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeCall {
  method: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  body?: Record<string, unknown>;
  authorization?: string;
  /** Epoch ms when it arrived. */
  receivedAt: number;
}

export interface FakeStatus {
  id: number;
  state: string;
  description: string;
  environment: string;
  log_url: string;
  environment_url: string;
  created_at: string;
}

export interface FakeDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: unknown;
  environment: string;
  description: string | null;
  production_environment: boolean;
  transient_environment: boolean;
  created_at: string;
  /** Newest last (the API lists newest first). */
  statuses: FakeStatus[];
}

/** ok: answer; forbidden: 403 to every call; reset: drop each connection; hang: never answer. */
export type FakeMode = 'ok' | 'forbidden' | 'reset' | 'hang';

export interface FakeGitHub {
  /** GITHUB_API_URL for this fake. */
  url: string;
  /** The token it accepts (`Authorization: token <token>`). */
  token: string;
  calls: FakeCall[];
  deployments: FakeDeployment[];
  mode: FakeMode;
  /** Called when a request arrives (after it is recorded), e.g. to act while one hangs. */
  onRequest?: (call: FakeCall) => void;
  /** Drops the connections of the requests left hanging (mode `hang`): their clients see a network error. */
  releaseHung(): void;
  /** Calls as `METHOD /path` with the repository part dropped, for compact assertions. */
  routes(): string[];
  /** A deployment made before the action ran, with its statuses (a POST creates one the same way). */
  seed(deployment: Partial<FakeDeployment> & { environment: string; states?: string[] }): FakeDeployment;
  reset(): void;
  stop(): Promise<void>;
}

const SHA = /^[0-9a-f]{40}$/;
const STATES = new Set(['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success']);

export async function startFakeGitHub(options: { token?: string } = {}): Promise<FakeGitHub> {
  const sockets = new Set<Socket>();
  const hung: Socket[] = [];
  let nextId = 1000;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const now = () => new Date((clock += 1000)).toISOString();

  const fake: FakeGitHub = {
    url: '',
    token: options.token ?? 'ghs_fake_token_for_tests',
    calls: [],
    deployments: [],
    mode: 'ok',
    routes: () => fake.calls.map(c => `${c.method} ${c.path.replace(/^\/repos\/[^/]+\/[^/]+/, '')}`),
    seed: init => {
      const deployment: FakeDeployment = {
        id: nextId++,
        sha: init.sha ?? 'f'.repeat(40),
        ref: init.ref ?? init.sha ?? 'main',
        task: init.task ?? 'deploy',
        payload: init.payload ?? {},
        environment: init.environment,
        description: init.description ?? null,
        production_environment: init.production_environment ?? init.environment === 'production',
        transient_environment: init.transient_environment ?? false,
        created_at: now(),
        statuses: []
      };
      for (const state of init.states ?? []) deployment.statuses.push(status(state, deployment, {}));
      fake.deployments.push(deployment);
      return deployment;
    },
    releaseHung: () => hung.splice(0).forEach(socket => socket.destroy()),
    reset: () => {
      fake.calls.length = 0;
      fake.deployments.length = 0;
      fake.mode = 'ok';
      fake.onRequest = undefined;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>(resolve => server.close(() => resolve()));
    }
  };

  function status(state: string, deployment: FakeDeployment, body: Record<string, unknown>): FakeStatus {
    return {
      id: nextId++,
      state,
      description: String(body.description ?? ''),
      environment: String(body.environment ?? deployment.environment),
      log_url: String(body.log_url ?? ''),
      environment_url: String(body.environment_url ?? ''),
      created_at: now()
    };
  }

  function send(res: ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json; charset=utf-8' });
    res.end(text);
  }

  function page<T>(items: T[], query: Record<string, string>): T[] {
    const perPage = Math.min(Number(query.per_page ?? 30) || 30, 100);
    const start = ((Number(query.page ?? 1) || 1) - 1) * perPage;
    return items.slice(start, start + perPage);
  }

  function view(d: FakeDeployment) {
    const { statuses: _statuses, ...rest } = d;
    return { ...rest, url: `${fake.url}/deployments/${d.id}` };
  }

  function handle(call: FakeCall, res: ServerResponse): void {
    const match = /^\/repos\/([^/]+)\/([^/]+)\/deployments(?:\/(\d+)(\/statuses)?)?$/.exec(call.path);
    if (!match) return send(res, 404, { message: 'Not Found' });
    const [, , , idText, statuses] = match;
    const body = call.body ?? {};

    if (!idText && call.method === 'GET') {
      const q = call.query;
      const found = fake.deployments
        .filter(
          d =>
            (q.sha === undefined || d.sha === q.sha) &&
            (q.ref === undefined || d.ref === q.ref) &&
            (q.task === undefined || d.task === q.task) &&
            (q.environment === undefined || d.environment === q.environment)
        )
        .sort((a, b) => b.id - a.id);
      return send(res, 200, page(found, q).map(view));
    }
    if (!idText && call.method === 'POST') {
      const ref = body.ref;
      if (typeof ref !== 'string' || ref === '')
        return send(res, 422, { message: 'Invalid request.\n\n"ref" wasn\'t supplied.' });
      // Created like a seeded one, with the same defaults; an unset field of the body takes GitHub's default.
      const deployment = fake.seed({
        sha: SHA.test(ref) ? ref : 'e'.repeat(40),
        ref,
        task: typeof body.task === 'string' ? body.task : undefined,
        payload: body.payload,
        environment: typeof body.environment === 'string' ? body.environment : 'production',
        description: typeof body.description === 'string' ? body.description : undefined,
        production_environment:
          typeof body.production_environment === 'boolean' ? body.production_environment : undefined,
        transient_environment: body.transient_environment === true
      });
      return send(res, 201, view(deployment));
    }
    const deployment = fake.deployments.find(d => d.id === Number(idText));
    if (!deployment) return send(res, 404, { message: 'Not Found' });
    if (!statuses && call.method === 'GET') return send(res, 200, view(deployment));
    if (statuses && call.method === 'GET')
      return send(res, 200, page([...deployment.statuses].reverse(), call.query));
    if (statuses && call.method === 'POST') {
      const state = String(body.state ?? '');
      if (!STATES.has(state)) return send(res, 422, { message: `Validation Failed: state '${state}'` });
      const created = status(state, deployment, body);
      deployment.statuses.push(created);
      if (state === 'success' && body.auto_inactive !== false) {
        for (const older of fake.deployments) {
          if (
            older.id < deployment.id &&
            older.environment === deployment.environment &&
            !older.production_environment &&
            !older.transient_environment &&
            older.statuses.at(-1)?.state === 'success'
          )
            older.statuses.push(status('inactive', older, {}));
        }
      }
      return send(res, 201, created);
    }
    return send(res, 404, { message: 'Not Found' });
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const text = Buffer.concat(chunks).toString();
      const call: FakeCall = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
        authorization: req.headers.authorization,
        receivedAt: Date.now()
      };
      fake.calls.push(call);
      fake.onRequest?.(call);
      if (fake.mode === 'hang') return void hung.push(req.socket);
      if (fake.mode === 'reset') return req.socket.destroy();
      if (call.authorization !== `token ${fake.token}`)
        return send(res, 401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest'
        });
      if (fake.mode === 'forbidden')
        return send(res, 403, {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest/deployments/deployments#create-a-deployment'
        });
      handle(call, res);
    });
  });
  server.on('connection', socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
