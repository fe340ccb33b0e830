/**
 * The verify step's remote checks, reads only: the image exists in ECR, each secret exists in SSM Parameter
 * Store or Secrets Manager, and the awslogs log group exists. A check the role may not make, or that fails, is
 * skipped with a note (said as a notice, never a failure); a check of an image in another account's registry
 * that is denied is that registry's policy, not a missing permission of the role.
 */
import { DescribeLogGroupsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import type { RegisterTaskDefinitionRequest, Service } from '@aws-sdk/client-ecs';
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { DockyardError, describeError, errorName, isAccessDenied, oneLine } from '../../../core/index.js';
import { ecrRegistry, parseImage, type ImageReference } from '../../../core/image.js';
import { containerPath, type FieldProblem } from './normalise.js';
import { secretReferences, secretSource, type SecretSource } from './secret-source.js';

export interface VerifyClients {
  ecrFor?: (region: string) => ECRClient;
  ssmFor?: (region: string) => SSMClient;
  secretsFor?: (region: string) => SecretsManagerClient;
  logsFor?: (region: string) => CloudWatchLogsClient;
}

export interface RemoteResult {
  problems: FieldProblem[];
  /** Checks skipped (no permission, another account, an error): said as a notice, never a failure. */
  skipped: string[];
  /** What was looked at, for the log. */
  checked: string[];
}

export interface RemoteOptions {
  /** The step's region: SSM parameters named without an ARN are in it. */
  region: string;
  /** The service deployed to: its ARN says which account the tasks run in. */
  service?: Service;
}

/** What a look found wrong, before the field path(s) it is reported on. */
type Finding = Omit<FieldProblem, 'path'> | undefined;

/** The remote checks. Reads only; each call that is denied or fails is skipped with a note. */
export async function verifyRemotely(
  request: RegisterTaskDefinitionRequest,
  clients: VerifyClients,
  options: RemoteOptions
): Promise<RemoteResult> {
  const checks = new RemoteChecks(clients, options.region, deployingAccount(request, options.service));
  await checks.images(request);
  await checks.secrets(request);
  await checks.logGroups(request);
  return checks.result;
}

const ACCOUNT_IN_ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/;

/** The account the tasks run in: the service's, else that of the task's roles. */
function deployingAccount(request: RegisterTaskDefinitionRequest, service?: Service): string | undefined {
  const arns = [service?.serviceArn, service?.clusterArn, request.executionRoleArn, request.taskRoleArn];
  return arns.map(arn => (arn ? ACCOUNT_IN_ARN.exec(arn)?.[1] : undefined)).find(a => a !== undefined);
}

/** The caller's account as a denial names it (`User: arn:aws:sts::123456789012:assumed-role/…`). */
function callerAccount(error: unknown): string | undefined {
  return /\barn:aws[a-z-]*:(?:sts|iam)::(\d{12}):/.exec(describeError(error))?.[1];
}

function denied(error: unknown): boolean {
  return isAccessDenied(error) || (error instanceof DockyardError && /^Access denied/.test(error.message));
}

/** Runs `look` once per key: later calls with the key share the first one's answer. */
function once<K, V>(): (key: K, look: () => Promise<V>) => Promise<V> {
  const answers = new Map<K, Promise<V>>();
  return (key, look) => {
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = look()));
    return answer;
  };
}

class RemoteChecks {
  readonly result: RemoteResult = { problems: [], skipped: [], checked: [] };
  /** What the role was denied (a service, or one account's registry): not asked again. */
  private readonly refused = new Set<string>();

  constructor(
    private readonly clients: VerifyClients,
    private readonly region: string,
    private readonly account: string | undefined
  ) {}

  /** Images in ECR: one look-up per image however many containers run it; a missing one is a problem on each. */
  async images(request: RegisterTaskDefinitionRequest): Promise<void> {
    const ecrFor = this.clients.ecrFor;
    if (!ecrFor) return;
    const lookups = once<string, Finding>();
    const found = await Promise.all(
      (request.containerDefinitions ?? []).map(async (c, i) => {
        const ref = c.image ? parseImage(c.image) : undefined;
        const registry = ecrRegistry(ref?.registry);
        if (!c.image || !ref || !registry) return undefined;
        const finding = await lookups(c.image, () => this.image(ecrFor(registry.region), ref, registry));
        return finding && { path: containerPath(i, 'image'), ...finding };
      })
    );
    this.result.problems.push(...found.filter(p => p !== undefined));
  }

  private async image(
    ecr: ECRClient,
    ref: ImageReference,
    registry: { account: string; region: string }
  ): Promise<Finding> {
    const imageId = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' };
    const label = `${ref.repository}${ref.digest ? `@${ref.digest}` : `:${imageId.imageTag}`}`;
    const key = `ecr:${registry.account}`;
    if (this.refused.has(key)) return undefined;
    try {
      const input = { registryId: registry.account, repositoryName: ref.repository, imageIds: [imageId] };
      await ecr.send(new DescribeImagesCommand(input));
      this.result.checked.push(`image ${label} exists in ECR`);
      return undefined;
    } catch (error) {
      const name = errorName(error);
      const where = `${registry.account} (${registry.region})`;
      if (name === 'ImageNotFoundException')
        return {
          message: `${label} is not in the ECR repository ${ref.repository} of ${where}.`,
          fix: 'Push the image first (build-push), or fix the tag or digest.'
        };
      if (name === 'RepositoryNotFoundException')
        return {
          message: `there is no ECR repository '${ref.repository}' in ${where}.`,
          fix: 'Check the repository name and region, or create and push it first.'
        };
      if (denied(error)) this.refused.add(key);
      const ours = this.account ?? callerAccount(error);
      if (denied(error) && ours !== undefined && ours !== registry.account)
        this.result.skipped.push(
          `image ${label}: skipped, the image is in another account's registry (${registry.account}), whose repository policy decides who may read it, and this check was denied. Make sure that policy lets the tasks' execution role pull it.`
        );
      else this.skip(`image ${label}`, 'ecr:DescribeImages', error);
      return undefined;
    }
  }

  /** SSM parameters and Secrets Manager secrets, registry credentials included; each looked up once. */
  async secrets(request: RegisterTaskDefinitionRequest): Promise<void> {
    const lookups = once<string, Finding>();
    for (const ref of secretReferences(request)) {
      // A malformed ARN is a problem of the local rules; there is nothing to look up.
      const source = secretSource(ref.valueFrom, this.region);
      if (!source) continue;
      const finding = await lookups(JSON.stringify(source), () => this.secret(source));
      if (finding) this.result.problems.push({ path: ref.path, ...finding });
    }
  }

  private async secret(source: SecretSource): Promise<Finding> {
    if (source.kind === 'ssm') return this.parameter(source);
    if (!this.clients.secretsFor || this.refused.has('secretsmanager')) return undefined;
    try {
      await this.clients.secretsFor(source.region).send(new DescribeSecretCommand({ SecretId: source.id }));
      this.result.checked.push(`secret ${source.id} exists`);
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException')
        return {
          message: `there is no Secrets Manager secret '${source.id}'.`,
          fix: 'Create the secret, or fix the ARN (copy it from the Secrets Manager console).'
        };
      if (denied(error)) this.refused.add('secretsmanager');
      this.skip(`secret ${source.id}`, 'secretsmanager:DescribeSecret', error);
    }
    return undefined;
  }

  private async parameter(source: SecretSource & { kind: 'ssm' }): Promise<Finding> {
    if (!this.clients.ssmFor || this.refused.has('ssm')) return undefined;
    try {
      const filter = { Key: 'Name', Option: 'Equals', Values: [source.name] };
      const found = await this.clients
        .ssmFor(source.region)
        .send(new DescribeParametersCommand({ ParameterFilters: [filter] }));
      if ((found.Parameters ?? []).length === 0)
        return {
          message: `there is no SSM parameter '${source.name}' in ${source.region}.`,
          fix: 'Create the parameter, or fix the name or ARN (arn:aws:ssm:<region>:<account>:parameter/<name>).'
        };
      this.result.checked.push(`SSM parameter ${source.name} exists`);
    } catch (error) {
      if (denied(error)) this.refused.add('ssm');
      this.skip(`SSM parameter ${source.name}`, 'ssm:DescribeParameters', error);
    }
    return undefined;
  }

  /** awslogs log groups the driver does not create, each looked up once in its region. */
  async logGroups(request: RegisterTaskDefinitionRequest): Promise<void> {
    const groups = new Map<string, { path: string; region: string; group: string }>();
    (request.containerDefinitions ?? []).forEach((c, i) => {
      const options = c.logConfiguration?.options;
      const group = options?.['awslogs-group'];
      if (
        c.logConfiguration?.logDriver !== 'awslogs' ||
        !group ||
        options?.['awslogs-create-group'] === 'true'
      )
        return;
      const region = options?.['awslogs-region'] ?? this.region;
      const path = containerPath(i, "logConfiguration.options['awslogs-group']");
      groups.set(`${region}/${group}`, { path, region, group });
    });
    for (const g of groups.values()) {
      if (!this.clients.logsFor || this.refused.has('logs')) continue;
      try {
        const logs = this.clients.logsFor(g.region);
        const found = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g.group }));
        if ((found.logGroups ?? []).some(l => l.logGroupName === g.group))
          this.result.checked.push(`log group ${g.group} exists`);
        else
          this.result.problems.push({
            path: g.path,
            message: `the log group '${g.group}' does not exist in ${g.region}; the tasks would fail to start.`,
            fix: `Create it, or add "awslogs-create-group": "true" (the execution role then needs logs:CreateLogGroup).`
          });
      } catch (error) {
        if (denied(error)) this.refused.add('logs');
        this.skip(`log group ${g.group}`, 'logs:DescribeLogGroups', error);
      }
    }
  }

  private skip(what: string, permission: string, error: unknown): void {
    this.result.skipped.push(
      denied(error)
        ? `${what}: skipped, the role may not call ${permission} (optional; see the README's IAM section).`
        : `${what}: skipped, ${errorName(error)}: ${oneLine(describeError(error), { firstLine: true, max: 300 })}`
    );
  }
}
