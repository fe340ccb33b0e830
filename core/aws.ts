import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  Provider,
  RetryStrategyV2
} from '@smithy/types';
import { DockyardError } from './errors.js';
import { USER_AGENT } from './version.js';

/**
 * By SDK client name: the service as messages name it, and its IAM action prefix (to name the missing permission
 * on AccessDenied). A client not listed is named after its class.
 */
const SERVICES: Record<string, { name: string; iam: string }> = {
  ECRClient: { name: 'ECR', iam: 'ecr' },
  ECSClient: { name: 'ECS', iam: 'ecs' },
  EKSClient: { name: 'EKS', iam: 'eks' },
  SESv2Client: { name: 'SES', iam: 'ses' },
  STSClient: { name: 'STS', iam: 'sts' },
  CloudWatchLogsClient: { name: 'CloudWatch Logs', iam: 'logs' },
  ElasticLoadBalancingV2Client: { name: 'Elastic Load Balancing', iam: 'elasticloadbalancing' },
  IAMClient: { name: 'IAM', iam: 'iam' },
  SSMClient: { name: 'SSM', iam: 'ssm' },
  SecretsManagerClient: { name: 'Secrets Manager', iam: 'secretsmanager' }
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
  /** The step's signal: every call of the client is aborted with it. */
  signal?: AbortSignal;
  /** Time to open a connection (default 5 s). */
  connectionTimeoutMs?: number;
  /** Time for one request to be answered (default 30 s); the SDK retries a timed-out call like a 5xx. */
  requestTimeoutMs?: number;
  /** Replaces the SDK's retry strategy: tests pass one that does not sleep. */
  retryStrategy?: RetryStrategyV2;
  /** Signs with these instead of the default chain (credentials from an AssumeRole the action made). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The configuration every Dockyard AWS client gets: the region, retries (backoff for throttling, 5xx and
 * connection errors), connection and request timeouts, the `dockyard/<version>` user agent. Endpoints come
 * from the environment (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), which the SDK honours.
 */
export function clientConfig(options: ClientOptions) {
  return {
    region: options.region,
    // A client without retries must not rate-limit either: adaptive mode would hold the caller's own retries.
    retryMode:
      options.retryMode ?? (options.maxAttempts === 1 ? 'standard' : ('adaptive' as 'adaptive' | 'standard')),
    maxAttempts: options.maxAttempts ?? 8,
    customUserAgent: USER_AGENT,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true
    },
    ...(options.retryStrategy ? { retryStrategy: options.retryStrategy } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {})
  };
}

type Middleware = (
  next: (args: { request?: unknown }) => Promise<unknown>,
  context: Record<string, unknown>
) => (args: { request?: unknown }) => Promise<unknown>;

interface MiddlewareClient {
  send: (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;
  middlewareStack: {
    add: (middleware: Middleware, options: { step: 'initialize' | 'build'; name: string }) => void;
  };
}

/**
 * Creates an SDK v3 client with Dockyard's configuration: every call takes the step's abort signal, and a
 * failure says which call to which endpoint failed, and how (AccessDenied names the missing permission).
 */
export function createClient<C>(
  Ctor: new (config: ReturnType<typeof clientConfig>) => C,
  options: ClientOptions
): C {
  const client = new Ctor(clientConfig(options));
  const stack = client as unknown as MiddlewareClient;
  if (options.signal) {
    const signal = options.signal;
    const send = stack.send.bind(client);
    stack.send = (command, callOptions) => send(command, { abortSignal: signal, ...callOptions });
  }
  stack.middlewareStack.add(
    (next, context) => async args => {
      const request = args.request as { protocol?: string; hostname?: string; port?: number } | undefined;
      if (request?.hostname) context.dockyardEndpoint = endpointOf(request);
      return next(args);
    },
    { step: 'build', name: 'dockyardRecordEndpoint' }
  );
  stack.middlewareStack.add(
    (next, context) => async args => {
      try {
        return await next(args);
      } catch (error) {
        throw explainAwsError(error, {
          client: String(context.clientName),
          operation: String(context.commandName).replace(/Command$/, ''),
          endpoint: context.dockyardEndpoint as string | undefined,
          requestTimeoutMs: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
          signal: options.signal
        });
      }
    },
    { step: 'initialize', name: 'dockyardExplainErrors' }
  );
  return client;
}

function endpointOf(request: { protocol?: string; hostname?: string; port?: number }): string {
  return `${request.protocol ?? 'https:'}//${request.hostname}${request.port ? `:${request.port}` : ''}`;
}

interface CallFacts {
  client: string;
  operation: string;
  endpoint?: string;
  requestTimeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Rewrites what the SDK throws into an error that names the service, the call and the endpoint: an answer
 * that is not the service's own (an HTML error page, a proxy's 502), a call that was not answered in time,
 * a call cut short by the step's cancel or deadline, and AccessDenied. Anything else passes unchanged.
 */
export function explainAwsError(error: unknown, call: CallFacts): unknown {
  const service = SERVICES[call.client]?.name ?? call.client.replace(/Client$/, '');
  const where = `${call.operation}${call.endpoint ? ` (${call.endpoint})` : ''}`;
  if (isAccessDenied(error))
    return explainAccessDenied(error, permissionFor(call.client, `${call.operation}Command`));
  const name = errorName(error);
  if (name === 'AbortError' || call.signal?.aborted) {
    const reason = (call.signal?.reason as Error | undefined)?.message;
    return new DockyardError(`${service} ${where} was stopped${reason ? `: ${reason}` : ''}.`, {
      cause: error
    });
  }
  if (name === 'TimeoutError') {
    const e = new DockyardError(
      `${service} did not answer ${where}: ${(error as Error).message.replace(/^@smithy\/node-http-handler - /, '')}`,
      {
        hint: 'Check that the endpoint is reachable from the runner (proxy, VPC endpoint, AWS_ENDPOINT_URL).',
        cause: error
      }
    );
    return Object.assign(e, { $metadata: (error as { $metadata?: unknown }).$metadata });
  }
  const response = (error as { $response?: { statusCode?: number; headers?: Record<string, string> } })
    .$response;
  const status = httpStatus(error) ?? response?.statusCode;
  if (status !== undefined && isForeignAnswer(error)) {
    const headers = response?.headers ?? {};
    const requestId =
      (error as { $metadata?: { requestId?: string } }).$metadata?.requestId ??
      headers['x-amzn-requestid'] ??
      headers['x-amz-request-id'];
    const e = new DockyardError(
      `${service} answered HTTP ${status} to ${where}${requestId ? `, request id ${requestId}` : ''}, with a body that is not an AWS answer.`,
      {
        hint:
          status >= 500
            ? 'The service or a proxy in between failed; try again later.'
            : 'Something between the runner and AWS (a proxy, AWS_ENDPOINT_URL) answered instead of the service.',
        cause: error
      }
    );
    return Object.assign(e, { $metadata: { httpStatusCode: status, requestId } });
  }
  return error;
}

/** The SDK could not read the answer as the service's own: an HTML page, a proxy error, an empty body. */
function isForeignAnswer(error: unknown): boolean {
  const message = (error as Error)?.message ?? '';
  const name = errorName(error);
  return (
    /Deserialization error|Unexpected token|is not valid JSON|Unexpected end of JSON|char 0/i.test(message) ||
    name === 'SyntaxError' ||
    ((name === 'Unknown' || name === 'UnknownError' || name === 'Error') && message === 'UnknownError')
  );
}

/** `ECSClient` + `UpdateServiceCommand` → `ecs:UpdateService`. */
export function permissionFor(clientName: string, commandName: string): string {
  const prefix = SERVICES[clientName]?.iam ?? clientName.replace(/Client$/, '').toLowerCase();
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
  if (error instanceof DockyardError && error.cause !== undefined) return isThrottling(error.cause);
  if (THROTTLING.has(errorName(error)) || httpStatus(error) === 429) return true;
  return /rate exceeded/i.test((error as Error)?.message ?? '');
}

/**
 * The one list of network failures, for every client (the SDK's, the Kubernetes API's): a connection that
 * could not be made (refused, no route, no DNS answer, timed out) or was dropped. Worth trying again.
 */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH'
]);

/** The error's network failure code (ECONNREFUSED, …) when it is one of the list, also behind a DockyardError. */
export function networkErrorCode(error: unknown): string | undefined {
  if (error instanceof DockyardError && error.cause !== undefined) return networkErrorCode(error.cause);
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code) ? code : undefined;
}

/** An HTTP status worth trying again: throttled (429) or a server error (5xx), whichever API answered it. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Throttling, 5xx and connection-level failures (also when explained by `explainAwsError`): worth trying again. */
export function isTransient(error: unknown): boolean {
  if (error instanceof DockyardError && error.cause !== undefined) return isTransient(error.cause);
  if (isThrottling(error)) return true;
  const status = httpStatus(error);
  if (status !== undefined && isTransientStatus(status)) return true;
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
  return networkErrorCode(error) !== undefined;
}

/** AWS refused the credentials because they have expired (a session past its end). */
export function isExpiredCredentials(error: unknown): boolean {
  if (error instanceof DockyardError && error.cause !== undefined) return isExpiredCredentials(error.cause);
  const name = errorName(error);
  return (
    ['ExpiredToken', 'ExpiredTokenException', 'RequestExpired'].includes(name) ||
    /security token included in the request is expired/i.test((error as Error)?.message ?? '')
  );
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
