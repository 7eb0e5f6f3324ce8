import { CrmSyntaxError, type Position } from './errors.js';

/** A word of a statement after shell-style unquoting, and where it started in the input. */
export interface Token extends Position {
  text: string;
}

/**
 * One statement: a logical line (physical lines joined by trailing backslashes), split into
 * words as a POSIX shell would, with the `#` comment lines that came just before it.
 */
export interface Statement extends Position {
  tokens: Token[];
  comments: string[];
  /** The statement's text with continuations joined: `xml` statements take it verbatim. */
  raw: string;
}

interface Char extends Position {
  ch: string;
}

/** Splits crm configure text into statements; throws CrmSyntaxError on an unclosed quote. */
export function lexStatements(text: string, source: string): Statement[] {
  const lines = text.split(/\r?\n/);
  const out: Statement[] = [];
  let comments: string[] = [];
  let pending: Char[] = [];
  let start: Position | undefined;
  for (let i = 0; i < lines.length; i++) {
    const physical = lines[i];
    const lead = physical.length - physical.trimStart().length;
    const body = physical.trim();
    if (pending.length === 0 && body.startsWith('#')) {
      comments.push(body);
      continue;
    }
    const continued = body.endsWith('\\') && !body.endsWith('\\\\');
    const kept = continued ? body.slice(0, -1) : body;
    if (kept !== '' && start === undefined) start = { line: i + 1, column: lead + 1 };
    // A continuation joins lines with a space: crmsh glues them with nothing, which silently
    // merges `a=1\` and `b=2` into one word when there is no space before the backslash.
    if (pending.length > 0 && kept !== '') pending.push({ ch: ' ', line: i + 1, column: lead });
    for (let k = 0; k < kept.length; k++) pending.push({ ch: kept[k], line: i + 1, column: lead + k + 1 });
    if (continued && i < lines.length - 1) continue;
    if (pending.length > 0 && start !== undefined) {
      out.push({ ...start, tokens: splitWords(pending, source), comments, raw: pending.map((c) => c.ch).join('') });
      comments = [];
    }
    pending = [];
    start = undefined;
  }
  return out;
}

function splitWords(chars: Char[], source: string): Token[] {
  const tokens: Token[] = [];
  let word: string | undefined;
  let at: Position = chars[0];
  const begin = (c: Char): void => {
    if (word === undefined) {
      word = '';
      at = { line: c.line, column: c.column };
    }
  };
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c.ch === ' ' || c.ch === '\t') {
      if (word !== undefined) tokens.push({ text: word, ...at });
      word = undefined;
      continue;
    }
    begin(c);
    if (c.ch === '\\') {
      const next = chars[i + 1];
      if (next === undefined) throw new CrmSyntaxError(source, { line: c.line, column: c.column }, '\\', 'a character after the backslash');
      word = (word ?? '') + next.ch;
      i++;
    } else if (c.ch === "'" || c.ch === '"') {
      const quote = c.ch;
      let j = i + 1;
      for (; j < chars.length && chars[j].ch !== quote; j++) {
        const esc = chars[j].ch === '\\' && quote === '"' && (chars[j + 1]?.ch === '"' || chars[j + 1]?.ch === '\\');
        if (esc) j++;
        word = (word ?? '') + chars[j].ch;
      }
      if (j >= chars.length) throw new CrmSyntaxError(source, { line: c.line, column: c.column }, `${quote}${chars.slice(i + 1).map((x) => x.ch).join('')}`, `a closing ${quote}`);
      i = j;
    } else {
      word = (word ?? '') + c.ch;
    }
  }
  if (word !== undefined) tokens.push({ text: word, ...at });
  return tokens;
}
