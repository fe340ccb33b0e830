import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordInputSource } from '../../../core/index.js';
import { getInputs } from './inputs.js';
import { deployEcs } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'deploy-ecs-main-'));
writeFileSync(
  join(dir, 'td.json'),
  JSON.stringify({ family: 'web', containerDefinitions: [{ name: 'app', image: 'web:1' }] })
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const inputs = (values: Record<string, string>) =>
  getInputs(recordInputSource({ region: 'eu-west-1', 'github-token': 'ghs_token', ...values }), {
    workspace: dir,
    env: {}
  });

describe('deploy-ecs GitHub deployment', () => {
  it('is declared for a rollout, naming the service by name even when given as ARNs', () => {
    const spec = deployEcs.deployment?.(
      inputs({
        cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
        service: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web',
        'github-deployment': 'true',
        'github-environment': 'production',
        'environment-url': 'https://web.example.com',
        'production-environment': 'true'
      })
    );
    expect(spec).toEqual({
      environment: 'production',
      token: 'ghs_token',
      environmentUrl: 'https://web.example.com',
      production: true,
      target: 'ecs:prod/web',
      tokenInput: 'github-token'
    });
  });

  it('names every service of a release to several, in order', () => {
    const spec = deployEcs.deployment?.(
      inputs({
        cluster: 'prod',
        service: 'web\narn:aws:ecs:eu-west-1:123456789012:service/prod/worker',
        'github-deployment': 'true',
        'github-environment': 'production'
      })
    );
    expect(spec?.target).toBe('ecs:prod/web,worker');
  });

  it('is not declared when off, for a dry run, or without a service', () => {
    const on = { 'github-deployment': 'true', 'github-environment': 'production' };
    expect(deployEcs.deployment?.(inputs({ cluster: 'prod', service: 'web' }))).toBeUndefined();
    expect(
      deployEcs.deployment?.(inputs({ ...on, cluster: 'prod', service: 'web', 'dry-run': 'true' }))
    ).toBeUndefined();
    expect(
      deployEcs.deployment?.(inputs({ ...on, cluster: 'prod', 'task-definition': 'td.json' }))
    ).toBeUndefined();
  });
});
