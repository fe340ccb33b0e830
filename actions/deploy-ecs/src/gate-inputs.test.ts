import { describe, expect, it } from '@jest/globals';
import { InputReader, recordInputSource } from '../../../core/index.js';
import { continueInput } from './gate-inputs.js';
import { getInputs } from './inputs.js';

const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/gYxPJmuD9bQ6ldKhwu1YS';

/** The step's inputs as the runner passes them (action.yml's defaults included), and the problems found. */
function step(values: Record<string, string>) {
  const source = recordInputSource({
    cluster: 'prod',
    region: 'eu-west-1',
    wait: 'true',
    'wait-until': 'completed',
    rollback: 'true',
    'dry-run': 'false',
    'force-new-deployment': 'false',
    ...values
  });
  try {
    return { inputs: getInputs(source, { env: {} }), problems: [] as string[] };
  } catch (error) {
    const problems = (error as { problems?: { input?: string; message: string }[] }).problems ?? [
      error as { input?: string; message: string }
    ];
    return { inputs: undefined, problems: problems.map(p => `${p.input}: ${p.message}`) };
  }
}

describe('smoke-test', () => {
  it('is split into words like run-task, no shell', () => {
    const { inputs } = step({ service: 'web', 'smoke-test': `./smoke.sh --url "$URL" 'a b'` });
    expect(inputs?.smokeTest).toEqual(['./smoke.sh', '--url', '$URL', 'a b']);
  });

  it.each([
    [{ 'task-definition-arn': 'web:3', 'smoke-test': 'curl -f x' }, "smoke-test: needs 'service'."],
    [{ service: 'web', 'smoke-test': 'curl x | grep ok' }, "smoke-test: '|' is a shell operator"],
    [{ service: 'web', 'smoke-test': 'curl x', wait: 'false' }, "smoke-test: cannot run with 'wait: false'"],
    [
      { service: 'web', 'smoke-test': 'curl x', 'wait-until': 'test-traffic' },
      "smoke-test: cannot run with 'wait-until: test-traffic'"
    ],
    [{ service: 'web, worker', 'smoke-test': 'curl x' }, "smoke-test: gates one service's deployment"],
    [
      { service: 'web\nworker', 'continue-deployment': ARN },
      "continue-deployment: gates one service's deployment"
    ]
  ])('refuses %j', (values, problem) => {
    expect(step(values).problems).toContainEqual(expect.stringContaining(problem));
  });
});

describe('continue-deployment and continue-action', () => {
  function read(values: Record<string, string>, target: { service?: string } = { service: 'web' }) {
    const r = new InputReader(recordInputSource(values), { env: {} });
    const inputs = continueInput(r, target);
    return { inputs, problems: r.problems.map(p => `${p.input}: ${p.message}`) };
  }

  it('reads the paused deployment and what to do with it', () => {
    expect(read({ 'continue-deployment': ARN, 'continue-action': 'Rollback' })).toEqual({
      inputs: { serviceDeploymentArn: ARN, action: 'ROLLBACK' },
      problems: []
    });
    expect(read({ 'continue-deployment': ARN }).inputs?.action).toBe('CONTINUE');
    expect(read({})).toEqual({ inputs: undefined, problems: [] });
  });

  it.each([
    [
      { 'continue-deployment': 'ecs-svc/1234567890' },
      "continue-deployment: 'ecs-svc/1234567890' is not a service deployment ARN."
    ],
    [
      { 'continue-deployment': ARN, 'continue-action': 'promote' },
      "continue-action: 'promote' is not one of the accepted values."
    ],
    [{ 'continue-action': 'rollback' }, "continue-action: needs 'continue-deployment'."]
  ])('refuses %j', (values, problem) => {
    expect(read(values).problems).toEqual([problem]);
  });

  it('needs the service', () => {
    expect(read({ 'continue-deployment': ARN }, {}).problems).toEqual([
      "continue-deployment: needs 'service'."
    ]);
  });

  it('is refused with the inputs that start a deployment of their own, named', () => {
    const { problems } = step({
      service: 'web',
      'continue-deployment': ARN,
      image: 'nginx:1.27',
      'smoke-test': 'curl x',
      'dry-run': 'true'
    });
    expect(problems).toEqual([
      "continue-deployment: acts on a deployment already started, so it cannot be combined with 'image', 'smoke-test', 'dry-run'."
    ]);
  });

  it('goes with wait-until and timeout, which say how far to follow it', () => {
    const { inputs } = step({
      service: 'web',
      'continue-deployment': ARN,
      'continue-action': 'continue',
      'wait-until': 'production-traffic'
    });
    expect(inputs?.continuing).toEqual({ serviceDeploymentArn: ARN, action: 'CONTINUE' });
  });
});
