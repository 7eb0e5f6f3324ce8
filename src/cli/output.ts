/** How every command prints: text for people (coloured on a terminal), json or xml for programs. */
export type OutputFormat = 'text' | 'json' | 'xml';

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json' || value === 'xml') return value;
  throw new UsageError(`--output-as must be text, json or xml, not '${value}'`);
}

/** A mistake in how the command was called: exit code 64 (EX_USAGE), message on stderr. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the command reports to the user with a clear message and a chosen exit code. */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

const useColour = (): boolean => process.stdout.isTTY === true && !process.env.NO_COLOR;

const code = (n: number) => (s: string): string => (useColour() ? `\x1b[${n}m${s}\x1b[0m` : s);
export const colour = {
  red: code(31),
  green: code(32),
  yellow: code(33),
  blue: code(34),
  bold: code(1),
  dim: code(2),
};

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Pads each column to its widest cell, so tables line up whatever the colours. */
export function table(rows: string[][]): string {
  const visible = (s: string): number => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - visible(cell)))).join('  '))
    .join('\n');
}
