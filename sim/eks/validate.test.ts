import { describe, expect, it } from '@jest/globals';
import { invalidMessage, validate } from './validate.js';

const deployment = (labels: Record<string, string>, selector: Record<string, string> = { app: 'web' }) => ({
  spec: {
    selector: { matchLabels: selector },
    template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'web:1' }] } }
  }
});

describe('workload validation', () => {
  it('accepts a Deployment whose selector matches its template', () => {
    expect(validate('Deployment', deployment({ app: 'web', tier: 'front' }), undefined)).toEqual([]);
  });

  it("refuses a selector that does not match the template labels, in the server's words", () => {
    const causes = validate('Deployment', deployment({ app: 'api' }), undefined);
    expect(invalidMessage('Deployment', 'apps', 'web', causes)).toBe(
      'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`'
    );
  });

  it('refuses a changed selector (immutable) and lists several causes in brackets', () => {
    const causes = validate(
      'Deployment',
      deployment({ app: 'web', v: '2' }, { app: 'web', v: '2' }),
      deployment({ app: 'web' })
    );
    expect(causes.map(c => c.field)).toEqual(['spec.selector']);
    const bad = deployment({ app: 'web' });
    bad.spec.template.spec.containers = [{ name: 'app', image: '' }];
    bad.spec.template.metadata.labels = {};
    expect(invalidMessage('Deployment', 'apps', 'web', validate('Deployment', bad, undefined))).toMatch(
      /^Deployment\.apps "web" is invalid: \[spec\.template\.metadata\.labels: .*, spec\.template\.spec\.containers\[0\]\.image: Required value\]$/
    );
  });

  it('requires a Job to restart Never or OnFailure, and keeps its template immutable', () => {
    const job = (restartPolicy?: string, image = 'task:1') => ({
      spec: { template: { spec: { restartPolicy, containers: [{ name: 'task', image }] } } }
    });
    expect(validate('Job', job('Never'), undefined)).toEqual([]);
    expect(validate('Job', job(), undefined)[0]).toMatchObject({
      field: 'spec.template.spec.restartPolicy',
      detail: 'Unsupported value: "Always": supported values: "OnFailure", "Never"'
    });
    expect(validate('Job', job('Never', 'task:2'), job('Never'))[0]).toMatchObject({
      field: 'spec.template'
    });
  });

  it('requires containers with names and images', () => {
    expect(validate('Pod', { spec: { containers: [] } }, undefined)[0]).toMatchObject({
      field: 'spec.containers',
      detail: 'Required value'
    });
    expect(
      validate(
        'Pod',
        {
          spec: {
            containers: [
              { name: 'a', image: 'x' },
              { name: 'a', image: 'y' }
            ]
          }
        },
        undefined
      )[0]
    ).toMatchObject({
      field: 'spec.containers[1].name',
      detail: 'Duplicate value: "a"'
    });
  });
});
