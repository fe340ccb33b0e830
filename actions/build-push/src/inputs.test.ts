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

  it('rejects an invalid repository name, naming the input and the fix', () => {
    expect(problems({ repository: 'Team/App' })).toEqual([
      expect.stringMatching(
        /^Input 'repository': 'Team\/App' is not a valid ECR repository name\. Use 2 to 256 lowercase/
      )
    ]);
    expect(problems({ repository: 'team/app:v1' })[0]).toMatch(/tags go in 'tags'/);
    expect(problems({ repository: 'team//app' })[0]).toMatch(/not a valid ECR repository name/);
  });

  it('rejects invalid tags and the reserved cache tag', () => {
    expect(problems({ repository: 'app', tags: 'ok, -bad, app:v1, buildcache' })).toEqual([
      expect.stringMatching(/^Input 'tags': '-bad' is not a valid image tag\. A tag is up to 128/),
      expect.stringMatching(/^Input 'tags': 'app:v1' is not a valid image tag/),
      expect.stringMatching(/^Input 'tags': 'buildcache' is reserved/)
    ]);
    expect(problems({ repository: 'app', tags: 'a'.repeat(129) })[0]).toMatch(/is not a valid image tag/);
  });

  it('rejects a missing context and a missing Dockerfile', () => {
    expect(problems({ repository: 'app', context: 'nope' })).toEqual([
      expect.stringMatching(/^Input 'context': 'nope' does not exist/)
    ]);
    expect(problems({ repository: 'app', context: 'app/Dockerfile' })).toEqual([
      expect.stringMatching(/^Input 'context': 'app\/Dockerfile' is not a directory/)
    ]);
    expect(problems({ repository: 'app', file: 'missing/Dockerfile' })).toEqual([
      expect.stringMatching(/^Input 'file': 'missing\/Dockerfile' does not exist/)
    ]);
    expect(problems({ repository: 'app', context: '.' })).toEqual([
      expect.stringMatching(
        /^Input 'file': the context '.' has no Dockerfile\. Add a Dockerfile to the context, or set 'file'/
      )
    ]);
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

  it('refuses a context, Dockerfile or secret file outside the workspace', () => {
    expect(
      problems({ repository: 'app', context: '../outside', file: '/etc/passwd', 'secret-files': 'a=../../x' })
    ).toEqual([
      expect.stringMatching(/^Input 'context': '..\/outside' is outside the workspace/),
      expect.stringMatching(/^Input 'file': '\/etc\/passwd' is outside the workspace/),
      expect.stringMatching(/^Input 'secret-files': line 1: '..\/..\/x' is outside the workspace/)
    ]);
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

  it('refuses secret ids that become the same environment variable, naming both', () => {
    expect(
      problems({ repository: 'app', secrets: 'npm.token=a\nnpm_token=b\nNPM-TOKEN=c\nother=d\nother=e' })
    ).toEqual([
      expect.stringMatching(
        /^Input 'secrets': the secret ids 'npm.token' and 'npm_token' are the same once case and punctuation are ignored \(both become DOCKYARD_SECRET_NPM_TOKEN\)/
      ),
      expect.stringMatching(/^Input 'secrets': the secret ids 'npm.token' and 'NPM-TOKEN' are the same/),
      expect.stringMatching(/^Input 'secrets': the secret id 'other' is given twice/)
    ]);
  });

  it('rejects an unknown threshold and mutability, listing the accepted values', () => {
    expect(
      problems({ repository: 'app', 'scan-severity-threshold': 'SEVERE', 'image-tag-mutability': 'FROZEN' })
    ).toEqual([
      "Input 'image-tag-mutability': 'FROZEN' is not one of the accepted values. Use one of: IMMUTABLE, MUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION.",
      "Input 'scan-severity-threshold': 'SEVERE' is not one of the accepted values. Use one of: NONE, LOW, MEDIUM, HIGH, CRITICAL."
    ]);
  });

  it('needs a region, from the input or the environment', () => {
    expect(problems({ repository: 'app' }, {})).toEqual([
      expect.stringMatching(/^Input 'region': no AWS region is set\. Set the 'region' input/)
    ]);
    expect(read({ repository: 'app', region: 'eu-central-1' }, {}).region).toBe('eu-central-1');
    expect(read({ repository: 'app' }, { AWS_DEFAULT_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
    expect(problems({ repository: 'app', region: 'mars' }, {})[0]).toMatch(/'mars' is not an AWS region/);
  });

  it('rejects a region or registry that contradicts the repository URI', () => {
    const found = problems({
      repository: '210987654321.dkr.ecr.eu-west-1.amazonaws.com/app',
      region: 'us-east-1',
      'registry-id': '123456789012'
    });
    expect(found).toEqual([
      expect.stringMatching(
        /^Input 'registry-id': '123456789012' differs from the account in the repository URI/
      ),
      expect.stringMatching(/^Input 'region': 'us-east-1' differs from the region in the repository URI/)
    ]);
  });

  it('checks keep-images, secrets, platforms, exclusions and booleans', () => {
    const found = problems({
      repository: 'app',
      'keep-images': '0',
      secrets: 'bad id=x\nnovalue\nb*d=y',
      'secret-files': 'f=missing.txt',
      platforms: 'amd64',
      'image-tag-mutability': 'IMMUTABLE_WITH_EXCLUSION',
      push: 'maybe'
    });
    expect(found).toEqual([
      expect.stringMatching(/^Input 'secrets': line 1 \(id 'bad'\) is not of the form ID=VALUE/),
      expect.stringMatching(/^Input 'secrets': line 2 \(id 'novalue'\) is not of the form ID=VALUE/),
      expect.stringMatching(/^Input 'secrets': line 3: 'b\*d' is not a secret id/),
      expect.stringMatching(/^Input 'secret-files': line 1: 'missing.txt' does not exist/),
      expect.stringMatching(/^Input 'platforms': 'amd64' is not a platform/),
      expect.stringMatching(
        /^Input 'mutability-exclusions': is required when 'image-tag-mutability' is IMMUTABLE_WITH_EXCLUSION/
      ),
      expect.stringMatching(/^Input 'keep-images': '0' is not a whole number from 1 to 10000/),
      expect.stringMatching(/^Input 'push': 'maybe' is not a boolean/)
    ]);
  });

  it('refuses a scan threshold without a push', () => {
    expect(problems({ repository: 'app', push: 'false', 'scan-severity-threshold': 'HIGH' })[0]).toMatch(
      /only pushed images are scanned/
    );
  });

  it('reports every problem at once', () => {
    expect(
      problems({ repository: 'BAD', context: 'nope', tags: '.x', 'scan-severity-threshold': 'x' }, {})
    ).toHaveLength(5);
  });
});
