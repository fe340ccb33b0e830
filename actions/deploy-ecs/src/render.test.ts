import { describe, expect, it } from '@jest/globals';
import { InputError } from '../../../core/index.js';
import { describedAsRequest, normalise, sameTaskDefinition } from './compare.js';
import { diffTaskDefinitions } from './diff.js';
import {
  applyChanges,
  familyOf,
  normaliseCpu,
  normaliseMemory,
  parseTaskDefinitionText,
  revisionOf,
  problemsError,
  renderTaskDefinition,
  taskDefinitionKey,
  toRegisterRequest,
  type Changes,
  type VariableChange
} from './render.js';
import { TASK_ROLE, describedTaskDefinition, tdArn } from './testing/fixtures.js';
import { verifyLocally } from './verify-local.js';

const noChanges: Changes = { images: [], environment: [], secrets: [] };
const env = (
  fullKey: string,
  value: string | undefined,
  input: VariableChange['input'] = 'environment',
  line = 1
): VariableChange => {
  const dot = fullKey.indexOf('.');
  return {
    qualifier: dot > 0 ? fullKey.slice(0, dot) : undefined,
    key: dot > 0 ? fullKey.slice(dot + 1) : fullKey,
    fullKey,
    value,
    input,
    line
  };
};

describe('toRegisterRequest', () => {
  it('takes the describe-task-definition output with its wrapper and tags, dropping describe-only fields quietly', () => {
    const described = JSON.parse(
      JSON.stringify({ taskDefinition: describedTaskDefinition(7), tags: [{ key: 'team', value: 'web' }] })
    );
    const { request, warnings } = toRegisterRequest(described);
    expect(warnings).toEqual([]);
    for (const key of [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy'
    ]) {
      expect(request).not.toHaveProperty(key);
    }
    expect(request.family).toBe('web');
    expect(request.tags).toEqual([{ key: 'team', value: 'web' }]);
    expect(request.containerDefinitions?.map(c => c.name)).toEqual(['app', 'envoy']);
  });

  it('takes a bare task definition too', () => {
    const { request } = toRegisterRequest({
      family: 'x',
      containerDefinitions: [{ name: 'a', image: 'i' }],
      cpu: 256
    });
    expect(request).toEqual({ family: 'x', containerDefinitions: [{ name: 'a', image: 'i' }], cpu: '256' });
  });

  it('names unknown keys in a warning and drops them, at task and container level, never failing', () => {
    const { request, warnings } = toRegisterRequest({
      taskDefinition: {
        family: 'x',
        containerDefinitions: [{ name: 'a', image: 'i', bogus: 1 }],
        deploymentStrategy: 'x',
        enableFaultInjection: false
      },
      ResponseMetadata: {}
    });
    expect(request).toEqual({
      family: 'x',
      containerDefinitions: [{ name: 'a', image: 'i' }],
      enableFaultInjection: false
    });
    expect(warnings.join('\n')).toMatch(/deploymentStrategy/);
    expect(warnings.join('\n')).toMatch(/container 'a'.*bogus/);
    expect(warnings.join('\n')).toMatch(/ResponseMetadata/);
  });

  it('judges required members on the rendered request: family, containers, container name', () => {
    const rendered = (doc: Record<string, unknown>) => {
      const { request, problems } = toRegisterRequest(doc);
      return renderTaskDefinition(request, problems, noChanges).problems;
    };
    expect(rendered({ containerDefinitions: [] }).map(p => p.path)).toEqual(
      expect.arrayContaining(['family', 'containerDefinitions'])
    );
    expect(rendered({ family: 'x' }).map(p => p.path)).toEqual(['containerDefinitions']);
    const problems = rendered({ family: 'x', containerDefinitions: [{ image: 'i' }] });
    expect(problems).toEqual([
      { path: 'containerDefinitions[0].name', message: 'is required and missing.', fix: "Add 'name'." }
    ]);
    const error = problemsError(problems, new Map());
    expect(error).toMatchObject({ input: 'task-definition' });
    expect(error.describe()).toMatch(/containerDefinitions\[0\]\.name: is required/);
  });

  it('a wrong type is a problem naming the field path, never a crash, and the value is left out', () => {
    const { request, problems } = toRegisterRequest({
      family: 'x',
      containerDefinitions: [{ name: 'web', image: 'nginx', command: 'run' }]
    });
    expect(problems).toEqual([
      {
        path: 'containerDefinitions[0].command',
        message: 'expected a list of strings, found the string "run".',
        fix: expect.stringMatching(/list/)
      }
    ]);
    expect(request.containerDefinitions?.[0]).not.toHaveProperty('command');
  });
});

describe('parseTaskDefinitionText', () => {
  it('reads JSON and YAML', () => {
    expect(parseTaskDefinitionText('{"family":"a"}', 'td.json')).toEqual({ family: 'a' });
    expect(parseTaskDefinitionText('family: a\ncontainerDefinitions:\n  - name: x\n', 'td.yaml')).toEqual({
      family: 'a',
      containerDefinitions: [{ name: 'x' }]
    });
  });

  it('says what is wrong with invalid JSON or YAML', () => {
    expect(() => parseTaskDefinitionText('{"family": ', 'td.json')).toThrow(/'td.json' is not valid JSON/);
    expect(() => parseTaskDefinitionText('family: [a\n  b: :', 'td.yml')).toThrow(
      /'td.yml' is not valid YAML/
    );
    expect(() => parseTaskDefinitionText('- a\n- b', 'td.yml')).toThrow(
      /does not hold a task definition object/
    );
  });
});

describe('applyChanges', () => {
  const base = () => describedAsRequest(describedTaskDefinition(7));

  it('sets the images of several containers in one step', () => {
    const { request, problems } = applyChanges(base(), {
      ...noChanges,
      images: [
        { container: 'app', image: 'repo/web@sha256:abc', input: 'images', line: 1 },
        { container: 'envoy', image: 'envoy:2', input: 'images', line: 2 }
      ]
    });
    expect(problems).toEqual([]);
    expect(request.containerDefinitions?.map(c => c.image)).toEqual(['repo/web@sha256:abc', 'envoy:2']);
  });

  it('names an unknown container in images with the input, the line and the containers there are', () => {
    const { problems } = applyChanges(base(), {
      ...noChanges,
      images: [{ container: 'ap', image: 'x', input: 'images', line: 2 }]
    });
    expect(problems).toHaveLength(1);
    expect(problems[0].input).toBe('images');
    expect(problems[0].describe()).toMatch(/line 2: there is no container named 'ap'.*app, envoy/);
  });

  it('needs a container name for image or KEY=VALUE when there are several containers', () => {
    const { problems } = applyChanges(base(), {
      ...noChanges,
      images: [{ image: 'x', input: 'image', line: 1 }],
      environment: [env('A', '1')]
    });
    expect(problems.map(p => p.input)).toEqual(['image', 'environment']);
  });

  it('changes environment per container: sets, replaces in place, removes with KEY=, keeps = spaces and quotes', () => {
    const { request, problems } = applyChanges(base(), {
      ...noChanges,
      environment: [
        env('app.LOG_LEVEL', 'debug'),
        env('app.PORT', undefined),
        env('app.DSN', `a=b c "d" 'e'`),
        env('envoy.X', '1')
      ]
    });
    expect(problems).toEqual([]);
    expect(request.containerDefinitions?.[0].environment).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'DSN', value: `a=b c "d" 'e'` }
    ]);
    expect(request.containerDefinitions?.[1].environment).toEqual([{ name: 'X', value: '1' }]);
  });

  it('treats a dotted name as the key for a single-container task definition', () => {
    const single = { family: 'x', containerDefinitions: [{ name: 'a', image: 'i' }] };
    const { request, problems } = applyChanges(single, {
      ...noChanges,
      environment: [env('spring.profiles.active', 'prod'), env('a.B', '2')]
    });
    expect(problems).toEqual([]);
    expect(request.containerDefinitions?.[0].environment).toEqual([
      { name: 'spring.profiles.active', value: 'prod' },
      { name: 'B', value: '2' }
    ]);
  });

  it('sets and removes secrets, and sets cpu, memory, command and roles', () => {
    const arn = 'arn:aws:ssm:eu-west-1:123456789012:parameter/web/api-key';
    const { request } = applyChanges(base(), {
      ...noChanges,
      secrets: [env('app.API_KEY', arn, 'secrets'), env('app.DB_PASSWORD', undefined, 'secrets')],
      cpu: '0.5 vCPU',
      memory: '1 GB',
      command: ['npm', 'run', 'start -- --port 80'],
      container: 'app',
      taskRoleArn: 'arn:aws:iam::123456789012:role/other',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec2'
    });
    expect(request.containerDefinitions?.[0].secrets).toEqual([{ name: 'API_KEY', valueFrom: arn }]);
    expect(request.containerDefinitions?.[0].command).toEqual(['npm', 'run', 'start -- --port 80']);
    expect(request).toMatchObject({
      cpu: '512',
      memory: '1024',
      taskRoleArn: 'arn:aws:iam::123456789012:role/other',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec2'
    });
  });

  it('does not touch its argument', () => {
    const b = base();
    const copy = JSON.parse(JSON.stringify(b));
    applyChanges(b, { ...noChanges, images: [{ container: 'app', image: 'z', input: 'images', line: 1 }] });
    expect(JSON.parse(JSON.stringify(b))).toEqual(copy);
  });
});

describe('sameTaskDefinition', () => {
  it('finds a registered revision equal to the file it came from (defaults, key order, empty lists, env order)', () => {
    const registered = describedAsRequest(describedTaskDefinition(7), [{ key: 'team', value: 'web' }]);
    const file = {
      requiresCompatibilities: ['FARGATE' as const],
      memory: '0.5 GB',
      cpu: '.25 vCPU'.replace('.', '0.'),
      tags: [{ value: 'web', key: 'team' }],
      executionRoleArn: describedTaskDefinition(7).executionRoleArn,
      taskRoleArn: TASK_ROLE,
      networkMode: 'awsvpc' as const,
      family: 'web',
      containerDefinitions: [
        {
          name: 'app',
          image: describedTaskDefinition(7).containerDefinitions?.[0].image,
          portMappings: [{ containerPort: 8080, name: 'http', appProtocol: 'http' as const }],
          environment: [
            { value: '8080', name: 'PORT' },
            { name: 'LOG_LEVEL', value: 'info' }
          ],
          secrets: describedTaskDefinition(7).containerDefinitions?.[0].secrets,
          logConfiguration: {
            logDriver: 'awslogs' as const,
            options: {
              'awslogs-stream-prefix': 'ecs',
              'awslogs-group': '/ecs/web',
              'awslogs-region': 'eu-west-1'
            }
          }
        },
        { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod', essential: false }
      ]
    };
    expect(normalise(file)).toEqual(normalise(registered));
    expect(sameTaskDefinition(file, registered)).toBe(true);
  });

  it('sees a changed image, variable, tag or container order-independent field', () => {
    const a = describedAsRequest(describedTaskDefinition(7));
    const image = applyChanges(a, {
      ...noChanges,
      images: [{ container: 'app', image: 'new', input: 'images', line: 1 }]
    }).request;
    const variable = applyChanges(a, { ...noChanges, environment: [env('app.PORT', '9090')] }).request;
    expect(sameTaskDefinition(a, image)).toBe(false);
    expect(sameTaskDefinition(a, variable)).toBe(false);
    expect(sameTaskDefinition(a, { ...a, tags: [{ key: 'k', value: 'v' }] })).toBe(false);
    expect(sameTaskDefinition(a, { ...a, memory: '1024' })).toBe(false);
  });
});

describe('diffTaskDefinitions', () => {
  it('lists images, environment keys, secrets (names only), cpu/memory and roles; never values', () => {
    const running = describedAsRequest(describedTaskDefinition(7));
    const next = applyChanges(running, {
      ...noChanges,
      images: [{ container: 'app', image: 'web:2', input: 'images', line: 1 }],
      environment: [
        env('app.LOG_LEVEL', 'debug'),
        env('app.NEW', 'secretish-value'),
        env('app.PORT', undefined)
      ],
      secrets: [
        env('app.DB_PASSWORD', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db2-XyZ', 'secrets')
      ],
      memory: '1024',
      taskRoleArn: 'arn:aws:iam::123456789012:role/other'
    }).request;
    const diff = diffTaskDefinitions(running, next);
    expect(diff.changed).toBe(true);
    const byField = Object.fromEntries(
      diff.rows.map(r => [`${r.container ?? ''}/${r.field}`, `${r.before} → ${r.after}`])
    );
    expect(byField['app/image']).toMatch(/web:1\.0\.7 → web:2$/);
    expect(byField['app/environment']).toBe('2 names → +NEW -PORT ~LOG_LEVEL');
    expect(byField['app/secrets']).toBe('1 name → ~DB_PASSWORD');
    expect(byField['/memory']).toBe('512 → 1024');
    expect(byField['/task role']).toBe(`${TASK_ROLE} → arn:aws:iam::123456789012:role/other`);
    const text = JSON.stringify(diff);
    expect(text).not.toMatch(/secretish-value|db2-XyZ|debug/);
  });

  it('reports no change for the same definition, and other changed fields by name', () => {
    const running = describedAsRequest(describedTaskDefinition(7));
    expect(diffTaskDefinitions(running, running)).toEqual({ rows: [], otherFields: [], changed: false });
    const diff = diffTaskDefinitions(running, { ...running, volumes: [{ name: 'tmp' }] });
    expect(diff.otherFields).toEqual(['volumes']);
  });
});

describe('helpers', () => {
  it('parses task definition references', () => {
    expect(taskDefinitionKey(tdArn('web', 12))).toBe('web:12');
    expect(taskDefinitionKey('web:12')).toBe('web:12');
    expect(familyOf(tdArn('my-app', 3))).toBe('my-app');
    expect(revisionOf('web:12')).toBe(12);
    expect(normaliseCpu('1 vCPU')).toBe('1024');
    expect(normaliseMemory('2GB')).toBe('2048');
    expect(normaliseMemory('512')).toBe('512');
  });
});

describe('the render phase', () => {
  /** A task definition file as aws-actions' render step users write it: no image, it comes from the pipeline. */
  const withoutImage = {
    family: 'web-task-staging',
    networkMode: 'awsvpc',
    containerDefinitions: [{ name: 'web', memory: 200, cpu: 10, essential: true }]
  };
  const images = (image: string): Changes => ({
    ...noChanges,
    images: [{ container: 'web', image, input: 'images', line: 1 }]
  });
  const render = (doc: Record<string, unknown>, changes: Changes) => {
    const { request, problems } = toRegisterRequest(doc);
    return renderTaskDefinition(request, problems, changes);
  };

  it('passes a file without image whose image comes from the images input', () => {
    const rendered = render(withoutImage, images('123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2'));
    expect(rendered.problems).toEqual([]);
    expect(rendered.request.containerDefinitions?.[0].image).toBe(
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v2'
    );
  });

  it('without the images input, the image is missing, and the fix names the input', () => {
    expect(render(withoutImage, noChanges).problems).toEqual([
      {
        path: 'containerDefinitions[0].image',
        message: 'is required and missing.',
        fix: "Add 'image', or give it with the 'images' input (container=image)."
      }
    ]);
  });

  it('does not call a member of the wrong type missing besides', () => {
    const doc = { ...withoutImage, containerDefinitions: [{ name: ['web'], image: 'nginx', memory: 64 }] };
    expect(render(doc, noChanges).problems.map(p => p.path)).toEqual(['containerDefinitions[0].name']);
  });

  it('blames a problem in what an input set on that input, with its line and container', () => {
    const rendered = render(withoutImage, images('nginx:<latest>'));
    const problems = [...rendered.problems, ...verifyLocally(rendered.request)];
    const error = problemsError(problems, rendered.origins, 'verify: the task definition');
    expect(error).toMatchObject({ input: 'images' });
    expect(error.describe()).toBe(
      "Input 'images': line 1, container 'web': 'nginx:<latest>' is not an image reference. Write [registry/]repository[:tag][@sha256:digest], e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2.3; the repository is lower case."
    );
  });

  it('names each input and the file when problems come from both', () => {
    const doc = {
      ...withoutImage,
      containerDefinitions: [{ ...withoutImage.containerDefinitions[0], links: ['db'] }]
    };
    const changes: Changes = {
      ...images('nginx:<latest>'),
      secrets: [
        {
          key: 'DB',
          fullKey: 'DB',
          value: 'arn:aws:ssm:us-east-1:12345:parameter/db',
          input: 'secrets',
          line: 2
        }
      ],
      memory: '4 GB'
    };
    const rendered = render({ ...doc, requiresCompatibilities: ['FARGATE'], cpu: '256' }, changes);
    const problems = [...rendered.problems, ...verifyLocally(rendered.request)];
    const error = problemsError(problems, rendered.origins, 'verify: the task definition');
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems.map(p => p.input)).toEqual([
      'images',
      'memory',
      'secrets',
      'task-definition'
    ]);
    expect(error.describe()).toContain(
      "Input 'secrets': line 2, container 'web': 'arn:aws:ssm:us-east-1:12345:parameter/db' is not a well-formed ARN"
    );
    expect(error.describe()).toContain("Input 'memory': 4096 MiB does not go with 256 CPU units on Fargate.");
    expect(error.describe()).toContain("Input 'task-definition': verify: the task definition has");
  });

  it('keeps the path of a secret an input set, where the list ends up', () => {
    const doc = {
      ...withoutImage,
      containerDefinitions: [
        {
          ...withoutImage.containerDefinitions[0],
          image: 'nginx',
          secrets: [
            { name: 'A', valueFrom: 'a' },
            { name: 'B', valueFrom: 'b' }
          ]
        }
      ]
    };
    const secret = (key: string, value: string | undefined, line: number): VariableChange => ({
      key,
      fullKey: key,
      value,
      input: 'secrets',
      line
    });
    const rendered = render(doc, { ...noChanges, secrets: [secret('C', 'c', 1), secret('A', undefined, 2)] });
    expect(rendered.request.containerDefinitions?.[0].secrets?.map(x => x.name)).toEqual(['B', 'C']);
    expect([...rendered.origins]).toEqual([
      ['containerDefinitions[0].secrets[1].valueFrom', { input: 'secrets', line: 1, container: 'web' }]
    ]);
  });
});
