/**
 * The parts of the Docker Registry HTTP API V2 the ECR front needs: which route a request is for, the
 * error bodies registries answer with, and Basic credentials.
 */
import { createHash } from 'node:crypto';

export type Route =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'upload'; name: string; session?: string }
  | { kind: 'tags'; name: string };

/** Repository names as the distribution spec allows them: lowercase path components separated by `/`. */
const NAME = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*';
const ROUTES: [RegExp, (m: RegExpExecArray) => Route][] = [
  [/^\/v2\/?$/, () => ({ kind: 'base' })],
  [/^\/v2\/_catalog$/, () => ({ kind: 'catalog' })],
  [new RegExp(`^/v2/(${NAME})/manifests/([^/]+)$`), m => ({ kind: 'manifest', name: m[1], reference: m[2] })],
  [new RegExp(`^/v2/(${NAME})/blobs/uploads/?$`), m => ({ kind: 'upload', name: m[1] })],
  [new RegExp(`^/v2/(${NAME})/blobs/uploads/([^/]+)$`), m => ({ kind: 'upload', name: m[1], session: m[2] })],
  [new RegExp(`^/v2/(${NAME})/blobs/([^/]+)$`), m => ({ kind: 'blob', name: m[1], digest: m[2] })],
  [new RegExp(`^/v2/(${NAME})/tags/list$`), m => ({ kind: 'tags', name: m[1] })]
];

/** The route of a request path, or undefined for paths the registry API does not have. */
export function parseRoute(pathname: string): Route | undefined {
  for (const [re, build] of ROUTES) {
    const m = re.exec(pathname);
    if (m) return build(m);
  }
  return undefined;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isDigest(reference: string): boolean {
  return DIGEST.test(reference);
}

/** A registry digest: sha256 of the exact bytes. */
export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** An error in the registry API's format: an HTTP status and `{"errors":[{"code","message"}]}`. */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'RegistryError';
  }

  body(): string {
    return JSON.stringify({ errors: [{ code: this.code, message: this.message }] });
  }
}

/** `Authorization: Basic base64(user:password)` → its parts, or undefined for anything else. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** `<account>.dkr.ecr.<region>.amazonaws.com` → account and region. */
export function parseEcrHost(host: string): { registryId: string; region: string } | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host);
  return m ? { registryId: m[1], region: m[2] } : undefined;
}
