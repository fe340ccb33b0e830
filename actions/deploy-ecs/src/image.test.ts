import { describe, expect, it } from '@jest/globals';
import { ecrRegistry, parseImage } from './image.js';
import { ECR_IMAGE } from './testing/verify-fixtures.js';

describe('parseImage', () => {
  it.each([
    ['nginx', { repository: 'nginx' }],
    ['nginx:1.27-alpine', { repository: 'nginx', tag: '1.27-alpine' }],
    ['library/nginx', { repository: 'library/nginx' }],
    ['localhost:5000/web', { registry: 'localhost:5000', repository: 'web' }],
    [
      ECR_IMAGE,
      { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com', repository: 'web', tag: 'sha-1a2b3c4' }
    ],
    [
      `public.ecr.aws/nginx/nginx@sha256:${'a'.repeat(64)}`,
      { registry: 'public.ecr.aws', repository: 'nginx/nginx', digest: `sha256:${'a'.repeat(64)}` }
    ]
  ])('%s', (image, expected) => expect(parseImage(image)).toEqual(expect.objectContaining(expected)));

  it.each(['nginx:<latest>', 'Web/App', 'nginx:', 'repo@sha256:abc', ' nginx', 'a b'])('refuses %j', image =>
    expect(parseImage(image)).toBeUndefined()
  );
});

describe('ecrRegistry', () => {
  it.each([
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', { account: '123456789012', region: 'us-east-1' }],
    [
      '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com',
      { account: '123456789012', region: 'us-gov-west-1' }
    ],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', { account: '123456789012', region: 'cn-north-1' }],
    ['public.ecr.aws', undefined],
    ['12345.dkr.ecr.us-east-1.amazonaws.com', undefined],
    [undefined, undefined]
  ])('%s', (registry, expected) => expect(ecrRegistry(registry)).toEqual(expected));
});
