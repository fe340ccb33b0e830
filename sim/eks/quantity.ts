/**
 * Resource quantities (`500m`, `2`, `128Mi`, `1G`) as the API server reads and prints them: parsed to a number
 * of milli-units, printed back in the canonical form of their format (binary suffixes stay binary).
 */

const BINARY: [string, number][] = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10]
];
const DECIMAL: [string, number][] = [
  ['E', 1e18],
  ['P', 1e15],
  ['T', 1e12],
  ['G', 1e9],
  ['M', 1e6],
  ['k', 1e3]
];

export interface Quantity {
  /** The value in milli-units (1 cpu = 1000; 1 byte = 1000). */
  milli: number;
  binary: boolean;
}

/** Parses a quantity; undefined when it is not one. */
export function parseQuantity(text: unknown): Quantity | undefined {
  const m = /^([+-]?\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|[eE][+-]?\d+)?$/.exec(
    String(text ?? '').trim()
  );
  if (!m) return undefined;
  const value = Number(m[1]);
  const suffix = m[2] ?? '';
  if (suffix === 'm') return { milli: Math.round(value), binary: false };
  if (/^[eE]/.test(suffix))
    return { milli: Math.round(value * 10 ** Number(suffix.slice(1)) * 1000), binary: false };
  const factor = [...BINARY, ...DECIMAL].find(([s]) => s === suffix)?.[1] ?? 1;
  return { milli: Math.round(value * factor * 1000), binary: suffix.endsWith('i') };
}

/** The canonical text of a quantity: `1500m`, `2`, `1056Mi`, `2G`, `0`. */
export function formatQuantity(q: Quantity): string {
  if (q.milli === 0) return '0';
  if (q.milli % 1000 !== 0) return `${q.milli}m`;
  const units = q.milli / 1000;
  for (const [suffix, factor] of q.binary ? BINARY : DECIMAL)
    if (units % factor === 0) return `${units / factor}${suffix}`;
  return String(units);
}
