import { lineDiff, type DiffLine } from '../../web/line-diff.js';

export type { DiffLine };

export interface Painter {
  red(s: string): string;
  green(s: string): string;
  blue(s: string): string;
}

/** The line diff of two texts, a final newline not counting as an empty last line. */
export function changedLines(before: string, after: string): DiffLine[] {
  // An empty text has no lines, not one empty line (as splitting it would give).
  const lines = (s: string): string[] => (s === '' ? [] : trimFinalNewline(s).split('\n'));
  if (before === '' || after === '') {
    return [...lines(before).map((text) => ({ op: '-' as const, text })), ...lines(after).map((text) => ({ op: '+' as const, text }))];
  }
  return lineDiff(trimFinalNewline(before), trimFinalNewline(after));
}

/**
 * `diff -u` style hunks (`@@ -a,b +c,d @@`) of a line diff, so an administrator reads only what
 * the edit changed and not the whole configuration.
 */
export function unifiedDiff(lines: readonly DiffLine[], paint: Painter, context = 3): string {
  const changed = lines.flatMap((l, i) => (l.op === ' ' ? [] : [i]));
  if (changed.length === 0) return '';
  const hunks: Array<[number, number]> = [];
  for (const i of changed) {
    const start = Math.max(0, i - context);
    const end = Math.min(lines.length, i + context + 1);
    const last = hunks[hunks.length - 1];
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else hunks.push([start, end]);
  }
  // Line numbers in the old and new texts at the start of every line of the diff.
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let o = 1;
  let n = 1;
  for (const l of lines) {
    oldAt.push(o);
    newAt.push(n);
    if (l.op !== '+') o++;
    if (l.op !== '-') n++;
  }
  const out: string[] = [];
  for (const [start, end] of hunks) {
    const slice = lines.slice(start, end);
    const oldCount = slice.filter((l) => l.op !== '+').length;
    const newCount = slice.filter((l) => l.op !== '-').length;
    const oldStart = oldCount === 0 ? oldAt[start] - 1 : oldAt[start];
    const newStart = newCount === 0 ? newAt[start] - 1 : newAt[start];
    out.push(paint.blue(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`));
    for (const l of slice) {
      const text = `${l.op}${l.text}`;
      out.push(l.op === '-' ? paint.red(text) : l.op === '+' ? paint.green(text) : text);
    }
  }
  return out.join('\n') + '\n';
}

function trimFinalNewline(s: string): string {
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}
