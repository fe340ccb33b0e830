/** The front's reading of the registry API: pure, so it runs with the unit tests, without the stack. */
import { describe, expect, it } from '@jest/globals';
import { parseBasicAuth, parseEcrHost, parseRoute } from './registry-api.js';

describe('the front reads the registry API', () => {
  it('routes nested repository names, uploads, blobs, manifests and tag lists', () => {
    expect(parseRoute('/v2/')).toEqual({ kind: 'base' });
    expect(parseRoute('/v2')).toEqual({ kind: 'base' });
    expect(parseRoute('/v2/team/app/web/manifests/v1.2')).toEqual({
      kind: 'manifest',
      name: 'team/app/web',
      reference: 'v1.2'
    });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseRoute(`/v2/app/blobs/${digest}`)).toEqual({ kind: 'blob', name: 'app', digest });
    expect(parseRoute('/v2/a_b/blobs/uploads/')).toEqual({ kind: 'upload', name: 'a_b' });
    expect(parseRoute('/v2/a-b/blobs/uploads/1234-abcd')).toEqual({
      kind: 'upload',
      name: 'a-b',
      session: '1234-abcd'
    });
    expect(parseRoute('/v2/x/y/tags/list')).toEqual({ kind: 'tags', name: 'x/y' });
    expect(parseRoute('/v2/Upper/manifests/v1')).toBeUndefined();
    expect(parseRoute('/v1/app/manifests/v1')).toBeUndefined();
  });

  it('reads Basic credentials and ECR hostnames', () => {
    const header = `Basic ${Buffer.from('AWS:pa:ss').toString('base64')}`;
    expect(parseBasicAuth(header)).toEqual({ user: 'AWS', password: 'pa:ss' });
    expect(parseBasicAuth('Bearer abc')).toBeUndefined();
    expect(parseBasicAuth(undefined)).toBeUndefined();
    expect(parseEcrHost('123456789012.dkr.ecr.eu-west-3.amazonaws.com')).toEqual({
      registryId: '123456789012',
      region: 'eu-west-3'
    });
    expect(parseEcrHost('registry.example.com')).toBeUndefined();
  });
});
