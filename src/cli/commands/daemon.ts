import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseVigilConfig, resolveTiming } from '../../config/index.js';
import { timingFigures } from '../../membership/index.js';
import { parseXml } from '../../cib/xml.js';
import { clusterStatus } from '../../status/index.js';
import { connect, DaemonError, socketPath } from '../../daemon/client.js';
import { nodeLines, renderStatusText, renderStatusXml, renderTiming } from '../../daemon/status-render.js';
import type { DaemonStatus } from '../../daemon/status-types.js';
import { colour, CommandError, parseOutputFormat, printJson, UsageError, type OutputFormat } from '../output.js';

interface StatusOptions {
  socket?: string;
  outputAs?: string;
  watch?: string | boolean;
  timing?: boolean;
  config?: string;
}

export function registerDaemonCommands(program: Command): void {
  program
    .command('status')
    .description('show the cluster as this node sees it (like crm_mon -1): nodes, DC, quorum, partition, resources, packet counters')
    .option('--socket <path>', 'the local daemon socket (default: $VIGIL_SOCKET or /run/vigil/vigil.sock)')
    .option('--output-as <format>', 'text, json or xml (crm_mon --output-as xml shape)')
    .option('-w, --watch [seconds]', 'refresh every few seconds until interrupted (default 2)')
    .option('--timing', 'print the timers and the worst-case detection time the settings give')
    .option('--config <file>', 'with --timing: read the timers from this vigil.conf instead of the running daemon')
    .action(async (opts: StatusOptions) => {
      const format = parseOutputFormat(opts.outputAs);
      if (opts.timing) {
        await printTiming(opts, format);
        return;
      }
      if (opts.config !== undefined) throw new UsageError('--config is only used with --timing');
      if (opts.watch !== undefined && opts.watch !== false) {
        await watch(opts, format);
        return;
      }
      process.stdout.write(render(await fetchStatus(opts.socket), format));
    });
}

async function fetchStatus(socket?: string): Promise<DaemonStatus> {
  try {
    const client = await connect(socketPath(socket));
    try {
      return (await client.request({ op: 'status' })) as DaemonStatus;
    } finally {
      client.close();
    }
  } catch (err) {
    if (err instanceof DaemonError) throw new CommandError(err.message, err.code);
    throw err;
  }
}

function render(status: DaemonStatus, format: OutputFormat): string {
  const now = Date.now();
  if (format === 'xml') return renderStatusXml(status, now);
  if (format === 'json') {
    const { cib, ...rest } = status;
    // `nodes` is membership's live picture; `cluster` is crm_mon's reading of this node's CIB
    // (summary, nodes, resources, failed actions), the same data the text and XML show.
    const cluster = clusterStatus(parseXml(cib, 'status CIB'), { now });
    return JSON.stringify({ ...rest, nodes: nodeLines(status), cluster, lastUpdated: new Date(now).toISOString() }, null, 2) + '\n';
  }
  return renderStatusText(status, process.stdout.isTTY === true && !process.env.NO_COLOR, colour, now);
}

async function watch(opts: StatusOptions, format: OutputFormat): Promise<void> {
  const seconds = opts.watch === true ? 2 : Number(opts.watch);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--watch needs a positive number of seconds, not '${String(opts.watch)}'`);
  let stop = false;
  let wake: () => void = () => undefined;
  process.once('SIGINT', () => {
    stop = true;
    wake();
  });
  const tty = process.stdout.isTTY === true;
  while (!stop) {
    let text: string;
    try {
      text = render(await fetchStatus(opts.socket), format);
    } catch (err) {
      // The daemon restarting is exactly what someone watching wants to see, not a reason to quit.
      text = `${colour.red((err as Error).message)}\n`;
    }
    process.stdout.write((tty ? '\x1b[H\x1b[2J' : '') + text);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

async function printTiming(opts: StatusOptions, format: OutputFormat): Promise<void> {
  let timing: DaemonStatus['timing'];
  if (opts.config !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.config, 'utf8');
    } catch (err) {
      throw new CommandError(`cannot read ${opts.config}: ${(err as Error).message}`, 66);
    }
    let t;
    try {
      t = resolveTiming(parseVigilConfig(text, opts.config).timing);
    } catch (err) {
      throw new CommandError((err as Error).message, 78);
    }
    timing = timingFigures(t);
  } else {
    timing = (await fetchStatus(opts.socket)).timing;
  }
  if (format === 'json') printJson(timing);
  else if (format === 'xml') throw new UsageError('--timing prints text or json');
  else process.stdout.write(renderTiming(timing));
}
