import type { VigilConfig } from '../types.js';

/** What became of one directive of the legacy file: never dropped without a word. */
export interface ImportNote {
  directive: string;
  /** Line in the source file, when the directive came from one. */
  line?: number;
  status: 'translated' | 'unsupported' | 'ignored-with-reason';
  detail: string;
}

export interface ImportResult {
  config: VigilConfig;
  notes: ImportNote[];
  /**
   * The cluster key to write to `config.crypto.keyFile`, when the legacy files held one. Raw
   * bytes: the transport derives its MAC and cipher keys from them.
   */
  key?: Uint8Array;
}

export class ImportError extends Error {
  override name = 'ImportError';
}

/** Notes in file order; those about the file as a whole (no line) last. */
export function inFileOrder(notes: ImportNote[]): ImportNote[] {
  return notes
    .map((n, i) => ({ n, i }))
    .sort((a, b) => (a.n.line ?? Infinity) - (b.n.line ?? Infinity) || a.i - b.i)
    .map(({ n }) => n);
}
