import { ECRClient } from '@aws-sdk/client-ecr';
import {
  createClient,
  describeError,
  ensureCredentials,
  failureMessage,
  runDefinedAction,
  type ActionDefinition
} from '../../../core/index.js';
import { buildPush, newState, type BuildResult, type BuildState } from './build.js';
import { createStepDockerConfig, describeStepConfig } from './docker-config.js';
import { dockerRunner } from './exec.js';
import { getInputs, type Inputs } from './inputs.js';
import { createdTime } from './labels.js';
import { buildReport } from './report.js';
import { buildSummary } from './summary.js';

/** How far the build got (`state`), and the result or the error that stopped it. */
export interface BuildRun {
  state: BuildState;
  result?: BuildResult;
  error?: unknown;
}

export const buildPushAction: ActionDefinition<Inputs, BuildRun> = {
  name: 'build-push',
  inputs: source => getInputs(source),
  timeoutMs: inputs => inputs.timeoutMs,
  async run(inputs, { log, signal, run }) {
    const state = newState();
    const ecr = createClient(ECRClient, { region: inputs.region, signal });
    // The ECR login lives in a docker configuration of this step's own, gone when the step ends or is cancelled.
    const dockerConfig = createStepDockerConfig(process.env);
    const removeConfig = () => dockerConfig.remove();
    signal.addEventListener('abort', removeConfig, { once: true });
    try {
      log.info(describeStepConfig(dockerConfig));
      if (dockerConfig.unreadable)
        log.warning(
          `Could not read the docker configuration (${dockerConfig.unreadable}); nothing was taken from it.`
        );
      await ensureCredentials(ecr);
      const result = await buildPush(
        inputs,
        {
          ecr,
          docker: dockerRunner({ log, env: dockerConfig.env, signal }),
          dockerConfig,
          log,
          run,
          created: createdTime(process.env),
          signal,
          tempDir: process.env.RUNNER_TEMP
        },
        state
      );
      return { state, result };
    } catch (error) {
      return { state, error };
    } finally {
      signal.removeEventListener('abort', removeConfig);
      removeConfig();
      ecr.destroy();
    }
  },
  finish(outcome) {
    const state = outcome.result?.state ?? newState();
    const result = outcome.result?.result;
    const error =
      outcome.result?.error !== undefined ? describeError(outcome.result.error) : failureMessage(outcome);
    const subject = state.repository?.name ?? outcome.inputs?.repository ?? '';
    const report = buildReport({
      state,
      subject,
      startedAt: outcome.startedAt,
      region: outcome.inputs?.region,
      threshold: outcome.inputs?.scanThreshold,
      error,
      cancelled: outcome.cancelled,
      run: outcome.run
    });
    return {
      outputs: result
        ? {
            image: result.image,
            'image-uri-digest': result.imageUriDigest ?? '',
            digest: result.digest ?? '',
            tags: result.tags.join(','),
            registry: result.repository.registry,
            skipped: result.skipped,
            'scan-findings': result.scan?.counts ?? {}
          }
        : {},
      report,
      summary: buildSummary({ state, repository: subject, durationMs: report.durationMs, error }),
      failed: error
    };
  }
};

/** Reads inputs, builds and pushes, writes outputs, the job summary and the report (also on failure). */
export const main = () => runDefinedAction(buildPushAction);
