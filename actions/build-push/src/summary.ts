import { formatDuration, mdCode, mdEscape, SummaryBuilder } from '../../../core/index.js';
import type { BuildState } from './build.js';
import { severityRank } from './scan.js';

export interface SummaryFacts {
  state: BuildState;
  repository: string;
  durationMs: number;
  error?: string;
}

/** A finding's link is shown only when it is a plain https URL that cannot end the Markdown link early. */
const LINKABLE = /^https:\/\/[^\s()<>[\]]+$/;

const TITLES: Record<string, string> = {
  PUSHED: 'Image pushed',
  SKIPPED: 'Image already in ECR: build skipped',
  BUILT: 'Image built (not pushed)'
};

/** The job summary: image, digest, tags, skipped or not, scan counts, duration; on failure, the error first. */
export function buildSummary(facts: SummaryFacts): string {
  const { state } = facts;
  const repo = state.repository;
  const s = new SummaryBuilder();
  s.heading(
    `build-push: ${facts.error ? 'failed' : (TITLES[state.outcome ?? 'PUSHED'] ?? state.outcome ?? '')}`
  );
  if (facts.error) s.paragraph('**Error**').code(facts.error);
  // What the build printed is the build's text, not Dockyard's: code, never Markdown.
  if (state.buildOutput && state.buildOutput.length > 0)
    s.detailsCode('End of the build output', state.buildOutput);
  const image = repo && state.tags[0] ? `${repo.uri}:${state.tags[0]}` : undefined;
  s.facts([
    ['Repository', mdCode(repo?.uri ?? facts.repository)],
    ['Image', image ? mdCode(image) : undefined],
    ['Digest', state.digest ? mdCode(state.digest) : undefined],
    ['Tags', state.tags.length > 0 ? state.tags.map(mdCode).join(' ') : undefined],
    [
      'Skipped',
      state.outcome === undefined
        ? undefined
        : state.outcome === 'SKIPPED'
          ? 'yes: every tag already pointed to this digest'
          : 'no'
    ],
    [
      'Builder',
      state.builder === 'buildx'
        ? 'docker buildx'
        : state.builder === 'legacy'
          ? 'classic docker build (no buildx)'
          : undefined
    ],
    ['Repository created', state.createdRepository ? 'yes' : undefined],
    ['Scan', state.scan ? scanLine(state) : undefined],
    ['Duration', formatDuration(facts.durationMs)]
  ]);
  const scan = state.scan;
  if (scan && scan.worst.length > 0) {
    s.heading('Worst findings', 3);
    s.table(
      ['Severity', 'Finding', 'Package'],
      scan.worst.map(f => [
        mdEscape(f.severity),
        f.uri && LINKABLE.test(f.uri) ? `[${mdEscape(f.id)}](${f.uri})` : mdEscape(f.id),
        mdEscape(f.package ?? '')
      ])
    );
  }
  return s.toString();
}

function scanLine(state: BuildState): string {
  const scan = state.scan!;
  const kind = scan.scanType === 'ENHANCED' ? 'enhanced (Amazon Inspector)' : 'basic';
  if (scan.status !== 'COMPLETE' && scan.status !== 'ACTIVE')
    return `${kind}: ${mdEscape(scan.status)} ${mdEscape(scan.description ?? '')}`;
  const counts = Object.entries(scan.counts)
    .sort((a, b) => severityRank(b[0]) - severityRank(a[0]))
    .map(([sev, n]) => `${mdEscape(sev)} ${n}`)
    .join(', ');
  return `${kind}: ${counts || 'no findings'}`;
}
