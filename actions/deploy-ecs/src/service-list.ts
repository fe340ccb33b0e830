/**
 * The `service` input: one service, or several of one cluster (separated by commas or lines, as `alarms` is),
 * each a name or an ARN as ECS accepts them. A name given twice, or one ECS would refuse, is refused here, before
 * any AWS call.
 */
import { controlCharacter } from '../../../core/image.js';
import { oneLine } from '../../../core/text.js';
import type { InputReader } from '../../../core/inputs.js';

/** ECS's rule for a service name: up to 255 letters, digits, hyphens and underscores. */
const NAME = '[A-Za-z0-9_-]{1,255}';
const SERVICE_NAME = new RegExp(`^${NAME}$`);
/** A service ARN, with the cluster in it (the current format) or without (the old one). */
const SERVICE_ARN = new RegExp(`^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:service/(?:${NAME}/)?(${NAME})$`);

/** The service's name, from a name or an ARN; undefined when it is neither. */
export function serviceName(value: string): string | undefined {
  if (SERVICE_NAME.test(value)) return value;
  return SERVICE_ARN.exec(value)?.[1];
}

/** Every service the step deploys to, in the order given; empty when `service` is not set. */
export function serviceNames(r: InputReader): string[] {
  const values = r.list('service');
  const seen = new Map<string, string>();
  for (const value of values) {
    const name = serviceName(value);
    if (name === undefined) {
      // A value with a control character is not quoted back: it could end a log line or start a command.
      const control = controlCharacter(value);
      r.fail(
        'service',
        control
          ? `an entry holds a control character (${control}).`
          : `'${oneLine(value, { max: 80 })}' is not a service name or ARN.`,
        'Give service names (letters, digits, - and _) or ARNs, separated by commas or lines.'
      );
      continue;
    }
    const before = seen.get(name);
    if (before !== undefined)
      r.fail(
        'service',
        `the service '${name}' is given twice${before === value ? '' : ` ('${before}' and '${value}')`}.`,
        'Give each service once.'
      );
    seen.set(name, value);
  }
  return values;
}
