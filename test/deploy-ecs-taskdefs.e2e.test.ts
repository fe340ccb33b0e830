/**
 * deploy-ecs end to end with task definition files written the way people write them (test/fixtures/ecs, with
 * their sources): units and defaults normalised so a re-run reuses the revision, empty values removed, type
 * errors named by field path, and the verify step — each local and remote check with a failing example that
 * writes nothing, and a passing one. The bundle runs against moto behind the ECS scenario layer, which
 * registers as ECS does (units to integers, EFS rootDirectory "/", refusals of empty names and drivers).
 *
 * Moto is the run's, shared and never reset: each test's files are copies whose family (and, for the remote
 * checks, log group, parameter and secret) carry the test's seed id, so no test sees another's revisions.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { parseReports } from '../core/report.js';
import { runScenario } from '../sim/ecs/run.js';
import { LOOK_PACE, SCENARIOS, baseInputs } from '../sim/ecs/scenarios.js';
import { IMAGE_V2, revisions, type Seeded } from '../sim/ecs/seed.js';
import { startEcsStack, type EcsStack } from '../sim/ecs/stack.js';
import { ROOT } from '../sim/runner.js';

/** A parsed task definition file, edited by a test case. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test edits of parsed JSON
type Doc = Record<string, any>;

let stack: EcsStack;
let dir: string;

beforeAll(async () => {
  stack = await startEcsStack({ pace: LOOK_PACE });
  dir = mkdtempSync(join(tmpdir(), 'dockyard-taskdefs-'));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The text of a fixture, its family made the seed's own (`<family>-<id>`), its log group `/ecs/web` the seed's. */
function fixtureText(seed: Seeded, name: string): string {
  return readFileSync(join(ROOT, 'test', 'fixtures', 'ecs', name), 'utf8')
    .replace(/^(\s*"family": "|family: )([\w-]+)/m, `$1$2-${seed.id}`)
    .replace('"/ecs/web"', JSON.stringify(seed.logGroup));
}

/** Writes `text` as `name` in the seed's own workspace folder; returns its path. */
function workspaceFile(seed: Seeded, name: string, text: string): string {
  const folder = join(dir, seed.id);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

/** A fixture copied into the seed's workspace with the seed's family. */
const fixture = (seed: Seeded, name: string) => workspaceFile(seed, name, fixtureText(seed, name));

/** A fixture parsed, with the seed's family. */
const fixtureJson = (seed: Seeded, name: string): Doc => JSON.parse(fixtureText(seed, name));

/** Registers a file without a service (cluster only), as a release pipeline's "register" step does. */
async function register(seed: Seeded, file: string, inputs: Record<string, string | undefined> = {}) {
  return runScenario(stack, SCENARIOS.success, {
    reuse: seed,
    inputs: { service: undefined, images: undefined, 'task-definition': file, ...inputs },
    // The file's folder is the workspace: path inputs must stay inside it.
    cwd: dirname(file)
  });
}

const writes = () => stack.proxy.count('RegisterTaskDefinition') + stack.proxy.count('UpdateService');

async function stored(arn: string) {
  const out = await stack.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
  return out.taskDefinition!;
}

describe('task definitions as ECS stores them', () => {
  it('".25 vcpu" / ".5 gb" (the ECS Exec docs) register as 256 / 512, and a re-run reuses the revision', async () => {
    const seed = await stack.fresh();
    const first = await register(seed, fixture(seed, 'exec-fargate.json'));
    expect(first.result.code).toBe(0);
    expect(first.result.outputs).toMatchObject({ status: 'REGISTERED', registered: 'true' });
    const td = await stored(first.result.outputs['task-definition-arn']);
    expect([td.cpu, td.memory]).toEqual(['256', '512']);
    const again = await register(seed, fixture(seed, 'exec-fargate.json'));
    expect(again.result.outputs).toMatchObject({
      registered: 'false',
      'task-definition-arn': first.result.outputs['task-definition-arn']
    });
    expect(stack.proxy.count('RegisterTaskDefinition')).toBe(0);
  }, 60_000);

  it('an EFS volume without rootDirectory (ECS stores "/") is reused on the next run', async () => {
    const seed = await stack.fresh();
    const first = await register(seed, fixture(seed, 'efs-fargate.json'));
    expect(first.result.code).toBe(0);
    const td = await stored(first.result.outputs['task-definition-arn']);
    expect(td.volumes?.[0].efsVolumeConfiguration?.rootDirectory).toBe('/');
    const again = await register(seed, fixture(seed, 'efs-fargate.json'));
    expect(again.result.outputs.registered).toBe('false');
    expect(stack.proxy.count('RegisterTaskDefinition')).toBe(0);
  }, 60_000);

  it('empty values of a rendered template are removed, each named in the log, and ECS accepts the rest', async () => {
    const seed = await stack.fresh();
    const { result } = await register(seed, fixture(seed, 'rendered-with-empty-values.json'));
    expect(result.code).toBe(0);
    for (const path of [
      'taskRoleArn',
      'containerDefinitions[0].command',
      'containerDefinitions[0].memory',
      'containerDefinitions[0].environment[1]',
      'containerDefinitions[0].repositoryCredentials',
      'containerDefinitions[0].logConfiguration'
    ])
      expect(result.stdout).toContain(path);
    const td = await stored(result.outputs['task-definition-arn']);
    const api = td.containerDefinitions![0];
    expect(api.environment).toEqual([{ name: 'NODE_ENV', value: 'production' }]);
    expect(api).not.toHaveProperty('logConfiguration');
    expect(api).not.toHaveProperty('repositoryCredentials');
    expect(api.command ?? []).toEqual([]);
    expect(td.taskRoleArn).toBeUndefined();
    // The health check's documented defaults (30/5/3) and the rest compare equal: reused.
    const again = await register(seed, fixture(seed, 'rendered-with-empty-values.json'));
    expect(again.result.outputs.registered).toBe('false');
  }, 60_000);

  it.each([['true'], ['false']])(
    'a wrong type (command: run) is named by its field path, never a crash (verify: %s); nothing is written',
    async verify => {
      const seed = await stack.fresh();
      const { result } = await register(seed, fixture(seed, 'wrong-type.yaml'), { verify });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(
        'containerDefinitions[0].command: expected a list of strings, found the string \\"run\\"'.replace(
          /\\"/g,
          '"'
        )
      );
      expect(result.output).not.toMatch(/is not a function/);
      // Named by its type only: an environment value is the app's, and may be a secret.
      expect(result.stdout).toContain('containerDefinitions[0].environment[0].value: a number → a string');
      expect(writes()).toBe(0);
      expect(await revisions(stack.clients, `worker-${seed.id}`)).toEqual([]);
    },
    60_000
  );
});

describe('verify: local checks', () => {
  it('reports every problem of the file at once, each with its field path and fix, and writes nothing', async () => {
    const seed = await stack.fresh();
    const { result } = await register(seed, fixture(seed, 'verify-local-problems.json'));
    expect(result.code).not.toBe(0);
    expect(result.outputs.status).toBe('FAILED');
    const expected = [
      "containerDefinitions[1].name: 'web' is also the name of containerDefinitions[0]",
      "containerDefinitions[0].image: 'nginx:<latest>' is not an image reference",
      "containerDefinitions[0].dependsOn[0].containerName: there is no container 'db-migrate'",
      "containerDefinitions[0].links[0]: there is no container 'cache'",
      "containerDefinitions[1].volumesFrom[0].sourceContainer: there is no container 'data'",
      'containerDefinitions[0].memory: the hard limit (256 MiB) must be greater than memoryReservation (512 MiB)',
      "containerDefinitions[0].logConfiguration.options: the awslogs driver needs 'awslogs-region', 'awslogs-stream-prefix'",
      'executionRoleArn: on Fargate the awslogs driver',
      'containerDefinitions: no container is essential',
      "networkMode: Fargate requires the awsvpc network mode, not 'bridge'",
      'memory: 4096 MiB does not go with 256 CPU units on Fargate'
    ];
    const [report] = parseReports(result.outputs.report);
    for (const line of expected) {
      expect(result.output).toContain(line);
      expect(report.error).toContain(line);
    }
    expect(report.summary.split('\n')[0]).toMatch(
      /^Input 'task-definition': verify: the task definition has 1[23] problems:/
    );
    expect(writes()).toBe(0);
    expect(await revisions(stack.clients, `shop-${seed.id}`)).toEqual([]);
  }, 60_000);

  it('refuses a 2 MB file before sending it (ECS takes 64 KiB)', async () => {
    const seed = await stack.fresh();
    const big = fixtureJson(seed, 'exec-fargate.json');
    big.containerDefinitions[0].environment = Array.from({ length: 1000 }, (_, i) => ({
      name: `FEATURE_FLAG_${i}`,
      value: 'x'.repeat(2000)
    }));
    const file = workspaceFile(seed, 'big.json', JSON.stringify(big));
    const { result } = await register(seed, file);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/the request is \d+\.\d KiB; ECS refuses task definitions over 64 KiB/);
    expect(writes()).toBe(0);
  }, 60_000);

  it('dry-run runs it; verify: false skips it (nginx:<latest> is registered, as ECS accepts it)', async () => {
    const seed = await stack.fresh();
    const bad = fixtureJson(seed, 'exec-fargate.json');
    bad.containerDefinitions[0].image = 'nginx:<latest>';
    const file = workspaceFile(seed, 'bad-image.json', JSON.stringify(bad));
    const dry = await register(seed, file, { 'dry-run': 'true' });
    expect(dry.result.code).not.toBe(0);
    expect(dry.result.output).toContain(
      "containerDefinitions[0].image: 'nginx:<latest>' is not an image reference"
    );
    const skipped = await register(seed, file, { verify: 'false' });
    expect(skipped.result.code).toBe(0);
    expect(stack.proxy.count('RegisterTaskDefinition')).toBe(1);
  }, 60_000);
});

describe('verify: remote checks (read-only)', () => {
  /**
   * The service's seed, an SSM parameter and a Secrets Manager secret in moto, and the file pointing at them:
   * the fixture's family, log group, parameter and secret become the seed's own (`web-<id>`).
   */
  async function world(): Promise<{
    seed: Seeded;
    file: (change?: (td: Doc) => void) => string;
  }> {
    const seed = await stack.fresh();
    await stack.clients.ssm.send(
      new PutParameterCommand({
        Name: `/web-${seed.id}/prod/database-url`,
        Value: 'postgres://db/web',
        Type: 'SecureString'
      })
    );
    const secret = await stack.clients.secrets.send(
      new CreateSecretCommand({ Name: `web-${seed.id}/prod/api-token`, SecretString: 'token' })
    );
    const text = fixtureText(seed, 'verify-remote.json')
      .replace('SECRET_ARN', secret.ARN!)
      .replace('parameter/web/prod/', `parameter/web-${seed.id}/prod/`);
    let n = 0;
    return {
      seed,
      file: change => {
        const td = JSON.parse(text);
        change?.(td);
        return workspaceFile(seed, `remote-${n++}.json`, JSON.stringify(td));
      }
    };
  }
  const deploy = (seed: Seeded, file: string) =>
    runScenario(stack, SCENARIOS.success, {
      reuse: seed,
      afterMs: 1500,
      inputs: { ...baseInputs(seed), images: undefined, 'task-definition': file },
      cwd: dirname(file)
    });

  it('passes when the image, parameter, secret, log group and load balancer port exist; the rollout completes', async () => {
    const { seed, file } = await world();
    const { result } = await deploy(seed, file());
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    for (const line of [
      'image web:v2 exists in ECR',
      `SSM parameter /web-${seed.id}/prod/database-url exists`,
      `log group ${seed.logGroup} exists`
    ])
      expect(result.stdout).toContain(line);
    expect(result.stdout).toMatch(
      new RegExp(`secret arn:aws:secretsmanager:.*web-${seed.id}/prod/api-token.* exists`)
    );
    for (const op of ['DescribeImages', 'DescribeParameters', 'DescribeSecret', 'DescribeLogGroups'])
      expect(stack.proxy.count(op)).toBeGreaterThan(0);
  }, 60_000);

  it.each<[string, (td: Doc) => void, string]>([
    [
      'an image tag that is not in ECR',
      td =>
        (td.containerDefinitions[0].image = td.containerDefinitions[0].image.replace(':v2', ':sha-1a2b3c4')),
      'containerDefinitions[0].image: web:sha-1a2b3c4 is not in the ECR repository web of 123456789012 (us-east-1)'
    ],
    [
      'an SSM parameter that does not exist',
      td =>
        (td.containerDefinitions[0].secrets[0].valueFrom =
          td.containerDefinitions[0].secrets[0].valueFrom.replace('prod', 'prd')),
      "containerDefinitions[0].secrets[0].valueFrom: there is no SSM parameter '/web-<id>/prd/database-url' in us-east-1"
    ],
    [
      'a Secrets Manager secret that does not exist',
      td =>
        (td.containerDefinitions[0].secrets[1].valueFrom =
          'arn:aws:secretsmanager:us-east-1:123456789012:secret:web/prod/api-tokn-Zz9Yx8'),
      'containerDefinitions[0].secrets[1].valueFrom: there is no Secrets Manager secret'
    ],
    [
      'a log group that does not exist (and no awslogs-create-group)',
      td => (td.containerDefinitions[0].logConfiguration.options['awslogs-group'] = '/ecs/wbe'),
      "the log group '/ecs/wbe' does not exist in us-east-1"
    ],
    [
      "a container port the service's load balancer does not send to",
      td => (td.containerDefinitions[0].portMappings[0].containerPort = 8080),
      "sends traffic to port 80 of 'app', which maps only 8080"
    ]
  ])(
    'fails before any write on %s',
    async (_name, change, message) => {
      const { seed, file } = await world();
      const { result } = await deploy(seed, file(change));
      expect(result.code).not.toBe(0);
      expect(result.outputs.status).toBe('FAILED');
      expect(result.output).toContain(message.replace('<id>', seed.id));
      expect(writes()).toBe(0);
      expect(await revisions(stack.clients, seed.family)).toHaveLength(1);
    },
    60_000
  );

  it('skips each remote check the role may not make with a notice, and deploys', async () => {
    const { seed, file } = await world();
    const scenario = {
      ...SCENARIOS.success,
      scenario: (afterMs: number) => ({
        ...SCENARIOS.success.scenario(afterMs),
        faults: ['DescribeImages', 'DescribeParameters', 'DescribeSecret', 'DescribeLogGroups'].map(
          operation => ({
            operation,
            calls: [1, 2, 3],
            kind: 'access-denied' as const
          })
        )
      })
    };
    const path = file();
    const { result } = await runScenario(stack, scenario, {
      reuse: seed,
      afterMs: 1500,
      inputs: { ...baseInputs(seed), images: undefined, 'task-definition': path },
      cwd: dirname(path)
    });
    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('COMPLETED');
    const notices = result.stdout.split('\n').filter(l => l.startsWith('::notice'));
    for (const permission of [
      'ecr:DescribeImages',
      'ssm:DescribeParameters',
      'secretsmanager:DescribeSecret',
      'logs:DescribeLogGroups'
    ])
      expect(notices.join('\n')).toContain(permission);
  }, 60_000);
});

describe('verify judges the rendered task definition and blames the input at fault (issue 16)', () => {
  /**
   * The fixture (with the seed's family) and its log group, so that the remote checks pass when the image is
   * right; the log group is left there for the next test (moto is the run's, never reset).
   */
  async function withLogGroup(): Promise<{ seed: Seeded; file: string }> {
    const seed = await stack.fresh();
    await stack.clients.logs
      .send(new CreateLogGroupCommand({ logGroupName: 'awslogs-ecs-web-task-staging' }))
      .catch((e: Error) => {
        if (e.name !== 'ResourceAlreadyExistsException') throw e;
      });
    return { seed, file: fixture(seed, 'image-from-pipeline.json') };
  }

  it('a file without image whose image comes from `images` registers, as aws-actions registers it', async () => {
    const { seed, file } = await withLogGroup();
    const { result } = await register(seed, file, { images: `web-container-staging=${IMAGE_V2}` });
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'REGISTERED', registered: 'true' });
    expect(result.output).not.toContain('is required and missing');
    expect(result.stdout).toContain('image web:v2 exists in ECR');
    const td = await stored(result.outputs['task-definition-arn']);
    expect(td.containerDefinitions?.[0].image).toBe(IMAGE_V2);
  }, 60_000);

  it('without `images`, the image is missing: said on its path, naming the input that can give it; nothing written', async () => {
    const { seed, file } = await withLogGroup();
    const { result } = await register(seed, file);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      "containerDefinitions[0].image: is required and missing. Add 'image', or give it with the 'images' input (container=image)."
    );
    expect(writes()).toBe(0);
  }, 60_000);

  it('`images: web=nginx:<latest>` is blamed on `images`, with its line and container, not on the file', async () => {
    const { seed, file } = await withLogGroup();
    const { result } = await register(seed, file, { images: 'web-container-staging=nginx:<latest>' });
    expect(result.code).not.toBe(0);
    const [report] = parseReports(result.outputs.report);
    expect(report.summary).toBe(
      "Input 'images': line 1, container 'web-container-staging': 'nginx:<latest>' is not an image reference. Write [registry/]repository[:tag][@sha256:digest], e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2.3; the repository is lower case."
    );
    expect(result.output).not.toContain("Input 'task-definition'");
    expect(writes()).toBe(0);
  }, 60_000);

  it('a secret ARN whose account is not 12 digits is malformed, not an SSM parameter name that does not exist', async () => {
    const { seed, file } = await withLogGroup();
    const arn = 'arn:aws:secretsmanager:us-east-1:12345678901:secret:prod/db-AbCdEf';
    const { result } = await register(seed, file, {
      images: `web-container-staging=${IMAGE_V2}`,
      secrets: `DB_PASSWORD=${arn}`
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(
      `Input 'secrets': line 1, container 'web-container-staging': '${arn}' is not a well-formed ARN: the account ID '12345678901' is not 12 digits.`
    );
    expect(result.output).not.toContain('there is no SSM parameter');
    expect(stack.proxy.count('DescribeParameters')).toBe(0);
    expect(writes()).toBe(0);
  }, 60_000);

  it("an image in another account's registry whose check is denied: the registry's policy decides, skipped; the deploy goes on", async () => {
    const seed = await stack.fresh();
    const scenario = {
      ...SCENARIOS.success,
      scenario: (afterMs: number) => ({
        ...SCENARIOS.success.scenario(afterMs),
        faults: [{ operation: 'DescribeImages', calls: [1, 2], kind: 'access-denied' as const }]
      })
    };
    const { result } = await runScenario(stack, scenario, {
      reuse: seed,
      afterMs: 1500,
      inputs: { images: 'app=999988887777.dkr.ecr.us-east-1.amazonaws.com/base/web:1.4.0' }
    });
    expect(result.code).toBe(0);
    const notices = result.stdout.split('\n').filter(l => l.startsWith('::notice'));
    expect(notices.join('\n')).toContain(
      "image base/web:1.4.0: skipped, the image is in another account's registry (999988887777), whose repository policy decides who may read it"
    );
    expect(notices.join('\n')).not.toContain('may not call ecr:DescribeImages');
  }, 60_000);
});
