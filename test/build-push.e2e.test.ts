import { spawnSync } from 'node:child_process';
/**
 * build-push end to end: the bundle (dist/build-push/index.js) against the local stack — moto's ECR, a real
 * Docker engine, and the registry behind the ECR hostname that only takes moto's password.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand
} from '@aws-sdk/client-ecr';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runnerCommands } from '../sim/commands.js';
import { runAction, type RunOptions, type RunResult } from '../sim/runner.js';
import { ensureStack, readManifest, uniqueName } from './stack.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const OTHER_SHA = 'fedcba9876543210fedcba9876543210fedcba98';
const REPO = uniqueName('e2e/build-push');

let env: Record<string, string>;
let ecr: ECRClient;
let password: string;
let token: string;
let work: string;

/** A FROM scratch image with busybox; `marker` changes its content. */
function context(name: string, marker: string): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync('/bin/busybox', join(dir, 'busybox'));
  writeFileSync(join(dir, 'marker.txt'), `${marker}\n`);
  writeFileSync(
    join(dir, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nCOPY marker.txt /marker.txt\nCMD ["/bin/busybox", "cat", "/marker.txt"]\n'
  );
  return dir;
}

/** What a person sees in the log: the runner consumes `::add-mask::` commands and never shows them. */
function visible(result: RunResult): string {
  return result.output
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n');
}

function report(result: RunResult) {
  return JSON.parse(result.outputs.report) as {
    status: string;
    outcome: string;
    image: { digest?: string; tags: string[]; uri?: string };
    diagnostics: { title: string; lines: string[] }[];
    error?: string;
  };
}

/** The runner's temporary directory of every run here: it outlives the run, so a test can see what is left in it. */
const runnerTemp = () => join(work, 'runner-temp');

const run = (
  inputs: Record<string, string>,
  extra: Record<string, string | undefined> = {},
  options: Pick<RunOptions, 'signal' | 'onStdout'> = {}
) =>
  runAction('build-push', {
    inputs,
    // The user's docker configuration (what the step takes from), one of this file's own.
    env: {
      ...env,
      DOCKER_CONFIG: join(work, 'docker-config'),
      RUNNER_TEMP: runnerTemp(),
      GITHUB_SHA: SHA,
      ...extra
    },
    event: { head_commit: { id: SHA, timestamp: '2026-11-20T11:00:00+01:00', message: 'Add the app' } },
    // The step runs in the workspace, where path inputs must stay.
    cwd: work,
    timeoutMs: 180_000,
    ...options
  });

/** The step's own DOCKER_CONFIG, as its log names it. */
function stepConfigDir(stdout: string): string {
  const dir = /Docker configuration of this step: (\S+) \(removed when the step ends\)/.exec(stdout)?.[1];
  expect(dir).toBeDefined();
  expect(dir!.startsWith(join(runnerTemp(), 'dockyard-docker-'))).toBe(true);
  return dir!;
}

/** The step's DOCKER_CONFIG, with the ECR login it held, is gone, and nothing else of the step is left. */
function expectNothingLeft(result: RunResult): void {
  expect(existsSync(stepConfigDir(result.stdout))).toBe(false);
  expect(readdirSync(runnerTemp())).toEqual([]);
}

beforeAll(async () => {
  env = await ensureStack();
  work = mkdtempSync(join(tmpdir(), 'dockyard-bp-e2e-'));
  mkdirSync(runnerTemp());
  ecr = new ECRClient({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
  });
  const out = await ecr.send(new GetAuthorizationTokenCommand({}));
  token = out.authorizationData![0].authorizationToken!;
  password = Buffer.from(token, 'base64').toString('utf8').split(':')[1];
}, 300_000);

afterAll(() => {
  ecr?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('build-push on the local stack', () => {
  // One real build and push that every test below reads or builds on, made here rather than in a test, so each
  // test runs alone or in any order.
  let first: RunResult;
  let digest: string;
  beforeAll(async () => {
    first = await run({
      repository: REPO,
      context: context('app', 'one'),
      tags: 'release',
      'keep-images': '10'
    });
    digest = first.outputs.digest;
  }, 180_000);

  it('builds a real image, pushes it behind the ECR hostname, and outputs a digest the registry serves', async () => {
    expect({ code: first.code, output: first.code === 0 ? '' : first.output }).toEqual({
      code: 0,
      output: ''
    });
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const uri = `${env.DOCKYARD_REGISTRY_HOST}/${REPO}`;
    expect(first.outputs).toMatchObject({
      image: `${uri}:sha-0123456`,
      'image-uri-digest': `${uri}@${digest}`,
      tags: 'sha-0123456,release',
      registry: env.DOCKYARD_REGISTRY_HOST,
      skipped: 'false',
      'scan-findings': '{}'
    });
    expect(report(first)).toMatchObject({
      status: 'success',
      outcome: 'PUSHED',
      image: { digest, uri, tags: ['sha-0123456', 'release'] }
    });

    // The registry serves the digest, by digest and by tag.
    const byDigest = await readManifest(REPO, digest);
    const byTag = await readManifest(REPO, 'sha-0123456');
    expect([byDigest.status, byDigest.digest]).toEqual([200, digest]);
    expect([byTag.status, byTag.digest]).toEqual([200, digest]);

    // The image carries the OCI labels from the GitHub context.
    const configDigest = (byDigest.json as { config: { digest: string } }).config.digest;
    const config = (await (
      await fetch(`${env.DOCKYARD_REGISTRY_URL}/v2/${REPO}/blobs/${configDigest}`)
    ).json()) as {
      config: { Labels: Record<string, string> };
    };
    expect(config.config.Labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/octo/app',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.created': '2026-11-20T10:00:00.000Z',
      'org.opencontainers.image.title': 'app'
    });

    // ECR (moto) knows it, with both tags, in a repository created as the action promises.
    const images = await ecr.send(
      new DescribeImagesCommand({ repositoryName: REPO, imageIds: [{ imageDigest: digest }] })
    );
    expect(images.imageDetails?.[0]?.imageTags?.sort()).toEqual(['release', 'sha-0123456']);
    const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [REPO] })))
      .repositories![0];
    expect(repo).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' }
    });

    // Without buildx: the classic builder, with the notice that says what buildx would add.
    expect(first.output).toMatch(
      /docker buildx is not available .*Multi-platform builds and the registry cache need buildx/
    );
    expect(first.output).toMatch(/Logged out of /);
    // The login lived in the step's own DOCKER_CONFIG, gone now; the user's was never written.
    expectNothingLeft(first);
    expect(existsSync(join(work, 'docker-config'))).toBe(false);
    expect(first.summary).toMatch(/Image pushed/);
    expect(first.summary).toContain(digest);
  }, 180_000);

  it('skips a second run for the same commit without building, logging in or pushing', async () => {
    const again = await run({ repository: REPO, context: join(work, 'app'), tags: 'release' });
    expect(again.code).toBe(0);
    expect(again.outputs).toMatchObject({
      skipped: 'true',
      digest,
      'image-uri-digest': first.outputs['image-uri-digest']
    });
    expect(report(again)).toMatchObject({ status: 'skipped', outcome: 'SKIPPED' });
    // What makes a skip fast is what it leaves out; the time limit only leaves room for a loaded machine.
    expect(again.stdout).not.toMatch(/::group::(docker (buildx )?build|docker push|Log in to ECR)/);
    expect(again.durationMs).toBeLessThan(20_000);
    expect(again.summary).toMatch(/build skipped/);
  }, 60_000);

  it('rebuilding the commit with skip-existing off finds the same image behind the immutable tags: success', async () => {
    const again = await run({
      repository: REPO,
      context: join(work, 'app'),
      tags: 'release',
      'skip-existing': 'false'
    });
    expect({ code: again.code, output: again.code === 0 ? '' : again.output }).toEqual({
      code: 0,
      output: ''
    });
    expect(again.outputs).toMatchObject({ skipped: 'false', digest });
    expect(again.output).toMatch(/The build is the image the existing tags hold/);
    expect(again.output).not.toMatch(/\[command\]\S*docker push/);
  }, 180_000);

  it('never shows the ECR password or token in output, outputs or summary', () => {
    expect(password.length).toBeGreaterThan(4);
    for (const secret of [password, token]) {
      expect(visible(first)).not.toContain(secret);
      expect(first.summary).not.toContain(secret);
      expect(JSON.stringify(first.outputs)).not.toContain(secret);
    }
    // It was masked for the runner.
    expect(first.output).toContain(`::add-mask::${password}`);
  });

  it('fails when an immutable tag already holds another image, naming the tag and the ways out', async () => {
    const ctx = context('changed', 'two');
    const result = await run({ repository: REPO, context: ctx, tags: 'release' }, { GITHUB_SHA: OTHER_SHA });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /Input 'tags': Tag 'release' \(points to sha256:[0-9a-f]{64}\) already exists in the IMMUTABLE repository/
    );
    expect(result.output).toMatch(/per-commit tag.*MUTABLE.*IMMUTABLE_WITH_EXCLUSION/);
    const r = report(result);
    expect(r).toMatchObject({ status: 'failure', outcome: 'FAILED' });
    // The per-commit tag was pushed; 'release' still holds the first image.
    const release = await ecr.send(
      new DescribeImagesCommand({ repositoryName: REPO, imageIds: [{ imageTag: 'release' }] })
    );
    expect(release.imageDetails?.[0]?.imageDigest).toBe(digest);
    const fresh = await ecr.send(
      new DescribeImagesCommand({ repositoryName: REPO, imageIds: [{ imageTag: 'sha-fedcba9' }] })
    );
    expect(fresh.imageDetails?.[0]?.imageDigest).toBe(r.image.digest);
  }, 180_000);

  it('gates on scan findings: waits for the scan and fails at the threshold, listing the worst', async () => {
    const repo = `${REPO}-scanned`;
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: repo,
        imageTagMutability: 'MUTABLE',
        imageScanningConfiguration: { scanOnPush: false }
      })
    );
    const result = await run({
      repository: repo,
      context: join(work, 'app'),
      'scan-severity-threshold': 'HIGH',
      'scan-timeout': '1m'
    });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /Input 'scan-severity-threshold': Basic scan: HIGH 1; 1 at or above HIGH\. Worst: CVE-9999-9999/
    );
    expect(result.summary).toContain('CVE-9999-9999');
    const r = report(result);
    expect(r.status).toBe('failure');
    expect(r.image.digest).toMatch(/^sha256:/);
    expect(r.diagnostics[0]).toMatchObject({ title: 'Scan findings' });
  }, 180_000);
});

describe('build-push with push: false', () => {
  it('builds the image locally, tagged for its repository, and creates nothing in ECR', async () => {
    const repo = `${REPO}-buildonly`;
    const result = await run({
      repository: repo,
      context: context('buildonly', 'build only'),
      push: 'false'
    });
    expect(result.code).toBe(0);
    expect(report(result)).toMatchObject({ status: 'success', outcome: 'BUILT' });
    expect(result.outputs.image).toBe(`${env.DOCKYARD_REGISTRY_HOST}/${repo}:sha-${SHA.slice(0, 7)}`);
    expect(result.outputs.digest).toBe('');
    await expect(
      ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))
    ).rejects.toMatchObject({
      name: 'RepositoryNotFoundException'
    });
    const local = spawnSync('docker', ['image', 'inspect', result.outputs.image], {
      env: { ...process.env, DOCKER_HOST: env.DOCKER_HOST }
    });
    expect(local.status).toBe(0);
  }, 180_000);
});

describe('build-push refuses bad setups before pushing anything', () => {
  // A context of its own, so these tests run alone or in any order.
  let app: string;
  beforeAll(() => {
    app = context('bad-setups', 'bad');
  });

  it('names every bad input at once', async () => {
    const result = await run({
      repository: 'Bad_Repo/',
      context: join(work, 'nope'),
      tags: 'ok,bad tag',
      'scan-severity-threshold': 'SEVERE'
    });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/4 inputs need fixing/);
    for (const input of ['repository', 'context', 'tags', 'scan-severity-threshold'])
      expect(result.output).toContain(`Input '${input}'`);
    expect(report(result)).toMatchObject({ status: 'failure' });
  }, 60_000);

  it('refuses a context, Dockerfile or secret file outside the workspace and creates nothing', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'dockyard-bp-outside-'));
    try {
      writeFileSync(join(outside, 'Dockerfile'), 'FROM scratch\n');
      symlinkSync(outside, join(work, 'escape'));
      const cases: [Record<string, string>, RegExp][] = [
        [{ context: '../outside' }, /Input 'context': '..\/outside' is outside the workspace/],
        [{ context: outside }, /Input 'context': '[^']+' is outside the workspace/],
        [
          { context: 'escape' },
          /Input 'context': 'escape' leads outside the workspace through a symbolic link/
        ],
        [
          { context: 'bad-setups', file: join(outside, 'Dockerfile') },
          /Input 'file': '[^']+' is outside the workspace/
        ],
        [
          { context: 'bad-setups', file: '../../../etc/passwd' },
          /Input 'file': '..\/..\/..\/etc\/passwd' is outside/
        ],
        [
          { context: 'bad-setups', 'secret-files': 'npm=escape/Dockerfile' },
          /Input 'secret-files': line 1: 'escape\/Dockerfile' leads outside/
        ]
      ];
      for (const [inputs, message] of cases) {
        const repo = `${REPO}-escape`;
        const result = await run({ repository: repo, ...inputs });
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(message);
        // That input alone is at fault.
        expect(result.stdout).not.toMatch(/inputs need fixing/);
        expect(result.output).not.toMatch(/docker (buildx )?build/);
        expect(report(result)).toMatchObject({ status: 'failure' });
        await expect(
          ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))
        ).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
      }
    } finally {
      rmSync(outside, { recursive: true, force: true });
      rmSync(join(work, 'escape'), { force: true });
    }
  }, 120_000);

  it('never shows a secret from a malformed secrets line: not in the log, outputs, summary or report', async () => {
    const token = 'npm_SeCrEt0123456789abcdefXYZ';
    const repo = `${REPO}-secret`;
    const result = await run({
      repository: repo,
      context: app,
      secrets: `other=fine\nnpm_token ${token}`
    });
    expect(result.code).toBe(1);
    // Masked before anything else is done with it: the runner hides it from every later line.
    expect(result.stdout.indexOf(`::add-mask::${token}`)).toBeGreaterThanOrEqual(0);
    expect(result.stdout.indexOf(`::add-mask::${token}`)).toBeLessThan(result.stdout.indexOf('::error::'));
    expect(visible(result)).toContain(
      "Input 'secrets': line 2 (id 'npm_token') is not of the form ID=VALUE (the line is not shown: it holds a secret)."
    );
    for (const text of [
      visible(result),
      result.summary,
      JSON.stringify(result.outputs),
      result.env && JSON.stringify(result.env)
    ])
      expect(text).not.toContain(token);
    expect(report(result).error).toContain("line 2 (id 'npm_token')");
    await expect(
      ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))
    ).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  }, 60_000);

  it('refuses secret ids that differ only in case or punctuation, naming both', async () => {
    const result = await run({
      repository: `${REPO}-collide`,
      context: app,
      secrets: 'npm.token=first-value\nNPM-TOKEN=second-value\nnpm_token=third-value'
    });
    expect(result.code).toBe(1);
    expect(visible(result)).toContain(
      "the secret ids 'npm.token' and 'NPM-TOKEN' are the same once case and punctuation are ignored (both become DOCKYARD_SECRET_NPM_TOKEN)"
    );
    expect(visible(result)).toContain("the secret ids 'npm.token' and 'npm_token' are the same");
    for (const value of ['first-value', 'second-value', 'third-value']) {
      expect(visible(result)).not.toContain(value);
      expect(result.summary).not.toContain(value);
      expect(result.outputs.report).not.toContain(value);
    }
  }, 60_000);

  it('fails without a Docker engine and creates nothing', async () => {
    const repo = `${REPO}-noengine`;
    const result = await run(
      { repository: repo, context: app },
      { DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` }
    );
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/No Docker engine answered 'docker version'/);
    await expect(
      ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))
    ).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  }, 60_000);

  it('fails without credentials, saying how to provide them', async () => {
    const result = await run(
      { repository: `${REPO}-nocreds`, context: app },
      {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'),
        AWS_CONFIG_FILE: join(work, 'none'),
        AWS_EC2_METADATA_DISABLED: 'true'
      }
    );
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/No AWS credentials were found\..*configure-aws-credentials/);
  }, 60_000);
});

/**
 * A build is untrusted text: what its RUN steps print reaches the runner only inside stop-commands blocks, so no
 * line of it is a workflow command. The lines are what an attacker's Dockerfile or a compromised base image would
 * print (each command the runner knows, in both syntaxes, in any case, after blanks, behind a CR), on stdout and
 * (HOSTILE_STDERR) on stderr.
 */
const HOSTILE = [
  '::add-mask::INJECTED-mask',
  '::set-output name=digest::sha256:INJECTED',
  `progress ##[set-output name=digest;]sha256:${'e'.repeat(64)}`,
  '   ::warning::INJECTED-warning',
  '::ADD-MASK::INJECTED-mask-upper',
  '::Set-Output name=digest::sha256:INJECTED-mixed-case',
  'layer ##[Set-Output Name=tags;]INJECTED-legacy-mixed-case',
  '::stop-commands::INJECTEDTOKEN',
  '::error file=Dockerfile,line=1::INJECTED-error',
  '##[set-output name=image-uri-digest;]INJECTED',
  'ok\r::set-output name=tags::INJECTED-after-cr'
];
const HOSTILE_STDERR = [
  '::Add-Mask::INJECTED-stderr-mask',
  'warn ##[SET-OUTPUT name=digest;]INJECTED-stderr'
];

/**
 * A FROM scratch image whose RUN step (busybox sh) prints the proxy it was given and HOSTILE, then sleeps
 * `SLEEP` seconds when that build argument is set, or fails when `FAIL=yes`.
 */
function hostileContext(name: string): string {
  const dir = context(name, name);
  // printf's format turns \\r into the CR; no line has a quote, a % or a backslash of its own.
  const lines = [
    ...HOSTILE.map(line => `printf '${line.replace(/\r/g, '\\r')}\\n'`),
    ...HOSTILE_STDERR.map(line => `printf '${line}\\n' >&2`)
  ];
  writeFileSync(
    join(dir, 'hostile.sh'),
    [
      `# ${uniqueName(name)}: a script of its own, so the RUN step is never a cached layer`,
      'echo "no_proxy=$no_proxy"',
      'if [ -n "$SLEEP" ]; then echo dockyard-build-running; /bin/busybox sleep "$SLEEP"; fi',
      ...lines,
      'if [ "$FAIL" = yes ]; then echo "npm ERR! ::error title=INJECTED-title::INJECTED-cause"; exit 3; fi',
      ''
    ].join('\n')
  );
  writeFileSync(
    join(dir, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nCOPY hostile.sh /hostile.sh\nARG SLEEP=\nARG FAIL=\n' +
      'RUN ["/bin/busybox", "sh", "/hostile.sh"]\n'
  );
  return dir;
}

/**
 * The user's docker configuration on a self-hosted runner: a default credential store, a registry recorded as kept
 * there, a helper of its own for another, and a proxy. The store is a stand-in helper that records each call.
 */
function userDockerConfig(): { dir: string; helperLog: string; bin: string } {
  const dir = join(work, 'user-docker');
  const bin = join(work, 'bin');
  const helperLog = join(work, 'helper.log');
  mkdirSync(dir, { recursive: true });
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      credsStore: 'dockyardtest',
      auths: { 'stored.example.test': {} },
      credHelpers: { 'helper.example.test': 'dockyardtest' },
      proxies: { default: { noProxy: 'carried.example' } }
    })
  );
  // The credential helper protocol (docker-credential-helpers): the verb as argument, the request on stdin.
  writeFileSync(
    join(bin, 'docker-credential-dockyardtest'),
    [
      '#!/bin/sh',
      'request=$(cat)',
      `echo "$1 $request" >> '${helperLog}'`,
      'case "$1" in',
      `  get) printf '{"ServerURL":"%s","Username":"robot","Secret":"helper-secret"}' "$request" ;;`,
      "  list) printf '{}' ;;",
      'esac',
      ''
    ].join('\n'),
    { mode: 0o755 }
  );
  return { dir, helperLog, bin };
}

describe('build-push with a hostile build and a user docker configuration', () => {
  let result: RunResult;
  let user: ReturnType<typeof userDockerConfig>;
  let userConfigBefore: string;
  const repo = `${REPO}-hostile`;
  beforeAll(async () => {
    user = userDockerConfig();
    userConfigBefore = readFileSync(join(user.dir, 'config.json'), 'utf8');
    result = await run(
      { repository: repo, context: hostileContext('hostile') },
      { DOCKER_CONFIG: user.dir, PATH: `${user.bin}:${process.env.PATH}` }
    );
  }, 180_000);

  it('runs none of the commands the build prints, and no output takes an injected value', async () => {
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({
      code: 0,
      output: ''
    });
    // The build's lines were printed, as they came…
    for (const line of [...HOSTILE.filter(l => !l.includes('\r')), ...HOSTILE_STDERR])
      expect(result.stdout).toContain(line);
    // …and the runner would have run only Dockyard's own commands: every stop-commands block resumed with its
    // token, and nothing that carries the injected text.
    const stops = result.commands.filter(c => c.name === 'stop-commands').map(c => c.data);
    expect(stops.length).toBeGreaterThan(0);
    for (const token of stops) expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(result.commands.filter(c => /^[0-9a-f]{32}$/.test(c.name)).map(c => c.name)).toEqual(stops);
    // One block a docker command (the build, each push), held open while it printed.
    expect(stops).toHaveLength(result.stdout.match(/^\[command\]docker /gm)?.length ?? 0);
    expect(result.commands.map(c => c.name)).not.toContain('set-output');
    expect(JSON.stringify(result.commands)).not.toContain('INJECTED');
    // The runner reads stderr for commands too: nothing of the build goes there.
    expect(result.stderr).not.toContain('INJECTED');
    // The outputs are the image's: the digest is the one the registry serves.
    const served = await readManifest(repo, 'sha-0123456');
    expect(result.outputs.digest).toBe(served.digest);
    expect(result.outputs['image-uri-digest']).toBe(`${env.DOCKYARD_REGISTRY_HOST}/${repo}@${served.digest}`);
    expect(result.outputs.tags).toBe('sha-0123456');
    expect(JSON.stringify(result.outputs)).not.toContain('INJECTED');
    // Checked the other way: the same stdout without its blocks would have set the outputs.
    const bare = result.stdout
      .split('\n')
      .filter(line => !/^::(stop-commands::[0-9a-f]{32}|[0-9a-f]{32}::)$/.test(line))
      .join('\n');
    expect(runnerCommands(bare).map(c => c.name)).toEqual(expect.arrayContaining(['set-output', 'add-mask']));
  });

  it("builds with what the user's docker configuration provides: credential helpers and the proxy", () => {
    // The classic builder sends the engine every credential the configuration has: the helper was asked for both
    // registries, the one recorded in the default store and the one with a helper of its own.
    const calls = readFileSync(user.helperLog, 'utf8');
    expect(calls).toMatch(/^get stored\.example\.test$/m);
    expect(calls).toMatch(/^get helper\.example\.test$/m);
    expect(result.stdout).toContain('no_proxy=carried.example');
  });

  it("keeps the ECR login out of the user's credential store and file, and leaves nothing behind", () => {
    // A copied default store would have had the ECR password stored in it (`store`); the step logs in to its own file.
    const calls = readFileSync(user.helperLog, 'utf8');
    expect(calls).not.toMatch(/^(store|erase)/m);
    expect(calls).not.toContain(password);
    expect(readFileSync(join(user.dir, 'config.json'), 'utf8')).toBe(userConfigBefore);
    expect(readdirSync(user.dir)).toEqual(['config.json']);
    expect(result.stdout).toMatch(/Logged in to .*Logged out of /s);
    expectNothingLeft(result);
  });
});

describe('build-push when a hostile build fails', () => {
  it('fails with Dockyard’s own annotation, the build’s text only as its body and as code in the summary', async () => {
    const result = await run(
      {
        repository: `${REPO}-hostile-fail`,
        context: hostileContext('hostile-fail'),
        'build-args': 'FAIL=yes'
      },
      { DOCKER_CONFIG: userDockerConfig().dir }
    );
    expect(result.code).toBe(1);
    const errors = result.commands.filter(c => c.name === 'error');
    expect(errors).toHaveLength(1);
    // No title from the build, and the message is Dockyard's sentence around the one line that says why.
    expect(errors[0].properties).toEqual({});
    expect(errors[0].data).toMatch(
      /^docker build failed \(exit code 3\): npm ERR! ::error title=INJECTED-title::INJECTED-cause\./
    );
    expect(
      result.commands
        .filter(c => c.name !== 'error')
        .map(c => JSON.stringify(c))
        .join('\n')
    ).not.toContain('INJECTED');
    expect(result.commands.map(c => c.name)).not.toContain('set-output');
    expect(result.stderr).not.toContain('INJECTED');
    // The summary shows the end of the build's output in a code block it cannot close.
    expect(result.summary).toMatch(
      /<details><summary>End of the build output<\/summary>\n\n(```+)\n[^]*\nnpm ERR! ::error title=INJECTED-title::INJECTED-cause\n[^]*\n\1\n\n<\/details>/
    );
    expect(JSON.parse(result.outputs.report)).toMatchObject({
      status: 'failure',
      diagnostics: [{ title: 'End of the build output', severity: 'error' }]
    });
    expectNothingLeft(result);
  }, 180_000);
});

describe('build-push cancelled mid-build', () => {
  it('stops the build and removes its DOCKER_CONFIG, with the ECR login in it', async () => {
    let stdout = '';
    let duringBuild: { dir: string; registries: string[] } | undefined;
    const result = await run(
      { repository: `${REPO}-cancel`, context: hostileContext('cancel'), 'build-args': 'SLEEP=120' },
      { DOCKER_CONFIG: userDockerConfig().dir },
      {
        // What the step's configuration held while the build ran, looked at just before the runner cancels.
        onStdout: text => {
          stdout += text;
          if (duringBuild || !stdout.includes('dockyard-build-running')) return;
          const dir = stepConfigDir(stdout);
          const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { auths: object };
          duringBuild = { dir, registries: Object.keys(config.auths) };
        },
        signal: { name: 'SIGTERM', whenOutput: /dockyard-build-running/ }
      }
    );
    expect(duringBuild?.registries).toEqual([env.DOCKYARD_REGISTRY_HOST]);
    expect(result.signalledAfterMs).toBeDefined();
    // The cancel came while the build's block was open: the block was closed first, so the warning is one.
    expect(result.commands).toContainEqual(
      expect.objectContaining({ name: 'warning', properties: { title: 'build-push cancelled' } })
    );
    expect(result.code).not.toBe(0);
    expect(JSON.parse(result.outputs.report)).toMatchObject({ status: 'cancelled', outcome: 'CANCELLED' });
    expect(result.stdout).not.toMatch(/Logged out of /);
    expect(existsSync(duringBuild!.dir)).toBe(false);
    expectNothingLeft(result);
  }, 180_000);
});
