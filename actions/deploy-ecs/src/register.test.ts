import { beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger, virtualClock } from '../../../core/index.js';
import { describedAsRequest } from './compare.js';
import { registerOrReuse } from './register.js';
import { applyChanges } from './render.js';
import { describedTaskDefinition } from './testing/fixtures.js';

const ecsMock = mockClient(ECSClient);
const clients = {
  ecs: new ECSClient({ region: 'eu-west-1' }),
  ecsNoRetry: new ECSClient({ region: 'eu-west-1' })
};
const latest = describedTaskDefinition(7);
const same = describedAsRequest(latest);
const changed = applyChanges(same, {
  images: [{ container: 'app', image: 'web:new', input: 'images', line: 1 }],
  environment: [],
  secrets: []
}).request;
const registered8 = () => ({
  taskDefinition: { ...describedTaskDefinition(8), containerDefinitions: changed.containerDefinitions }
});
const unavailable = () =>
  Object.assign(new Error('We encountered an internal error.'), {
    name: 'ServerException',
    $metadata: { httpStatusCode: 500 }
  });

beforeEach(() => {
  ecsMock.reset();
});

describe('registerOrReuse', () => {
  it('reuses the latest ACTIVE revision when the rendered task definition is the same', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: latest, tags: [] });
    const log = memoryLogger();
    const result = await registerOrReuse(clients, same, log);
    expect(result).toMatchObject({
      registered: false,
      revision: 7,
      taskDefinitionArn: latest.taskDefinitionArn
    });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0].args[0].input).toEqual({
      taskDefinition: 'web',
      include: ['TAGS']
    });
    expect(log.text()).toMatch(/identical to web:7.*reusing it/);
  });

  it('registers when something changed', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: latest });
    ecsMock.on(RegisterTaskDefinitionCommand).resolves(registered8());
    const result = await registerOrReuse(clients, changed, memoryLogger());
    expect(result).toMatchObject({ registered: true, revision: 8 });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input).toEqual(changed);
  });

  it('registers the first revision of a new family', async () => {
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .rejects(Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' }));
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: describedTaskDefinition(1) });
    expect(await registerOrReuse(clients, same, memoryLogger())).toMatchObject({
      registered: true,
      revision: 1
    });
  });

  it('never registers twice when a 5xx hid a registration that went through', async () => {
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolvesOnce({ taskDefinition: latest })
      .resolves(registered8());
    ecsMock.on(RegisterTaskDefinitionCommand).rejects(unavailable());
    const clock = virtualClock();
    const result = await registerOrReuse(clients, changed, memoryLogger(), { clock });
    expect(result).toMatchObject({ registered: true, revision: 8 });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
  });

  it('tries again after throttling that did not register', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: latest });
    ecsMock
      .on(RegisterTaskDefinitionCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves(registered8());
    const clock = virtualClock();
    const result = await registerOrReuse(clients, changed, memoryLogger(), { clock });
    expect(result).toMatchObject({ registered: true, revision: 8 });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(2);
    expect(clock.slept).toEqual([1000]);
  });

  it('fails at once on a client error such as AccessDenied or a bad request', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: latest });
    ecsMock.on(RegisterTaskDefinitionCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: iam:PassRole'), {
        name: 'AccessDeniedException'
      })
    );
    await expect(
      registerOrReuse(clients, changed, memoryLogger(), { clock: virtualClock() })
    ).rejects.toThrow(/iam:PassRole/);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
  });
});
