import { readFileSync } from 'node:fs';

/** The GitHub Actions run an action executes in, from the runner's environment. */
export interface RunContext {
  repository: string;
  serverUrl: string;
  sha: string;
  ref: string;
  refName: string;
  refType: string;
  /** The pull request's source branch (GITHUB_HEAD_REF), on pull_request events only. */
  headRef?: string;
  runId: string;
  runAttempt: string;
  workflow: string;
  job: string;
  actor: string;
  eventName: string;
  commitMessage?: string;
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  return {
    repository: env.GITHUB_REPOSITORY ?? '',
    serverUrl: (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, ''),
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    refName: env.GITHUB_REF_NAME ?? '',
    refType: env.GITHUB_REF_TYPE ?? '',
    headRef: env.GITHUB_HEAD_REF || undefined,
    runId: env.GITHUB_RUN_ID ?? '',
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    eventName: env.GITHUB_EVENT_NAME ?? '',
    commitMessage: commitMessage(env)
  };
}

/** The head commit's message, when the event payload carries one (push events do). */
function commitMessage(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GITHUB_EVENT_PATH) return undefined;
  try {
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
      head_commit?: { message?: string };
      pull_request?: { title?: string };
    };
    return event.head_commit?.message ?? event.pull_request?.title;
  } catch {
    return undefined;
  }
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

export function repositoryUrl(ctx: RunContext): string | undefined {
  return ctx.repository ? `${ctx.serverUrl}/${ctx.repository}` : undefined;
}

export function commitUrl(ctx: RunContext): string | undefined {
  return ctx.repository && ctx.sha ? `${ctx.serverUrl}/${ctx.repository}/commit/${ctx.sha}` : undefined;
}

export function runUrl(ctx: RunContext): string | undefined {
  if (!ctx.repository || !ctx.runId) return undefined;
  const attempt = ctx.runAttempt && ctx.runAttempt !== '1' ? `/attempts/${ctx.runAttempt}` : '';
  return `${ctx.serverUrl}/${ctx.repository}/actions/runs/${ctx.runId}${attempt}`;
}
