import { spawnSync } from 'node:child_process';
import { CommandError } from '../output.js';

/** $VISUAL, else $EDITOR, else vi — as crmsh and git choose. An empty variable counts as unset. */
export function chosenEditor(env: NodeJS.ProcessEnv = process.env): string {
  for (const name of ['VISUAL', 'EDITOR'] as const) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') return value;
  }
  return 'vi';
}

/**
 * Opens `path` in the editor and waits for it. The editor command goes through the shell, as
 * git runs it, because $EDITOR often carries arguments (`code --wait`, `emacsclient -t`).
 * `stdoutToStderr` keeps the editor's output out of a JSON result on stdout.
 */
export function runEditor(path: string, stdoutToStderr: boolean): void {
  const editor = chosenEditor();
  const r = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'vigil-edit', path], { stdio: ['inherit', stdoutToStderr ? 2 : 'inherit', 'inherit'] });
  if (r.error) throw new CommandError(`cannot run the editor '${editor}': ${r.error.message}; nothing committed`, 1);
  if (r.status !== 0) {
    const how = r.signal !== null ? `was killed by ${r.signal}` : `exited with status ${String(r.status)}`;
    throw new CommandError(`the editor '${editor}' ${how}; nothing committed`, 1);
  }
}
