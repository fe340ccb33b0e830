import { describe, expect, it } from '@jest/globals';
import { sameTaskDefinition } from './compare.js';
import { withoutDefaults } from './defaults.js';
import { missingMembers, normaliseTaskDefinition, removeEmpty, taskCpu, taskMemory } from './normalise.js';
import type { RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';

describe('task cpu and memory in every unit form ECS accepts', () => {
  it.each([
    ['256', '256'],
    ['1024', '1024'],
    ['1 vCPU', '1024'],
    ['1 vcpu', '1024'],
    ['.25 vcpu', '256'],
    ['0.5vCPU', '512'],
    ['2 vcpus', '2048'],
    [' 4 VCPU ', '4096']
  ])('cpu %j → %s', (text, units) => expect(taskCpu(text)).toBe(units));

  it.each([
    ['512', '512'],
    ['1GB', '1024'],
    ['1 GB', '1024'],
    ['.5 gb', '512'],
    ['0.5 GB', '512'],
    ['30gb', '30720']
  ])('memory %j → %s', (text, mib) => expect(taskMemory(text)).toBe(mib));

  it.each(['2048 MiB', '1 core', 'lots', '', '1.5'])('%j is no size ECS accepts', text => {
    expect(taskCpu(text)).toBeUndefined();
    expect(taskMemory(text)).toBeUndefined();
  });

  it('numbers from YAML become the strings ECS stores; a size it refuses is a problem on its path', () => {
    const out = normaliseTaskDefinition({
      family: 'x',
      cpu: 512,
      memory: '2048 MiB',
      containerDefinitions: [{ name: 'a', image: 'nginx' }]
    });
    expect(out.value.cpu).toBe('512');
    expect(out.value).not.toHaveProperty('memory');
    expect(out.problems).toEqual([
      expect.objectContaining({
        path: 'memory',
        message: "'2048 MiB' is not a task memory size ECS accepts."
      })
    ]);
  });
});

describe('empty values', () => {
  it('are removed, and every removed path is listed; a named variable keeps its empty value', () => {
    const removed: string[] = [];
    const value = removeEmpty(
      {
        family: 'web',
        memory: '',
        containerDefinitions: [
          {
            name: 'web',
            image: 'nginx',
            command: [''],
            logConfiguration: {},
            repositoryCredentials: { credentialsParameter: '' },
            environment: [
              { name: '', value: '' },
              { name: 'EMPTY_ON_PURPOSE', value: '' }
            ],
            dependsOn: []
          }
        ]
      },
      '',
      removed
    );
    expect(value).toEqual({
      family: 'web',
      containerDefinitions: [
        { name: 'web', image: 'nginx', environment: [{ name: 'EMPTY_ON_PURPOSE', value: '' }] }
      ]
    });
    expect(removed).toEqual([
      'memory',
      'containerDefinitions[0].command',
      'containerDefinitions[0].logConfiguration',
      'containerDefinitions[0].repositoryCredentials',
      'containerDefinitions[0].environment[0]',
      'containerDefinitions[0].dependsOn'
    ]);
  });
});

describe('types against the ECS API model', () => {
  it('converts what is obviously meant and names the path of what is wrong, collecting every problem', () => {
    const out = normaliseTaskDefinition({
      family: 'x',
      networkMode: 'AWSVPC',
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx',
          cpu: '256',
          essential: 'true',
          command: 'run',
          environment: [{ name: 'PORT', value: 8080 }],
          portMappings: [{ containerPort: '80', protocl: 'tcp' }],
          secrets: [{ name: 'DB' }],
          healthCheck: { command: ['CMD', 'true'], retries: 2.5 },
          dockerLabels: { tier: 1 }
        }
      ]
    });
    const c = (out.value.containerDefinitions as Record<string, unknown>[])[0];
    expect(c).toMatchObject({
      cpu: 256,
      essential: true,
      environment: [{ name: 'PORT', value: '8080' }],
      portMappings: [{ containerPort: 80 }],
      dockerLabels: { tier: '1' }
    });
    expect(out.value.networkMode).toBe('awsvpc');
    expect(out.unknown).toEqual(['containerDefinitions[0].portMappings[0].protocl']);
    expect(out.problems.map(p => `${p.path}: ${p.message}`)).toEqual([
      'containerDefinitions[0].command: expected a list of strings, found the string "run".',
      'containerDefinitions[0].healthCheck.retries: expected a whole number, found number 2.5.'
    ]);
    // What an app reads (environment, labels) is named by type only: the log never shows the value.
    expect(out.converted).toContain('containerDefinitions[0].environment[0].value: a number → a string');
    expect(out.converted).toContain('containerDefinitions[0].dockerLabels.tier: a number → a string');
    expect(out.converted.join('\n')).not.toMatch(/8080|"1"/);
  });

  it('leaves required members to the rendered request (missingMembers), where inputs may have given them', () => {
    const out = normaliseTaskDefinition({
      family: 'x',
      containerDefinitions: [{ name: 'web', secrets: [{ name: 'DB' }] }]
    });
    expect(out.problems).toEqual([]);
    expect(missingMembers(out.value).map(p => `${p.path}: ${p.fix}`)).toEqual([
      "containerDefinitions[0].secrets[0].valueFrom: Add 'valueFrom', or give it with the 'secrets' input (NAME=ARN).",
      "containerDefinitions[0].image: Add 'image', or give it with the 'images' input (container=image)."
    ]);
    expect(
      missingMembers({
        containerDefinitions: [{ name: 'a', image: 'b', logConfiguration: { options: {} } }]
      }).map(p => p.path)
    ).toEqual(['containerDefinitions[0].logConfiguration.logDriver', 'family']);
  });

  it('refuses an unknown launch type in requiresCompatibilities', () => {
    const out = normaliseTaskDefinition({
      family: 'x',
      requiresCompatibilities: ['FARGATE', 'fargate_spot'],
      containerDefinitions: [{ name: 'a', image: 'nginx' }]
    });
    expect(out.problems.map(p => p.path)).toEqual(['requiresCompatibilities[1]']);
  });
});

describe('defaults ECS fills in on registration', () => {
  const file = {
    family: 'efs',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '.25 vcpu',
    memory: '.5 gb',
    containerDefinitions: [
      {
        name: 'app',
        image: 'nginx',
        portMappings: [{ containerPort: 80 }],
        mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }],
        healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] }
      }
    ],
    volumes: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1234' } }]
  } as RegisterTaskDefinitionRequest;
  const stored = {
    ...file,
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        ...file.containerDefinitions![0],
        cpu: 0,
        essential: true,
        portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
        mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly: false }],
        healthCheck: { ...file.containerDefinitions![0].healthCheck!, interval: 30, timeout: 5, retries: 3 },
        environment: [],
        volumesFrom: []
      }
    ],
    volumes: [
      {
        name: 'data',
        efsVolumeConfiguration: { fileSystemId: 'fs-1234', rootDirectory: '/', transitEncryption: 'DISABLED' }
      }
    ]
  } as RegisterTaskDefinitionRequest;

  it('compare equal to their absence', () => {
    expect(sameTaskDefinition(file, stored)).toBe(true);
  });

  it('but a value that differs from the default is a change', () => {
    const other = structuredClone(stored);
    other.volumes![0].efsVolumeConfiguration!.rootDirectory = '/exports';
    expect(sameTaskDefinition(file, other)).toBe(false);
    const retries = structuredClone(stored);
    retries.containerDefinitions![0].healthCheck!.retries = 5;
    expect(sameTaskDefinition(file, retries)).toBe(false);
  });

  it('hostPort equals containerPort only in awsvpc and host modes', () => {
    const bridge = withoutDefaults({
      networkMode: 'bridge',
      containerDefinitions: [{ portMappings: [{ containerPort: 80, hostPort: 80 }] }]
    });
    expect(bridge.containerDefinitions[0].portMappings[0].hostPort).toBe(80);
    expect(bridge).not.toHaveProperty('networkMode');
  });
});
