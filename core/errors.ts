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

/**
 * Runs a check that throws a DockyardError and keeps that error in `problems`, so several are reported together;
 * returns the check's value, or undefined when it threw. Any other error is a bug and propagates.
 */
export function collectProblem<T>(problems: DockyardError[], check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof DockyardError)) throw error;
    problems.push(error);
    return undefined;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof DockyardError) return error.describe();
  if (error instanceof Error) return error.message;
  return String(error);
}
