import type { Command } from 'commander';
import { UsageError } from '../output.js';
import { isInteractive } from './prompt.js';
import { runEdit, type EditOpts } from './session.js';

/**
 * Adds `configure edit`, and makes a bare `vigil configure` on a terminal start the same edit, as
 * `crm configure` opens its shell. Off a terminal a bare `configure` prints its help and fails.
 */
export function registerConfigureShell(configure: Command): void {
  configure
    .command('edit')
    .description('edit the configuration (or the objects named) in the crm language in $VISUAL/$EDITOR; show the diff, check, and commit on confirmation')
    .argument('[ids...]', 'only these objects (default: the whole configuration)')
    .option('-y, --yes', 'commit without asking (needed when not on a terminal)')
    .option('-F, --force', 'commit even when an agent is missing or its parameters do not match its meta-data')
    .option('--cib <file>', 'work on this CIB file (default: $CIB_file; without either, the live cluster)')
    .option('--socket <path>', 'the local vigild socket, for the live cluster (default: $VIGIL_SOCKET or /run/vigil/vigil.sock)')
    .option('--output-as <format>', 'text or json')
    .addHelpText(
      'after',
      `
Nothing is written when the text does not parse or pass the checks, when the answer is not yes,
or when the CIB changed since the edit began (exit 75: edit again). An unchanged file: "no changes".`,
    )
    .action((ids: string[], opts: EditOpts) => runEdit(ids, opts));
  // No options here: commander would take them from the subcommands' command lines too. Extra
  // words are allowed through (subcommands keep their own setting, copied when they were made)
  // so that a mistyped subcommand is named as such, not as "too many arguments".
  configure.allowExcessArguments(true);
  configure.action(async (_opts: unknown, cmd: Command) => {
    if (cmd.args.length > 0) throw new UsageError(`configure: unknown command '${cmd.args[0]}' (see vigil configure --help)`);
    if (!isInteractive()) configure.help({ error: true });
    await runEdit([], {});
  });
}
