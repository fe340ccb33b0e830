/**
 * Errors a user can act on. `input` names the action input at fault; `hint` says how to fix it.
 */
export class DockyardError extends Error {
  readonly input?: string;
  readonly hint?: string;
  constructor(message: string, options: { input?: string; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DockyardError';
    this.input = options.input;
    this.hint = options.hint;
  }

  /** The full text a user sees: which input, what is wrong, how to fix it. */
  describe(): string {
    const where = this.input ? `Input '${this.input}': ` : '';
    return `${where}${this.message}${this.hint ? ` ${this.hint}` : ''}`;
  }
}

/** Several input problems found together, so the user fixes them all in one go. */
export class InputError extends DockyardError {
  readonly problems: DockyardError[];
  constructor(problems: DockyardError[]) {
    super(
      problems.length === 1
        ? problems[0].describe()
        : `${problems.length} inputs need fixing:\n${problems.map(p => `  - ${p.describe()}`).join('\n')}`
    );
    this.name = 'InputError';
    this.problems = problems;
  }

  override describe(): string {
    return this.message;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof DockyardError) return error.describe();
  if (error instanceof Error) return error.message;
  return String(error);
}
