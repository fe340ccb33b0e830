/**
 * Prints the trust policy of a role that Dockyard's reusable workflows assume through GitHub's OIDC provider:
 *
 *   npm run trust-policy -- --account 123456789012 --repo ORG/APP --environment production \
 *     --workflow-ref my-org/dockyard/.github/workflows/deploy-ecs.yml@refs/tags/v1
 *   npm run trust-policy -- --account 123456789012 --repo ORG/APP --ref refs/heads/main \
 *     --workflow-ref my-org/dockyard/.github/workflows/deploy-ecs.yml@refs/tags/v1      # a build or notify role
 *
 * AWS reads only `aud` and `sub` of GitHub's token, so the policy names the exact `sub` GitHub issues. With
 * `--workflow-ref` that is the customised subject (`repo`, `context`, `job_workflow_ref`; docs/iam.md), without it
 * the default one. With `--owner-id` and `--repo-id` (`gh api repos/ORG/APP --jq '.owner.id, .id'`) the repository
 * part is the immutable form `repo:ORG@<ownerId>/APP@<repoId>`, which GitHub issues to repositories created, renamed
 * or transferred since 2026-07-15 and to those that opted in, whatever the customisation. The formats are GitHub's
 * ("OpenID Connect reference": example subject claims, immutable subject claims, customizing the token claims).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export const PROVIDER = 'token.actions.githubusercontent.com';
export const AUDIENCE = 'sts.amazonaws.com';

/** What a trust policy is for: one repository, and either an environment (deploy) or git refs (build, notify). */
export interface TrustOptions {
  /** The AWS account of the role and of its OIDC provider. */
  account: string;
  /** The calling repository, `ORG/APP`. */
  repo: string;
  /** Both or neither: the immutable ids of the repository's owner and of the repository. */
  ownerId?: string;
  repoId?: string;
  /** The deploy job's environment. */
  environment?: string;
  /** The git refs a build or notify job runs for (`refs/heads/main`; `refs/tags/v*` with protected tags). */
  refs?: string[];
  /** The reusable workflows allowed, as `job_workflow_ref` names them (`owner/dockyard/.github/workflows/x.yml@ref`). */
  workflowRefs?: string[];
}

/** A reusable workflow as `job_workflow_ref` names it, pinned to a tag, a branch or a commit; never a wildcard. */
const WORKFLOW_REF =
  /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+\/\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml@(refs\/(heads|tags)\/[^\s*:?[\\]+|[0-9a-f]{40})$/;
/** A branch or tag, exactly. */
const EXACT_REF = /^refs\/(heads|tags)\/[^\s*:?[\\]+$/;
/** A git ref in the `ref:` context: exact, or with a trailing `*` after `refs/tags/`, for protected release tags. */
const isGitRef = (ref: string) => EXACT_REF.test(ref) || /^refs\/tags\/[^\s*:?[\\]*\*$/.test(ref);

/** Why the options cannot make a policy, one line each; empty when they can. */
export function checkOptions(o: TrustOptions): string[] {
  const problems: string[] = [];
  if (!/^\d{12}$/.test(o.account))
    problems.push(`--account '${o.account}' is not a 12-digit AWS account id.`);
  if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(o.repo))
    problems.push(`--repo '${o.repo}' is not ORG/APP, the repository that calls the workflow.`);
  if ((o.ownerId === undefined) !== (o.repoId === undefined))
    problems.push(
      "--owner-id and --repo-id go together: read both with gh api repos/ORG/APP --jq '.owner.id, .id'."
    );
  for (const [flag, id] of [
    ['--owner-id', o.ownerId],
    ['--repo-id', o.repoId]
  ] as const)
    if (id !== undefined && !/^\d+$/.test(id)) problems.push(`${flag} '${id}' is not a number.`);
  const refs = o.refs ?? [];
  if ((o.environment === undefined) === (refs.length === 0))
    problems.push(
      'Give --environment (the deploy role: its job runs in that environment) or --ref (a build or notify role), not both.'
    );
  if (o.environment !== undefined && (o.environment.trim() === '' || /[*?]/.test(o.environment)))
    problems.push(
      `--environment '${o.environment}' is empty or holds a wildcard: name the environment exactly.`
    );
  for (const ref of refs)
    if (!isGitRef(ref))
      problems.push(
        `--ref '${ref}' is not a git ref such as refs/heads/main or refs/tags/v1.2.3 (a trailing * only after refs/tags/).`
      );
  for (const ref of o.workflowRefs ?? [])
    if (!WORKFLOW_REF.test(ref))
      problems.push(
        `--workflow-ref '${ref}' is not OWNER/REPO/.github/workflows/FILE.yml@REF with REF a full tag, branch or commit SHA (no wildcard: it would match any branch, and commits that exist only in a fork).`
      );
  return problems;
}

/** GitHub writes a `:` inside a claim's value as `%3A` in the subject. */
const claimValue = (value: string) => value.replace(/:/g, '%3A');

/** The `repo:` part of the subject: names only, or names with the immutable ids. */
export function repoClaim(o: Pick<TrustOptions, 'repo' | 'ownerId' | 'repoId'>): string {
  const [owner, name] = o.repo.split('/');
  return o.ownerId === undefined ? `repo:${owner}/${name}` : `repo:${owner}@${o.ownerId}/${name}@${o.repoId}`;
}

/** Every `sub` the role accepts: each context (the environment, or each ref) with each workflow ref. */
export function subjects(o: TrustOptions): string[] {
  const contexts =
    o.environment !== undefined
      ? [`environment:${claimValue(o.environment)}`]
      : (o.refs ?? []).map(ref => `ref:${claimValue(ref)}`);
  const workflows = o.workflowRefs ?? [];
  return contexts.flatMap(context =>
    workflows.length === 0
      ? [`${repoClaim(o)}:${context}`]
      : workflows.map(w => `${repoClaim(o)}:${context}:job_workflow_ref:${w}`)
  );
}

/** The role's trust policy: GitHub's OIDC provider, the STS audience and exactly these subjects. */
export function trustPolicy(o: TrustOptions): object {
  const subs = subjects(o);
  const sub = subs.length === 1 ? subs[0] : subs;
  // A `*` is only ever in a protected release tag (refs/tags/v*); everything else is matched exactly.
  const match = subs.some(s => s.includes('*')) ? 'StringLike' : 'StringEquals';
  const condition =
    match === 'StringEquals'
      ? { StringEquals: { [`${PROVIDER}:aud`]: AUDIENCE, [`${PROVIDER}:sub`]: sub } }
      : { StringEquals: { [`${PROVIDER}:aud`]: AUDIENCE }, StringLike: { [`${PROVIDER}:sub`]: sub } };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${o.account}:oidc-provider/${PROVIDER}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: condition
      }
    ]
  };
}

/** A `sub` taken apart along GitHub's documented formats; undefined when it is none of them. */
export interface Subject {
  owner: string;
  repo: string;
  ownerId?: string;
  repoId?: string;
  /** `environment:NAME`, `ref:REF` or `pull_request`. */
  context: string;
  /** With the `job_workflow_ref` customisation. */
  workflowRef?: string;
}

/**
 * Reads a subject as GitHub writes it: `repo:ORG/APP:<context>` (default template), `repo:ORG@ID/APP@ID:<context>`
 * (immutable subject claims, which keep the ids under any customisation), each optionally followed by
 * `:job_workflow_ref:<workflow>@<ref>` (the `repo`, `context`, `job_workflow_ref` customisation). `allowTagWildcard`
 * reads a StringLike pattern whose only wildcard ends a `refs/tags/` ref.
 */
export function parseSubject(sub: string, allowTagWildcard = false): Subject | undefined {
  const m =
    /^repo:([A-Za-z0-9-]+)(?:@(\d+))?\/([A-Za-z0-9._-]+)(?:@(\d+))?:(environment:[^:*?]+|ref:[^:]+|pull_request)(?::job_workflow_ref:([^:]+))?$/.exec(
      sub
    );
  if (!m || (m[2] === undefined) !== (m[4] === undefined)) return undefined;
  const [, owner, ownerId, repo, repoId, context, workflowRef] = m;
  const ref = context.startsWith('ref:') ? context.slice(4) : undefined;
  if (ref !== undefined && !(allowTagWildcard ? isGitRef(ref) : EXACT_REF.test(ref))) return undefined;
  if (workflowRef !== undefined && !WORKFLOW_REF.test(workflowRef)) return undefined;
  return { owner, repo, ownerId, repoId, context, workflowRef };
}

/** What the reader should do next, for stderr: the customisation the policy relies on, and the immutable form. */
export function notes(o: TrustOptions): string[] {
  const [owner, name] = o.repo.split('/');
  const out: string[] = [];
  if ((o.workflowRefs ?? []).length > 0)
    out.push(
      `This policy needs ${o.repo}'s subject to include job_workflow_ref (once per repository):`,
      `  gh api -X PUT repos/${owner}/${name}/actions/oidc/customization/sub -F use_default=false -f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=job_workflow_ref'`
    );
  else
    out.push(
      `Without --workflow-ref, any workflow of ${o.repo} that ${o.environment !== undefined ? `runs in the ${o.environment} environment` : 'runs on these refs'} can assume the role (docs/iam.md).`
    );
  if ((o.workflowRefs ?? []).some(w => w.includes('@refs/heads/')))
    out.push('A branch moves: pin a protected tag or a commit SHA of Dockyard for a role that deploys.');
  if (o.ownerId === undefined)
    out.push(
      `If ${o.repo} uses immutable subject claims (created, renamed or transferred since 2026-07-15, or opted in), add --owner-id and --repo-id from: gh api repos/${owner}/${name} --jq '.owner.id, .id'`
    );
  return out;
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      account: { type: 'string', default: '' },
      repo: { type: 'string', default: '' },
      'owner-id': { type: 'string' },
      'repo-id': { type: 'string' },
      environment: { type: 'string' },
      ref: { type: 'string', multiple: true },
      'workflow-ref': { type: 'string', multiple: true }
    }
  });
  const options: TrustOptions = {
    account: values.account,
    repo: values.repo,
    ownerId: values['owner-id'],
    repoId: values['repo-id'],
    environment: values.environment,
    refs: values.ref,
    workflowRefs: values['workflow-ref']
  };
  const problems = checkOptions(options);
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    console.error(
      'Usage: npm run trust-policy -- --account ID --repo ORG/APP (--environment NAME | --ref REF...) [--workflow-ref OWNER/dockyard/.github/workflows/deploy-ecs.yml@REF...] [--owner-id N --repo-id N]'
    );
    return 2;
  }
  console.log(JSON.stringify(trustPolicy(options), null, 2));
  for (const line of notes(options)) console.error(line);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}
