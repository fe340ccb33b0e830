/** Shared fixtures for notify-ses's unit tests: the example reports, and the input the email is rendered from. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReports, runContext, type Report } from '../../../../core/index.js';
import { mergeRunContext, type EmailInput } from '../facts.js';
import { DEFAULT_SUBJECT } from '../placeholders.js';

export const ROOT = new URL('../../../../', import.meta.url).pathname;

/** examples/reports/<name>.json: reports as the actions write them (build-push.json is buildReport's output). */
export function example(name: string): Report[] {
  return parseReports(readFileSync(join(ROOT, 'examples', 'reports', `${name}.json`), 'utf8'));
}

/** The context a notify job sees: the runner's variables (here none), completed from the reports. */
export function emailFor(reports: Report[], extra: Partial<EmailInput> = {}): EmailInput {
  return {
    reports,
    run: mergeRunContext(runContext({}), reports),
    status: 'success',
    environment: 'production',
    subjectTemplate: DEFAULT_SUBJECT,
    ...extra
  };
}

/** What an app, a commit or a cluster could write: markup, a link, control characters, workflow commands. */
export const HOSTILE = `<script>alert(1)</script><img src=x onerror="alert(2)"> Tom & Jerry's "fix" </td></table><a href="https://evil.example">click</a>`;

/** A token without a space, as long as a digest, an ARN or a minified log line. */
export const LONG_TOKEN = `sha256:${'0123456789abcdef'.repeat(18)}`;

/** The failing ECS report with every text it carries replaced by one too long to fit a line. */
export function longReport(): Report {
  const [report] = example('deploy-ecs-failure');
  const arn = `arn:aws:ecs:eu-west-1:123456789012:task-definition/${'a-very-long-family-name-'.repeat(8)}:43`;
  return {
    ...report,
    subject: `web-${LONG_TOKEN}`,
    summary: `Pushed 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@${LONG_TOKEN} as ${LONG_TOKEN}.`,
    error: `Deployment failed: ${LONG_TOKEN}`,
    image: { repository: 'web', digest: LONG_TOKEN, tags: [`v-${LONG_TOKEN}`, 'latest'] },
    ecs: { ...report.ecs!, taskDefinitionArn: arn, previousTaskDefinitionArn: arn },
    details: [
      [`Label-${LONG_TOKEN}`, `value-${LONG_TOKEN}`],
      ['API server', `https://${'4F1C2A9E7B3D5E6F'.repeat(8)}.gr7.eu-west-1.eks.amazonaws.com`]
    ],
    diagnostics: [
      {
        title: `Last log lines of ${LONG_TOKEN}`,
        severity: 'error',
        lines: [`{"level":"error","msg":"${'x'.repeat(600)}","trace":"${LONG_TOKEN}"}`]
      }
    ],
    run: { ...report.run, commitMessage: `Subject ${LONG_TOKEN}\n\nBody ${LONG_TOKEN}` }
  };
}
