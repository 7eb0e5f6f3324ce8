import { Command, CommanderError } from 'commander';
import { CommandError, UsageError } from './output.js';
import { registerCibCommands } from './commands/cib.js';
import { registerCrmCommands } from './commands/configure.js';
import { registerSimulateCommand } from './commands/simulate.js';
import { registerDaemonCommands } from './commands/daemon.js';
import { registerExecutorCommands } from './commands/executor.js';
import { registerAdminCommands } from './commands/admin.js';
import { registerConfigCommands } from './commands/config.js';
import { registerWebCommands } from '../web/cli.js';

const program = new Command('vigil')
  .description('vigil: a high-availability cluster manager (Pacemaker/Corosync-compatible)')
  .showHelpAfterError()
  .exitOverride();

registerCibCommands(program);
registerCrmCommands(program);
registerSimulateCommand(program);
registerDaemonCommands(program);
registerExecutorCommands(program);
registerAdminCommands(program);
registerConfigCommands(program);
registerWebCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeFor(err);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 64;
  if (err instanceof UsageError) {
    process.stderr.write(`vigil: ${err.message}\n`);
    return 64;
  }
  if (err instanceof CommandError) {
    process.stderr.write(`vigil: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(`vigil: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}
