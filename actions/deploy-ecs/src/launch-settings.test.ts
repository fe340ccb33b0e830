import { describe, expect, it } from '@jest/globals';
import type { ServiceVolumeConfiguration } from '@aws-sdk/client-ecs';
import { describedAsRequest } from './compare.js';
import { taskVolumeConfigurations, verifyLaunchSettings } from './launch-settings.js';
import { runTaskRequest } from './runtask.js';
import { CLUSTER, describedTaskDefinition, deployment, service, tdArn } from './testing/fixtures.js';

const ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRole';
// The volume of the developer guide's example ("Specify Amazon EBS volume configuration at Amazon ECS deployment").
const DATA: ServiceVolumeConfiguration = {
  name: 'ebs-volume',
  managedEBSVolume: {
    encrypted: true,
    volumeType: 'gp3',
    sizeInGiB: 10,
    iops: 3000,
    throughput: 125,
    tagSpecifications: [
      { resourceType: 'volume', tags: [{ key: 'key1', value: 'value1' }], propagateTags: 'SERVICE' }
    ],
    roleArn: ROLE,
    filesystemType: 'xfs'
  }
};
const atLaunch = describedTaskDefinition(8, {
  volumes: [
    { name: 'ebs-volume', configuredAtLaunch: true },
    { name: 'scratch', host: {} }
  ]
});
const request = describedAsRequest(atLaunch);

describe('verifyLaunchSettings', () => {
  it('accepts a configuration of the volume the task definition leaves to launch', () => {
    expect(verifyLaunchSettings(request, { volumeConfigurations: [DATA] })).toEqual({
      problems: [],
      notes: []
    });
  });

  it.each([
    ['data', "the task definition has no volume 'data'.", "Configure 'ebs-volume'"],
    [
      'scratch',
      "the task definition's volume 'scratch' is not configured at launch",
      "Configure 'ebs-volume'"
    ]
  ])('refuses a configuration of %s, blamed on the input by its path', (name, message, fix) => {
    const configs = [{ ...DATA, name }];
    expect(verifyLaunchSettings(request, { volumeConfigurations: configs }).problems).toEqual([
      {
        path: 'volumeConfigurations[0].name',
        message: expect.stringContaining(message),
        fix: expect.stringContaining(fix)
      }
    ]);
  });

  it('tells how to add the volume when the task definition configures none at launch', () => {
    const none = describedAsRequest(describedTaskDefinition(8));
    expect(verifyLaunchSettings(none, { volumeConfigurations: [DATA] }).problems[0].fix).toMatch(
      /"configuredAtLaunch": true/
    );
  });

  it('refuses a second volume configured at launch (ECS allows one)', () => {
    const two = describedAsRequest(
      describedTaskDefinition(8, {
        volumes: [
          { name: 'a', configuredAtLaunch: true },
          { name: 'b', configuredAtLaunch: true }
        ]
      })
    );
    expect(verifyLaunchSettings(two, {}).problems.map(p => p.path)).toEqual([
      'volumes[1].configuredAtLaunch'
    ]);
  });

  it('refuses ECS Exec without a task role (RunTask and the API reference require one)', () => {
    const noRole = describedAsRequest(describedTaskDefinition(8, { taskRoleArn: undefined }));
    expect(verifyLaunchSettings(noRole, { enableExecuteCommand: true }).problems).toEqual([
      expect.objectContaining({ path: 'enableExecuteCommand' })
    ]);
    expect(verifyLaunchSettings(noRole, { enableExecuteCommand: false }).problems).toEqual([]);
    expect(verifyLaunchSettings(request, { enableExecuteCommand: true }).problems).toEqual([]);
  });

  it("notes a volume left to launch that nothing configures; the service's configuration counts", () => {
    expect(verifyLaunchSettings(request, {}).notes).toEqual([
      "The volume 'ebs-volume' is configured at launch, and neither 'volume-configurations' nor the service configures it."
    ]);
    const configured = service({
      deployments: [
        deployment({ id: 'ecs-svc/1', taskDefinition: tdArn('web', 7), volumeConfigurations: [DATA] })
      ]
    });
    expect(verifyLaunchSettings(request, {}, configured).notes).toEqual([]);
  });
});

describe('the one-off task', () => {
  const base = { cluster: CLUSTER, taskDefinition: atLaunch, command: ['npm', 'run', 'migrate'] };

  it("gets the input's volumes as RunTask takes them, without the tag propagation only a service has", () => {
    expect(taskVolumeConfigurations([DATA], atLaunch)).toEqual([
      {
        name: 'ebs-volume',
        managedEBSVolume: {
          ...DATA.managedEBSVolume,
          tagSpecifications: [{ resourceType: 'volume', tags: [{ key: 'key1', value: 'value1' }] }]
        }
      }
    ]);
    const request = runTaskRequest(
      { ...base, service: service(), launch: { volumeConfigurations: [DATA] } },
      'app'
    );
    expect(request.volumeConfigurations?.map(v => v.name)).toEqual(['ebs-volume']);
  });

  it("gets the service's volumes when the step gives none, only those the new revision leaves to launch", () => {
    const running = service({
      deployments: [
        deployment({
          id: 'ecs-svc/1',
          taskDefinition: tdArn('web', 7),
          volumeConfigurations: [DATA, { ...DATA, name: 'old-volume' }]
        })
      ]
    });
    expect(
      runTaskRequest({ ...base, service: running }, 'app').volumeConfigurations?.map(v => v.name)
    ).toEqual(['ebs-volume']);
    expect(runTaskRequest({ ...base, service: service() }, 'app')).not.toHaveProperty('volumeConfigurations');
  });

  it("turns ECS Exec on or off as the step says, else as the service's tasks have it", () => {
    const exec = (launch: { enableExecuteCommand?: boolean }, on?: boolean) =>
      runTaskRequest({ ...base, service: service({ enableExecuteCommand: on }), launch }, 'app')
        .enableExecuteCommand;
    expect([
      exec({}),
      exec({}, true),
      exec({ enableExecuteCommand: false }, true),
      exec({ enableExecuteCommand: true })
    ]).toEqual([undefined, true, false, true]);
  });
});
