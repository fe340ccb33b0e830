/**
 * Where a container's secret comes from (`valueFrom`, `secretOptions`, private registry credentials): the full
 * ARN of a Secrets Manager secret or of an SSM parameter, or an SSM parameter's name in the task's region (ECS
 * API reference, `Secret.valueFrom`). An ARN is `arn:<partition>:<service>:<region>:<12-digit account
 * ID>:<resource>` (AWS General Reference, "Amazon Resource Names"); one that is not well formed is said to be
 * so, never looked up as a parameter name.
 */
import type { RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { REGION_PATTERN } from '../../../core/index.js';
import { containerPath } from './normalise.js';

/** A reference to a secret in the task definition, by its field path. */
export interface SecretReference {
  path: string;
  valueFrom: string;
}

export type SecretSource =
  { kind: 'ssm'; region: string; name: string } | { kind: 'secretsmanager'; region: string; id: string };

/** Every secret the containers reference: secrets, log driver secret options and registry credentials. */
export function secretReferences(request: RegisterTaskDefinitionRequest): SecretReference[] {
  return (request.containerDefinitions ?? []).flatMap((c, i) => {
    const refs: SecretReference[] = [];
    (c.secrets ?? []).forEach((s, j) => {
      if (s.valueFrom)
        refs.push({ path: containerPath(i, `secrets[${j}].valueFrom`), valueFrom: s.valueFrom });
    });
    (c.logConfiguration?.secretOptions ?? []).forEach((s, j) => {
      if (s.valueFrom)
        refs.push({
          path: containerPath(i, `logConfiguration.secretOptions[${j}].valueFrom`),
          valueFrom: s.valueFrom
        });
    });
    const credentials = c.repositoryCredentials?.credentialsParameter;
    if (credentials)
      refs.push({
        path: containerPath(i, 'repositoryCredentials.credentialsParameter'),
        valueFrom: credentials
      });
    return refs;
  });
}

interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

function arnParts(arn: string): ArnParts | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, account] = parts;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

const FORMS: Record<string, string> = {
  secretsmanager: 'arn:aws:secretsmanager:<region>:<12-digit account ID>:secret:<name>-<6 characters>',
  ssm: 'arn:aws:ssm:<region>:<12-digit account ID>:parameter/<name>'
};

/** What is wrong with an ARN given as a secret's source, and how to write it; undefined when it is sound. */
export function arnProblem(valueFrom: string): { message: string; fix: string } | undefined {
  if (!valueFrom.startsWith('arn:')) return undefined;
  const arn = arnParts(valueFrom);
  const malformed = (why: string) => `'${valueFrom}' is not a well-formed ARN: ${why}.`;
  const fix = `Copy the ARN from the console or the CLI; its form is ${FORMS[arn?.service ?? ''] ?? `${FORMS.secretsmanager} or ${FORMS.ssm}`}.`;
  if (!arn) return { message: malformed('it has fewer than six parts separated by colons'), fix };
  if (arn.service !== 'ssm' && arn.service !== 'secretsmanager')
    return {
      message: `'${valueFrom}' names a '${arn.service}' resource; a secret comes from Secrets Manager or SSM Parameter Store.`,
      fix
    };
  const why = [
    !/^aws(-[a-z]+)*$/.test(arn.partition) &&
      `'${arn.partition}' is no AWS partition (aws, aws-cn, aws-us-gov)`,
    !REGION_PATTERN.test(arn.region) && `'${arn.region}' is no region`,
    !/^\d{12}$/.test(arn.account) && `the account ID '${arn.account}' is not 12 digits`,
    arn.service === 'secretsmanager' &&
      !/^secret:[^:]+/.test(arn.resource) &&
      'the resource is not secret:<name>',
    arn.service === 'ssm' && !/^parameter\/./.test(arn.resource) && 'the resource is not parameter/<name>'
  ].filter(w => typeof w === 'string');
  return why.length > 0 ? { message: malformed(why.join('; ')), fix } : undefined;
}

/**
 * `arn:aws:ssm:…:parameter/a/b` → region and parameter name; `arn:aws:secretsmanager:…:secret:name-AbC123:key::`
 * → the secret's ARN; a name → an SSM parameter in `region`. Undefined for an ARN that is not well formed.
 */
export function secretSource(valueFrom: string, region: string): SecretSource | undefined {
  if (!valueFrom.startsWith('arn:')) return { kind: 'ssm', region, name: valueFrom };
  const arn = arnParts(valueFrom);
  if (!arn || arnProblem(valueFrom)) return undefined;
  if (arn.service === 'secretsmanager') {
    // secret:<name>[:json-key:version-stage:version-id]: the secret itself is the ARN up to its name.
    const secret = arn.resource.split(':').slice(0, 2).join(':');
    const id = `arn:${arn.partition}:secretsmanager:${arn.region}:${arn.account}:${secret}`;
    return { kind: 'secretsmanager', region: arn.region, id };
  }
  const path = arn.resource.replace(/^parameter/, '');
  // parameter/name → name; parameter/a/b → /a/b
  const name = path.split('/').length > 2 ? path : path.replace(/^\//, '');
  return { kind: 'ssm', region: arn.region, name };
}
