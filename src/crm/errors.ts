/** Where a token sits in the input, 1-based, for messages an editor can jump to. */
export interface Position {
  line: number;
  column: number;
}

/**
 * A syntax error in crm configure text: `FILE:LINE:COL: found TOKEN, expected WHAT`.
 * `found` is the offending token as written, or `end of line` when the statement stopped short.
 */
export class CrmSyntaxError extends Error {
  override name = 'CrmSyntaxError';
  constructor(
    readonly source: string,
    readonly position: Position,
    readonly found: string,
    readonly expected: string,
  ) {
    super(`${source}:${position.line}:${position.column}: found ${found}, expected ${expected}`);
  }
}

/** One reason a configuration cannot be committed; `id` names the object when there is one. */
export interface Problem {
  message: string;
  id?: string;
}

/** The load was refused: nothing is written. Errors can be overridden with --force only when `forcible`. */
export class CrmCommitError extends Error {
  override name = 'CrmCommitError';
  constructor(
    readonly errors: Problem[],
    readonly forcible: boolean,
  ) {
    super(errors.map((e) => e.message).join('\n'));
  }
}
