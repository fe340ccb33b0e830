import { describe, expect, it } from '@jest/globals';
import { DockyardError } from './errors.js';
import { substitute, substituteInValue } from './template.js';

function failure(fn: () => unknown): DockyardError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DockyardError) return error;
    throw error;
  }
  throw new Error('expected a DockyardError');
}

describe('substitute', () => {
  it('fills ${var.NAME} and reports which names were used', () => {
    const out = substitute(
      'web:${var.TAG} in ${var.ENV_NAME}',
      { TAG: '1.2', ENV_NAME: 'prod', X: 'y' },
      'vars'
    );
    expect(out.text).toBe('web:1.2 in prod');
    expect([...out.used].sort()).toEqual(['ENV_NAME', 'TAG']);
  });

  it('leaves text the platform fills at run time untouched', () => {
    const text = '${AWS_REGION} ${ECS_TASK_ID} $(POD_NAME) {{ .Values.x }} ${HOME:-/root} $${OTHER} $5';
    expect(substitute(text, { TAG: '1' }, 'vars').text).toBe(text);
  });

  it('turns the escape $${var.NAME} into the literal ${var.NAME}, declared or not', () => {
    expect(substitute('$${var.TAG} $${var.NOPE}', { TAG: '1' }, 'vars').text).toBe('${var.TAG} ${var.NOPE}');
  });

  it('does not substitute inside a value (no second pass)', () => {
    expect(substitute('${var.A}', { A: '${var.B}', B: 'x' }, 'vars').text).toBe('${var.B}');
  });

  it('names the input and every undeclared name in one error', () => {
    const error = failure(() =>
      substitute('${var.TAG} ${var.REGION_X} ${var.TAG}', {}, 'task-definition', { where: "'td.json'" })
    );
    expect(error.input).toBe('task-definition');
    expect(error.message).toBe("${var.TAG}, ${var.REGION_X} in 'td.json' have no values.");
    expect(error.hint).toContain('TAG=<value>, REGION_X=<value>');
    expect(error.hint).toContain('$${var.NAME}');
  });

  it('refuses a plain ${NAME} whose NAME is declared, suggesting ${var.NAME}', () => {
    const error = failure(() => substitute('image:${TAG}', { TAG: '1' }, 'subject'));
    expect(error.input).toBe('subject');
    expect(error.message).toContain("${TAG} names a declared value without the 'var.' marker");
    expect(error.hint).toContain('Write ${var.TAG}');
  });

  it('refuses a marker whose name is not a name', () => {
    const error = failure(() => substitute('${var.commit-message} ${var.}', { a: '' }, 'template'));
    expect(error.message).toBe('${var.commit-message}, ${var.} are not valid placeholders.');
  });

  it('uses the caller hint for missing names', () => {
    const error = failure(() =>
      substitute('${var.nope}', { status: 'ok' }, 'subject', { hint: m => `Unknown: ${m.join('|')}.` })
    );
    expect(error.hint).toBe('Unknown: nope.');
  });
});

describe('substituteInValue', () => {
  it('walks every string of a document, never keys, keeping other types', () => {
    const doc = {
      family: '${var.FAMILY}',
      cpu: 256,
      essential: true,
      '${var.KEY}': 'k',
      containerDefinitions: [{ image: 'web:${var.TAG}', options: { region: '${AWS_REGION}' } }]
    };
    const out = substituteInValue(doc, { FAMILY: 'web', TAG: '"quoted"\nline', KEY: 'no' }, 'vars');
    expect(out.value).toEqual({
      family: 'web',
      cpu: 256,
      essential: true,
      '${var.KEY}': 'k',
      containerDefinitions: [{ image: 'web:"quoted"\nline', options: { region: '${AWS_REGION}' } }]
    });
    expect([...out.used].sort()).toEqual(['FAMILY', 'TAG']);
  });

  it('collects problems across all strings into one error', () => {
    const error = failure(() =>
      substituteInValue({ a: '${var.A}', b: ['${var.B}', '${C}'] }, { C: 'c' }, 'task-definition')
    );
    expect(error.message).toContain('${var.A}, ${var.B}');
    expect(error.message).toContain('${C}');
  });
});
