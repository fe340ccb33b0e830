/**
 * The static security checks of the workflows, our composite actions, the examples and the docs: what runs is pinned
 * to a commit, each job holds only its own role (never the deploy role outside the environment), tokens are not left
 * on disk, releases move the major tag only after their checks, and CI runs each check once.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  actionFiles,
  callsIn,
  docWorkflows,
  flattenSteps,
  loadAction,
  ownTarget,
  pinDrift,
  pinProblem,
  roleProblems,
  root,
  usesEverywhere,
  workflowCall,
  workflowSources,
  type Step,
  type Workflow
} from './workflows.js';
import { buildsImage, planOutputs, planRelease } from '../.github/actions/release-plan/plan.mjs';

const sources = workflowSources();
const workflows = Object.fromEntries(
  Object.entries(sources).map(([file, text]) => [file, parse(text) as Workflow])
);
const reusable = Object.keys(workflows).filter(f => workflowCall(workflows[f]));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('every uses: is ./, $/, Dockyard, or pinned by a full commit SHA with its version', () => {
  const all = usesEverywhere();

  it('reads the workflows, the examples, our composite actions and the docs', () => {
    const files = new Set(all.map(u => u.file));
    for (const file of [
      ...reusable,
      '.github/workflows/release.yml',
      '.github/actions/build/action.yml',
      '.github/actions/notify/action.yml',
      'examples/workflows/direct-actions.yml',
      'README.md',
      'actions/build-push/README.md',
      'actions/deploy-ecs/README.md',
      'actions/deploy-eks/README.md',
      'actions/notify-ses/README.md'
    ])
      expect([file, files.has(file)]).toEqual([file, true]);
  });

  it('has no unpinned uses:', () => {
    expect(all.flatMap(u => pinProblem(u) ?? [])).toEqual([]);
  });

  it('pins each action to one commit everywhere, the examples included (Dependabot does not read them)', () => {
    expect(pinDrift(all)).toEqual([]);
  });

  const sha = 'e6de054238d6b7531b4efff3b6587d9aade6a06c';
  it.each([
    ['actions/checkout@v4', undefined, /not pinned by a full commit SHA/],
    ['actions/checkout@main', undefined, /not pinned by a full commit SHA/],
    [
      `aws-actions/configure-aws-credentials@${sha.slice(0, 12)}`,
      'v6.2.3',
      /not pinned by a full commit SHA/
    ],
    [`aws-actions/configure-aws-credentials@${sha}`, undefined, /needs its version in a comment/],
    [`aws-actions/configure-aws-credentials@${sha}`, 'v6', /needs its version in a comment/],
    ['docker://alpine:3.20', undefined, /names an image by tag/],
    [`aws-actions/configure-aws-credentials@${sha}`, 'v6.2.3', undefined],
    [`docker/build-push-action/subdir@${sha}`, 'v1.0.0', undefined],
    ['$/actions/build-push', undefined, undefined],
    ['./actions/build-push', undefined, undefined],
    ['my-org/dockyard/.github/workflows/deploy-ecs.yml@v1', undefined, undefined]
  ])('%s # %s', (uses, comment, problem) => {
    const found = pinProblem({ file: 'w.yml', line: 1, uses, comment });
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });

  it('reports an action pinned two ways', () => {
    const at = (uses: string, comment: string, file: string) => ({ file, line: 1, uses, comment });
    expect(
      pinDrift([
        at(`actions/checkout@${'a'.repeat(40)}`, 'v7.0.1', 'a.yml'),
        at(`actions/checkout@${'b'.repeat(40)}`, 'v7.0.0', 'b.yml'),
        at(`actions/checkout@${'a'.repeat(40)}`, 'v7.0.1', 'c.yml')
      ])
    ).toEqual([expect.stringMatching(/^actions\/checkout is pinned 2 ways/)]);
  });
});

/** The jobs that act on one target, with its role: the wave jobs, and deploy-ecs.yml's promote and reject. */
const TARGET_JOBS = /^(deploy|promote|reject)-\d$/;

describe('each job holds only its own role', () => {
  const withDocs = { ...workflows, ...docWorkflows() };
  it.each(Object.keys(withDocs))(
    '%s: no role falls back, no job outside an environment gets the deploy role, no job builds and deploys',
    file => {
      expect(roleProblems(withDocs[file], file)).toEqual([]);
    }
  );

  it('reports a job that builds and deploys with one role (as the actions READMEs showed)', () => {
    const oneJob: Workflow = {
      jobs: {
        steps: {
          steps: [
            { uses: 'aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c' },
            { uses: 'octo/dockyard/actions/build-push@v1' },
            { uses: 'octo/dockyard/actions/deploy-eks@v1' }
          ]
        }
      }
    };
    expect(roleProblems(oneJob, 'README.md#yaml-1')).toEqual([
      expect.stringMatching(/^README\.md#yaml-1 jobs\.steps: builds and deploys in one job/)
    ]);
  });

  it('reports the fallbacks the reusable workflows used to have', () => {
    const aws = (role: string): Step => ({
      uses: 'aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c',
      with: { 'role-to-assume': role }
    });
    const old: Workflow = {
      jobs: {
        build: { steps: [aws('${{ inputs.build-role-to-assume || inputs.role-to-assume }}')] },
        deploy: { environment: { name: 'production' }, steps: [aws('${{ inputs.role-to-assume }}')] },
        notify: { steps: [aws('${{ inputs.role-to-assume }}')] },
        // A target's role in a job without its environment.
        wave: { steps: [aws('${{ matrix.target.role-to-assume }}')] }
      }
    };
    expect(roleProblems(old, 'old.yml')).toEqual([
      expect.stringMatching(/^old\.yml jobs\.build: .* falls back to another role/),
      expect.stringMatching(
        /^old\.yml jobs\.build: runs outside an environment, yet assumes 'role-to-assume'/
      ),
      expect.stringMatching(
        /^old\.yml jobs\.notify: runs outside an environment, yet assumes 'role-to-assume'/
      ),
      expect.stringMatching(/^old\.yml jobs\.wave: runs outside an environment, yet assumes 'role-to-assume'/)
    ]);
  });

  it.each(reusable)(
    "%s: only the wave jobs (and deploy-ecs.yml's promote and reject jobs of each wave) assume a target's deploy role, and every job checks the roles before any credential",
    file => {
      const jobs = workflows[file].jobs ?? {};
      const checkRoles = (deployRole: string, build = '${{ needs.plan.outputs.build }}') => ({
        'role-to-assume': deployRole,
        'build-role-to-assume': '${{ inputs.build-role-to-assume }}',
        'notify-role-to-assume': '${{ inputs.notify-role-to-assume }}',
        build,
        'email-to': '${{ inputs.email-to }}'
      });
      const assumed: Record<string, string[]> = {};
      for (const [id, job] of Object.entries(jobs)) {
        const roles = flattenSteps(job.steps ?? [])
          .filter(s => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))
          .map(s => String(s.with?.['role-to-assume']));
        if (roles.length === 0) continue;
        assumed[id] = roles;
        const first = job.steps?.[0];
        const deployRole = TARGET_JOBS.test(id)
          ? '${{ matrix.target.role-to-assume }}'
          : '${{ inputs.role-to-assume }}';
        expect([id, first?.uses, first?.with]).toEqual([
          id,
          '$/.github/actions/check-roles',
          checkRoles(deployRole)
        ]);
      }
      const target = ['${{ matrix.target.role-to-assume }}'];
      expect(assumed).toEqual({
        build: ['${{ inputs.build-role-to-assume }}'],
        'deploy-1': target,
        'deploy-2': target,
        'deploy-3': target,
        'deploy-4': target,
        // Gated promotion acts on the deployment its target's deploy job left paused, with that job's role.
        ...(file.endsWith('deploy-ecs.yml')
          ? Object.fromEntries(
              [1, 2, 3, 4].flatMap(n => [
                [`promote-${n}`, target],
                [`reject-${n}`, target]
              ])
            )
          : {}),
        notify: ['${{ inputs.notify-role-to-assume }}']
      });
      // The plan job, which holds no credential, checks every target's role before anything is built.
      const plan = jobs.plan.steps ?? [];
      expect(jobs.plan.permissions).toEqual({});
      expect(plan.map(s => s.uses)).toEqual([
        '$/.github/actions/release-plan',
        '$/.github/actions/check-roles'
      ]);
      expect(plan[1].with).toEqual(
        checkRoles('${{ steps.plan.outputs.roles }}', '${{ steps.plan.outputs.build }}')
      );
    }
  );
});

describe('check-roles (first in every job of the reusable workflows)', () => {
  const action = loadAction('.github/actions/check-roles');
  const script = String(action?.runs?.steps?.[0].run);
  const DEPLOY = 'arn:aws:iam::111111111111:role/dockyard-deploy-production';

  function check(roles: Record<string, string>): { ok: boolean; log: string } {
    const env = {
      DEPLOY_ROLE: DEPLOY,
      BUILD_ROLE: '',
      NOTIFY_ROLE: '',
      BUILD: 'true',
      EMAIL_TO: '',
      ...roles
    };
    try {
      return {
        ok: true,
        log: execFileSync('bash', ['-c', script], {
          env: { PATH: process.env.PATH, ...env },
          encoding: 'utf8'
        })
      };
    } catch (e) {
      return { ok: false, log: String((e as { stdout?: string }).stdout) };
    }
  }

  it.each([
    [
      'separate roles',
      {
        BUILD_ROLE: 'arn:aws:iam::111111111111:role/dockyard-build',
        NOTIFY_ROLE: 'arn:aws:iam::111111111111:role/dockyard-notify',
        EMAIL_TO: 'a@example.com'
      }
    ],
    ['an image and no email: neither job runs, no role needed', { BUILD: 'false' }],
    [
      'the same role name in another account',
      { BUILD_ROLE: 'arn:aws:iam::222222222222:role/dockyard-deploy-production' }
    ],
    [
      'one role for build and notify',
      {
        BUILD_ROLE: 'arn:aws:iam::111111111111:role/ci',
        NOTIFY_ROLE: 'arn:aws:iam::111111111111:role/ci',
        EMAIL_TO: 'a@example.com'
      }
    ]
  ])('lets %s through', (_, roles) => {
    expect(check(roles)).toEqual({ ok: true, log: expect.stringMatching(/^Roles: /) });
  });

  it.each([
    ['no build role for a build', {}, 'build-role-to-assume', /needs a role of its own/],
    [
      'no notify role with email-to',
      { BUILD: 'false', EMAIL_TO: 'a@example.com' },
      'notify-role-to-assume',
      /needs a role of its own/
    ],
    ['the deploy role as build role', { BUILD_ROLE: DEPLOY }, 'build-role-to-assume', /is the deploy role/],
    [
      'the deploy role as notify role',
      { BUILD: 'false', NOTIFY_ROLE: DEPLOY },
      'notify-role-to-assume',
      /is the deploy role/
    ],
    [
      'the deploy role with a path and other case',
      { BUILD_ROLE: 'arn:aws:iam::111111111111:role/ci/Dockyard-Deploy-Production' },
      'build-role-to-assume',
      /is the deploy role/
    ],
    [
      'the deploy role by bare name',
      { BUILD: 'false', NOTIFY_ROLE: 'dockyard-deploy-production' },
      'notify-role-to-assume',
      /is the deploy role/
    ],
    [
      "a target's deploy role as build role",
      { DEPLOY_ROLE: `arn:aws:iam::222222222222:role/staging\n${DEPLOY}`, BUILD_ROLE: DEPLOY },
      'build-role-to-assume',
      /is the deploy role 'arn:aws:iam::111111111111:role\/dockyard-deploy-production'/
    ],
    ['no deploy role', { DEPLOY_ROLE: '', BUILD: 'false' }, 'role-to-assume', /Give the deploy job's role/]
  ])('refuses %s, naming the input and why', (_, roles, input, why) => {
    const run = check(roles as Record<string, string>);
    expect(run.ok).toBe(false);
    expect(run.log).toMatch(new RegExp(`^::error title=Dockyard: input '${input}'::`));
    expect(run.log).toMatch(why);
    if (why.source.includes('deploy role') || why.source.includes('own'))
      expect(run.log).toMatch(/never|protection/);
  });

  const callers = Object.keys(workflows).filter(
    f => f.startsWith('examples/') && callsIn(workflows[f], f).some(c => c.target.kind === 'workflow')
  );
  it.each(callers)('%s passes roles check-roles accepts, for every target', file => {
    for (const call of callsIn(workflows[file], file).filter(c => c.target.kind === 'workflow')) {
      const w = Object.fromEntries(Object.entries(call.with).map(([k, v]) => [k, String(v)]));
      const kind = call.target.path.endsWith('deploy-eks.yml') ? 'eks' : 'ecs';
      const plan = planRelease(kind, { targets: '', ...w });
      expect([call.where, plan.problems]).toEqual([call.where, []]);
      const run = check({
        DEPLOY_ROLE: planOutputs(plan, { releaseId: 'x', build: false }).roles,
        BUILD_ROLE: w['build-role-to-assume'] ?? '',
        NOTIFY_ROLE: w['notify-role-to-assume'] ?? '',
        BUILD: String(buildsImage({ image: '', ...w })),
        EMAIL_TO: w['email-to'] ?? ''
      });
      expect([call.where, run.log]).toEqual([call.where, expect.stringMatching(/^Roles: /)]);
    }
  });
});

describe('checkouts leave no token on disk', () => {
  it('every actions/checkout in the workflows, our composite actions, the examples and the docs says persist-credentials: false', () => {
    const steps: [string, Step][] = [
      ...Object.entries({ ...workflows, ...docWorkflows() }).flatMap(([file, w]) =>
        Object.values(w.jobs ?? {}).flatMap(j => (j.steps ?? []).map(s => [file, s] as [string, Step]))
      ),
      ...actionFiles().flatMap(file =>
        (loadAction(file.replace(/\/action\.ya?ml$/, ''))?.runs?.steps ?? []).map(
          s => [file, s] as [string, Step]
        )
      )
    ];
    const checkouts = steps.filter(([, s]) => s.uses?.startsWith('actions/checkout@'));
    expect(checkouts.length).toBeGreaterThan(5);
    for (const [file, step] of checkouts)
      expect([file, step.with?.['persist-credentials']]).toEqual([file, false]);
  });
});

describe('release.yml', () => {
  const release = workflows['.github/workflows/release.yml'];
  const jobs = release.jobs ?? {};

  it('grants nothing by default, and contents: write to one job, which checks nothing out and needs the checks', () => {
    expect(release.permissions).toEqual({});
    const writers = Object.entries(jobs).filter(([, j]) => j.permissions?.contents === 'write');
    expect(writers.map(([id]) => id)).toEqual(['major-tag']);
    const [, writer] = writers[0];
    expect(writer.needs).toBe('check');
    expect((writer.steps ?? []).filter(s => s.uses)).toEqual([]);
  });

  it('checks ancestry, order, references and dist/ before the major tag moves, to the commit the check read', () => {
    const runs = (jobs.check.steps ?? []).map(s => s.run ?? '');
    expect(runs).toContain('npx tsx scripts/release-refs.ts "$GITHUB_REF_NAME" --history');
    expect(runs).toContain('npm run check-dist');
    const checkout = jobs.check.steps?.find(s => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['fetch-depth']).toBe(0);
    expect(String(jobs['major-tag'].steps?.[0].run)).toContain('sha="$COMMIT"');
    expect((jobs['major-tag'].steps?.[0] as { env?: Record<string, string> }).env?.COMMIT).toBe(
      '${{ needs.check.outputs.commit }}'
    );
  });
});

describe('CI runs each check once', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

  /** The commands an npm script runs, following `npm run x` and `npm test` into the scripts they name. */
  function commands(name: string): string[] {
    return scripts[name].split('&&').flatMap(part => {
      const command = part.trim();
      const named = /^npm (?:run (\S+)|(test))$/.exec(command);
      return named ? commands(named[1] ?? named[2]) : [command];
    });
  }

  it('ci.yml runs lint, the unit tests and (through .ci/run) the end-to-end tests: npm run all, nothing twice', () => {
    const ci = workflows['.github/workflows/ci.yml'].jobs ?? {};
    const run: string[] = [];
    for (const job of Object.values(ci)) {
      for (const step of job.steps ?? []) {
        const npm = /^npm run (\S+)$/.exec(step.run ?? '');
        if (npm) run.push(...commands(npm[1]));
        if (step.run?.includes('.ci/run')) {
          const env = (step as { env?: Record<string, string> }).env ?? {};
          run.push(...(env.CI_RUN ?? 'all').split(/\s+/).flatMap(commands));
        }
      }
    }
    expect([...run].sort()).toEqual(commands('all').sort());
    expect(new Set(run).size).toBe(run.length);
  });

  it('.ci/run runs `npm run all` unless CI_RUN names the scripts', () => {
    const ciRun = read('.ci/run');
    expect(ciRun).toContain('read -r -a scripts <<<"${CI_RUN:-all}"');
    expect(ciRun).toMatch(/for script in "\$\{scripts\[@\]\}"; do\n\s+npm run "\$script"/);
  });
});

describe('Dependabot', () => {
  const config = parse(read('.github/dependabot.yml')) as {
    updates: { 'package-ecosystem': string; directory?: string; directories?: string[] }[];
  };
  const dirs = (ecosystem: string) =>
    config.updates
      .filter(u => u['package-ecosystem'] === ecosystem)
      .flatMap(u => u.directories ?? (u.directory ? [u.directory] : []));

  it('updates npm, the workflows, and every composite action that pins a third-party action', () => {
    expect(dirs('npm')).toContain('/');
    const pinning = actionFiles()
      .filter(file =>
        usesEverywhere().some(u => u.file === file && !ownTarget(u.uses) && !u.uses.startsWith('$/'))
      )
      .map(file => `/${file.replace(/\/action\.ya?ml$/, '')}`);
    expect(pinning.length).toBeGreaterThan(0);
    expect(dirs('github-actions').sort()).toEqual(['/', ...pinning].sort());
  });
});
