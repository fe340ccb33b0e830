import { describe, expect, it } from '@jest/globals';
import { awslogsStream } from './logs.js';
import { REGION, describedTaskDefinition } from './testing/fixtures.js';

describe('awslogsStream', () => {
  const app = describedTaskDefinition(8).containerDefinitions?.[0];

  it('is <prefix>/<container>/<task-id> in the group, in the container’s log region', () => {
    expect(awslogsStream(app, 'abc', 'us-east-1')).toEqual({
      group: '/ecs/web',
      stream: 'ecs/app/abc',
      region: REGION
    });
  });

  it('is unknown without a group and a prefix, or with another driver', () => {
    const groupOnly = { logDriver: 'awslogs' as const, options: { 'awslogs-group': 'g' } };
    expect(awslogsStream({ ...app, logConfiguration: groupOnly }, 'abc', REGION)).toBeUndefined();
    expect(
      awslogsStream({ ...app, logConfiguration: { logDriver: 'json-file' } }, 'abc', REGION)
    ).toBeUndefined();
  });
});
