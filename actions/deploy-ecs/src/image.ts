/**
 * Container image references, parsed by the OCI distribution grammar (the one Docker and ECS accept), and the
 * account and region of an Amazon ECR registry.
 */

export interface ImageReference {
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`
);

/** Parses an image reference by the OCI distribution grammar; undefined when it cannot be parsed. */
export function parseImage(image: string): ImageReference | undefined {
  const m = REFERENCE.exec(image);
  if (!m) return undefined;
  let [, registry, repository] = m;
  // `host/path` where host has no dot, colon or is not localhost is a path component on Docker Hub.
  if (registry && !/[.:]/.test(registry) && registry !== 'localhost') {
    repository = `${registry}/${repository}`;
    registry = undefined as unknown as string;
  }
  if (registry && registry !== registry.toLowerCase() && !/[.:]/.test(registry)) return undefined;
  return { registry: registry || undefined, repository, tag: m[3], digest: m[4] };
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** `123456789012.dkr.ecr.us-east-1.amazonaws.com` → account and region; undefined for another registry. */
export function ecrRegistry(registry: string | undefined): { account: string; region: string } | undefined {
  const m = registry ? ECR_HOST.exec(registry) : null;
  return m ? { account: m[1], region: m[2] } : undefined;
}
