/**
 * Container image references, parsed by the grammar of distribution/reference (the one Docker, containerd, the
 * kubelet and ECS accept), why a value is not one, and the account and region of an Amazon ECR registry.
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component [ "/" path-component ]*      (at most 255 characters)
 *   domain    := ( domain-name | IPv4 | "[" IPv6 "]" ) [ ":" port ]
 *   tag       := [\w][\w.-]{0,127}
 *   digest    := algorithm ":" hex{32,}
 */

export interface ImageReference {
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_NAME =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*';
const DOMAIN = `(?:${DOMAIN_NAME}|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH = `${COMPONENT}(?:/${COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const NAME = new RegExp(`^(?:(${DOMAIN})/)?(${PATH})$`);
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${PATH})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
/** distribution/reference's NameTotalLengthMax. */
const NAME_MAX = 255;

/** Splits `registry/` off a matched name: a first part without `.` or `:` that is not localhost is a path. */
function splitName(
  registry: string | undefined,
  repository: string
): { registry?: string; repository: string } | undefined {
  if (registry && !/[.:[]/.test(registry) && registry !== 'localhost') {
    // `host/path` where host has no dot or port is a path on Docker Hub, and a path is lower case.
    if (registry !== registry.toLowerCase()) return undefined;
    return { repository: `${registry}/${repository}` };
  }
  return { registry: registry || undefined, repository };
}

/** Parses an image reference by the distribution grammar; undefined when it cannot be parsed. */
export function parseImage(image: string): ImageReference | undefined {
  const m = REFERENCE.exec(image);
  if (!m) return undefined;
  const name = splitName(m[1], m[2]);
  const length = (m[1] ? m[1].length + 1 : 0) + m[2].length;
  if (!name || length > NAME_MAX) return undefined;
  return { ...name, tag: m[3], digest: m[4] };
}

/** True for an image's name alone (`web`, `team/web`, `registry:5000/team/web`): no tag, no digest. */
export function isImageName(name: string): boolean {
  const m = NAME.exec(name);
  return !!m && name.length <= NAME_MAX && splitName(m[1], m[2]) !== undefined;
}

/** How a control character is named in a message: `\n`, `\r`, `\t`, else its code point (U+001B). */
function controlName(c: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  return named[c] ?? `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first control character of a value (C0, DEL, C1), named; undefined when it has none. */
export function controlCharacter(value: string): string | undefined {
  const c = /\p{Cc}/u.exec(value)?.[0];
  return c === undefined ? undefined : controlName(c);
}

/**
 * Why `image` is not an image reference, as a clause that follows the value (`is not …`, `holds …`); undefined
 * when it is one. A value with a control character is not quoted back: it could end a log line.
 */
export function imageProblem(image: string): string | undefined {
  const control = controlCharacter(image);
  if (control) return `holds a control character (${control}): an image reference is one line of text`;
  if (image === '') return 'is empty';
  if (parseImage(image)) return undefined;
  if (/\s/.test(image)) return 'has a space in it';
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const named = at >= 0 ? image.slice(0, at) : image;
  const colon = named.lastIndexOf(':');
  const tag = colon > named.lastIndexOf('/') ? named.slice(colon + 1) : undefined;
  const name = tag === undefined ? named : named.slice(0, colon);
  if (digest !== undefined && !new RegExp(`^${DIGEST}$`).test(digest))
    return `has a digest ('${digest}') that is not algorithm:hex, such as sha256: and 64 hex digits`;
  if (tag !== undefined && !new RegExp(`^${TAG}$`).test(tag))
    return `has a tag ('${tag}') that is not up to 128 letters, digits, _, . and -, not starting with . or -`;
  if (name.length > NAME_MAX) return `has a name longer than ${NAME_MAX} characters`;
  if (!isImageName(name))
    return `has a name ('${name}') that is not [registry/]repository: the repository is lower-case letters, digits and . _ - separated by /`;
  return 'is not an image reference';
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** `123456789012.dkr.ecr.us-east-1.amazonaws.com` → account and region; undefined for another registry. */
export function ecrRegistry(registry: string | undefined): { account: string; region: string } | undefined {
  const m = registry ? ECR_HOST.exec(registry) : null;
  return m ? { account: m[1], region: m[2] } : undefined;
}
