import { beforeEach, describe, expect, it } from '@jest/globals';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { explainAccessDenied } from '../../../core/index.js';
import { good } from './testing/verify-fixtures.js';
import { verifyRemotely } from './verify-remote.js';

describe('verifyRemotely', () => {
  const ecr = mockClient(ECRClient);
  const ssm = mockClient(SSMClient);
  const sm = mockClient(SecretsManagerClient);
  const logs = mockClient(CloudWatchLogsClient);
  const clients = {
    ecrFor: () => new ECRClient({ region: 'us-east-1' }),
    ssmFor: () => new SSMClient({ region: 'us-east-1' }),
    secretsFor: () => new SecretsManagerClient({ region: 'us-east-1' }),
    logsFor: () => new CloudWatchLogsClient({ region: 'us-east-1' })
  };
  beforeEach(() => [ecr, ssm, sm, logs].forEach(m => m.reset()));
  const notFound = (name: string) => Object.assign(new Error(`${name} message`), { name });

  it('passes when the image, parameter, secret and log group exist', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageTags: ['sha-1a2b3c4'] }] });
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: '/prod/db-url' }] });
    sm.on(DescribeSecretCommand).resolves({ Name: 'api-key' });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/ecs/web' }] });
    const out = await verifyRemotely(good(), clients, { region: 'us-east-1' });
    expect(out.problems).toEqual([]);
    expect(out.skipped).toEqual([]);
    expect(ecr.commandCalls(DescribeImagesCommand)[0].args[0].input).toEqual({
      registryId: '123456789012',
      repositoryName: 'web',
      imageIds: [{ imageTag: 'sha-1a2b3c4' }]
    });
    expect(sm.commandCalls(DescribeSecretCommand)[0].args[0].input.SecretId).toBe(
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf'
    );
  });

  it('reports a missing image, parameter, secret and log group, each on its path', async () => {
    ecr.on(DescribeImagesCommand).rejects(notFound('ImageNotFoundException'));
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    sm.on(DescribeSecretCommand).rejects(notFound('ResourceNotFoundException'));
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/ecs/web-old' }] });
    const out = await verifyRemotely(good(), clients, { region: 'us-east-1' });
    expect(out.problems.map(p => p.path)).toEqual([
      'containerDefinitions[0].image',
      'containerDefinitions[0].secrets[0].valueFrom',
      'containerDefinitions[0].secrets[1].valueFrom',
      "containerDefinitions[0].logConfiguration.options['awslogs-group']"
    ]);
    expect(out.problems[0].message).toBe(
      'web:sha-1a2b3c4 is not in the ECR repository web of 123456789012 (us-east-1).'
    );
  });

  it('skips each check the role may not make, with a notice, and never fails for it', async () => {
    const denied = (permission: string) =>
      explainAccessDenied(
        Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }),
        permission
      );
    ecr.on(DescribeImagesCommand).rejects(denied('ecr:DescribeImages'));
    ssm.on(DescribeParametersCommand).rejects(denied('ssm:DescribeParameters'));
    sm.on(DescribeSecretCommand).rejects(denied('secretsmanager:DescribeSecret'));
    logs.on(DescribeLogGroupsCommand).rejects(denied('logs:DescribeLogGroups'));
    const out = await verifyRemotely(good(), clients, { region: 'us-east-1' });
    expect(out.problems).toEqual([]);
    expect(out.skipped).toEqual([
      expect.stringMatching(/^image web:sha-1a2b3c4: skipped, the role may not call ecr:DescribeImages/),
      expect.stringMatching(
        /^SSM parameter \/prod\/db-url: skipped, the role may not call ssm:DescribeParameters/
      ),
      expect.stringMatching(/secretsmanager:DescribeSecret/),
      expect.stringMatching(/logs:DescribeLogGroups/)
    ]);
  });

  it('looks up an image or a secret once however many containers use it, and reports each use', async () => {
    ecr.on(DescribeImagesCommand).rejects(notFound('ImageNotFoundException'));
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    sm.on(DescribeSecretCommand).resolves({ Name: 'api-key' });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/ecs/web' }] });
    const td = good();
    const web = td.containerDefinitions![0];
    td.containerDefinitions!.push({ ...web, name: 'worker' });
    const out = await verifyRemotely(td, clients, { region: 'us-east-1' });
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(1);
    expect(ssm.commandCalls(DescribeParametersCommand)).toHaveLength(1);
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(1);
    expect(out.problems.map(p => p.path)).toEqual([
      'containerDefinitions[0].image',
      'containerDefinitions[2].image',
      'containerDefinitions[0].secrets[0].valueFrom',
      'containerDefinitions[2].secrets[0].valueFrom'
    ]);
  });

  it('does not look up a log group the driver creates', async () => {
    const td = good();
    td.containerDefinitions![0].logConfiguration!.options!['awslogs-create-group'] = 'true';
    await verifyRemotely(td, { logsFor: clients.logsFor }, { region: 'us-east-1' });
    expect(logs.commandCalls(DescribeLogGroupsCommand)).toHaveLength(0);
  });

  it('does not look up a malformed secret ARN as an SSM parameter name (the local rules say it is malformed)', async () => {
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    sm.on(DescribeSecretCommand).resolves({ Name: 'api-key' });
    const td = good();
    td.containerDefinitions![0].secrets![1].valueFrom =
      'arn:aws:secretsmanager:us-east-1:12345:secret:api-key';
    const out = await verifyRemotely(
      td,
      { ssmFor: clients.ssmFor, secretsFor: clients.secretsFor },
      { region: 'us-east-1' }
    );
    expect(out.problems).toEqual([
      expect.objectContaining({ path: 'containerDefinitions[0].secrets[0].valueFrom' })
    ]);
    expect(
      ssm.commandCalls(DescribeParametersCommand).map(c => c.args[0].input.ParameterFilters?.[0].Values)
    ).toEqual([['/prod/db-url']]);
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(0);
  });

  describe('an image in another account’s registry', () => {
    const OTHER = '999988887777.dkr.ecr.us-east-1.amazonaws.com/base/web:1.4.0';
    const deniedBy = (caller: string) =>
      explainAccessDenied(
        Object.assign(
          new Error(
            `User: arn:aws:sts::${caller}:assumed-role/deploy/gha is not authorized to perform: ecr:DescribeImages on resource: arn:aws:ecr:us-east-1:999988887777:repository/base/web because no resource-based policy allows the ecr:DescribeImages action`
          ),
          { name: 'AccessDeniedException' }
        ),
        'ecr:DescribeImages'
      );
    const withOther = () => {
      const td = good();
      td.containerDefinitions![1].image = OTHER;
      return td;
    };

    it('denied: the registry’s policy decides, the check is skipped, and the own registry is still checked', async () => {
      ecr
        .on(DescribeImagesCommand, { registryId: '999988887777' })
        .rejects(deniedBy('123456789012'))
        .on(DescribeImagesCommand, { registryId: '123456789012' })
        .resolves({ imageDetails: [{}] });
      const out = await verifyRemotely(withOther(), { ecrFor: clients.ecrFor }, { region: 'us-east-1' });
      expect(out.problems).toEqual([]);
      expect(out.checked).toEqual(['image web:sha-1a2b3c4 exists in ECR']);
      expect(out.skipped).toEqual([
        "image base/web:1.4.0: skipped, the image is in another account's registry (999988887777), whose repository policy decides who may read it, and this check was denied. Make sure that policy lets the tasks' execution role pull it."
      ]);
      expect(out.skipped.join('\n')).not.toMatch(/may not call ecr:DescribeImages/);
    });

    it('knows the deploying account from the denial when the task definition names no role', async () => {
      ecr.on(DescribeImagesCommand).rejects(deniedBy('123456789012'));
      const td = withOther();
      delete td.executionRoleArn;
      td.containerDefinitions = [td.containerDefinitions![1]];
      const out = await verifyRemotely(td, { ecrFor: clients.ecrFor }, { region: 'us-east-1' });
      expect(out.skipped).toEqual([expect.stringMatching(/another account's registry \(999988887777\)/)]);
    });

    it('in the deploying account’s own registry, a denial is the role’s missing permission', async () => {
      ecr.on(DescribeImagesCommand).rejects(deniedBy('123456789012'));
      const td = good();
      td.containerDefinitions = [td.containerDefinitions![0]];
      const out = await verifyRemotely(td, { ecrFor: clients.ecrFor }, { region: 'us-east-1' });
      expect(out.skipped).toEqual([
        expect.stringMatching(/^image web:sha-1a2b3c4: skipped, the role may not call ecr:DescribeImages/)
      ]);
    });
  });
});
