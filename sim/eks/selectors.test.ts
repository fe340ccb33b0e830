import { describe, expect, it } from '@jest/globals';
import {
  matchesFields,
  matchesRequirements,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
  selectorRequirements,
  selectorString
} from './selectors.js';

const labels = { app: 'web', tier: 'front', 'app.kubernetes.io/managed-by': 'dockyard' };

describe('label selectors', () => {
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db, cache)', false],
    ['app notin (db)', true],
    ['missing notin (db)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app.kubernetes.io/managed-by=dockyard,tier in (front),!legacy', true],
    ['app=web,tier=back', false],
    ['', true]
  ])('%s matches: %s', (selector, expected) => {
    expect(matchesRequirements(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it('parses each operator into a requirement', () => {
    expect(parseLabelSelector('a=1, b!=2 ,c in (x, y),d notin (z),e,!f')).toEqual([
      { key: 'a', op: '=', value: '1' },
      { key: 'b', op: '!=', value: '2' },
      { key: 'c', op: 'in', values: ['x', 'y'] },
      { key: 'd', op: 'notin', values: ['z'] },
      { key: 'e', op: 'exists' },
      { key: 'f', op: '!exists' }
    ]);
  });

  it.each(['a in ()', 'a=b c', '-bad=x', 'a=' + 'x'.repeat(64), 'a in (b'])('refuses %s', selector => {
    expect(() => parseLabelSelector(selector)).toThrow(SelectorError);
  });

  it('turns a LabelSelector object into requirements and back into text', () => {
    const selector = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In' as const, values: ['front', 'edge'] },
        { key: 'legacy', operator: 'DoesNotExist' as const }
      ]
    };
    expect(selectorString(selector)).toBe('app=web,tier in (front,edge),!legacy');
    expect(matchesRequirements(selectorRequirements(selector), labels)).toBe(true);
    expect(matchesRequirements(selectorRequirements(selector), { ...labels, legacy: 'yes' })).toBe(false);
    expect(matchesRequirements(parseLabelSelector(selectorString(selector)), labels)).toBe(true);
  });
});

describe('field selectors', () => {
  const event = {
    metadata: { name: 'web.1', namespace: 'prod' },
    involvedObject: { kind: 'Pod', name: 'web-1' }
  };
  const fields = ['metadata.name', 'metadata.namespace', 'involvedObject.kind', 'involvedObject.name'];

  it('matches = and != on dotted paths', () => {
    expect(
      matchesFields(parseFieldSelector('involvedObject.kind=Pod,involvedObject.name=web-1', fields), event)
    ).toBe(true);
    expect(matchesFields(parseFieldSelector('involvedObject.name!=web-1', fields), event)).toBe(false);
    expect(matchesFields(parseFieldSelector('metadata.namespace==prod', fields), event)).toBe(true);
  });

  it('refuses a field the kind does not support, as the API server does', () => {
    expect(() => parseFieldSelector('spec.replicas=1', fields)).toThrow(
      'field label not supported: spec.replicas'
    );
  });
});
