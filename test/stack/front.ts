/**
 * The ECR front of the local stack: an HTTPS server on the ECR registry hostname that moto reports
 * (`<account>.dkr.ecr.<region>.amazonaws.com`), in front of a plain Docker registry. It keeps moto's ECR and
 * the registry in step the way ECR is one system:
 *
 * - every request needs Basic auth `AWS:<password>` with the password moto's GetAuthorizationToken hands out;
 *   `/v2/` answers the challenge ECR answers (`Basic realm=…,service="ecr.amazonaws.com"`);
 * - repositories that moto does not have are refused with NAME_UNKNOWN;
 * - a pushed manifest is stored in the registry by digest, then recorded in moto with PutImage (passing the
 *   registry's digest, since moto on its own would hash the layer list instead), and only then tagged in the
 *   registry. Moving a tag in an IMMUTABLE repository is refused with TAG_INVALID, and the registry's tag
 *   stays where it was;
 * - a manifest pulled by tag is resolved through moto (DescribeImages), so images deleted in ECR are gone,
 *   and tag lists come from moto (ListImages).
 *
 * Blobs stream through untouched. scripts/local-stack.sh runs it through test/stack/serve-front.ts.
 */
import {
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
  type OutgoingHttpHeaders
} from 'node:http';
import { createServer, type Server } from 'node:https';
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  PutImageCommand,
  type ECRClient
} from '@aws-sdk/client-ecr';
import { errorName } from '../../core/aws.js';
import {
  digestOf,
  isDigest,
  parseBasicAuth,
  parseEcrHost,
  parseRoute,
  RegistryError
} from './registry-api.js';

export interface FrontOptions {
  /** The ECR registry hostname served, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com. */
  host: string;
  /** The plain registry behind the front, e.g. http://127.0.0.1:5000. */
  registryUrl: string;
  ecr: ECRClient;
  cert: string | Buffer;
  key: string | Buffer;
  log?: (line: string) => void;
}

/** ECR's manifest size limit. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** How long a password read from GetAuthorizationToken is trusted before asking moto again. */
const PASSWORD_TTL_MS = 5_000;
const API_VERSION = { 'Docker-Distribution-API-Version': 'registry/2.0' };
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'host',
  'authorization'
]);

export function createFront(options: FrontOptions): Server {
  const parsed = parseEcrHost(options.host);
  if (!parsed) throw new Error(`'${options.host}' is not an ECR registry hostname`);
  const { registryId } = parsed;
  const registry = new URL(options.registryUrl);
  const log = options.log ?? (() => undefined);
  let password: { value: string; at: number } | undefined;

  async function currentPassword(): Promise<string> {
    if (password && Date.now() - password.at < PASSWORD_TTL_MS) return password.value;
    const out = await options.ecr.send(new GetAuthorizationTokenCommand({ registryIds: [registryId] }));
    const token = out.authorizationData?.[0]?.authorizationToken;
    if (!token) throw new Error('GetAuthorizationToken returned no token');
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    password = { value: decoded.slice(decoded.indexOf(':') + 1), at: Date.now() };
    return password.value;
  }

  async function authorized(header: string | undefined): Promise<boolean> {
    const creds = parseBasicAuth(header);
    return creds !== undefined && creds.user === 'AWS' && creds.password === (await currentPassword());
  }

  async function repository(name: string) {
    try {
      const out = await options.ecr.send(
        new DescribeRepositoriesCommand({ registryId, repositoryNames: [name] })
      );
      return out.repositories![0];
    } catch (error) {
      if (errorName(error) === 'RepositoryNotFoundException') {
        throw new RegistryError(
          404,
          'NAME_UNKNOWN',
          `The repository with name '${name}' does not exist in the registry with id '${registryId}'`
        );
      }
      throw error;
    }
  }

  async function imageByTag(name: string, tag: string): Promise<string | undefined> {
    try {
      const out = await options.ecr.send(
        new DescribeImagesCommand({ registryId, repositoryName: name, imageIds: [{ imageTag: tag }] })
      );
      return out.imageDetails?.[0]?.imageDigest;
    } catch (error) {
      if (errorName(error) === 'ImageNotFoundException') return undefined;
      throw error;
    }
  }

  /** The repository's tags as ECR knows them (ListImages), sorted. */
  async function tagsOf(name: string): Promise<string[]> {
    const tags: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await options.ecr.send(
        new ListImagesCommand({
          registryId,
          repositoryName: name,
          filter: { tagStatus: 'TAGGED' },
          nextToken
        })
      );
      for (const id of page.imageIds ?? []) if (id.imageTag) tags.push(id.imageTag);
      nextToken = page.nextToken;
    } while (nextToken);
    return [...new Set(tags)].sort();
  }

  /** Records a manifest in moto's ECR; a tag already on this digest is fine, another digest is immutable. */
  async function recordInEcr(
    name: string,
    manifest: Buffer,
    mediaType: string | undefined,
    digest: string,
    tag?: string
  ) {
    try {
      await options.ecr.send(
        new PutImageCommand({
          registryId,
          repositoryName: name,
          imageManifest: manifest.toString('utf8'),
          imageManifestMediaType: mediaType,
          imageTag: tag,
          imageDigest: digest
        })
      );
    } catch (error) {
      const kind = errorName(error);
      if (kind === 'ImageAlreadyExistsException' || kind === 'ImageTagAlreadyExistsException') {
        const existing = tag === undefined ? digest : await imageByTag(name, tag);
        if (existing === digest) return;
        throw new RegistryError(
          400,
          'TAG_INVALID',
          `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`
        );
      }
      throw error;
    }
  }

  /** Sends a request to the registry; `body` is a stream (piped, never buffered) or bytes. */
  function forward(
    method: string,
    path: string,
    headers: IncomingMessage['headers'],
    body?: IncomingMessage | Buffer
  ): Promise<IncomingMessage> {
    const outHeaders: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(headers))
      if (v !== undefined && !HOP_BY_HOP.has(k)) outHeaders[k] = v;
    if (Buffer.isBuffer(body)) outHeaders['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          protocol: registry.protocol,
          hostname: registry.hostname,
          port: registry.port,
          method,
          path,
          headers: outHeaders
        },
        resolve
      );
      req.on('error', reject);
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        body.on('error', error => req.destroy(error));
        body.pipe(req);
      }
    });
  }

  function relay(upstream: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(upstream.headers))
      if (v !== undefined && !HOP_BY_HOP.has(k)) res.setHeader(k, v);
    res.writeHead(upstream.statusCode ?? 502);
    return new Promise(resolve => {
      upstream.pipe(res);
      upstream.on('end', resolve);
      upstream.on('error', () => {
        res.destroy();
        resolve();
      });
    });
  }

  async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit)
        throw new RegistryError(400, 'MANIFEST_INVALID', `The manifest is larger than ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async function drain(upstream: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of upstream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function putManifest(req: IncomingMessage, res: ServerResponse, name: string, reference: string) {
    const manifest = await readBody(req, MAX_MANIFEST_BYTES);
    const digest = digestOf(manifest);
    if (isDigest(reference) && reference !== digest) {
      throw new RegistryError(400, 'DIGEST_INVALID', `The manifest's digest is ${digest}, not ${reference}`);
    }
    let mediaType = req.headers['content-type']?.split(';')[0].trim();
    if (!mediaType) {
      try {
        mediaType = (JSON.parse(manifest.toString('utf8')) as { mediaType?: string }).mediaType;
      } catch {
        throw new RegistryError(400, 'MANIFEST_INVALID', 'The manifest is not JSON');
      }
    }
    const headers = { 'content-type': mediaType ?? 'application/vnd.oci.image.manifest.v1+json' };
    // 1. The registry stores the bytes by digest: it checks that every blob is there, and no tag moves yet.
    const stored = await forward('PUT', `/v2/${name}/manifests/${digest}`, headers, manifest);
    if (stored.statusCode !== 201) {
      await relay(stored, res);
      return;
    }
    await drain(stored);
    // 2. ECR (moto) decides about the tag: it is the system of record, as in ECR.
    const tag = isDigest(reference) ? undefined : reference;
    await recordInEcr(name, manifest, mediaType, digest, tag);
    // 3. Only now the registry's tag moves, so it always agrees with ECR.
    if (tag !== undefined) {
      const tagged = await forward('PUT', `/v2/${name}/manifests/${tag}`, headers, manifest);
      const text = await drain(tagged);
      if (tagged.statusCode !== 201)
        throw new Error(`the registry refused tag ${tag} after ECR recorded it: ${text}`);
    }
    res.writeHead(201, {
      ...API_VERSION,
      Location: `/v2/${name}/manifests/${digest}`,
      'Docker-Content-Digest': digest,
      'Content-Length': '0'
    });
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `https://${options.host}`);
    const method = req.method ?? 'GET';
    const route = parseRoute(url.pathname);
    if (!(await authorized(req.headers.authorization))) {
      res.writeHead(401, {
        ...API_VERSION,
        'Content-Type': 'application/json; charset=utf-8',
        'WWW-Authenticate': `Basic realm="https://${options.host}/",service="ecr.amazonaws.com"`
      });
      res.end(new RegistryError(401, 'DENIED', 'Not Authorized').body());
      return;
    }
    if (!route) throw new RegistryError(404, 'NOT_FOUND', `No such registry API: ${method} ${url.pathname}`);
    if (route.kind === 'base') {
      res.writeHead(200, { ...API_VERSION, 'Content-Type': 'application/json; charset=utf-8' });
      res.end('{}');
      return;
    }
    if (route.kind === 'catalog') {
      await relay(await forward(method, url.pathname + url.search, req.headers), res);
      return;
    }
    await repository(route.name);
    if (route.kind === 'manifest') {
      if (method === 'PUT') return putManifest(req, res, route.name, route.reference);
      if (method === 'DELETE') {
        throw new RegistryError(405, 'UNSUPPORTED', 'Delete images with the ECR BatchDeleteImage API');
      }
      let reference = route.reference;
      if (!isDigest(reference)) {
        const digest = await imageByTag(route.name, reference);
        if (!digest) throw new RegistryError(404, 'MANIFEST_UNKNOWN', 'Requested image not found');
        reference = digest;
      }
      await relay(await forward(method, `/v2/${route.name}/manifests/${reference}`, req.headers), res);
      return;
    }
    if (route.kind === 'tags') {
      res.writeHead(200, { ...API_VERSION, 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ name: route.name, tags: await tagsOf(route.name) }));
      return;
    }
    // Blobs and uploads pass through as streams.
    const body = method === 'GET' || method === 'HEAD' ? undefined : req;
    await relay(await forward(method, url.pathname + url.search, req.headers, body), res);
  }

  const server = createServer({ cert: options.cert, key: options.key }, (req, res) => {
    const started = Date.now();
    res.on('finish', () => log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`));
    handle(req, res).catch((error: unknown) => {
      const failure =
        error instanceof RegistryError
          ? error
          : new RegistryError(
              500,
              'UNKNOWN',
              `The ECR front failed: ${(error as Error)?.message ?? String(error)}`
            );
      if (!(error instanceof RegistryError)) log(`error: ${(error as Error)?.stack ?? String(error)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Whatever the client still sends is not wanted; stop reading it.
      req.resume();
      res.writeHead(failure.status, { ...API_VERSION, 'Content-Type': 'application/json; charset=utf-8' });
      res.end(failure.body());
    });
  });
  return server;
}
