import { describe, expect, it } from '@jest/globals';
import { arnProblem, secretSource } from './secret-source.js';

describe('secretSource', () => {
  it('tells SSM parameters from Secrets Manager secrets, and the secret from its JSON key', () => {
    expect(secretSource('arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db', 'us-east-1')).toEqual({
      kind: 'ssm',
      region: 'eu-west-1',
      name: '/prod/db'
    });
    expect(secretSource('arn:aws:ssm:eu-west-1:123456789012:parameter/plain', 'us-east-1')).toMatchObject({
      name: 'plain'
    });
    expect(secretSource('db-password', 'us-east-1')).toEqual({
      kind: 'ssm',
      region: 'us-east-1',
      name: 'db-password'
    });
    expect(
      secretSource('arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf:token::', 'us-east-1')
    ).toEqual({
      kind: 'secretsmanager',
      region: 'us-east-1',
      id: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf'
    });
  });
});

describe('arnProblem', () => {
  it.each([
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf:password::',
    'arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db',
    'arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/db',
    'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db-AbCdEf',
    'db-password',
    '/prod/db'
  ])('accepts %s', valueFrom => expect(arnProblem(valueFrom)).toBeUndefined());

  it.each([
    [
      'arn:aws:secretsmanager:us-east-1:12345:secret:prod/db-AbCdEf',
      "is not a well-formed ARN: the account ID '12345' is not 12 digits."
    ],
    [
      'arn:aws:ssm:us-east-1:123456789012:prod/db',
      'is not a well-formed ARN: the resource is not parameter/<name>.'
    ],
    ['arn:aws:ssm:useast1:123456789012:parameter/db', "is not a well-formed ARN: 'useast1' is no region."],
    ['arn:amazon:ssm:us-east-1:123456789012:parameter/db', "'amazon' is no AWS partition"],
    ['arn:aws:secretsmanager:us-east-1:123456789012', 'fewer than six parts'],
    [
      'arn:aws:s3:::bucket/db.txt',
      "names a 's3' resource; a secret comes from Secrets Manager or SSM Parameter Store."
    ]
  ])('says what is wrong with %s', (valueFrom, message) => {
    const problem = arnProblem(valueFrom);
    expect(problem?.message).toContain(message);
    expect(problem?.fix).toMatch(/^Copy the ARN/);
    // Never looked up as a parameter name.
    expect(secretSource(valueFrom, 'us-east-1')).toBeUndefined();
  });

  it('shows the form of the service the ARN names', () => {
    expect(arnProblem('arn:aws:secretsmanager:us-east-1:1:secret:x')?.fix).toContain(
      'arn:aws:secretsmanager:<region>:<12-digit account ID>:secret:<name>-<6 characters>'
    );
  });
});
