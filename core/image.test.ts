import { describe, expect, it } from '@jest/globals';
import { controlCharacter, ecrRegistry, imageProblem, isImageName, parseImage } from './image.js';

const ECR_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:sha-1a2b3c4';
const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseImage', () => {
  // Valid references from distribution/reference's reference_test.go and the Kubernetes docs.
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
      `public.ecr.aws/nginx/nginx@${DIGEST}`,
      { registry: 'public.ecr.aws', repository: 'nginx/nginx', digest: DIGEST }
    ],
    ['[::1]:5000/team/web:v1', { registry: '[::1]:5000', repository: 'team/web', tag: 'v1' }],
    ['Registry.Example.com/web', { registry: 'Registry.Example.com', repository: 'web' }],
    ['registry.k8s.io/pause:3.10', { registry: 'registry.k8s.io', repository: 'pause', tag: '3.10' }],
    ['a__b/c---d_e.f', { repository: 'a__b/c---d_e.f' }]
  ])('%s', (image, expected) => expect(parseImage(image)).toEqual(expect.objectContaining(expected)));

  it.each([
    'nginx:<latest>',
    'Web/App',
    'Web/app',
    'nginx:',
    'repo@sha256:abc',
    ' nginx',
    'a b',
    'web:v1\n',
    `${'a'.repeat(256)}:v1`,
    '-web',
    'web:.v1'
  ])('refuses %j', image => expect(parseImage(image)).toBeUndefined());

  it('takes a name of 255 characters, not 256', () => {
    expect(parseImage(`${'a'.repeat(255)}:v1`)).toBeDefined();
    expect(parseImage(`example.com/${'a'.repeat(243)}`)).toBeDefined();
    expect(parseImage(`example.com/${'a'.repeat(244)}`)).toBeUndefined();
  });
});

describe('isImageName', () => {
  it.each([
    ['web', true],
    ['team/web', true],
    ['registry.local:5000/team/web', true],
    ['web:v1', false],
    [`web@${DIGEST}`, false],
    ['Web', false],
    ['team web', false],
    ['', false]
  ])('%j → %s', (name, expected) => expect(isImageName(name)).toBe(expected));
});

describe('imageProblem', () => {
  it.each([
    [ECR_IMAGE, undefined],
    ['shop/web:<v2>', "has a tag ('<v2>') that is not up to 128 letters"],
    ['web:.hidden', "has a tag ('.hidden')"],
    ['web@sha256:abc', "has a digest ('sha256:abc') that is not algorithm:hex"],
    ['Team/Web:v1', "has a name ('Team/Web') that is not [registry/]repository"],
    ['web v2', 'has a space in it'],
    ['', 'is empty'],
    [`${'a'.repeat(256)}:v1`, 'has a name longer than 255 characters'],
    ['web:v1\r', 'holds a control character (\\r)'],
    ['web:v1\n::add-mask::x', 'holds a control character (\\n)'],
    ['web\u001b[31m', 'holds a control character (U+001B)'],
    ['web\u0085', 'holds a control character (U+0085)']
  ])('%j', (image, expected) => {
    const problem = imageProblem(image);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toContain(expected);
  });

  it('never quotes a value that holds a control character', () => {
    expect(imageProblem('evil\n::set-output name=x::1')).not.toContain('set-output');
  });
});

describe('controlCharacter', () => {
  it.each([
    ['plain', undefined],
    ['tab\there', '\\t'],
    ['nul\u0000', 'U+0000'],
    ['del\u007f', 'U+007F'],
    ['unicode é ü 漢', undefined]
  ])('%j → %s', (value, expected) => expect(controlCharacter(value)).toBe(expected));
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
