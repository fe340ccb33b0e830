import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  DescribeImageScanFindingsCommand,
  ECRClient,
  GetRegistryScanningConfigurationCommand,
  StartImageScanCommand
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger, virtualClock } from '../../../core/index.js';
import { describeScan, scanGate } from './scan.js';
import { REPO, named } from './testing/fixtures.js';

const ecrMock = mockClient(ECRClient);
const ecr = new ECRClient({ region: 'us-east-1' });
const D = `sha256:${'a'.repeat(64)}`;
const complete = (counts: Record<string, number>, findings: { name: string; severity: string }[] = []) => ({
  imageScanStatus: { status: 'COMPLETE' as const },
  imageScanFindings: {
    findingSeverityCounts: counts,
    findings: findings.map(f => ({
      name: f.name,
      severity: f.severity as 'HIGH',
      uri: `https://cve.example/${f.name}`,
      attributes: [
        { key: 'package_name', value: 'openssl' },
        { key: 'package_version', value: '3.0.1' }
      ]
    }))
  }
});

beforeEach(() => {
  ecrMock.reset();
  ecrMock
    .on(GetRegistryScanningConfigurationCommand)
    .resolves({ scanningConfiguration: { scanType: 'BASIC', rules: [] } });
});

describe('scanGate', () => {
  it('waits for the scan of the digest, then passes below the threshold', async () => {
    ecrMock
      .on(DescribeImageScanFindingsCommand)
      .rejectsOnce(named('ScanNotFoundException'))
      .resolvesOnce({ imageScanStatus: { status: 'IN_PROGRESS' } })
      .resolves(complete({ MEDIUM: 2, LOW: 1 }));
    const clock = virtualClock();
    const log = memoryLogger();
    const result = await scanGate(ecr, REPO, D, { threshold: 'HIGH', timeoutMs: 60_000, clock, log });
    expect(result).toMatchObject({
      scanType: 'BASIC',
      status: 'COMPLETE',
      counts: { MEDIUM: 2, LOW: 1 },
      blocking: 0,
      passed: true
    });
    expect(ecrMock.commandCalls(DescribeImageScanFindingsCommand)[0].args[0].input).toMatchObject({
      repositoryName: 'team/app',
      imageId: { imageDigest: D }
    });
    expect(ecrMock.commandCalls(StartImageScanCommand)).toHaveLength(0);
    expect(clock.slept.length).toBe(2);
    expect(describeScan(result, 'HIGH')).toBe('Basic scan: MEDIUM 2, LOW 1; nothing at or above HIGH.');
  });

  it('fails with findings at or above the threshold and lists the worst first', async () => {
    ecrMock.on(DescribeImageScanFindingsCommand).resolves(
      complete({ CRITICAL: 1, HIGH: 1, LOW: 3 }, [
        { name: 'CVE-LOW', severity: 'LOW' },
        { name: 'CVE-HIGH', severity: 'HIGH' },
        { name: 'CVE-CRIT', severity: 'CRITICAL' }
      ])
    );
    const result = await scanGate(ecr, REPO, D, {
      threshold: 'HIGH',
      timeoutMs: 60_000,
      clock: virtualClock(),
      log: memoryLogger()
    });
    expect(result.passed).toBe(false);
    expect(result.blocking).toBe(2);
    expect(result.worst.map(f => f.id)).toEqual(['CVE-CRIT', 'CVE-HIGH']);
    expect(result.worst[0]).toEqual({
      id: 'CVE-CRIT',
      severity: 'CRITICAL',
      package: 'openssl 3.0.1',
      uri: 'https://cve.example/CVE-CRIT'
    });
    expect(describeScan(result, 'HIGH')).toMatch(
      /2 at or above HIGH\. Worst: CVE-CRIT \(CRITICAL, openssl 3.0.1\); CVE-HIGH/
    );
  });

  it('counts a threshold of LOW as LOW and above', async () => {
    ecrMock.on(DescribeImageScanFindingsCommand).resolves(complete({ INFORMATIONAL: 4, LOW: 1 }));
    const result = await scanGate(ecr, REPO, D, {
      threshold: 'LOW',
      timeoutMs: 1000,
      clock: virtualClock(),
      log: memoryLogger()
    });
    expect(result).toMatchObject({ blocking: 1, passed: false });
  });

  it('starts a scan itself when the repository does not scan on push', async () => {
    ecrMock
      .on(DescribeImageScanFindingsCommand)
      .rejectsOnce(named('ScanNotFoundException'))
      .resolves(complete({}));
    ecrMock.on(StartImageScanCommand).resolves({});
    const result = await scanGate(ecr, { ...REPO, scanOnPush: false }, D, {
      threshold: 'CRITICAL',
      timeoutMs: 60_000,
      clock: virtualClock(),
      log: memoryLogger()
    });
    expect(result.passed).toBe(true);
    expect(ecrMock.commandCalls(StartImageScanCommand)[0].args[0].input).toEqual({
      repositoryName: 'team/app',
      registryId: '123456789012',
      imageId: { imageDigest: D }
    });
  });

  it('starts a scan when scan on push has not begun one after a while', async () => {
    ecrMock.on(DescribeImageScanFindingsCommand).rejects(named('ScanNotFoundException'));
    ecrMock.on(StartImageScanCommand).resolves({});
    const log = memoryLogger();
    await scanGate(ecr, REPO, D, {
      threshold: 'HIGH',
      timeoutMs: 120_000,
      startAfterMs: 30_000,
      intervalMs: 5000,
      clock: virtualClock(),
      log
    });
    expect(ecrMock.commandCalls(StartImageScanCommand)).toHaveLength(1);
    expect(log.text()).toMatch(/no scan had begun after the push/);
  });

  it('fails at the deadline, never passing without a result', async () => {
    ecrMock.on(DescribeImageScanFindingsCommand).resolves({ imageScanStatus: { status: 'IN_PROGRESS' } });
    const clock = virtualClock();
    const result = await scanGate(ecr, REPO, D, {
      threshold: 'HIGH',
      timeoutMs: 60_000,
      clock,
      log: memoryLogger()
    });
    expect(result).toMatchObject({ status: 'TIMEOUT', passed: false });
    expect(clock.now()).toBe(60_000);
    expect(describeScan(result, 'HIGH')).toMatch(
      /did not complete: TIMEOUT \(no scan result within 1m 00s \(last status: IN_PROGRESS\)\)/
    );
  });

  it('fails when the scan cannot complete', async () => {
    ecrMock.on(DescribeImageScanFindingsCommand).resolves({
      imageScanStatus: {
        status: 'UNSUPPORTED_IMAGE',
        description: 'The operating system is not supported.'
      }
    });
    const result = await scanGate(ecr, REPO, D, {
      threshold: 'HIGH',
      timeoutMs: 60_000,
      clock: virtualClock(),
      log: memoryLogger()
    });
    expect(result).toMatchObject({ status: 'UNSUPPORTED_IMAGE', passed: false });
    expect(describeScan(result, 'HIGH')).toMatch(
      /did not complete: UNSUPPORTED_IMAGE \(The operating system is not supported\.\)/
    );
  });

  it('detects enhanced scanning, says so, and reads Inspector findings', async () => {
    ecrMock
      .on(GetRegistryScanningConfigurationCommand)
      .resolves({ scanningConfiguration: { scanType: 'ENHANCED', rules: [] } });
    ecrMock
      .on(DescribeImageScanFindingsCommand)
      .rejectsOnce(named('ScanNotFoundException'))
      .resolves({
        imageScanStatus: { status: 'ACTIVE' },
        imageScanFindings: {
          enhancedFindings: [
            {
              severity: 'CRITICAL',
              title: 'CVE-2024-1 - libc',
              packageVulnerabilityDetails: {
                vulnerabilityId: 'CVE-2024-1',
                vulnerablePackages: [{ name: 'libc', version: '2.31' }]
              }
            }
          ]
        }
      });
    const log = memoryLogger();
    const result = await scanGate(ecr, REPO, D, {
      threshold: 'HIGH',
      timeoutMs: 60_000,
      clock: virtualClock(),
      log
    });
    expect(ecrMock.commandCalls(StartImageScanCommand)).toHaveLength(0);
    expect(log.text()).toMatch(/notice: The registry uses enhanced scanning \(Amazon Inspector\)/);
    expect(result).toMatchObject({
      scanType: 'ENHANCED',
      counts: { CRITICAL: 1 },
      blocking: 1,
      passed: false
    });
    expect(result.worst[0]).toMatchObject({ id: 'CVE-2024-1', package: 'libc 2.31' });
    expect(describeScan(result, 'HIGH')).toMatch(/^Enhanced scan \(Amazon Inspector\): CRITICAL 1/);
  });

  it('warns when the registry configuration cannot be read', async () => {
    ecrMock.on(GetRegistryScanningConfigurationCommand).rejects(named('AccessDeniedException'));
    ecrMock.on(DescribeImageScanFindingsCommand).resolves(complete({}));
    const log = memoryLogger();
    await scanGate(ecr, REPO, D, { threshold: 'HIGH', timeoutMs: 1000, clock: virtualClock(), log });
    expect(log.text()).toMatch(
      /warning: Could not read the registry's scanning configuration .*ecr:GetRegistryScanningConfiguration/
    );
  });

  it('stops when cancelled', async () => {
    ecrMock.on(DescribeImageScanFindingsCommand).resolves({ imageScanStatus: { status: 'IN_PROGRESS' } });
    const controller = new AbortController();
    const clock = virtualClock(0, () => controller.abort());
    await expect(
      scanGate(ecr, REPO, D, {
        threshold: 'HIGH',
        timeoutMs: 60_000,
        clock,
        signal: controller.signal,
        log: memoryLogger()
      })
    ).rejects.toThrow(/Cancelled/);
  });
});
