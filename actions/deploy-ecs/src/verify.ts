/**
 * The verify phase: every reason ECS would refuse the rendered task definition, or a rollout would fail ten
 * minutes later, found before RegisterTaskDefinition and reported at once, each with its field path and fix.
 * The local rules are pure (verify-local.ts); the remote checks only read (verify-remote.ts), and only when
 * the task definition is whole, since they look up what it references.
 */
import type { Service } from '@aws-sdk/client-ecs';
import type { DockyardError, Logger } from '../../../core/index.js';
import { verifyLaunchSettings, type LaunchSettings } from './launch-settings.js';
import type { FieldProblem } from './normalise.js';
import type { Rendering } from './render.js';
import { verifyLocally } from './verify-local.js';
import { verifyRemotely, type RemoteResult, type VerifyClients } from './verify-remote.js';
import { verifyStrategy } from './verify-strategy.js';
import type { StrategyName } from './strategy-inputs.js';

export interface Verification {
  /** Every problem found; the step stops before any write when there is one (render.ts problemsError). */
  problems: FieldProblem[];
  /** Remote checks skipped (no permission, another account's registry, an error). */
  skipped: string[];
  /** Remote checks that passed. */
  checked: string[];
  /** Worth knowing, not a problem (a volume configured at launch that nothing configures). */
  notes: string[];
  /** What the service lacks for the deployment's strategy, each named by its input (verify-strategy.ts). */
  refusals: DockyardError[];
}

export interface VerifyOptions {
  service?: Service;
  region: string;
  /** The deployment's strategy, and the input that chose it (`strategy`, or `service` for the service's own). */
  strategy?: { name: StrategyName; input: 'strategy' | 'service' };
  launch?: LaunchSettings;
  /** Whether to make the remote checks (false: another service of a release, whose first service made them). */
  remote?: boolean;
}

export async function verifyTaskDefinition(
  rendered: Rendering,
  clients: VerifyClients,
  options: VerifyOptions,
  log: Logger
): Promise<Verification> {
  const launch = verifyLaunchSettings(rendered.request, options.launch ?? {}, options.service);
  const problems = [
    ...rendered.problems,
    ...verifyLocally(rendered.request, { service: options.service }),
    ...launch.problems
  ];
  for (const note of launch.notes) log.warning(note, { title: 'verify: volume configured at launch' });
  const strategy =
    options.service && options.strategy
      ? verifyStrategy(rendered.request, options.service, options.strategy.name, options.strategy.input)
      : { problems: [], refusals: [], notes: [] };
  problems.push(...strategy.problems);
  for (const note of strategy.notes) log.notice(note, { title: 'verify: deployment strategy' });
  const remote: RemoteResult =
    rendered.problems.length === 0 && options.remote !== false
      ? await verifyRemotely(rendered.request, clients, options)
      : { problems: [], skipped: [], checked: [] };
  problems.push(...remote.problems);
  for (const line of remote.checked) log.info(`  ✓ ${line}`);
  for (const line of remote.skipped) log.notice(line, { title: 'verify: check skipped' });
  if (problems.length === 0 && strategy.refusals.length === 0)
    log.info(
      `No problems found${remote.skipped.length > 0 ? ` (${remote.skipped.length} remote checks skipped)` : ''}.`
    );
  return {
    problems,
    skipped: remote.skipped,
    checked: remote.checked,
    notes: launch.notes,
    refusals: strategy.refusals
  };
}
