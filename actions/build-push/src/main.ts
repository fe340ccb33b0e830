import * as actionsCore from '@actions/core';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  actionsInputSource,
  createClient,
  describeError,
  ensureCredentials,
  runAction,
  runContext,
  setOutputs,
  writeSummary,
  type Logger
} from '../../../core/index.js';
import { buildPush, newState, type BuildState } from './build.js';
import { execDocker } from './docker.js';
import { getInputs, type Inputs } from './inputs.js';
import { createdTime } from './labels.js';
import { buildReport } from './report.js';
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
      const deps = {
        ecr,
        docker: execDocker,
        log,
        run,
        created: createdTime(process.env),
        signal,
        tempDir: process.env.RUNNER_TEMP
      };
      const result = await buildPush(inputs, deps, state);
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
      await finish(state, inputs, startedAt, log, describeError(error), signal.aborted).catch(e =>
        log.warning(`Could not write the report: ${describeError(e)}`)
      );
      throw error;
    }
  });
}

/** The report output and the job summary, written before the step's result is decided. */
async function finish(
  state: BuildState,
  inputs: Inputs | undefined,
  startedAt: Date,
  log: Logger,
  error?: string,
  cancelled = false
) {
  const subject = state.repository?.name ?? inputs?.repository ?? actionsCore.getInput('repository');
  const report = buildReport({
    state,
    subject,
    startedAt,
    region: inputs?.region,
    threshold: inputs?.scanThreshold,
    error,
    cancelled,
    run: runContext()
  });
  setOutputs({ report });
  await writeSummary(buildSummary({ state, repository: subject, durationMs: report.durationMs, error }), log);
}
