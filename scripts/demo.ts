/**
 * `npm run demo [-- --fail]`: the whole pipeline on the local stack, the way the reusable deploy workflow runs
 * it — build → deploy → email — each step the bundled action run as the GitHub runner runs it (sim/runner.ts,
 * under Node 24).
 *
 *   1. build-push builds examples/hello (FROM scratch, with this machine's /bin/busybox) and pushes it to moto's
 *      ECR through the stack's registry front (skipped when the commit's image is there already);
 *   2. the ECS cluster `dockyard-demo` and service `hello` are created in moto when missing;
 *   3. deploy-ecs rolls the image out and follows the deployment: moto leaves ECS static, so the scenario layer
 *      of the e2e tests (sim/ecs) animates it, here from a recording proxy in front of the stack's moto;
 *   4. notify-ses mails the reports of both steps through moto's SES; the demo prints what moto recorded and
 *      writes the HTML to a file.
 *
 * With --fail the image built is one whose container exits at start (examples/hello/start.sh, HELLO_CONFIG set
 * to a file the image lacks): its real output and exit status (the script run with the same busybox) become the
 * stopped tasks' log lines; the rollout fails, deploy-ecs explains it and rolls back, and the email says so.
 *
 * scripts/demo.sh installs what this needs first (Debian packages, bundles). The stack keeps running.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { parseReports } from '../core/report.js';
import { startRecordingProxy } from '../sim/ecs/proxy.js';
import { EcsScenarioLayer, type Scenario, type TaskFailure } from '../sim/ecs/scenario.js';
import { defaultNetwork, motoClients } from '../sim/ecs/seed.js';
import { TEST_ACCOUNT, TEST_REGION } from '../sim/moto.js';
import { ROOT, runAction, type RunResult } from '../sim/runner.js';
import { ensureStack } from '../test/stack.js';
import { htmlToText, renderForTerminal } from './terminal-markdown.js';

const CLUSTER = 'dockyard-demo';
const SERVICE = 'hello';
const CONTAINER = 'hello';
const LOG_GROUP = '/ecs/hello';
const REPOSITORY = 'dockyard/hello';
const CRASH_REPOSITORY = 'dockyard/hello-crash';
/** The configuration file the crashing image asks for and does not have. */
const CRASH_CONFIG = '/etc/hello/config.json';
const FROM = 'Dockyard demo <deploys@dockyard.example>';
const TO = 'team@dockyard.example';
const ENVIRONMENT = 'demo';
const OUT_DIR = join(tmpdir(), 'dockyard-demo');
const DEPLOYMENT_CONFIGURATION = {
  maximumPercent: 200,
  minimumHealthyPercent: 100,
  // ECS does not roll back by itself here: deploy-ecs does, and says so.
  deploymentCircuitBreaker: { enable: true, rollback: false }
};

const { values: args } = parseArgs({ options: { fail: { type: 'boolean', default: false } } });
const color = process.stdout.isTTY === true;
const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[22m` : text);
const t0 = Date.now();
const clock = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`;
const say = (text: string) => console.log(`${clock()} ${text}`);

class DemoError extends Error {}

function git(...gitArgs: string[]): string | undefined {
  try {
    return execFileSync('git', gitArgs, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore']
    }).trim();
  } catch {
    return undefined;
  }
}

/** The GitHub context of the demo's run: this checkout's commit and branch. */
function githubContext(job: string): Record<string, string> {
  const sha = git('rev-parse', 'HEAD') ?? '0'.repeat(40);
  const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
  const ref = !branch || branch === 'HEAD' ? 'main' : branch;
  return {
    GITHUB_REPOSITORY: 'dockyard/demo',
    GITHUB_SHA: sha,
    GITHUB_REF: `refs/heads/${ref}`,
    GITHUB_REF_NAME: ref,
    GITHUB_RUN_ID: RUN_ID,
    GITHUB_WORKFLOW: 'deploy (demo)',
    GITHUB_JOB: job,
    GITHUB_ACTOR: userInfo().username,
    GITHUB_EVENT_NAME: 'push'
  };
}
const RUN_ID = String(Math.floor(Date.now() / 1000));

/** The action's log, live: one indented line each, workflow commands turned into words. */
function liveLog(prefix = '        '): { write: (text: string) => void; flush: () => void } {
  let pending = '';
  const show = (line: string) => {
    if (/^::(debug|endgroup|add-mask|set-output|save-state)::/.test(line) || line.trim() === '') return;
    const group = /^::group::(.*)$/.exec(line);
    if (group) return console.log(`${prefix}${bold(`▸ ${group[1]}`)}`);
    const annotation = /^::(warning|error|notice)[^:]*::(.*)$/.exec(line);
    if (annotation)
      return console.log(`${prefix}${annotation[1]}: ${annotation[2].replace(/%0A/g, `\n${prefix}  `)}`);
    console.log(`${prefix}${line}`);
  };
  return {
    write: text => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(show);
    },
    flush: () => {
      if (pending) show(pending);
      pending = '';
    }
  };
}

function printSummary(step: string, result: RunResult): void {
  console.log(`\n${bold(`── job summary of ${step} ──`)}`);
  console.log(renderForTerminal(result.summary, { color }));
  console.log('');
}

function fail(step: string, result: RunResult): never {
  console.log(result.output.split('\n').slice(-30).join('\n'));
  throw new DemoError(`${step} failed (exit code ${result.code}); its log is above.`);
}

/** The build context: examples/hello plus this machine's static busybox (never committed). */
function buildContext(work: string): string {
  const dir = join(work, 'app');
  cpSync(join(ROOT, 'examples', 'hello'), dir, { recursive: true });
  copyFileSync('/bin/busybox', join(dir, 'busybox'));
  return dir;
}

async function buildPush(
  env: Record<string, string>,
  work: string,
  repository: string,
  buildArgs = ''
): Promise<RunResult> {
  const app = buildContext(join(work, repository.replace(/\W/g, '-')));
  const result = await runAction('build-push', {
    inputs: { repository, context: app, file: join(app, 'Dockerfile'), 'build-args': buildArgs },
    env: {
      ...env,
      ...githubContext('build'),
      GITHUB_WORKSPACE: app,
      // docker login/logout go to a config of the demo's own, not ~/.docker.
      DOCKER_CONFIG: join(work, 'docker-config')
    },
    cwd: app
  });
  if (result.code !== 0) fail('build-push', result);
  const what = result.outputs.skipped === 'true' ? 'already in ECR, nothing built' : 'built and pushed';
  say(
    `✓ build-push: ${repository}:${result.outputs.tags} ${what} (${(result.durationMs / 1000).toFixed(1)}s)`
  );
  return result;
}

/** What the crashing image's container prints and how it exits: its entrypoint run with the same busybox. */
function crashOfTheImage(): TaskFailure {
  const run = spawnSync('/bin/busybox', ['sh', join(ROOT, 'examples', 'hello', 'start.sh')], {
    env: { PATH: '/usr/bin:/bin', HELLO_CONFIG: CRASH_CONFIG },
    encoding: 'utf8',
    timeout: 5000
  });
  const logLines = `${run.stdout}${run.stderr}`.split('\n').filter(l => l !== '');
  if (run.status === null || run.status === 0)
    throw new DemoError(
      `examples/hello/start.sh did not fail with HELLO_CONFIG=${CRASH_CONFIG}: ${logLines.join(' / ')}`
    );
  return {
    container: CONTAINER,
    exitCode: run.status,
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    logLines
  };
}

/** The cluster and the service, created in moto when missing; the service starts on `image`. */
async function ensureService(clients: ReturnType<typeof motoClients>, image: string): Promise<string> {
  const created: string[] = [];
  const clusters = await clients.ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] }));
  if (!clusters.clusters?.some(c => c.status === 'ACTIVE')) {
    await clients.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    created.push(`cluster ${CLUSTER}`);
  }
  const services = await clients.ecs.send(
    new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] })
  );
  if (!services.services?.some(s => s.status === 'ACTIVE')) {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: LOG_GROUP })).catch((e: Error) => {
      if (e.name !== 'ResourceAlreadyExistsException') throw e;
    });
    const td = await clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: SERVICE,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/ecsTaskExecutionRole`,
        containerDefinitions: [
          {
            name: CONTAINER,
            image,
            essential: true,
            // Moto sums container-level cpu and memory when it places a task.
            cpu: 256,
            memory: 512,
            portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': LOG_GROUP,
                'awslogs-region': TEST_REGION,
                'awslogs-stream-prefix': SERVICE
              }
            }
          }
        ]
      })
    );
    const { subnetId } = await defaultNetwork(clients.endpoint);
    await clients.ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: SERVICE,
        taskDefinition: td.taskDefinition!.taskDefinitionArn,
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [subnetId], securityGroups: [], assignPublicIp: 'DISABLED' }
        },
        deploymentConfiguration: DEPLOYMENT_CONFIGURATION
      })
    );
    created.push(`service ${SERVICE} on ${SERVICE}:${td.taskDefinition!.revision}`);
  }
  return created.length > 0
    ? `created ${created.join(' and ')}`
    : `cluster ${CLUSTER} and service ${SERVICE} exist`;
}

async function deploy(
  env: Record<string, string>,
  clients: ReturnType<typeof motoClients>,
  image: string,
  scenario: Scenario
): Promise<RunResult> {
  const proxy = await startRecordingProxy(env.AWS_ENDPOINT_URL);
  try {
    const layer = new EcsScenarioLayer(proxy, clients);
    layer.configure(CLUSTER, SERVICE, DEPLOYMENT_CONFIGURATION);
    layer.use(scenario);
    say(
      `… deploy-ecs: rolling ${image.replace(/@sha256:(.{12}).*/, '@sha256:$1…')} out to ${CLUSTER}/${SERVICE}`
    );
    const live = liveLog();
    const result = await runAction('deploy-ecs', {
      inputs: {
        cluster: CLUSTER,
        service: SERVICE,
        images: `${CONTAINER}=${image}`,
        'poll-interval': '1s',
        timeout: '90s',
        // A re-run on the same commit deploys the same revision: still show a rollout.
        'force-new-deployment': 'true'
      },
      env: { ...env, ...githubContext('deploy'), AWS_ENDPOINT_URL: proxy.endpoint },
      onStdout: live.write,
      timeoutMs: 150_000
    });
    live.flush();
    const status = result.outputs.status ?? '(no status)';
    say(
      `${result.code === 0 ? '✓' : '✗'} deploy-ecs: ${status}, ${result.outputs['task-definition-arn']?.split('/').pop() ?? ''} (${(result.durationMs / 1000).toFixed(1)}s)`
    );
    return result;
  } finally {
    await proxy.stop();
  }
}

interface MotoMessage {
  id: string;
  source: string;
  subject: string;
  body: string;
  destinations: { ToAddresses?: string[] };
}

async function notify(
  env: Record<string, string>,
  reports: string[]
): Promise<{ result: RunResult; message: MotoMessage }> {
  const ses = new SESv2Client({
    region: TEST_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }
  });
  try {
    // Like SES in the sandbox, moto sends only from a verified identity.
    await ses
      .send(new CreateEmailIdentityCommand({ EmailIdentity: 'dockyard.example' }))
      .catch((e: Error) => {
        if (e.name !== 'AlreadyExistsException') throw e;
      });
  } finally {
    ses.destroy();
  }
  const result = await runAction('notify-ses', {
    inputs: { from: FROM, to: TO, environment: ENVIRONMENT, reports: reports.join('\n') },
    env: { ...env, ...githubContext('notify') }
  });
  if (result.code !== 0) fail('notify-ses', result);
  const data = (await (await fetch(`${env.AWS_ENDPOINT_URL}/moto-api/data.json`)).json()) as {
    ses?: { Message?: MotoMessage[] };
  };
  const message = data.ses?.Message?.find(m => m.id === result.outputs['message-id']);
  if (!message) throw new DemoError(`moto has no message ${result.outputs['message-id']}`);
  say(`✓ notify-ses: sent to ${TO}, message ${message.id} (${(result.durationMs / 1000).toFixed(1)}s)`);
  return { result, message };
}

async function main(): Promise<void> {
  console.log(
    bold(
      args.fail
        ? 'Dockyard demo (--fail): build → deploy an image whose container crashes → email, on the local stack'
        : 'Dockyard demo: build → deploy → email, on the local stack'
    )
  );
  const work = mkdtempSync(join(tmpdir(), 'dockyard-demo-'));
  const env = await ensureStack();
  say(
    `✓ local stack: moto ${env.AWS_ENDPOINT_URL}, docker ${env.DOCKER_HOST}, ECR https://${env.DOCKYARD_REGISTRY_HOST}`
  );
  const clients = motoClients(env.AWS_ENDPOINT_URL);
  try {
    // 1. build
    const good = await buildPush(env, work, REPOSITORY);
    printSummary('build-push', good);
    const reports = [good.outputs.report];
    let image = good.outputs['image-uri-digest'];
    let failure: TaskFailure | undefined;
    if (args.fail) {
      failure = crashOfTheImage();
      const crash = await buildPush(env, work, CRASH_REPOSITORY, `HELLO_CONFIG=${CRASH_CONFIG}`);
      printSummary(`build-push (${CRASH_REPOSITORY})`, crash);
      reports.push(crash.outputs.report);
      image = crash.outputs['image-uri-digest'];
    }

    // 2. the service, on the good image when it is new
    say(`✓ ECS: ${await ensureService(clients, good.outputs['image-uri-digest'])}`);

    // 3. deploy
    const scenario: Scenario = failure
      ? {
          name: 'demo-fail',
          rollout: { kind: 'fail', afterMs: 4000, failure },
          rollback: { kind: 'complete', afterMs: 2500 }
        }
      : { name: 'demo', rollout: { kind: 'complete', afterMs: 4000 } };
    const deployed = await deploy(env, clients, image, scenario);
    printSummary('deploy-ecs', deployed);
    reports.push(deployed.outputs.report);

    // 4. email (`if: always()`)
    const { message } = await notify(env, reports);
    mkdirSync(OUT_DIR, { recursive: true });
    const htmlPath = join(OUT_DIR, 'email.html');
    writeFileSync(htmlPath, message.body);
    console.log(`\n${bold('── the email moto recorded ──')}`);
    console.log(`From:    ${message.source}`);
    console.log(`To:      ${(message.destinations.ToAddresses ?? []).join(', ')}`);
    console.log(`Subject: ${message.subject}\n`);
    console.log(htmlToText(message.body));
    console.log(`\nHTML: ${htmlPath}\n`);

    const [report] = parseReports(deployed.outputs.report);
    const expected = args.fail ? report.status === 'failure' : deployed.code === 0;
    say(
      expected
        ? args.fail
          ? `done: the failing rollout was caught, explained and rolled back (${report.outcome}), and the email says so`
          : `done: built, deployed (${report.outcome}) and mailed`
        : `done, but not as expected: deploy-ecs ended ${report.outcome}`
    );
    if (!expected) process.exitCode = 1;
  } finally {
    for (const client of [clients.ecs, clients.elb, clients.logs]) client.destroy();
    rmSync(work, { recursive: true, force: true });
  }
  console.log('The local stack keeps running; stop it with: bash scripts/local-stack.sh down');
}

main().catch((error: unknown) => {
  say(
    `✗ demo: ${error instanceof DemoError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`
  );
  process.exitCode = 1;
});
