import { createReport, type Diagnostic, type Report, type RunContext } from '../../../core/index.js';
import type { BuildState } from './build.js';
import { describeScan } from './scan.js';

export interface ReportFacts {
  state: BuildState;
  /** The repository name, as far as it is known. */
  subject: string;
  startedAt: Date;
  region?: string;
  threshold?: string;
  /** The failure as the user saw it; undefined on success. */
  error?: string;
  cancelled?: boolean;
  run: RunContext;
}

/** The `report` output: what happened, the image as far as it got, scan findings as a diagnostic. */
export function buildReport(facts: ReportFacts, now?: () => Date): Report {
  const { state, subject, error } = facts;
  const repo = state.repository;
  const failed = error !== undefined;
  const diagnostics: Diagnostic[] = [];
  if (state.scan) {
    diagnostics.push({
      title: 'Scan findings',
      severity: state.scan.passed ? 'info' : 'error',
      lines: [
        describeScan(state.scan, facts.threshold ?? ''),
        ...state.scan.worst.map(f => `${f.severity} ${f.id}${f.package ? ` (${f.package})` : ''}`)
      ]
    });
  }
  if (state.buildOutput && state.buildOutput.length > 0)
    diagnostics.push({ title: 'End of the build output', severity: 'error', lines: state.buildOutput });
  const image = repo && state.tags[0] ? `${repo.uri}:${state.tags[0]}` : subject;
  let status: Report['status'] = 'success';
  let outcome: string = state.outcome ?? 'PUSHED';
  let summary = `Pushed ${repo?.uri}@${state.digest} as ${state.tags.join(', ')}.`;
  if (failed) {
    status = facts.cancelled ? 'cancelled' : 'failure';
    outcome = facts.cancelled ? 'CANCELLED' : 'FAILED';
    summary = `Build and push of ${subject} ${facts.cancelled ? 'was cancelled' : 'failed'}: ${error}`;
  } else if (state.outcome === 'SKIPPED') {
    status = 'skipped';
    summary = `${image} is already in ECR (${state.digest}); nothing was built.`;
  } else if (state.outcome === 'BUILT') {
    summary = `Built ${image} without pushing.`;
  }
  const details: [string, string][] = [['Tags', state.tags.join(', ')]];
  if (state.builder)
    details.push(['Builder', state.builder === 'buildx' ? 'docker buildx' : 'classic docker build']);
  if (state.createdRepository) details.push(['Repository created', 'yes']);
  return createReport(
    {
      action: 'build-push',
      status,
      outcome,
      subject,
      summary,
      startedAt: facts.startedAt.toISOString(),
      region: facts.region,
      image: {
        repository: subject,
        registry: repo?.registry,
        uri: repo?.uri,
        digest: state.digest,
        tags: state.tags
      },
      details,
      diagnostics,
      error,
      run: facts.run
    },
    now
  );
}
