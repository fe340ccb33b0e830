/**
 * The reusable workflows, the examples and the docs' YAML: actionlint-clean, calling only inputs and secrets that
 * Dockyard's actions and workflows declare, never running code from the caller's checkout.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { lintWorkflow } from './actionlint.js';
import {
  callsIn,
  checkCall,
  docWorkflows,
  flattenSteps,
  loadSpec,
  ownTarget,
  root,
  workflowCall,
  workflowSources,
  type Job,
  type Step,
  type Workflow
} from './workflows.js';

const sources = workflowSources();
const reusable = Object.entries(sources).filter(([, text]) => workflowCall(parse(text)));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('actionlint', () => {
  it.each(Object.keys(sources))('%s has no finding', async file => {
    expect(await lintWorkflow(sources[file], file)).toEqual([]);
  });

  const workflow = (uses: string) =>
    `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${uses}\n`;

  it('reports $/ without the ignore comment, and sets it aside with it', async () => {
    const bare = await lintWorkflow(workflow('$/actions/build-push'), 'x.yml');
    expect(bare.map(f => f.kind)).toEqual(['action']);
    expect(
      await lintWorkflow(workflow('$/actions/build-push # actionlint-ignore self-repository-uses'), 'x.yml')
    ).toEqual([]);
  });

  it('sets aside only the message the named rule allows', async () => {
    const wrongRule = await lintWorkflow(
      workflow('$/actions/x # actionlint-ignore environment-deployment'),
      'x.yml'
    );
    expect(wrongRule.map(f => f.kind).sort()).toEqual(['action', 'actionlint-ignore']);
    const otherMessage = await lintWorkflow(
      workflow('actions/checkout # actionlint-ignore self-repository-uses'),
      'x.yml'
    );
    expect(otherMessage.map(f => f.kind).sort()).toEqual(['action', 'actionlint-ignore']);
  });

  it('reports an ignore comment that sets nothing aside, and an unknown rule', async () => {
    const unused = await lintWorkflow(
      workflow('actions/checkout@v4 # actionlint-ignore self-repository-uses'),
      'x.yml'
    );
    expect(unused).toEqual([expect.objectContaining({ kind: 'actionlint-ignore', line: 6 })]);
    const unknown = await lintWorkflow(
      workflow('actions/checkout@v4 # actionlint-ignore everything'),
      'x.yml'
    );
    expect(unknown[0].message).toMatch(/'everything' is not a rule/);
  });
});

describe('calls to Dockyard actions and workflows', () => {
  const all: Record<string, Workflow> = {
    ...Object.fromEntries(Object.entries(sources).map(([file, text]) => [file, parse(text) as Workflow])),
    ...docWorkflows()
  };

  it.each(Object.keys(all))('%s gives only declared inputs and secrets, and every required one', file => {
    const calls = callsIn(all[file], file);
    expect(calls.flatMap(call => checkCall(call, loadSpec(call.target)))).toEqual([]);
  });

  it.each(Object.keys(sources).filter(f => f.startsWith('examples/')))('%s calls Dockyard', file => {
    expect(callsIn(parse(sources[file]) as Workflow, file).length).toBeGreaterThan(0);
  });

  it('the README quick start calls the reusable workflow', () => {
    const readmeCalls = Object.entries(docWorkflows())
      .filter(([k]) => k.startsWith('README.md'))
      .flatMap(([k, workflow]) => callsIn(workflow, k));
    expect(readmeCalls.map(c => c.target)).toContainEqual({
      kind: 'workflow',
      path: '.github/workflows/deploy-ecs.yml'
    });
  });

  const call = (job: Job) => callsIn({ jobs: { j: job } }, 'w.yml');
  const ecs = { kind: 'workflow' as const, path: '.github/workflows/deploy-ecs.yml' };
  const required = {
    environment: 'production',
    'aws-region': 'us-east-1',
    'role-to-assume': 'arn',
    cluster: 'c'
  };

  it('reports an undeclared input, a missing required one, a wrong literal type, an undeclared secret and inherit', () => {
    const uses = 'my-org/dockyard/.github/workflows/deploy-ecs.yml@v1';
    const problems = [
      ...call({ uses, with: { ...required, clustr: 'x' } }),
      ...call({ uses, with: { environment: 'x', cluster: 'x', 'role-to-assume': 'x' } }),
      ...call({ uses, with: { ...required, wait: 'yes' } }),
      ...call({ uses, with: required, secrets: { 'npm-token': 'x' } }),
      ...call({ uses, with: required, secrets: 'inherit' })
    ].flatMap(c => checkCall(c, loadSpec(c.target)));
    expect(problems).toEqual([
      expect.stringContaining(`'with: clustr' is not an input`),
      expect.stringContaining(`required input 'aws-region' is missing`),
      expect.stringContaining(`'with: wait' must be a boolean`),
      expect.stringContaining(`'secrets: npm-token' is not a secret`),
      expect.stringContaining(`'secrets: inherit' does not work across organizations`)
    ]);
    expect(call({ uses, with: { ...required, wait: '${{ inputs.wait }}' } })[0].target).toEqual(ecs);
    expect(
      checkCall(call({ uses, with: { ...required, wait: '${{ inputs.wait }}' } })[0], loadSpec(ecs))
    ).toEqual([]);
  });

  it('reports a step input an action does not have, and an action that does not exist', () => {
    const steps: Step[] = [
      { uses: '$/actions/deploy-ecs', with: { cluster: 'c', servce: 's' } },
      { uses: 'my-org/dockyard/actions/deploy-ec2@v1', with: {} }
    ];
    const problems = call({ steps }).flatMap(c => checkCall(c, loadSpec(c.target)));
    expect(problems).toEqual([
      expect.stringContaining(`'with: servce' is not an input of actions/deploy-ecs`),
      expect.stringContaining('no such action in this repository (actions/deploy-ec2)')
    ]);
  });

  it('recognises our references and nothing else', () => {
    expect(ownTarget('$/actions/build-push')).toEqual({ kind: 'action', path: 'actions/build-push' });
    expect(ownTarget('<owner>/dockyard/actions/notify-ses@v1')).toEqual({
      kind: 'action',
      path: 'actions/notify-ses'
    });
    expect(ownTarget('./.github/workflows/deploy-eks.yml')).toEqual(
      expect.objectContaining({ kind: 'workflow' })
    );
    expect(ownTarget('$/.github/actions/resolve-image')).toEqual({
      kind: 'action',
      path: '.github/actions/resolve-image'
    });
    for (const other of [
      'actions/checkout@v4',
      'aws-actions/configure-aws-credentials@v4',
      'docker://alpine',
      'my-org/dockyard-fork/actions/x@v1'
    ]) {
      expect([other, ownTarget(other)]).toEqual([other, undefined]);
    }
  });
});

describe.each(reusable.map(([file]) => file))('%s', file => {
  const workflow = parse(sources[file]) as Workflow;
  const jobs = workflow.jobs ?? {};
  // As the runner runs them: our composite actions' steps in place of the step that uses them.
  const jobSteps = (job: Job) => flattenSteps(job.steps ?? []);
  const steps = Object.values(jobs).flatMap(jobSteps);
  const spec = workflowCall(workflow) ?? {};

  it("never runs code from the caller's checkout: our actions by $/ at the workflow's own commit, nothing by ./", () => {
    const own = steps.filter(s => s.uses && ownTarget(s.uses));
    expect(own.length).toBeGreaterThan(0);
    for (const step of own) {
      expect([step.uses, step.uses?.startsWith('$/')]).toEqual([step.uses, true]);
      expect([step.uses, loadSpec(ownTarget(step.uses ?? '')!)]).toEqual([step.uses, expect.anything()]);
    }
    expect(steps.filter(s => s.uses?.startsWith('./'))).toEqual([]);
    expect(Object.values(jobs).filter(j => j.uses?.startsWith('./'))).toEqual([]);
    // A checkout of this repository (job.workflow_repository) is at the workflow's own commit and in a path of its
    // own, so it can neither replace the caller's files nor be replaced by them.
    for (const step of steps.filter(s => s.uses?.startsWith('actions/checkout@'))) {
      const w = step.with ?? {};
      if (!String(w.repository ?? '').includes('job.workflow_repository')) {
        expect([w.repository ?? '', w.path ?? '']).toEqual(['', '']);
        continue;
      }
      expect(w.ref).toBe('${{ job.workflow_sha }}');
      expect(String(w.path ?? '').replace(/^\.\/?/, '')).not.toBe('');
    }
  });

  it('gets AWS credentials through OIDC role-to-assume only, in jobs that declare id-token: write', () => {
    expect(sources[file]).not.toMatch(/aws-access-key-id|aws-secret-access-key|aws-session-token/);
    for (const [id, job] of Object.entries(jobs)) {
      const aws = jobSteps(job).filter(s => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      for (const step of aws) {
        expect([id, Object.keys(step.with ?? {}).sort()]).toEqual([
          id,
          ['aws-region', 'mask-aws-account-id', 'role-to-assume']
        ]);
        expect(step.with?.['mask-aws-account-id']).toBe(false);
      }
      if (aws.length) expect([id, job.permissions?.['id-token']]).toEqual([id, 'write']);
    }
  });

  it('declares only string, boolean and number inputs, and named secrets', () => {
    for (const [name, input] of Object.entries(spec.inputs ?? {})) {
      expect([name, ['string', 'boolean', 'number'].includes(String(input.type))]).toEqual([name, true]);
    }
    expect(sources[file]).not.toMatch(/secrets\.(?!build-secrets\b)[\w-]+/);
  });

  const waves = ['deploy-1', 'deploy-2', 'deploy-3', 'deploy-4'];
  const kindKey = file.endsWith('deploy-ecs.yml') ? 'service' : 'namespace';

  it("deploys each target in its environment, one at a time per target, never cancelling a running deploy, and a target's failure cancels none of its wave", () => {
    for (const [n, id] of waves.entries()) {
      const job = jobs[id] as Job & { strategy?: unknown };
      expect([id, job.environment]).toEqual([
        id,
        expect.objectContaining({ name: '${{ matrix.target.environment }}' })
      ]);
      expect(job.strategy).toEqual({
        'fail-fast': false,
        matrix: { target: `\${{ fromJSON(needs.plan.outputs.wave-${n + 1}) }}` }
      });
      const concurrency = job.concurrency as { group: string; 'cancel-in-progress': unknown };
      expect(concurrency['cancel-in-progress']).toBe(false);
      expect(concurrency.group).not.toMatch(/github\.workflow/);
      const parts = ['environment', 'region', 'cluster', kindKey].map(p => `matrix.target.${p}`);
      for (const part of ['github.repository', ...parts])
        expect([id, concurrency.group]).toEqual([id, expect.stringContaining(part)]);
      expect(concurrency.group).toMatch(
        file.endsWith('deploy-ecs.yml') ? /^dockyard-ecs\// : /^dockyard-eks\//
      );
      // Every wave job runs the same steps (one YAML anchor).
      expect([id, job.steps]).toEqual([id, jobs['deploy-1'].steps]);
    }
  });

  it('deploys each target where it says, with its own region', () => {
    const deploy = jobSteps(jobs['deploy-1']).find(s => s.id === 'deploy');
    expect(deploy?.with).toMatchObject({
      cluster: '${{ matrix.target.cluster }}',
      region: '${{ matrix.target.region }}',
      ...(kindKey === 'service'
        ? { service: '${{ matrix.target.service }}' }
        : {
            namespace: '${{ matrix.target.namespace }}',
            'role-arn': '${{ matrix.target.cluster-role-arn }}'
          })
    });
  });

  it('plans first, builds unless told what to deploy, runs the waves in order stopping at the first that fails, and mails every report whenever recipients are given', () => {
    expect(jobs.build.needs).toBe('plan');
    expect(jobs.build.if).toBe("needs.plan.outputs.build == 'true'");
    expect(jobs['deploy-1'].needs).toEqual(['plan', 'build']);
    expect(jobs['deploy-1'].if).toMatch(/!cancelled\(\)/);
    expect(jobs['deploy-1'].if).toMatch(/needs\.build\.result == 'skipped'/);
    const ecs = file.endsWith('deploy-ecs.yml');
    for (const [n, id] of waves.entries()) {
      if (n === 0) continue;
      // deploy-ecs.yml: the wave before was also promoted where a target asked for an approval.
      const promoted = ecs ? ` && needs.promote-${n}.result != 'failure'` : '';
      expect(jobs[id].needs).toEqual(['plan', 'build', waves[n - 1], ...(ecs ? [`promote-${n}`] : [])]);
      expect(jobs[id].if).toBe(
        `\${{ !cancelled() && needs.${waves[n - 1]}.result == 'success'${promoted} && fromJSON(needs.plan.outputs.waves) >= ${n + 1} }}`
      );
    }
    const gates = ecs
      ? [1, 2, 3, 4].map(n => `promote-${n}`).concat([1, 2, 3, 4].map(n => `reject-${n}`))
      : [];
    expect(jobs.release.needs).toEqual(['plan', 'build', ...waves, ...gates]);
    expect(jobs.release.if).toMatch(/always\(\)/);
    expect(jobs.release.permissions).toEqual({});
    expect(jobs.notify.needs).toEqual(['plan', 'build', 'release']);
    expect(jobs.notify.if).toMatch(/always\(\)/);
    expect(jobs.notify.if).toMatch(/inputs\.email-to != ''/);
    const mail = jobSteps(jobs.notify).find(s => s.uses?.startsWith('$/actions/notify-ses'));
    expect(String(mail?.with?.reports)).toContain('needs.build.outputs.report');
    expect(mail?.with?.['report-files']).toBe('.dockyard/reports');
    const download = jobSteps(jobs.notify).find(s => s.uses?.startsWith('actions/download-artifact@'));
    expect(download?.with?.pattern).toBe('dockyard-release-${{ needs.plan.outputs.release-id }}');
  });

  it("keeps each target's report in an artifact of its own, which the release job gathers by the release's id", () => {
    const keepStep = (jobs['deploy-1'].steps ?? []).find(s => s.uses === '$/.github/actions/keep-report');
    expect(keepStep?.if).toBe('always()');
    const upload = jobSteps(jobs['deploy-1']).find(s => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with).toMatchObject({
      name: 'dockyard-report-${{ needs.plan.outputs.release-id }}-${{ matrix.target.id }}',
      overwrite: true
    });
    const gather = jobSteps(jobs.release).find(s => s.uses?.startsWith('actions/download-artifact@'));
    expect(gather?.with).toMatchObject({
      pattern: 'dockyard-report-${{ needs.plan.outputs.release-id }}-*',
      'merge-multiple': true
    });
    const results = String(jobs.release.steps?.[0].with?.results).replace(
      /\$\{\{ needs\.([\w-]+)\.result \}\}/g,
      '$1'
    );
    // deploy-ecs.yml: and each reject job's, whose failure may leave a deployment paused.
    const rejects = file.endsWith('deploy-ecs.yml') ? [1, 2, 3, 4].map(n => `reject-${n}`) : [];
    expect(JSON.parse(results)).toEqual(
      Object.fromEntries(['build', ...waves, ...rejects].map(id => [id, id]))
    );
  });

  it('outputs no value that carries an account id (GitHub drops a job output holding a masked value)', () => {
    const outputs = Object.values(spec.outputs ?? {}).map(o => String(o.value));
    expect(outputs.length).toBeGreaterThan(0);
    const accountBearing = ['uri', 'image-uri-digest', 'image', 'registry'];
    for (const value of outputs) {
      const m = /jobs\.(\w+)\.outputs\.([\w-]+)/.exec(value);
      expect([value, accountBearing.includes(m?.[2] ?? '')]).toEqual([value, false]);
    }
  });

  it('has every input and output documented in docs/workflows.md', () => {
    const doc = read('docs/workflows.md');
    for (const name of [...Object.keys(spec.inputs ?? {}), ...Object.keys(spec.outputs ?? {})]) {
      expect([name, doc.includes(`\`${name}\``)]).toEqual([name, true]);
    }
  });

  it('passes its defaults on unchanged: a workflow default equals the action default it stands for', () => {
    for (const [id, job] of Object.entries(jobs)) {
      for (const step of jobSteps(job)) {
        const target = step.uses ? ownTarget(step.uses) : undefined;
        const action = target ? loadSpec(target) : undefined;
        for (const [name, value] of Object.entries(step.with ?? {})) {
          const input = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(String(value))?.[1];
          const ours = input ? spec.inputs?.[input] : undefined;
          const theirs = action?.inputs[name];
          if (!ours || theirs?.default === undefined || ours.default === undefined || ours.default === '')
            continue;
          expect([id, name, String(ours.default)]).toEqual([id, name, String(theirs.default)]);
        }
      }
    }
  });
});

describe('deploy-ecs.yml and deploy-eks.yml share their build and notify jobs', () => {
  const [ecs, eks] = ['.github/workflows/deploy-ecs.yml', '.github/workflows/deploy-eks.yml'].map(
    f => parse(sources[f]) as Workflow
  );
  const ecsInputs = workflowCall(ecs)?.inputs ?? {};
  const eksInputs = workflowCall(eks)?.inputs ?? {};

  it.each(['build', 'notify'])('%s is the same job in both, its steps our composite actions', id => {
    expect(eks.jobs?.[id]).toEqual(ecs.jobs?.[id]);
    const uses = (ecs.jobs?.[id].steps ?? []).map(s => s.uses);
    expect(uses).toEqual(['$/.github/actions/check-roles', `$/.github/actions/${id}`]);
  });

  it('declares every input those jobs read the same way in both', () => {
    const text = JSON.stringify([ecs.jobs?.build, ecs.jobs?.notify]);
    const read = [...new Set([...text.matchAll(/inputs\.([\w-]+)/g)].map(m => m[1]))];
    expect(read.length).toBeGreaterThan(20);
    for (const name of read) expect([name, eksInputs[name]]).toEqual([name, ecsInputs[name]]);
  });

  it('passes each workflow input to the composite action under its own name', () => {
    for (const id of ['build', 'notify']) {
      for (const step of ecs.jobs?.[id].steps ?? []) {
        for (const [key, value] of Object.entries(step.with ?? {})) {
          const input = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(String(value))?.[1];
          if (input) expect([id, key]).toEqual([id, input]);
        }
      }
    }
  });
});

describe('deploy-ecs.yml gated promotion', () => {
  const jobs = (parse(sources['.github/workflows/deploy-ecs.yml']) as Workflow).jobs ?? {};
  const deployStep = (id: string) => (jobs[id].steps ?? []).find(s => s.id === 'deploy');

  it('passes smoke-test and the approval environment on, to the deploy step and the plan', () => {
    expect(deployStep('deploy-1')?.with?.['smoke-test']).toBe('${{ inputs.smoke-test }}');
    const plan = (jobs.plan.steps ?? []).find(s => s.id === 'plan');
    expect(plan?.with?.['approval-environment']).toBe('${{ inputs.approval-environment }}');
  });

  it.each([1, 2, 3, 4])(
    "after wave %i, promotes each of its targets with an approval environment after that environment's reviewers, where its deploy left it paused",
    n => {
      const promote = jobs[`promote-${n}`];
      expect(promote.needs).toEqual(['plan', `deploy-${n}`]);
      expect(promote.if).toBe(
        `\${{ !cancelled() && needs.deploy-${n}.result == 'success' && needs.plan.outputs.promote-${n} != '[]' }}`
      );
      expect(promote.environment).toMatchObject({
        name: '${{ matrix.target.approval-environment }}',
        deployment: false
      });
      expect((promote as { strategy?: unknown }).strategy).toEqual({
        'fail-fast': false,
        matrix: { target: `\${{ fromJSON(needs.plan.outputs.promote-${n}) }}` }
      });
      // One deploy at a time per target: the same group as the target's deploy job, never cancelled.
      expect(promote.concurrency).toEqual(jobs['deploy-1'].concurrency);
      expect(promote.permissions).toEqual({ 'id-token': 'write' });
      expect(promote.steps).toEqual(jobs['promote-1'].steps);
    }
  );

  it("continues the paused deployment with the target's role, its report replacing the deploy step's", () => {
    const steps = jobs['promote-1'].steps ?? [];
    expect(steps.map(s => s.id ?? s.uses)).toEqual([
      '$/.github/actions/check-roles',
      'paused',
      'aws',
      'deploy',
      '$/.github/actions/keep-report'
    ]);
    const paused = "steps.paused.outputs.service-deployment-arn != ''";
    expect([deployStep('promote-1')?.if, steps[2].if]).toEqual([paused, paused]);
    expect(deployStep('promote-1')?.with).toMatchObject({
      'continue-deployment': '${{ steps.paused.outputs.service-deployment-arn }}',
      'continue-action': "${{ startsWith(github.job, 'promote') && 'continue' || 'rollback' }}",
      cluster: '${{ matrix.target.cluster }}',
      service: '${{ matrix.target.service }}',
      region: '${{ matrix.target.region }}'
    });
    // Under the same artifact name the release job gathers.
    const keep = steps.at(-1);
    expect(keep?.with?.name).toBe(
      'dockyard-report-${{ needs.plan.outputs.release-id }}-${{ matrix.target.id }}'
    );
    expect(keep?.if).toBe("always() && steps.deploy.outcome != 'skipped'");
  });

  it.each([1, 2, 3, 4])(
    "after wave %i, rolls back what is still paused when the approval is rejected or the wave failed, in each target's own environment",
    n => {
      const reject = jobs[`reject-${n}`];
      expect(reject.needs).toEqual(['plan', `deploy-${n}`, `promote-${n}`]);
      expect(reject.if).toBe(
        `\${{ always() && needs.plan.outputs.promote-${n} != '[]' && (needs.deploy-${n}.result == 'failure' || needs.promote-${n}.result == 'failure') }}`
      );
      expect(reject.environment).toMatchObject({
        name: '${{ matrix.target.environment }}',
        deployment: false
      });
      expect((reject as { strategy?: unknown }).strategy).toEqual({
        'fail-fast': false,
        matrix: { target: `\${{ fromJSON(needs.plan.outputs.wave-${n}) }}` }
      });
      expect(reject.steps).toEqual(jobs['promote-1'].steps);
      expect(reject.concurrency).toEqual(jobs['deploy-1'].concurrency);
    }
  );

  it('keeps the paused deployment beside the report, and reads it apart from what a later keep uploads', () => {
    const keep = read('.github/actions/keep-report/action.yml');
    expect(keep).toMatch(
      /if \[ "\$PAUSED" = true \]; then printf '%s\\n' "\$SERVICE_DEPLOYMENT" > "\$DIR\/\$ID\.pause"; fi/
    );
    const paused = read('.github/actions/paused-deployment/action.yml');
    expect(paused).toContain('path: ${{ runner.temp }}/dockyard-paused');
    expect(paused).toMatch(/grep -Eq '\^arn:aws/);
  });
});

describe('deploy-eks.yml', () => {
  it('refuses prune without a set of its own, before anything is applied', () => {
    const steps =
      (parse(sources['.github/workflows/deploy-eks.yml']) as Workflow).jobs?.['deploy-1'].steps ?? [];
    const guard = steps.find(s => s.if === "inputs.prune && inputs.prune-set == ''");
    expect(guard?.run).toMatch(/input 'prune-set'::/);
    expect(guard?.run).toMatch(/exit 1/);
    expect(steps.indexOf(guard!)).toBeLessThan(steps.findIndex(s => s.id === 'deploy'));
  });
});

describe('README.md and docs/', () => {
  const pages = ['README.md', 'docs/workflows.md', 'docs/iam.md'];

  it.each(pages)('%s links only to files that exist', page => {
    const links = [...read(page).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
      .map(m => m[1])
      .filter(l => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(0);
    const missing = links.filter(l => !existsSync(join(root, dirname(page), l)));
    expect(missing).toEqual([]);
  });
});

describe('resolve-image (the reusable workflows turn a tag, a digest or the build into one image reference)', () => {
  const action = parse(read('.github/actions/resolve-image/action.yml')) as { runs: { steps: Step[] } };
  const script = String(action.runs.steps[0].run);
  const dir = mkdtempSync(join(tmpdir(), 'resolve-image-'));
  const digest = `sha256:${'ab'.repeat(32)}`;

  function resolve(env: Record<string, string>): {
    ok: boolean;
    outputs: Record<string, string>;
    log: string;
  } {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    writeFileSync(out, '');
    const all = {
      IMAGE: '',
      BUILT_URI: '',
      BUILT_DIGEST: '',
      REPOSITORY: '',
      REGISTRY_ID: '',
      ACCOUNT_ID: '',
      REGION: 'us-east-1',
      ...env
    };
    const written = () =>
      Object.fromEntries(
        readFileSync(out, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map(l => l.split(/=(.*)/s).slice(0, 2))
      );
    try {
      const log = execFileSync('bash', ['-c', script], {
        env: { PATH: process.env.PATH, GITHUB_OUTPUT: out, ...all },
        encoding: 'utf8'
      });
      return { ok: true, outputs: written(), log };
    } catch (e) {
      return { ok: false, outputs: written(), log: String((e as { stdout?: string }).stdout) };
    }
  }

  it('deploys the URI the build output when it came through', () => {
    const uri = `123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web@${digest}`;
    expect(resolve({ BUILT_URI: uri, BUILT_DIGEST: digest }).outputs).toEqual({
      image: uri,
      name: 'team/web'
    });
  });

  it("rebuilds the URI from the digest when GitHub dropped the URI, in the registry account or the role's", () => {
    expect(
      resolve({ BUILT_DIGEST: digest, REPOSITORY: 'web', ACCOUNT_ID: '111111111111' }).outputs.image
    ).toBe(`111111111111.dkr.ecr.us-east-1.amazonaws.com/web@${digest}`);
    expect(
      resolve({
        BUILT_DIGEST: digest,
        REPOSITORY: 'web',
        ACCOUNT_ID: '1',
        REGISTRY_ID: '222222222222',
        REGION: 'cn-north-1'
      }).outputs.image
    ).toBe(`222222222222.dkr.ecr.cn-north-1.amazonaws.com.cn/web@${digest}`);
  });

  it('places a tag or a digest the person chose in the repository (the rollback path)', () => {
    expect(
      resolve({ IMAGE: 'sha-0123456', REPOSITORY: 'team/web', ACCOUNT_ID: '111111111111' }).outputs
    ).toEqual({
      image: '111111111111.dkr.ecr.us-east-1.amazonaws.com/team/web:sha-0123456',
      name: 'team/web'
    });
    const uriRepo = '333333333333.dkr.ecr.eu-west-1.amazonaws.com/web';
    expect(
      resolve({ IMAGE: digest, REPOSITORY: uriRepo, BUILT_DIGEST: 'sha256:ignored' }).outputs.image
    ).toBe(`${uriRepo}@${digest}`);
  });

  it('takes a full reference as it is, a registry with a port included', () => {
    expect(resolve({ IMAGE: 'registry.local:5000/tools/web:v2' }).outputs).toEqual({
      image: 'registry.local:5000/tools/web:v2',
      name: 'tools/web'
    });
  });

  it('refuses a line break or another control character before it writes or echoes anything', () => {
    const injected = 'web:v1\nname=evil';
    for (const [env, input] of [
      [{ IMAGE: injected }, 'image'],
      [{ IMAGE: 'v1', REPOSITORY: 'web\rname=evil', ACCOUNT_ID: '111111111111' }, 'repository'],
      [{ BUILT_URI: `123456789012.dkr.ecr.us-east-1.amazonaws.com/web@${digest}\n` }, 'built-uri']
    ] as const) {
      const run = resolve(env);
      expect([input, run.ok, run.outputs]).toEqual([input, false, {}]);
      expect(run.log).toMatch(
        new RegExp(`^::error title=Dockyard: input '${input}'::'${input}' holds a line break`)
      );
      expect(run.log).not.toContain('evil');
    }
  });

  it('names the input at fault', () => {
    expect(resolve({}).log).toMatch(/input 'image'::Nothing to deploy/);
    expect(resolve({ IMAGE: 'v1.2.3' }).log).toMatch(/input 'repository'::/);
    expect(resolve({ IMAGE: 'web:v1' }).log).toMatch(/input 'image'::'web:v1' is neither a tag/);
    expect(resolve({ IMAGE: 'v1', REPOSITORY: 'web' }).log).toMatch(/input 'registry-id'::/);
    expect(resolve({ IMAGE: 'v1', REPOSITORY: 'web' }).ok).toBe(false);
  });
});
