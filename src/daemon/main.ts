import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseVigilConfig } from '../config/index.js';
import { settingsFromConfig } from './config-adapter.js';
import { Daemon } from './daemon.js';
import { parseLogLevel } from './log.js';

const USAGE = `usage: vigild --config FILE [--node NAME] [--socket PATH] [--state-dir DIR] [--log-dir DIR]
              [--log-level debug|info|warn|error] [--log-format json|plain]

Runs this node's cluster daemon: heartbeats, membership, quorum, the replicated CIB, the local API.
SIGTERM or SIGINT stops it cleanly (the node is then shown OFFLINE, not UNCLEAN).
`;

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
    );
  } catch (err) {
    fail((err as Error).message, 78);
  }
  try {
    await daemon.start();
  } catch (err) {
    fail(`cannot start: ${(err as Error).message}`, 1);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
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
