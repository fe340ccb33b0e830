import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, recordInputSource } from '../../../core/index.js';
import { getInputs } from './inputs.js';

let dir: string;
const env = { AWS_REGION: 'us-east-1' };

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'bp-inputs-')));
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app', 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(dir, 'Other.Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(dir, 'token.txt'), 'secret\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (values: Record<string, string>, e: NodeJS.ProcessEnv = env) =>
  getInputs(recordInputSource({ context: 'app', ...values }), { env: e, workspace: dir });

function problems(values: Record<string, string>, e: NodeJS.ProcessEnv = env): string[] {
  try {
    read(values, e);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems.map(p => p.describe());
  }
  throw new Error('expected an InputError');
}

describe('getInputs', () => {
  it('reads a minimal configuration with the documented defaults', () => {
    const inputs = read({ repository: 'team/app' });
    expect(inputs).toMatchObject({
      repository: 'team/app',
      registryId: undefined,
      region: 'us-east-1',
      context: join(dir, 'app'),
      file: join(dir, 'app', 'Dockerfile'),
      tags: [],
      branchTag: false,
      push: true,
      createRepository: true,
      mutability: 'IMMUTABLE',
      keepImages: undefined,
      skipExisting: true,
      cache: true,
      provenance: false,
      scanThreshold: 'NONE',
      scanTimeoutMs: 600_000
    });
  });

  it('takes the registry and region from a full repository URI', () => {
    const inputs = read({ repository: '210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/app' }, {});
    expect(inputs).toMatchObject({ repository: 'team/app', registryId: '210987654321', region: 'eu-west-1' });
  });

  it('parses tags, build args, labels, secrets, platforms and choices', () => {
    const inputs = read({
      repository: 'app',
      file: 'Other.Dockerfile',
      tags: 'latest, v1.2.3\nrelease_1',
      'build-args': 'A=1\nB=x=y\n',
      labels: 'team=pay',
      secrets: 'npm=abc=def',
      'secret-files': 'tok=token.txt',
      platforms: 'linux/amd64,linux/arm64/v8',
      'image-tag-mutability': 'mutable',
      'keep-images': '30',
      'scan-severity-threshold': 'high',
      'scan-timeout': '2m'
    });
    expect(inputs.file).toBe(join(dir, 'Other.Dockerfile'));
    expect(inputs.tags).toEqual(['latest', 'v1.2.3', 'release_1']);
    expect(inputs.buildArgs).toEqual([
      { key: 'A', value: '1' },
      { key: 'B', value: 'x=y' }
    ]);
    expect(inputs.labels).toEqual([{ key: 'team', value: 'pay' }]);
    expect(inputs.secrets).toEqual([
      { id: 'npm', value: 'abc=def', input: 'secrets' },
      { id: 'tok', file: join(dir, 'token.txt'), input: 'secret-files' }
    ]);
    expect(inputs.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(inputs.mutability).toBe('MUTABLE');
    expect(inputs.keepImages).toBe(30);
    expect(inputs.scanThreshold).toBe('HIGH');
    expect(inputs.scanTimeoutMs).toBe(120_000);
  });

  // Each case: the inputs, and every problem they give, in order (reads in action.yml order, then the cross-checks).
  it.each<[string, Record<string, string>, (string | RegExp)[]]>([
    [
      'an invalid repository name',
      { repository: 'Team/App' },
      [/^Input 'repository': 'Team\/App' is not a valid ECR repository name\. Use 2 to 256 lowercase/]
    ],
    ['a repository with a tag', { repository: 'team/app:v1' }, [/tags go in 'tags'/]],
    ['an empty path part', { repository: 'team//app' }, [/not a valid ECR repository name/]],
    [
      'invalid tags and the reserved cache tag',
      { repository: 'app', tags: 'ok, -bad, app:v1, buildcache' },
      [
        /^Input 'tags': '-bad' is not a valid image tag\. A tag is up to 128/,
        /^Input 'tags': 'app:v1' is not a valid image tag/,
        /^Input 'tags': 'buildcache' is reserved/
      ]
    ],
    ['a tag too long', { repository: 'app', tags: 'a'.repeat(129) }, [/is not a valid image tag/]],
    [
      'a missing context',
      { repository: 'app', context: 'nope' },
      [/^Input 'context': 'nope' does not exist/]
    ],
    [
      'a context that is a file',
      { repository: 'app', context: 'app/Dockerfile' },
      [/^Input 'context': 'app\/Dockerfile' is not a directory/]
    ],
    [
      'a missing Dockerfile',
      { repository: 'app', file: 'missing/Dockerfile' },
      [/^Input 'file': 'missing\/Dockerfile' does not exist/]
    ],
    [
      'a context without a Dockerfile',
      { repository: 'app', context: '.' },
      [/^Input 'file': the context '.' has no Dockerfile\. Add a Dockerfile to the context, or set 'file'/]
    ],
    [
      'a context, Dockerfile or secret file outside the workspace',
      { repository: 'app', context: '../outside', file: '/etc/passwd', 'secret-files': 'a=../../x' },
      [
        /^Input 'context': '..\/outside' is outside the workspace/,
        /^Input 'file': '\/etc\/passwd' is outside the workspace/,
        /^Input 'secret-files': line 1: '..\/..\/x' is outside the workspace/
      ]
    ],
    [
      'secret ids that become the same environment variable',
      { repository: 'app', secrets: 'npm.token=a\nnpm_token=b\nNPM-TOKEN=c\nother=d\nother=e' },
      [
        /^Input 'secrets': the secret ids 'npm.token' and 'npm_token' are the same once case and punctuation are ignored \(both become DOCKYARD_SECRET_NPM_TOKEN\)/,
        /^Input 'secrets': the secret ids 'npm.token' and 'NPM-TOKEN' are the same/,
        /^Input 'secrets': the secret id 'other' is given twice/
      ]
    ],
    [
      'a secret id given in both secrets and secret-files',
      { repository: 'app', secrets: 'tok=a', 'secret-files': 'TOK=token.txt' },
      [/^Input 'secret-files': the secret ids 'tok' and 'TOK' are the same/]
    ],
    [
      'an unknown threshold and mutability',
      { repository: 'app', 'scan-severity-threshold': 'SEVERE', 'image-tag-mutability': 'FROZEN' },
      [
        "Input 'image-tag-mutability': 'FROZEN' is not one of the accepted values. Use one of: IMMUTABLE, MUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION.",
        "Input 'scan-severity-threshold': 'SEVERE' is not one of the accepted values. Use one of: NONE, LOW, MEDIUM, HIGH, CRITICAL."
      ]
    ],
    [
      'a region or registry that contradicts the repository URI',
      {
        repository: '210987654321.dkr.ecr.eu-west-1.amazonaws.com/app',
        region: 'us-east-1',
        'registry-id': '123456789012'
      },
      [
        /^Input 'registry-id': '123456789012' differs from the account in the repository URI/,
        /^Input 'region': 'us-east-1' differs from the region in the repository URI/
      ]
    ],
    [
      'a registry id that is not an account',
      { repository: 'app', 'registry-id': '1234' },
      [
        "Input 'registry-id': '1234' is not an AWS account ID. Give the 12-digit account ID that owns the registry."
      ]
    ],
    [
      'a target that is not a stage name',
      { repository: 'app', target: '-x' },
      [/^Input 'target': '-x' is not a build stage name\. Give the name after AS/]
    ],
    [
      'keep-images, secrets, platforms, exclusions and booleans',
      {
        repository: 'app',
        'keep-images': '0',
        secrets: 'bad id=x\nnovalue\nb*d=y',
        'secret-files': 'f=missing.txt',
        platforms: 'amd64',
        'image-tag-mutability': 'IMMUTABLE_WITH_EXCLUSION',
        'mutability-exclusions': 'ok-*,bad filter',
        push: 'maybe'
      },
      [
        /^Input 'secrets': line 1 \(id 'bad'\) is not of the form ID=VALUE/,
        /^Input 'secrets': line 2 \(id 'novalue'\) is not of the form ID=VALUE/,
        /^Input 'secrets': line 3: 'b\*d' is not a secret id/,
        /^Input 'secret-files': line 1: 'missing.txt' does not exist/,
        /^Input 'platforms': 'amd64' is not a platform/,
        /^Input 'push': 'maybe' is not a boolean/,
        /^Input 'mutability-exclusions': 'bad filter' is not a tag filter/,
        /^Input 'keep-images': '0' is not a whole number from 1 to 10000/
      ]
    ],
    [
      'an exception mutability without exceptions',
      { repository: 'app', 'image-tag-mutability': 'MUTABLE_WITH_EXCLUSION' },
      [/^Input 'mutability-exclusions': is required when 'image-tag-mutability' is MUTABLE_WITH_EXCLUSION/]
    ],
    [
      'a scan threshold without a push',
      { repository: 'app', push: 'false', 'scan-severity-threshold': 'HIGH' },
      [/^Input 'scan-severity-threshold': is HIGH but 'push' is false: only pushed images are scanned/]
    ]
  ])('refuses %s, naming the input and the fix', (_case, values, expected) => {
    expect(problems(values)).toEqual(
      expected.map(e => (typeof e === 'string' ? e : expect.stringMatching(e)))
    );
  });

  it('refuses a context whose own Dockerfile is a link out of the workspace', () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'bp-outside-')));
    try {
      writeFileSync(join(outside, 'Dockerfile'), 'FROM scratch\n');
      mkdirSync(join(dir, 'linked'));
      symlinkSync(join(outside, 'Dockerfile'), join(dir, 'linked', 'Dockerfile'));
      expect(problems({ repository: 'app', context: 'linked' })).toEqual([
        expect.stringMatching(
          /^Input 'file': '[^']+linked\/Dockerfile' leads outside the workspace through a symbolic link/
        )
      ]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
      rmSync(join(dir, 'linked'), { recursive: true, force: true });
    }
  });

  it('masks secret values before checking them and never quotes a bad line', () => {
    const masked: string[] = [];
    const token = 'npm_Zx81kQ0fakeTokenValue';
    let message = '';
    try {
      getInputs(
        recordInputSource({ context: 'app', repository: 'app', secrets: `npm_token ${token}` }, masked),
        {
          env,
          workspace: dir
        }
      );
    } catch (error) {
      message = (error as InputError).message;
    }
    expect(masked).toContain(token);
    expect(message).toBe(
      "Input 'secrets': line 1 (id 'npm_token') is not of the form ID=VALUE (the line is not shown: it holds a secret). Write one entry a line: the id, '=' and the value, such as 'npm_token=${{ secrets.NPM_TOKEN }}'."
    );
  });

  it('needs a region, from the input or the environment', () => {
    expect(problems({ repository: 'app' }, {})).toEqual([
      expect.stringMatching(/^Input 'region': no AWS region is set\. Set the 'region' input/)
    ]);
    expect(read({ repository: 'app', region: 'eu-central-1' }, {}).region).toBe('eu-central-1');
    expect(read({ repository: 'app' }, { AWS_DEFAULT_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
    expect(problems({ repository: 'app', region: 'mars' }, {})[0]).toMatch(/'mars' is not an AWS region/);
  });

  it('reports every problem at once', () => {
    expect(
      problems({ repository: 'BAD', context: 'nope', tags: '.x', 'scan-severity-threshold': 'x' }, {})
    ).toHaveLength(5);
  });
});
