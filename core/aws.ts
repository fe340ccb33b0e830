import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { DockyardError } from './errors.js';
import { VERSION } from './version.js';

export const USER_AGENT = `dockyard/${VERSION}`;

/** IAM action prefixes by SDK client name, to name the missing permission on AccessDenied. */
const IAM_PREFIX: Record<string, string> = {
  ECRClient: 'ecr',
  ECSClient: 'ecs',
  EKSClient: 'eks',
  SESv2Client: 'ses',
  STSClient: 'sts',
  CloudWatchLogsClient: 'logs',
  ElasticLoadBalancingV2Client: 'elasticloadbalancing',
  IAMClient: 'iam'
};

/** Region from the input, then AWS_REGION, then AWS_DEFAULT_REGION. */
export function resolveRegion(
  input: string | undefined,
  env: NodeJS.ProcessEnv = process.env
): string | undefined {
  const region = input || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  return region && region.trim() !== '' ? region.trim() : undefined;
}

export const REGION_HINT =
  "Set the 'region' input, or AWS_REGION in the environment (aws-actions/configure-aws-credentials sets it).";

export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export interface ClientOptions {
  region: string;
  maxAttempts?: number;
  /**
   * 'adaptive' (the default) backs off and also rate-limits the client once it has been throttled (at worst
   * one call in 2 s for a while); 'standard' only backs off. A client that makes a few calls on its own
   * schedule (a poller) may prefer 'standard', so one throttled call does not slow every later one.
   */
  retryMode?: 'adaptive' | 'standard';
}

/**
 * The configuration every Dockyard AWS client gets: the region, adaptive retries (client-side rate
 * limiting plus backoff for throttling, 5xx and connection errors), the `dockyard/<version>` user agent.
 * Endpoints come from the environment (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), which the SDK honours.
 */
export function clientConfig(options: ClientOptions) {
  return {
    region: options.region,
    retryMode: options.retryMode ?? ('adaptive' as 'adaptive' | 'standard'),
    maxAttempts: options.maxAttempts ?? 8,
    customUserAgent: USER_AGENT
  };
}

interface MiddlewareClient {
  middlewareStack: {
    add: (
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: Record<string, unknown>
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string }
    ) => void;
  };
}

/** Creates an SDK v3 client with Dockyard's configuration and AccessDenied explanations. */
export function createClient<C>(
  Ctor: new (config: ReturnType<typeof clientConfig>) => C,
  options: ClientOptions
): C {
  const client = new Ctor(clientConfig(options));
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => async args => {
      try {
        return await next(args);
      } catch (error) {
        if (isAccessDenied(error)) {
          throw explainAccessDenied(
            error,
            permissionFor(String(context.clientName), String(context.commandName))
          );
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'dockyardExplainAccessDenied' }
  );
  return client;
}

/** `ECSClient` + `UpdateServiceCommand` → `ecs:UpdateService`. */
export function permissionFor(clientName: string, commandName: string): string {
  const prefix = IAM_PREFIX[clientName] ?? clientName.replace(/Client$/, '').toLowerCase();
  return `${prefix}:${commandName.replace(/Command$/, '')}`;
}

export function errorName(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { name?: string; Code?: string; code?: string };
    return e.name || e.Code || e.code || 'Error';
  }
  return 'Error';
}

export function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'TooManyRequests',
  'LimitExceededException'
]);

export function isThrottling(error: unknown): boolean {
  if (THROTTLING.has(errorName(error)) || httpStatus(error) === 429) return true;
  return /rate exceeded/i.test((error as Error)?.message ?? '');
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED'
]);

/** Throttling, 5xx and connection-level failures: worth trying again. */
export function isTransient(error: unknown): boolean {
  if (isThrottling(error)) return true;
  const status = httpStatus(error);
  if (status !== undefined && status >= 500) return true;
  const name = errorName(error);
  if (
    [
      'TimeoutError',
      'RequestTimeout',
      'RequestTimeoutException',
      'ServiceUnavailable',
      'InternalFailure',
      'InternalError',
      'ServerException'
    ].includes(name)
  )
    return true;
  const code = (error as { code?: string } | undefined)?.code;
  return code !== undefined && NETWORK_CODES.has(code);
}

export function isAccessDenied(error: unknown): boolean {
  const name = errorName(error);
  return (
    name === 'AccessDeniedException' ||
    name === 'AccessDenied' ||
    name === 'UnauthorizedOperation' ||
    (name === 'UnrecognizedClientException' && /not authorized/i.test((error as Error).message ?? '')) ||
    (httpStatus(error) === 403 && /not authorized|access denied/i.test((error as Error)?.message ?? ''))
  );
}

export function explainAccessDenied(error: unknown, permission: string): DockyardError {
  const detail = (error as Error)?.message ? ` AWS said: ${(error as Error).message}` : '';
  return new DockyardError(`Access denied: the credentials lack '${permission}'.${detail}`, {
    hint: `Allow '${permission}' in the IAM policy of the role this workflow assumes (see the action's README for the full policy).`,
    cause: error
  });
}

/**
 * Resolves credentials from the default chain without calling AWS, so a missing configuration fails
 * before anything is touched, with a message that says how to provide them.
 */
export async function ensureCredentials(client: {
  config: { credentials: Provider<AwsCredentialIdentity> };
}): Promise<void> {
  try {
    const creds = await client.config.credentials();
    if (!creds?.accessKeyId) throw new Error('empty credentials');
  } catch (error) {
    throw new DockyardError('No AWS credentials were found.', {
      hint: 'Add aws-actions/configure-aws-credentials (OIDC role) before this step, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
      cause: error
    });
  }
}
