import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, recordInputSource } from '../../../core/index.js';
import { getInputs, splitCommand } from './inputs.js';
import { parseRevision } from './registered.js';

let root: string;
let dir: string;
beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'deploy-ecs-inputs-')));
  dir = join(root, 'ws');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'td.json'),
    JSON.stringify({
      family: 'web-${var.STAGE}',
      containerDefinitions: [{ name: 'app', image: 'repo:${var.TAG}' }]
    })
  );
  writeFileSync(
    join(dir, 'td.yaml'),
    'family: web\ncontainerDefinitions:\n  - name: app\n    image: "repo:${var.TAG}"\n'
  );
  writeFileSync(
    join(dir, 'plain.json'),
    JSON.stringify({ family: 'web', containerDefinitions: [{ name: 'app', image: 'repo:${TAG}' }] })
  );
  writeFileSync(join(root, 'outside.json'), JSON.stringify({ family: 'outside' }));
  writeFileSync(join(root, 'outside.env'), 'SECRET=1\n');
  symlinkSync(join(root, 'outside.json'), join(dir, 'link.json'));
  writeFileSync(join(dir, 'bad.json'), '{"family": "web",');
  writeFileSync(join(dir, 'bad.yaml'), 'family: web\n  containerDefinitions: [\n');
  writeFileSync(join(dir, 'app.env'), '# comment\nexport A=1\nB=x=y "z"\n\nC=\n');
  writeFileSync(join(dir, 'broken.env'), 'JUSTAWORD\n');
  // Lines people really get wrong: a pasted secret without its key, a space in the key, a YAML-style colon.
  writeFileSync(
    join(dir, 'secrets.env'),
    'DB_HOST=db\nsk_live_51HqLyjWDarjtT1zdp7dc\nDB PASSWORD=hunter2\nAPI_TOKEN: ghp_16C7e42F292c6912E7710c838347Ae178B4a\n'
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const read = (values: Record<string, string>) =>
  getInputs(recordInputSource({ cluster: 'prod', service: 'web', region: 'eu-west-1', ...values }), {
    workspace: dir,
    env: {}
  });

function problems(values: Record<string, string>): string[] {
  try {
    read(values);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems.map(p => `${p.input}: ${p.message}`);
  }
  throw new Error('expected an InputError');
}

describe('getInputs', () => {
  it('has the documented defaults', () => {
    const inputs = read({});
    expect(inputs).toMatchObject({
      cluster: 'prod',
      service: 'web',
      region: 'eu-west-1',
      wait: true,
      timeoutMs: 15 * 60_000,
      pollIntervalMs: 5000,
      rollback: true,
      keepRevisions: 0,
      dryRun: false,
      forceNewDeployment: false,
      images: [],
      environment: [],
      secrets: []
    });
  });

  it('reads a JSON task definition and fills its placeholders from vars', () => {
    const inputs = read({ 'task-definition': 'td.json', vars: 'STAGE=prod\nTAG=1.2.3' });
    expect(inputs.taskDefinition).toEqual({
      family: 'web-prod',
      containerDefinitions: [{ name: 'app', image: 'repo:1.2.3' }]
    });
  });

  it('reads YAML and warns about unused vars', () => {
    const inputs = read({ 'task-definition': 'td.yaml', vars: 'TAG=9\nUNUSED=1' });
    expect(inputs.taskDefinition).toMatchObject({
      family: 'web',
      containerDefinitions: [{ image: 'repo:9' }]
    });
    expect(inputs.warnings.join()).toMatch(/UNUSED/);
  });

  it('names a placeholder without a value', () => {
    expect(problems({ 'task-definition': 'td.json', vars: 'TAG=1' })).toEqual([
      "task-definition: ${var.STAGE} in 'td.json' has no value."
    ]);
  });

  it('refuses a plain ${NAME} that names a declared var: the marker was forgotten', () => {
    expect(problems({ 'task-definition': 'plain.json', vars: 'TAG=1' })).toEqual([
      expect.stringMatching(
        /^task-definition: \$\{TAG\} in 'plain.json' names a declared value without the 'var.' marker/
      )
    ]);
    // Undeclared, it is text the platform fills in: passed through untouched.
    expect(read({ 'task-definition': 'plain.json' }).taskDefinition).toMatchObject({
      containerDefinitions: [{ image: 'repo:${TAG}' }]
    });
  });

  it('refuses task definition and env files outside the workspace, through .., / or a symlink', () => {
    expect(
      problems({
        'task-definition': '../outside.json',
        'env-files': `${join(root, 'outside.env')}\napp=../outside.env`
      })
    ).toEqual([
      `task-definition: '../outside.json' is outside the workspace (${dir}).`,
      `env-files: line 1: '${join(root, 'outside.env')}' is outside the workspace (${dir}).`,
      `env-files: line 2: '../outside.env' is outside the workspace (${dir}).`
    ]);
    expect(problems({ 'task-definition': 'link.json' })).toEqual([
      `task-definition: 'link.json' leads outside the workspace through a symbolic link (to ${join(root, 'outside.json')}).`
    ]);
  });

  it('names a missing file, invalid JSON and invalid YAML', () => {
    expect(problems({ 'task-definition': 'nope.json' })).toEqual([
      expect.stringMatching(/^task-definition: 'nope.json' does not exist/)
    ]);
    expect(problems({ 'task-definition': 'bad.json' })).toEqual([
      expect.stringMatching(/^task-definition: 'bad.json' is not valid JSON/)
    ]);
    expect(problems({ 'task-definition': 'bad.yaml' })).toEqual([
      expect.stringMatching(/^task-definition: 'bad.yaml' is not valid YAML/)
    ]);
  });

  it('needs task-definition when there is no service', () => {
    expect(problems({ service: '' })).toEqual([
      expect.stringMatching(/^task-definition: is required when 'service' is not set/)
    ]);
  });

  it('reads images, image + container, environment and secrets, keeping values intact', () => {
    const inputs = read({
      images: 'app=repo/web@sha256:abc\nenvoy = envoy:2',
      image: 'other:1',
      container: 'worker',
      environment: `app.DSN=postgres://u:p@h/db?x=1 "q" 'r'\nLOG_LEVEL=\napp.A.B=1`,
      secrets: 'app.DB=arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbC'
    });
    expect(inputs.images).toEqual([
      { container: 'app', image: 'repo/web@sha256:abc', input: 'images', line: 1 },
      { container: 'envoy', image: 'envoy:2', input: 'images', line: 2 },
      { container: 'worker', image: 'other:1', input: 'image', line: 1 }
    ]);
    expect(inputs.environment).toEqual([
      {
        qualifier: 'app',
        key: 'DSN',
        fullKey: 'app.DSN',
        value: `postgres://u:p@h/db?x=1 "q" 'r'`,
        input: 'environment',
        line: 1
      },
      {
        qualifier: undefined,
        key: 'LOG_LEVEL',
        fullKey: 'LOG_LEVEL',
        value: undefined,
        input: 'environment',
        line: 2
      },
      { qualifier: 'app', key: 'A.B', fullKey: 'app.A.B', value: '1', input: 'environment', line: 3 }
    ]);
    expect(inputs.secrets[0]).toMatchObject({
      qualifier: 'app',
      key: 'DB',
      value: expect.stringMatching(/^arn:aws:secretsmanager/)
    });
  });

  it('names malformed lines with their line numbers, all at once', () => {
    const found = problems({
      images: 'app=repo:1\njustanimage',
      environment: 'NOEQUALS',
      secrets: 'X=not an arn'
    });
    expect(found).toEqual([
      expect.stringMatching(/^images: line 2 has no '=': it is not of the form KEY=VALUE/),
      "environment: line 1 has no '=': it is not of the form KEY=VALUE.",
      expect.stringMatching(/^secrets: line 1: the value of 'X' is not an ARN/)
    ]);
  });

  it('reads env files (comments, export, values with = and quotes, empty removes) before environment', () => {
    const inputs = read({ 'env-files': 'app=app.env', environment: 'app.A=2' });
    expect(inputs.environment.map(e => [e.input, e.qualifier, e.key, e.value])).toEqual([
      ['env-files', 'app', 'A', '1'],
      ['env-files', 'app', 'B', 'x=y "z"'],
      ['env-files', 'app', 'C', ''],
      ['environment', 'app', 'A', '2']
    ]);
    expect(problems({ 'env-files': 'missing.env' })).toEqual([
      expect.stringMatching(/^env-files: line 1: 'missing.env' does not exist/)
    ]);
    expect(problems({ 'env-files': 'broken.env' })).toEqual([
      expect.stringMatching(/^env-files: 'broken.env' line 1/)
    ]);
  });

  it('names a malformed env-file line by file, number and key, never by its text (it may hold a secret)', () => {
    const found = problems({ 'env-files': 'secrets.env' });
    expect(found).toEqual([
      "env-files: 'secrets.env' line 2 is not of the form KEY=VALUE (the line is not shown: an env file holds values).",
      "env-files: 'secrets.env' line 3 (key 'DB …' has a space) is not of the form KEY=VALUE (the line is not shown: an env file holds values).",
      "env-files: 'secrets.env' line 4 is not of the form KEY=VALUE (the line is not shown: an env file holds values)."
    ]);
    for (const secret of ['sk_live', 'hunter2', 'ghp_16C7e42F'])
      expect(found.join('\n')).not.toContain(secret);
  });

  it.each([
    ['images', 'app=repo/web:1\r::add-mask::repo', 'images: line 1 holds a control character (\\r).'],
    ['images', 'app=repo/web:1\u001b[8m', 'images: line 1 holds a control character (U+001B).'],
    ['image', 'repo/web:1\u0000', 'image: line 1 holds a control character (U+0000).']
  ])(
    'refuses a control character in %s, naming the input and not quoting the value',
    (input, value, message) => {
      const found = problems({ [input]: value });
      expect(found).toEqual([message]);
    }
  );

  it('parses command and run-task with shell quoting, refusing shell operators', () => {
    const inputs = read({
      command: `node server.js --name "my app" 'a b'`,
      'run-task': 'npm run migrate -- --to=latest'
    });
    expect(inputs.command).toEqual(['node', 'server.js', '--name', 'my app', 'a b']);
    expect(inputs.runTask).toEqual(['npm', 'run', 'migrate', '--', '--to=latest']);
    expect(problems({ 'run-task': 'migrate && seed' })).toEqual([
      expect.stringMatching(/^run-task: '&&' is a shell operator/)
    ]);
    expect(splitCommand(`sh -c 'a | b'`)).toEqual(['sh', '-c', 'a | b']);
    expect(splitCommand('echo $HOME')).toEqual(['echo', '$HOME']);
  });

  it('checks cpu, memory, roles, counts, durations and booleans', () => {
    expect(read({ cpu: '0.5 vCPU', memory: '2 GB' })).toMatchObject({ cpu: '0.5 vCPU', memory: '2 GB' });
    const found = problems({
      cpu: 'lots',
      memory: '1TB',
      'task-role-arn': 'web-role',
      'desired-count': '-1',
      timeout: 'soon',
      wait: 'maybe',
      'keep-revisions': 'x'
    });
    expect(found.map(f => f.split(':')[0]).sort()).toEqual([
      'cpu',
      'desired-count',
      'keep-revisions',
      'memory',
      'task-role-arn',
      'timeout',
      'wait'
    ]);
  });

  it('needs a region, and a service for desired-count', () => {
    expect(problems({ region: '' })).toEqual([expect.stringMatching(/^region: no AWS region is set/)]);
    expect(
      problems({ service: '', 'task-definition': 'td.yaml', vars: 'TAG=1', 'desired-count': '2' })
    ).toEqual([expect.stringMatching(/^desired-count: needs 'service'/)]);
  });
});

describe('GitHub deployment inputs', () => {
  const on = { 'github-deployment': 'true', 'github-token': 'ghs_token' };

  it('are off by default, and then ignore the other inputs with a warning', () => {
    expect(read({}).github).toBeUndefined();
    const inputs = read({ 'github-environment': 'production', 'environment-url': 'https://app.example.com' });
    expect(inputs.github).toBeUndefined();
    expect(inputs.warnings).toContain(
      "'github-environment', 'environment-url' set, but 'github-deployment' is false: no GitHub deployment is recorded."
    );
  });

  it('read the environment, the URL, the token and production-environment', () => {
    expect(read({ ...on, 'github-environment': 'production' }).github).toEqual({
      environment: 'production',
      token: 'ghs_token',
      environmentUrl: undefined,
      production: undefined
    });
    expect(
      read({
        ...on,
        'github-environment': 'live',
        'environment-url': 'https://app.example.com/health',
        'production-environment': 'true'
      }).github
    ).toEqual({
      environment: 'live',
      token: 'ghs_token',
      environmentUrl: 'https://app.example.com/health',
      production: true
    });
  });

  it('mask the token as soon as it is read', () => {
    const masked: string[] = [];
    getInputs(
      recordInputSource(
        { cluster: 'prod', service: 'web', region: 'eu-west-1', ...on, 'github-environment': 'production' },
        masked
      ),
      { env: {} }
    );
    expect(masked).toContain('ghs_token');
  });

  it('need a GitHub environment, a token and an http(s) URL, and keep `environment` for containers', () => {
    expect(
      problems({
        'github-deployment': 'true',
        'github-token': '',
        'environment-url': 'app.example.com',
        'production-environment': 'maybe',
        environment: 'LOG_LEVEL=debug'
      })
    ).toEqual([
      "production-environment: 'maybe' is not a boolean.",
      "environment-url: 'app.example.com' is not an http(s) URL.",
      "github-environment: is required when 'github-deployment' is true.",
      "github-token: is empty, and 'github-deployment' needs a token."
    ]);
  });
});

// The inputs of a release: a registered revision as it is, the volumes configured at launch, ECS Exec.
const ARN = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7';
const ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRole';

describe('task-definition-arn', () => {
  it.each([
    [ARN, { reference: ARN, key: 'web:7', region: 'eu-west-1' }],
    ['arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/api_v2-x:12', { key: 'api_v2-x:12' }],
    ['web:7', { reference: 'web:7', key: 'web:7' }],
    ['web', undefined],
    ['web:0', undefined],
    ['web:latest', undefined],
    ['arn:aws:ecs:eu-west-1:1234:task-definition/web:7', undefined],
    ['arn:aws:ecs:eu-west-1:123456789012:service/prod/web', undefined]
  ])('%s is read as %j', (text, expected) => {
    expect(parseRevision(text)).toEqual(
      expected === undefined ? undefined : expect.objectContaining(expected)
    );
  });

  it('reads a revision, with no task definition to render', () => {
    const inputs = read({ 'task-definition-arn': ARN });
    expect(inputs.registered).toEqual({ reference: ARN, key: 'web:7', region: 'eu-west-1' });
    expect(inputs.taskDefinition).toBeUndefined();
    // Without a service it needs a one-off task to run on.
    expect(
      read({ service: '', 'task-definition-arn': 'web:7', 'run-task': 'npm run migrate' }).registered
    ).toEqual(expect.objectContaining({ key: 'web:7' }));
  });

  it('refuses the inputs that render, naming them all in one problem', () => {
    expect(
      problems({ 'task-definition-arn': ARN, image: 'nginx:1.27', environment: 'A=1', 'task-role-arn': ROLE })
    ).toEqual([
      "task-definition-arn: deploys the registered revision as it is, so it cannot be combined with 'image', 'environment', 'task-role-arn'."
    ]);
  });

  it('names a family without a revision, something else, another region, and nothing to do', () => {
    expect(problems({ 'task-definition-arn': 'web' })).toEqual([
      "task-definition-arn: 'web' names a family but no revision."
    ]);
    expect(
      problems({ 'task-definition-arn': 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web' })
    ).toEqual([
      "task-definition-arn: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web' is not a task definition."
    ]);
    expect(problems({ 'task-definition-arn': ARN.replace('eu-west-1', 'us-east-1') })).toEqual([
      `task-definition-arn: '${ARN.replace('eu-west-1', 'us-east-1')}' is registered in us-east-1, but the step deploys in eu-west-1.`
    ]);
    expect(problems({ service: '', 'task-definition-arn': ARN })).toEqual([
      "task-definition-arn: needs 'service' or 'run-task': with neither, there is nothing to do with the revision."
    ]);
  });
});

const volume = (ebs: Record<string, unknown>, name = 'data') =>
  JSON.stringify([{ name, managedEBSVolume: { roleArn: ROLE, ...ebs } }]);

describe('volume-configurations', () => {
  it('reads JSON or YAML as UpdateService takes it, converting what YAML typed otherwise', () => {
    const yaml = `- name: data\n  managedEBSVolume:\n    volumeType: gp3\n    sizeInGiB: "20"\n    encrypted: true\n    roleArn: ${ROLE}\n`;
    expect(read({ 'volume-configurations': yaml }).launch.volumeConfigurations).toEqual([
      { name: 'data', managedEBSVolume: { volumeType: 'gp3', sizeInGiB: 20, encrypted: true, roleArn: ROLE } }
    ]);
    // One object is a list of one; an empty list removes the service's.
    expect(read({ 'volume-configurations': volume({ sizeInGiB: 5 }).slice(1, -1) }).launch).toEqual({
      volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: ROLE, sizeInGiB: 5 } }],
      enableExecuteCommand: undefined
    });
    expect(read({ 'volume-configurations': '[]' }).launch.volumeConfigurations).toEqual([]);
    expect(read({}).launch).toEqual({ volumeConfigurations: undefined, enableExecuteCommand: undefined });
  });

  // The rules of ServiceManagedEBSVolumeConfiguration in the ECS API reference.
  it.each([
    [volume({}), '[0].managedEBSVolume.sizeInGiB: is missing, and so is snapshotId.'],
    [
      JSON.stringify([{ name: 'data', managedEBSVolume: { sizeInGiB: 1 } }]),
      '[0].managedEBSVolume.roleArn: is required and missing.'
    ],
    [
      JSON.stringify([{ managedEBSVolume: { sizeInGiB: 1, roleArn: ROLE } }]),
      '[0].name: is required and missing.'
    ],
    [JSON.stringify([{ name: 'data' }]), '[0]: configures no volume.'],
    [
      volume({ sizeInGiB: 'big' }),
      '[0].managedEBSVolume.sizeInGiB: expected a whole number, found the string "big".'
    ],
    [
      volume({ sizeInGiB: 5, volumeType: 'st1' }),
      '[0].managedEBSVolume.sizeInGiB: 5 GiB is outside 125–16384, the sizes of st1.'
    ],
    [volume({ sizeInGiB: 50, volumeType: 'io2' }), '[0].managedEBSVolume.iops: is required for io2 volumes.'],
    [
      volume({ sizeInGiB: 50, volumeType: 'gp3', iops: 100 }),
      '[0].managedEBSVolume.iops: 100 is outside 3000–16000, the IOPS of gp3.'
    ],
    [
      volume({ sizeInGiB: 500, volumeType: 'sc1', iops: 100 }),
      '[0].managedEBSVolume.iops: is not supported for sc1 volumes.'
    ],
    [
      volume({ sizeInGiB: 50, volumeType: 'gp2', throughput: 250 }),
      '[0].managedEBSVolume.throughput: is supported for gp3 volumes only, not gp2.'
    ],
    [
      volume({ sizeInGiB: 50, volumeInitializationRate: 100 }),
      '[0].managedEBSVolume.volumeInitializationRate: is given without snapshotId.'
    ],
    [
      volume({ sizeInGiB: 50, filesystemType: 'btrfs' }),
      "[0].managedEBSVolume.filesystemType: 'btrfs' is not one of ext3, ext4, xfs, ntfs."
    ],
    [
      volume({ sizeInGiB: 50, roleArn: 'ecsInfrastructureRole' }),
      "[0].managedEBSVolume.roleArn: 'ecsInfrastructureRole' is not an IAM role ARN."
    ],
    [
      volume({
        sizeInGiB: 50,
        tagSpecifications: [{ resourceType: 'volume', tags: [{ key: 'AmazonECSManaged', value: 'x' }] }]
      }),
      "[0].managedEBSVolume.tagSpecifications[0].tags[0].key: 'AmazonECSManaged' is a tag ECS reserves."
    ],
    [volume({ sizeInGiB: 50, sizeInGb: 50 }), '[0].managedEBSVolume.sizeInGb is not a member ECS knows.'],
    ['name: [', expect.stringMatching(/^is not valid JSON or YAML: /)],
    ['"data"', 'is not a list of volume configurations.']
  ])('%s: %s', (text, message) => {
    expect(problems({ 'volume-configurations': text })).toEqual([
      typeof message === 'string'
        ? `volume-configurations: ${message}`
        : expect.stringMatching(/^volume-configurations: /)
    ]);
  });

  it('names a volume configured twice', () => {
    const twice = JSON.stringify([
      { name: 'data', managedEBSVolume: { sizeInGiB: 1, roleArn: ROLE } },
      { name: 'data', managedEBSVolume: { snapshotId: 'snap-0a1b2c3d4e5f60718', roleArn: ROLE } }
    ]);
    expect(problems({ 'volume-configurations': twice })).toEqual([
      "volume-configurations: [1].name: 'data' is configured twice."
    ]);
  });
});

describe('enable-execute-command', () => {
  it('is left as the service has it unless given', () => {
    expect(read({ 'enable-execute-command': 'true' }).launch.enableExecuteCommand).toBe(true);
    expect(read({ 'enable-execute-command': 'false' }).launch.enableExecuteCommand).toBe(false);
    expect(problems({ 'enable-execute-command': 'yes please' })).toEqual([
      "enable-execute-command: 'yes please' is not a boolean."
    ]);
  });

  it('needs tasks to apply to, as volume-configurations does', () => {
    expect(
      problems({
        service: '',
        'task-definition-arn': 'web:7',
        'enable-execute-command': 'true',
        'volume-configurations': volume({ sizeInGiB: 1 })
      })
    ).toEqual([
      "task-definition-arn: needs 'service' or 'run-task': with neither, there is nothing to do with the revision.",
      "volume-configurations: needs 'service' or 'run-task': it applies to the tasks they start.",
      "enable-execute-command: needs 'service' or 'run-task': it applies to the tasks they start."
    ]);
  });
});
