import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parseArgs } from 'node:util';
import { parseVigilConfig } from '../config/index.js';
import { settingsFromConfig } from './config-adapter.js';
import { Daemon } from './daemon.js';
import { parseLogLevel } from './log.js';

const USAGE = `usage: vigild --config FILE [--node NAME] [--socket PATH] [--state-dir DIR] [--log-dir DIR]
              [--log-level debug|info|warn|error] [--log-format json|plain] [--nice N|off]

Runs this node's cluster daemon: heartbeats, membership, quorum, the replicated CIB, the local
API, the controller (the DC plans and runs transitions; every node runs what the DC sends), the
executor and the fencer.
SIGTERM or SIGINT stops it cleanly: its resources move away first (at most
$VIGIL_SHUTDOWN_TIMEOUT seconds, default 30; a second signal leaves at once), and the node is
then shown OFFLINE, not UNCLEAN.
--nice (default -20) raises the daemon's scheduling priority, as Corosync and Heartbeat run
theirs (realtime): a heartbeat that waits for a busy CPU is a false alarm in the making. The
daemon needs little CPU, so the priority costs the other processes next to nothing.
`;

const DEFAULT_NICE = -20;

/** The event loop runs on the main thread, whose nice value this sets (Linux: per thread). */
function raisePriority(value: string | undefined, log: (message: string) => void): void {
  if (value === 'off') return;
  const nice = value === undefined ? DEFAULT_NICE : Number(value);
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) fail(`--nice must be a whole number from -20 to 19, or off; not '${value}'`, 64);
  try {
    setPriority(nice);
  } catch (err) {
    log(`cannot set nice ${nice} (${(err as Error).message}); heartbeats may be delayed on a busy machine`);
  }
}

function fail(message: string, code: number): never {
  process.stderr.write(`vigild: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        config: { type: 'string', short: 'c' },
        node: { type: 'string' },
        socket: { type: 'string' },
        'state-dir': { type: 'string' },
        'log-dir': { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
        'log-format': { type: 'string', default: 'json' },
        nice: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`, 64);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (values.config === undefined) fail(`--config FILE is required\n${USAGE}`, 64);
  const format = values['log-format'];
  if (format !== 'json' && format !== 'plain') fail(`--log-format must be json or plain, not '${format}'`, 64);
  let daemon: Daemon;
  // Set below: the DC's do_shutdown stops the daemon as a signal does.
  let stop: (signal: string) => void = () => undefined;
  try {
    const text = readFileSync(values.config, 'utf8');
    const config = parseVigilConfig(text, values.config);
    daemon = new Daemon(
      settingsFromConfig(config, {
        node: values.node,
        socket: values.socket,
        stateDir: values['state-dir'],
        logDir: values['log-dir'],
        logLevel: parseLogLevel(values['log-level'] ?? 'info'),
        logFormat: format,
      }),
      () => stop('do_shutdown from the DC'),
    );
  } catch (err) {
    fail((err as Error).message, 78);
  }
  raisePriority(values.nice, (m) => daemon.log('warn', m));
  try {
    await daemon.start();
  } catch (err) {
    fail(`cannot start: ${(err as Error).message}`, 1);
  }
  let stopping = false;
  stop = (signal: string): void => {
    if (stopping) {
      if (signal.startsWith('SIG')) daemon.leaveNow();
      return;
    }
    stopping = true;
    daemon.log('info', `received ${signal}`);
    daemon.stop().then(
      () => process.exit(0),
      (err: Error) => {
        daemon.log('error', `unclean stop: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('uncaughtException', (err) => {
    daemon.log('error', `fatal: ${err.stack ?? err.message}`);
    process.exit(70);
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
