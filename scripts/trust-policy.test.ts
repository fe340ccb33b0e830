/**
 * The trust policies: what `npm run trust-policy` prints, GitHub's documented `sub` formats (name-only and
 * immutable, default and customised), and every policy README.md and docs/iam.md show, checked against both.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AUDIENCE,
  checkOptions,
  notes,
  parseSubject,
  PROVIDER,
  subjects,
  trustPolicy,
  type Subject,
  type TrustOptions
} from './trust-policy.js';
import { root } from './workflows.js';

const ECS = 'my-org/dockyard/.github/workflows/deploy-ecs.yml@refs/tags/v1';
const EKS = 'my-org/dockyard/.github/workflows/deploy-eks.yml@refs/tags/v1';
const base: TrustOptions = { account: '123456789012', repo: 'ORG/APP' };

describe("GitHub's subject formats", () => {
  // Each example as GitHub's "OpenID Connect reference" writes it: example subject claims, immutable subject claims,
  // and "Requiring a reusable workflow and other claims" (content/actions/reference/security/oidc.md in github/docs).
  it.each<[string, Partial<Subject>]>([
    [
      'repo:octo-org/octo-repo:environment:Production',
      { owner: 'octo-org', context: 'environment:Production' }
    ],
    ['repo:octo-org/octo-repo:pull_request', { context: 'pull_request' }],
    ['repo:octo-org/octo-repo:ref:refs/heads/demo-branch', { context: 'ref:refs/heads/demo-branch' }],
    ['repo:octo-org/octo-repo:ref:refs/tags/demo-tag', { context: 'ref:refs/tags/demo-tag' }],
    ['repo:octo-org/octo-repo:environment:Production%3AV1', { context: 'environment:Production%3AV1' }],
    [
      'repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main',
      { ownerId: '123456', repoId: '456789', context: 'ref:refs/heads/main' }
    ],
    [
      'repo:octo-org/octo-repo:environment:prod:job_workflow_ref:octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
      {
        context: 'environment:prod',
        workflowRef: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main'
      }
    ]
  ])('reads %s', (sub, parts) => {
    expect(parseSubject(sub)).toEqual(expect.objectContaining(parts));
  });

  it.each([
    'repo:octo-org@123456/octo-repo:ref:refs/heads/main', // one id without the other
    'repository_owner:monalisa', // another customisation than repo, context, job_workflow_ref
    'repo:octo-org/octo-repo:ref:refs/heads/*', // a wildcard where only an exact value is read
    'repo:octo-org/octo-repo:environment:prod:job_workflow_ref:octo-org/dockyard/.github/workflows/deploy-ecs.yml@*'
  ])('refuses %s', sub => {
    expect(parseSubject(sub)).toBeUndefined();
  });
});

describe('npm run trust-policy', () => {
  it('prints the customised subject of the deploy role, name-only and immutable', () => {
    expect(subjects({ ...base, environment: 'production', workflowRefs: [ECS] })).toEqual([
      `repo:ORG/APP:environment:production:job_workflow_ref:${ECS}`
    ]);
    expect(
      subjects({
        ...base,
        ownerId: '123456',
        repoId: '456789',
        environment: 'production',
        workflowRefs: [ECS]
      })
    ).toEqual([`repo:ORG@123456/APP@456789:environment:production:job_workflow_ref:${ECS}`]);
  });

  it('prints every ref with every workflow for a build role, exactly, and StringLike only for a tag pattern', () => {
    const exact = trustPolicy({ ...base, refs: ['refs/heads/main'], workflowRefs: [ECS, EKS] }) as {
      Statement: { Condition: Record<string, Record<string, unknown>> }[];
    };
    expect(exact.Statement[0].Condition).toEqual({
      StringEquals: {
        [`${PROVIDER}:aud`]: AUDIENCE,
        [`${PROVIDER}:sub`]: [
          `repo:ORG/APP:ref:refs/heads/main:job_workflow_ref:${ECS}`,
          `repo:ORG/APP:ref:refs/heads/main:job_workflow_ref:${EKS}`
        ]
      }
    });
    const tags = trustPolicy({ ...base, refs: ['refs/heads/main', 'refs/tags/v*'], workflowRefs: [ECS] }) as {
      Statement: { Condition: Record<string, Record<string, unknown>> }[];
    };
    expect(Object.keys(tags.Statement[0].Condition)).toEqual(['StringEquals', 'StringLike']);
  });

  it('writes a : in an environment name as GitHub does', () => {
    expect(subjects({ ...base, environment: 'prod:eu' })).toEqual(['repo:ORG/APP:environment:prod%3Aeu']);
  });

  it.each<[string, Partial<TrustOptions>, RegExp]>([
    [
      'a wildcard in the workflow ref',
      { environment: 'p', workflowRefs: ['my-org/dockyard/.github/workflows/deploy-ecs.yml@*'] },
      /no wildcard/
    ],
    [
      'a short SHA',
      { environment: 'p', workflowRefs: ['my-org/dockyard/.github/workflows/deploy-ecs.yml@0123abc'] },
      /--workflow-ref/
    ],
    ['a branch wildcard', { refs: ['refs/heads/*'] }, /--ref 'refs\/heads\/\*'/],
    ['an environment and refs', { environment: 'p', refs: ['refs/heads/main'] }, /not both/],
    ['neither', {}, /not both/],
    ['one id only', { environment: 'p', ownerId: '1' }, /go together/],
    ['an id that is not a number', { environment: 'p', ownerId: 'octo', repoId: '2' }, /--owner-id 'octo'/],
    ['a wildcard environment', { environment: 'prod*' }, /--environment/],
    ['an account that is not one', { environment: 'p', account: '1234' }, /--account/],
    ['a repository that is not ORG/APP', { environment: 'p', repo: 'APP' }, /--repo/]
  ])('refuses %s', (_, options, problem) => {
    expect(checkOptions({ ...base, ...options })).toEqual([expect.stringMatching(problem)]);
  });

  it('tells what the policy relies on: the customisation, and the ids when it has none', () => {
    const told = notes({ ...base, environment: 'production', workflowRefs: [ECS] }).join('\n');
    expect(told).toContain("include_claim_keys[]=job_workflow_ref'");
    expect(told).toContain("gh api repos/ORG/APP --jq '.owner.id, .id'");
    expect(notes({ ...base, ownerId: '1', repoId: '2', environment: 'p' }).join('\n')).toMatch(
      /any workflow of ORG\/APP that runs in the p environment/
    );
  });

  it('prints subjects that read back as GitHub writes them', () => {
    for (const options of [
      { ...base, environment: 'production', workflowRefs: [ECS] },
      {
        ...base,
        ownerId: '9',
        repoId: '8',
        refs: ['refs/heads/main', 'refs/tags/v1.2.3'],
        workflowRefs: [ECS, EKS]
      },
      { ...base, environment: 'staging' }
    ])
      for (const sub of subjects(options)) expect([sub, parseSubject(sub)]).toEqual([sub, expect.anything()]);
  });
});

describe('the trust policies README.md and docs/iam.md show', () => {
  interface Policy {
    Statement: {
      Principal: { Federated: string };
      Condition: Record<string, Record<string, string | string[]>>;
    }[];
  }
  const policies = ['README.md', 'docs/iam.md'].flatMap(page =>
    [...readFileSync(join(root, page), 'utf8').matchAll(/^```json\n([\s\S]*?)^```/gm)]
      .map(m => m[1])
      .filter(text => text.includes(`${PROVIDER}:sub`))
      .map((text, i) => ({ where: `${page} policy ${i + 1}`, policy: JSON.parse(text) as Policy }))
  );
  const subsOf = (p: Policy) =>
    Object.values(p.Statement[0].Condition).flatMap(c => {
      const sub = c[`${PROVIDER}:sub`];
      return sub === undefined ? [] : Array.isArray(sub) ? sub : [sub];
    });

  it('are there, in both forms: names only, and the immutable ids', () => {
    expect(policies.map(p => p.where)).toEqual(
      expect.arrayContaining(['README.md policy 1', 'docs/iam.md policy 1'])
    );
    const parsed = policies.flatMap(p => subsOf(p.policy)).map(s => parseSubject(s, true));
    expect(parsed.some(s => s?.ownerId === undefined)).toBe(true);
    expect(parsed.some(s => s?.ownerId !== undefined)).toBe(true);
  });

  it.each(policies.map(p => [p.where, p.policy] as const))(
    '%s matches GitHub’s subject format and is what npm run trust-policy prints',
    (_, policy) => {
      const subs = subsOf(policy);
      const parsed = subs.map(s => parseSubject(s, true));
      expect(subs.map((s, i) => [s, parsed[i] !== undefined])).toEqual(subs.map(s => [s, true]));
      const read = parsed as Subject[];
      // One role, one repository; a deploy role (an environment) never also trusts a ref.
      expect(new Set(read.map(s => `${s.owner}/${s.repo}@${s.ownerId}/${s.repoId}`)).size).toBe(1);
      const environments = [
        ...new Set(read.filter(s => s.context.startsWith('environment:')).map(s => s.context))
      ];
      const refs = [...new Set(read.filter(s => s.context.startsWith('ref:')).map(s => s.context.slice(4)))];
      expect(environments.length === 0 || refs.length === 0).toBe(true);
      const [first] = read;
      const options: TrustOptions = {
        account: /^arn:aws:iam::(\d{12}):/.exec(policy.Statement[0].Principal.Federated)?.[1] ?? '',
        repo: `${first.owner}/${first.repo}`,
        ownerId: first.ownerId,
        repoId: first.repoId,
        environment: environments[0]?.slice('environment:'.length),
        refs: refs.length ? refs : undefined,
        workflowRefs: [...new Set(read.flatMap(s => (s.workflowRef ? [s.workflowRef] : [])))]
      };
      expect(checkOptions(options)).toEqual([]);
      expect(policy).toEqual(trustPolicy(options));
    }
  );

  it('never advise a wildcard on the workflow ref, nor StringLike but for a tag pattern', () => {
    for (const page of ['README.md', 'docs/iam.md']) {
      const text = readFileSync(join(root, page), 'utf8');
      expect([page, /\.ya?ml@\*/.test(text.replace(/Never trust `[^`]*`/g, ''))]).toEqual([page, false]);
    }
  });
});
