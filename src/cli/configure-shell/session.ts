import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XmlElement } from '../../cib/xml.js';
import { loadCrm, type LoadOutcome } from '../../crm/commit.js';
import { CrmCommitError, CrmSyntaxError, type Problem } from '../../crm/errors.js';
import { installedAgentLookup, systemPickProvider } from '../../crm/io/agents.js';
import { parseCrm } from '../../crm/parser.js';
import { CommandError, UsageError, colour, parseOutputFormat, printJson } from '../output.js';
import { openEditStore } from './cib-store.js';
import { configurationChanged, keepOrder, keepUntouched, missingObjects, replacementText, textForEditing } from './edit-text.js';
import { runEditor } from './editor.js';
import { askYesNo, isInteractive } from './prompt.js';
import { changedLines, unifiedDiff, type DiffLine } from './unified-diff.js';

export interface EditOpts {
  cib?: string;
  socket?: string;
  yes?: boolean;
  force?: boolean;
  outputAs?: string;
}

/** What `configure edit --output-as json` prints. */
interface EditResult {
  changed: boolean;
  epoch: number;
  diff: DiffLine[];
  warnings: Problem[];
  forced: Problem[];
}

/** An edit that cannot be committed as saved: its message, and whether -F would get past it. */
type Rejection = { message: string; forcible: boolean };

/**
 * `vigil configure edit [ID...]`: the configuration (or the objects named) in the crm language in
 * $EDITOR; on save it is parsed, diffed, checked and — once confirmed — committed with `load
 * replace` semantics for what was edited, unless the CIB changed since the edit began.
 */
export async function runEdit(ids: string[], opts: EditOpts): Promise<void> {
  const format = parseOutputFormat(opts.outputAs);
  if (format === 'xml') throw new UsageError('configure edit: --output-as must be text or json');
  const interactive = isInteractive();
  // Said before the editor opens, not after: an edit that could never be committed is wasted work.
  if (opts.yes !== true && !interactive) throw new CommandError('not on a terminal: give --yes to commit without asking; nothing committed', 1);
  const store = await openEditStore(opts);
  const missing = missingObjects(store.base, ids);
  if (missing.length > 0) throw new CommandError(`no such object: ${missing.join(', ')}`, 105);
  const original = textForEditing(store.base, ids);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-edit-'));
  // The text holds passwords in clear: only the administrator may read it.
  const file = join(dir, 'configuration.crm');
  writeFileSync(file, original, { mode: 0o600 });
  try {
    const edited = await editUntilValid(store.base, ids, original, file, opts, format === 'json', interactive);
    if (edited === undefined) {
      report(format, { changed: false, epoch: Number(store.base.attrs.epoch ?? 0), diff: [], warnings: [], forced: [] }, 'no changes');
      return;
    }
    const { text, outcome } = edited;
    const diff = changedLines(original, text);
    if (format === 'text') process.stdout.write(unifiedDiff(diff, colour));
    for (const w of outcome.warnings) process.stderr.write(`${colour.yellow('warning')}: ${w.message}\n`);
    for (const f of outcome.forced) process.stderr.write(`${colour.yellow('forced')}: ${f.message}\n`);
    if (opts.yes !== true && !(await askYesNo('commit?', false))) throw new CommandError('not committed', 1);
    const epoch = await store.commit(outcome.cib);
    report(format, { changed: true, epoch, diff, warnings: outcome.warnings, forced: outcome.forced }, `committed: epoch ${epoch}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the editor until the text parses and passes the commit checks, offering to edit again on
 * a terminal. Returns undefined when the edit changes nothing.
 */
async function editUntilValid(
  base: XmlElement,
  ids: string[],
  original: string,
  file: string,
  opts: EditOpts,
  json: boolean,
  interactive: boolean,
): Promise<{ text: string; outcome: LoadOutcome } | undefined> {
  for (;;) {
    runEditor(file, json);
    const text = readFileSync(file, 'utf8');
    if (text === original) return undefined;
    const checked = check(base, ids, text, file, opts.force === true);
    if ('outcome' in checked) return checked.outcome.changed ? { text, outcome: checked.outcome } : undefined;
    const hint = checked.forcible ? '\n(use -F/--force to commit anyway)' : '';
    if (!interactive) throw new CommandError(`${checked.message}${hint}`, 1);
    process.stderr.write(`${checked.message}${hint}\n`);
    if (!(await askYesNo('edit again?', true))) throw new CommandError('nothing committed', 1);
  }
}

function check(base: XmlElement, ids: string[], text: string, file: string, force: boolean): { outcome: LoadOutcome } | Rejection {
  try {
    // The edited text alone first, so that a syntax error names a line of the file as saved.
    parseCrm(text, file);
    const outcome = loadCrm(base, replacementText(base, ids, text), {
      method: 'replace',
      force,
      lookupAgent: installedAgentLookup(),
      pickProvider: systemPickProvider,
      source: file,
    });
    keepUntouched(base, outcome.cib);
    keepOrder(base, outcome.cib);
    // The load counts a reordering or a renamed op as a change; once restored it may be none.
    return { outcome: { ...outcome, changed: outcome.changed && configurationChanged(base, outcome.cib) } };
  } catch (err) {
    if (err instanceof CrmSyntaxError) return { message: `syntax error: ${err.message}`, forcible: false };
    if (err instanceof CrmCommitError) {
      return { message: `cannot commit:\n${err.errors.map((e) => `  ${colour.red('error')}: ${e.message}`).join('\n')}`, forcible: err.forcible };
    }
    throw err;
  }
}

function report(format: 'text' | 'json', result: EditResult, text: string): void {
  if (format === 'json') printJson(result);
  else process.stdout.write(`${text}\n`);
}
