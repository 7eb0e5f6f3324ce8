import type { Command } from 'commander';
import { runConfigImport } from '../../config/io/cli.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description("vigil's node configuration (vigil.conf)");
  config
    .command('import')
    .description('translate ha.cf + authkeys or corosync.conf (+ authkey) into vigil.conf, with a note for every directive')
    .helpOption(false)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .argument('[args...]', '--ha-cf FILE [--authkeys FILE] [--cluster-name NAME] | --corosync FILE [--authkey FILE] [--key-out FILE] [--output-as text|json]')
    .action(async (args: string[]) => {
      process.exitCode = await runConfigImport(args);
    });
}
