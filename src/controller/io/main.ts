import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseVigilConfig } from '../../config/index.js';
import { settingsFromConfig } from '../../daemon/config-adapter.js';
import { Executor } from '../../executor/index.js';
import { serializeXml } from '../../cib/xml.js';
import { readFenceHistory } from '../../fencing/io/history-file.js';
import { linkFenceAgents } from '../../fencing/io/run-agent.js';
import { ApiClusterPort } from './api-port.js';
import { controllerSocketPath, startControllerApi } from './local-api.js';
import { parseStatusEdits } from './messages.js';
import { ControllerService } from './service.js';

const USAGE = `usage: vigil-controller --config FILE [--node NAME] [--socket PATH] [--state-dir DIR] [--log-level LEVEL]

Runs this node's controller beside vigild: executes the operations the DC sends, and on the DC
runs the scheduler (in a worker thread) and the transition graphs, fencing included.
`;

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

function fail(message: string, code: number): never {
  process.stderr.write(`vigil-controller: ${message}\n`);
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
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`, 64);
  }
  if (values.help) return void process.stdout.write(USAGE);
  if (values.config === undefined) fail(`--config FILE is required\n${USAGE}`, 64);
  const minLevel = values['log-level'] as Level;
  if (!LEVELS.includes(minLevel)) fail(`--log-level must be one of ${LEVELS.join(', ')}`, 64);
  let settings;
  try {
    settings = settingsFromConfig(parseVigilConfig(readFileSync(values.config, 'utf8'), values.config), {
      node: values.node,
      socket: values.socket,
      stateDir: values['state-dir'],
      logLevel: 'info',
      logFormat: 'json',
    });
  } catch (err) {
    fail((err as Error).message, 78);
  }
  const log = (level: Level, msg: string, fields?: Record<string, unknown>): void => {
    if (LEVELS.indexOf(level) < LEVELS.indexOf(minLevel)) return;
    process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), level, node: settings.self, part: 'controller', msg, ...fields }) + '\n');
  };
  let service: ControllerService | null = null;
  let port: ApiClusterPort | null = null;
  const stop = async (code: number): Promise<never> => {
    await service?.stop().catch(() => undefined);
    await port?.close().catch(() => undefined);
    process.exit(code);
  };
  port = new ApiClusterPort({
    settings,
    log,
    onShutdownRequest: () => {
      log('info', 'the DC asked this node to shut down');
      void stop(0);
    },
  });
  const executor = new Executor({
    nodeName: settings.self,
    attributes: { kind: 'file', stateDir: join(settings.stateDir, 'attributes') },
    // Per node, so agents' state files (Dummy's, IPaddr2's) of nodes sharing one host stay apart.
    rscTmp: join(settings.stateDir, 'rsctmp'),
    dirs: { fenceDir: linkFenceAgents(join(settings.stateDir, 'fence-agents')) },
    log: (level, message) => log(level, message),
  });
  const linkAddresses = settings.nodes.find((n) => n.name === settings.self)?.addresses ?? [];
  service = new ControllerService({ port, executor, stateDir: settings.stateDir, uuid: randomUUID(), log, linkAddresses });
  service.start();
  const apiPath = controllerSocketPath(settings.socketPath);
  try {
    await port.start();
    const activePort = port;
    const activeService = service;
    await startControllerApi(apiPath, async (req) => {
      switch (req.op) {
        case 'cib': {
          const cib = activePort.mergedCib();
          if (!cib) throw new Error('no CIB from vigild yet');
          return serializeXml(cib);
        }
        case 'status-edit':
          activePort.submitStatusEdit(parseStatusEdits(req.updates));
          return { accepted: req.updates.length };
        case 'transition':
          return activeService.status();
        case 'fence-history':
          return readFenceHistory(settings.stateDir);
      }
    });
  } catch (err) {
    fail(`cannot start: ${(err as Error).message}`, 1);
  }
  log('info', 'controller started');
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
}

await main();
