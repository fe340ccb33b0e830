import { readFileSync } from 'node:fs';
import { repositoryUrl, type RunContext } from '../../../core/index.js';

/**
 * The time the image's `created` label says: the head commit's timestamp from the event payload, so a
 * rebuild of one commit labels the same; the run's time when the payload has none (manual runs).
 */
export function createdTime(env: NodeJS.ProcessEnv, now: () => Date = () => new Date()): string {
  if (env.GITHUB_EVENT_PATH) {
    try {
      const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
        head_commit?: { timestamp?: string };
      };
      const stamp = event.head_commit?.timestamp;
      if (stamp && !Number.isNaN(Date.parse(stamp))) return new Date(stamp).toISOString();
    } catch {
      // no readable payload: fall through to the run time
    }
  }
  return now().toISOString();
}

/** OCI annotations from the GitHub context; labels the user gives win over these. */
export function ociLabels(
  run: RunContext,
  created: string,
  fallbackTitle: string,
  user: { key: string; value: string }[]
): { key: string; value: string }[] {
  const labels = new Map<string, string>();
  const source = repositoryUrl(run);
  if (source) labels.set('org.opencontainers.image.source', source);
  if (run.sha) labels.set('org.opencontainers.image.revision', run.sha);
  labels.set('org.opencontainers.image.created', created);
  labels.set('org.opencontainers.image.title', run.repository.split('/')[1] || fallbackTitle);
  for (const { key, value } of user) labels.set(key, value);
  return [...labels].map(([key, value]) => ({ key, value }));
}
