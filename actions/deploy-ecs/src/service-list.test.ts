/**
 * The `service` input as a list: names and ARNs (both of ECS's ARN formats) separated by commas or lines; a
 * service given twice, even once by name and once by ARN, and a value that is no service name are refused,
 * naming the input, before any AWS call.
 */
import { describe, expect, it } from '@jest/globals';
import { describeError } from '../../../core/index.js';
import { serviceName } from './service-list.js';
import { deployInputs } from './testing/harness.js';

const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service/prod/worker';
const OLD_ARN = 'arn:aws:ecs:eu-west-1:123456789012:service/worker';

describe('service: a list', () => {
  it.each([
    ['one name', 'web', ['web']],
    ['commas', 'web, worker', ['web', 'worker']],
    ['lines, with a blank one', 'web\n\nworker\n', ['web', 'worker']],
    ['an ARN beside a name', `web\n${ARN}`, ['web', ARN]],
    ['the ARN format without the cluster', OLD_ARN, [OLD_ARN]]
  ])('%s', (_label, value, services) => {
    const inputs = deployInputs({ service: value });
    expect(inputs.services).toEqual(services);
    expect(inputs.service).toBe(services[0]);
  });

  it.each([
    ['a name given twice', 'web, worker, web', "Input 'service': the service 'web' is given twice."],
    [
      'a name and its ARN',
      `worker\n${ARN}`,
      `Input 'service': the service 'worker' is given twice ('worker' and '${ARN}').`
    ],
    ['a space inside a name', 'web worker', "Input 'service': 'web worker' is not a service name or ARN."],
    [
      'another kind of ARN',
      'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
      'is not a service name or ARN'
    ],
    ['a name over 255 characters', 'w'.repeat(256), 'is not a service name or ARN'],
    [
      'a control character, not quoted back',
      'web\u001b[2K::warning::x',
      'an entry holds a control character ('
    ]
  ])('refuses %s', (_label, value, message) => {
    let error: unknown;
    try {
      deployInputs({ service: value });
    } catch (e) {
      error = e;
    }
    expect(describeError(error)).toContain(message);
  });

  it('does not quote back a value with a control character', () => {
    expect(() => deployInputs({ service: 'web\u001b[2K::warning::x' })).toThrow(
      "Input 'service': an entry holds a control character (U+001B). Give service names"
    );
  });

  it('reads a name out of either ARN format', () => {
    expect([ARN, OLD_ARN, 'web', 'web/extra'].map(serviceName)).toEqual([
      'worker',
      'worker',
      'web',
      undefined
    ]);
  });
});
