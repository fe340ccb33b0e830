/**
 * A container's log in CloudWatch Logs: where the awslogs driver writes it (`<prefix>/<container>/<task-id>` in
 * the group, in the region the container names), and its last lines. Used by diagnose.ts and runtask.ts.
 */
import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';

export interface LogClients {
  logs?: CloudWatchLogsClient;
  /** A CloudWatch Logs client for another region, for containers whose `awslogs-region` differs. */
  logsFor?: (region: string) => CloudWatchLogsClient;
}

export interface LogStream {
  group: string;
  stream: string;
  region: string;
}

/** The Logs client for a stream's region: the usual one, or one for the region the container logs to. */
export function logsClientFor(
  clients: LogClients,
  streamRegion: string,
  region: string
): CloudWatchLogsClient | undefined {
  if (streamRegion !== region && clients.logsFor) return clients.logsFor(streamRegion);
  return clients.logs;
}

/** `<prefix>/<container>/<task-id>` in the awslogs group, when the container logs through awslogs with a prefix. */
export function awslogsStream(
  definition: ContainerDefinition | undefined,
  task: string,
  region: string
): LogStream | undefined {
  const log = definition?.logConfiguration;
  if (!definition || log?.logDriver !== 'awslogs') return undefined;
  const group = log.options?.['awslogs-group'];
  const prefix = log.options?.['awslogs-stream-prefix'];
  if (!group || !prefix) return undefined;
  return {
    group,
    stream: `${prefix}/${definition.name}/${task}`,
    region: log.options?.['awslogs-region'] ?? region
  };
}

/** The last `lines` messages of a stream, oldest first. */
export async function tailLog(
  logs: CloudWatchLogsClient,
  group: string,
  stream: string,
  lines: number
): Promise<string[]> {
  const out = await logs.send(
    new GetLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      limit: lines,
      startFromHead: false
    })
  );
  return (out.events ?? []).slice(-lines).map(e => (e.message ?? '').replace(/\n$/, ''));
}
