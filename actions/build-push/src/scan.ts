import {
  DescribeImageScanFindingsCommand,
  GetRegistryScanningConfigurationCommand,
  StartImageScanCommand,
  type DescribeImageScanFindingsResponse,
  type ECRClient
} from '@aws-sdk/client-ecr';
import {
  describeError,
  errorName,
  formatDuration,
  poll,
  type Clock,
  type Logger
} from '../../../core/index.js';
import type { RepositoryInfo } from './ecr.js';
import { matchesFilter } from './immutable.js';
import type { Threshold } from './inputs.js';

const RANK: Record<string, number> = {
  CRITICAL: 5,
  HIGH: 4,
  MEDIUM: 3,
  LOW: 2,
  INFORMATIONAL: 1,
  UNDEFINED: 0,
  UNTRIAGED: 0
};

export function severityRank(severity: string): number {
  return RANK[severity.toUpperCase()] ?? 0;
}

export interface Finding {
  id: string;
  severity: string;
  package?: string;
  uri?: string;
}

export interface ScanResult {
  scanType: 'BASIC' | 'ENHANCED';
  /** COMPLETE / ACTIVE when findings are known; otherwise why there are none (TIMEOUT, FAILED, UNSUPPORTED_IMAGE, …). */
  status: string;
  description?: string;
  counts: Record<string, number>;
  /** Findings at or above the threshold, worst first (at most 10). */
  worst: Finding[];
  /** How many findings are at or above the threshold. */
  blocking: number;
  passed: boolean;
  waitedMs: number;
}

export interface ScanOptions {
  threshold: Exclude<Threshold, 'NONE'>;
  timeoutMs: number;
  /** With scan-on-push, how long to wait for ECR to start the scan before starting it ourselves. */
  startAfterMs?: number;
  intervalMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
  log: Logger;
}

const DONE = new Set(['COMPLETE', 'ACTIVE']);
const BROKEN = new Set([
  'FAILED',
  'UNSUPPORTED_IMAGE',
  'FINDINGS_UNAVAILABLE',
  'SCAN_ELIGIBILITY_EXPIRED',
  'LIMIT_EXCEEDED'
]);

/** The registry's scan type, and whether pushes to this repository are scanned without being asked. */
export async function scanningMode(
  ecr: ECRClient,
  repo: RepositoryInfo,
  log: Logger
): Promise<{ scanType: 'BASIC' | 'ENHANCED'; onPush: boolean }> {
  try {
    const out = await ecr.send(new GetRegistryScanningConfigurationCommand({}));
    const config = out.scanningConfiguration;
    const scanType = config?.scanType === 'ENHANCED' ? 'ENHANCED' : 'BASIC';
    const ruleOnPush = (config?.rules ?? []).some(
      rule =>
        (rule.scanFrequency === 'SCAN_ON_PUSH' || rule.scanFrequency === 'CONTINUOUS_SCAN') &&
        (rule.repositoryFilters ?? []).some(f => matchesFilter(repo.name, f.filter ?? ''))
    );
    return { scanType, onPush: repo.scanOnPush || ruleOnPush };
  } catch (error) {
    log.warning(
      `Could not read the registry's scanning configuration (${describeError(error)}); assuming basic scanning. ` +
        'Allow ecr:GetRegistryScanningConfiguration so enhanced scanning is recognised.'
    );
    return { scanType: 'BASIC', onPush: repo.scanOnPush };
  }
}

function findingsOf(out: DescribeImageScanFindingsResponse): Finding[] {
  const f = out.imageScanFindings;
  const basic = (f?.findings ?? []).map(x => {
    const attr = (k: string) => x.attributes?.find(a => a.key === k)?.value;
    const pkg = attr('package_name');
    const version = attr('package_version');
    return {
      id: x.name ?? 'unnamed',
      severity: x.severity ?? 'UNDEFINED',
      package: pkg ? `${pkg}${version ? ` ${version}` : ''}` : undefined,
      uri: x.uri
    };
  });
  const enhanced = (f?.enhancedFindings ?? []).map(x => {
    const pkg = x.packageVulnerabilityDetails?.vulnerablePackages?.[0];
    return {
      id: x.packageVulnerabilityDetails?.vulnerabilityId ?? x.title ?? 'unnamed',
      severity: x.severity ?? 'UNDEFINED',
      package: pkg?.name ? `${pkg.name}${pkg.version ? ` ${pkg.version}` : ''}` : undefined,
      uri: x.packageVulnerabilityDetails?.sourceUrl
    };
  });
  return [...basic, ...enhanced];
}

/** Counts by severity, from ECR's own counts when given, else from the findings. */
function countsOf(out: DescribeImageScanFindingsResponse, findings: Finding[]): Record<string, number> {
  const given = out.imageScanFindings?.findingSeverityCounts;
  if (given && Object.keys(given).length > 0) return { ...given } as Record<string, number>;
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}

/**
 * The scan gate: waits (with a deadline) for the scan of `digest`, and passes only when it completed with no
 * finding at or above the threshold. A scan that cannot complete, or does not within the deadline, fails.
 */
export async function scanGate(
  ecr: ECRClient,
  repo: RepositoryInfo,
  digest: string,
  options: ScanOptions
): Promise<ScanResult> {
  const mode = await scanningMode(ecr, repo, options.log);
  if (mode.scanType === 'ENHANCED')
    options.log.notice(
      `The registry uses enhanced scanning (Amazon Inspector): waiting for Inspector's findings for ${digest}.`
    );
  else options.log.info(`Basic scanning${mode.onPush ? ' on push' : ''}: waiting for the scan of ${digest}.`);
  const { outcome, lastStatus } = await waitForScan(ecr, repo, digest, mode, options);
  if (outcome.kind === 'cancelled') throw new Error('Cancelled while waiting for the image scan.');
  if (outcome.kind === 'timeout') {
    return {
      scanType: mode.scanType,
      status: 'TIMEOUT',
      description: `no scan result within ${formatDuration(options.timeoutMs)} (last status: ${lastStatus()})`,
      counts: {},
      worst: [],
      blocking: 0,
      passed: false,
      waitedMs: outcome.elapsedMs
    };
  }
  return { ...judge(outcome.value, options.threshold), scanType: mode.scanType, waitedMs: outcome.elapsedMs };
}

/**
 * Polls DescribeImageScanFindings until the scan is done or broken. A basic scan that has not begun is started,
 * at once without scan on push, after `startAfterMs` with it; enhanced scanning is never started by hand.
 */
async function waitForScan(
  ecr: ECRClient,
  repo: RepositoryInfo,
  digest: string,
  mode: { scanType: 'BASIC' | 'ENHANCED'; onPush: boolean },
  options: ScanOptions
) {
  const { log, clock } = options;
  const now = () => (clock ?? { now: () => Date.now() }).now();
  const startAfter =
    mode.scanType === 'ENHANCED' ? Infinity : mode.onPush ? (options.startAfterMs ?? 30_000) : 0;
  const started = now();
  const imageId = {
    repositoryName: repo.name,
    registryId: repo.registryId,
    imageId: { imageDigest: digest }
  };
  let startedScan = false;
  let lastStatus = 'NOT_FOUND';
  const startScan = async () => {
    startedScan = true;
    try {
      await ecr.send(new StartImageScanCommand(imageId));
      log.info(
        `Started a basic scan of ${digest}${mode.onPush ? ' (no scan had begun after the push)' : ''}.`
      );
    } catch (startError) {
      log.warning(`Could not start a scan of ${digest}: ${describeError(startError)}`);
    }
  };
  const outcome = await poll<DescribeImageScanFindingsResponse>({
    intervalMs: options.intervalMs ?? 5000,
    backoff: 1.5,
    maxIntervalMs: 30_000,
    timeoutMs: options.timeoutMs,
    clock,
    signal: options.signal,
    check: async () => {
      try {
        const out = await ecr.send(new DescribeImageScanFindingsCommand({ ...imageId, maxResults: 1000 }));
        lastStatus = out.imageScanStatus?.status ?? 'UNKNOWN';
        if (DONE.has(lastStatus) || BROKEN.has(lastStatus)) return { done: true, value: out };
        log.info(`Scan status: ${lastStatus}…`);
      } catch (error) {
        if (errorName(error) !== 'ScanNotFoundException') throw error;
        if (!startedScan && now() - started >= startAfter) await startScan();
      }
      return { done: false };
    }
  });
  return { outcome, lastStatus: () => lastStatus };
}

/** What the findings of a finished (or broken) scan mean at the threshold. */
function judge(
  out: DescribeImageScanFindingsResponse,
  threshold: ScanOptions['threshold']
): Omit<ScanResult, 'scanType' | 'waitedMs'> {
  const status = out.imageScanStatus?.status ?? 'UNKNOWN';
  const findings = findingsOf(out);
  const counts = countsOf(out, findings);
  const min = severityRank(threshold);
  const blocking = Object.entries(counts)
    .filter(([sev]) => severityRank(sev) >= min)
    .reduce((sum, [, n]) => sum + n, 0);
  const worst = findings
    .filter(f => severityRank(f.severity) >= min)
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity))
    .slice(0, 10);
  return {
    status,
    description: out.imageScanStatus?.description,
    counts,
    worst,
    blocking,
    passed: DONE.has(status) && blocking === 0
  };
}

/** One line for the log and the error: what the gate decided and why. */
export function describeScan(result: ScanResult, threshold: string): string {
  const kind = result.scanType === 'ENHANCED' ? 'Enhanced scan (Amazon Inspector)' : 'Basic scan';
  if (!DONE.has(result.status)) {
    return `${kind} did not complete: ${result.status}${result.description ? ` (${result.description})` : ''}. The gate cannot pass without a result.`;
  }
  const counts =
    Object.entries(result.counts)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ') || 'no findings';
  if (result.blocking === 0) return `${kind}: ${counts}; nothing at or above ${threshold}.`;
  const top = result.worst
    .slice(0, 3)
    .map(f => `${f.id} (${f.severity}${f.package ? `, ${f.package}` : ''})`)
    .join('; ');
  return `${kind}: ${counts}; ${result.blocking} at or above ${threshold}. Worst: ${top}.`;
}
