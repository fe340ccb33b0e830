import * as actionsCore from '@actions/core';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  actionsInputSource,
  createClient,
  createReport,
  describeError,
  ensureCredentials,
  runAction,
  runContext,
  setOutputs,
  writeSummary,
  type Diagnostic,
  type Report
} from '../../../core/index.js';
import { buildPush, newState, type BuildState } from './build.js';
import { execDocker } from './docker.js';
import { getInputs, type Inputs } from './inputs.js';
import { createdTime } from './labels.js';
import { describeScan } from './scan.js';
import { buildSummary } from './summary.js';

/** Reads inputs, builds and pushes, writes outputs, the job summary and the report (also on failure). */
export async function main(): Promise<void> {
  await runAction(async ({ log, signal, startedAt }) => {
    const run = runContext();
    const state = newState();
    let inputs: Inputs | undefined;
    try {
      inputs = getInputs(actionsInputSource);
      const ecr = createClient(ECRClient, { region: inputs.region });
      await ensureCredentials(ecr);
      const result = await buildPush(
        inputs,
        {
          ecr,
          docker: execDocker,
          log,
          run,
          created: createdTime(process.env),
          signal,
          tempDir: process.env.RUNNER_TEMP
        },
        state
      );
      setOutputs({
        image: result.image,
        'image-uri-digest': result.imageUriDigest ?? '',
        digest: result.digest ?? '',
        tags: result.tags.join(','),
        registry: result.repository.registry,
        skipped: result.skipped,
        'scan-findings': result.scan?.counts ?? {}
      });
      await finish(state, inputs, startedAt, log);
    } catch (error) {
      await finish(state, inputs, startedAt, log, error, signal.aborted).catch(e =>
        log.warning(`Could not write the report: ${describeError(e)}`)
      );
      throw error;
    }
  });
}

async function finish(
  state: BuildState,
  inputs: Inputs | undefined,
  startedAt: Date,
  log: Parameters<typeof writeSummary>[1],
  error?: unknown,
  cancelled = false
): Promise<void> {
  const run = runContext();
  const repo = state.repository;
  const message = error === undefined ? undefined : describeError(error);
  const subject = repo?.name ?? inputs?.repository ?? actionsCore.getInput('repository');
  const diagnostics: Diagnostic[] = [];
  if (state.scan) {
    diagnostics.push({
      title: 'Scan findings',
      severity: state.scan.passed ? 'info' : 'error',
      lines: [
        describeScan(state.scan, inputs?.scanThreshold ?? ''),
        ...state.scan.worst.map(f => `${f.severity} ${f.id}${f.package ? ` (${f.package})` : ''}`)
      ]
    });
  }
  const status: Report['status'] =
    error !== undefined
      ? cancelled
        ? 'cancelled'
        : 'failure'
      : state.outcome === 'SKIPPED'
        ? 'skipped'
        : 'success';
  const image = repo && state.tags[0] ? `${repo.uri}:${state.tags[0]}` : undefined;
  const summary =
    error !== undefined
      ? `Build and push of ${subject} failed: ${message}`
      : state.outcome === 'SKIPPED'
        ? `${image} is already in ECR (${state.digest}); nothing was built.`
        : state.outcome === 'BUILT'
          ? `Built ${image} without pushing.`
          : `Pushed ${repo?.uri}@${state.digest} as ${state.tags.join(', ')}.`;
  const report = createReport({
    action: 'build-push',
    status,
    outcome: error !== undefined ? (cancelled ? 'CANCELLED' : 'FAILED') : (state.outcome ?? 'PUSHED'),
    subject,
    summary,
    startedAt: startedAt.toISOString(),
    region: inputs?.region,
    image: {
      repository: subject,
      registry: repo?.registry,
      uri: repo?.uri,
      digest: state.digest,
      tags: state.tags
    },
    details: [
      ['Tags', state.tags.join(', ')],
      ...(state.builder ? [['Builder', state.builder] as [string, string]] : []),
      ...(state.createdRepository ? [['Repository created', 'yes'] as [string, string]] : [])
    ],
    diagnostics,
    error: message,
    run
  });
  setOutputs({ report });
  await writeSummary(
    buildSummary({ state, repository: subject, durationMs: report.durationMs, error: message }),
    log
  );
}
