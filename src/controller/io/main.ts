import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseVigilConfig } from '../../config/index.js';
import { settingsFromConfig } from '../../daemon/config-adapter.js';
import { Executor } from '../../executor/index.js';
import { serializeXml, type XmlElement } from '../../cib/xml.js';
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
    // Agents' crm_master/crm_attribute reach vigild's attribute service, whose values the
    // scheduler reads (promotion scores); the file store is only the fallback while it is down.
    daemonSocket: settings.socketPath,
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
  // A clean shutdown moves this node's resources away first: the node asks the DC for it with the
  // `shutdown` attribute, and leaves when the DC says do_shutdown (or when nothing runs here any
  // more, or after VIGIL_SHUTDOWN_TIMEOUT seconds). A second signal leaves at once.
  let draining = false;
  const drain = (): void => {
    if (draining) return void stop(0);
    draining = true;
    const activePort = port as ApiClusterPort;
    const timeoutS = Number(process.env.VIGIL_SHUTDOWN_TIMEOUT ?? 30);
    const deadline = Date.now() + (Number.isFinite(timeoutS) ? timeoutS : 30) * 1000;
    try {
      activePort.submitStatusEdit([{ kind: 'node-attribute', node: settings.self, name: 'shutdown', value: String(Math.floor(Date.now() / 1000)) }]);
    } catch (err) {
      log('warn', `cannot ask the DC to move resources away: ${(err as Error).message}`);
      return void stop(0);
    }
    log('info', 'shutting down: waiting for the resources to leave this node');
    const check = setInterval(() => {
      const cib = activePort.mergedCib();
      const state = cib?.children.find((c) => c.name === 'status')?.children.find((n) => n.attrs.uname === settings.self);
      const busy = state ? activeResources(state) : 0;
      if (busy === 0 || Date.now() > deadline) {
        clearInterval(check);
        if (busy > 0) log('warn', `${busy} resource(s) still active here after ${timeoutS} s: leaving anyway`);
        void stop(0);
      }
    }, 200);
  };
  process.on('SIGTERM', drain);
  process.on('SIGINT', drain);
}

/** Resources whose last recorded operation leaves them active on this node_state. */
function activeResources(state: XmlElement): number {
  let n = 0;
  for (const lrm of state.children) if (lrm.name === 'lrm') for (const rscs of lrm.children) for (const r of rscs.children) {
    if (r.attrs.class === 'stonith') continue;
    const last = r.children.filter((o) => o.attrs.operation !== 'cancel').sort((a, b) => Number(a.attrs['call-id']) - Number(b.attrs['call-id'])).at(-1);
    if (last && last.attrs.operation !== 'stop' && ['0', '8'].includes(last.attrs['rc-code'] ?? '')) n += 1;
  }
  return n;
}

await main();
