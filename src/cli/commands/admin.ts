import { hostname } from 'node:os';
import type { Command } from 'commander';
import { parseXml, serializeXml, type XmlElement } from '../../cib/xml.js';
import { cibFilePath, readCibFile, writeCibFile } from '../../cib/io/file.js';
import {
  AdminError,
  activeNodes,
  banResource,
  bumpVersion,
  cleanupResource,
  clearNodeState,
  clearResource,
  deleteNode,
  findResource,
  getProperty,
  KNOWN_PROPERTIES,
  moveResource,
  nodeNames,
  parseLifetime,
  setNodeMode,
  setProperty,
  setResourceMeta,
  type NodeLifetime,
} from '../../controller/admin/edits.js';
import { parseAdminEdits, type StatusUpdate } from '../../controller/history.js';
import { cibVersion } from '../../daemon/cib-version.js';
import { checkFencing } from '../../fencing/decision.js';
import type { FenceHistoryEntry } from '../../fencing/history.js';
import { readFenceHistory } from '../../fencing/io/history-file.js';
import { colour, CommandError, parseOutputFormat, printJson, table, UsageError, type OutputFormat } from '../output.js';

/**
 * crm shell administration verbs: resource start/stop/move/ban/clear/cleanup..., node
 * standby/online/maintenance/clearstate/delete, property set/get/delete, fence check/history.
 * Each reads the CIB (a file with --cib / $CIB_file, else the live cluster through vigild),
 * makes its whole change as one pure edit, and writes it back once: all or nothing.
 */

interface CommonOptions {
  cib?: string;
  socket?: string;
  outputAs?: string;
}

function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

function common(cmd: Command): Command {
  return cmd
    .option('--cib <file>', 'work on this CIB file instead of the live cluster (or set $CIB_file)')
    .option('--socket <path>', 'vigild socket (default $VIGIL_SOCKET or /run/vigil/vigil.sock)')
    .option('--output-as <format>', 'text or json', 'text');
}

interface CibSource {
  describe: string;
  read(): Promise<XmlElement>;
  /**
   * Writes a change: on a file, the whole new CIB; on the live cluster, the configuration
   * through vigild and the status edits through the DC's controller (vigild keeps no history).
   */
  write(before: XmlElement, after: XmlElement, updates: StatusUpdate[]): Promise<void>;
}

const sectionText = (cib: XmlElement, name: string): string => {
  const part = cib.children.find((c) => c.name === name);
  return part ? serializeXml(part) : '';
};

async function cibSource(opts: CommonOptions): Promise<CibSource> {
  const file = cibFilePath(opts.cib);
  if (file !== undefined) {
    return {
      describe: file,
      read: async () => readCibFile(file),
      write: async (before, after) => writeCibFile(file, bumpVersion(before, after, sectionText(before, 'configuration') !== sectionText(after, 'configuration'))),
    };
  }
  const { connect, DaemonError, socketPath } = await import('../../daemon/client.js');
  const daemonSocket = socketPath(opts.socket);
  const call = async (req: Parameters<Awaited<ReturnType<typeof connect>>['request']>[0]): Promise<unknown> => {
    try {
      const client = await connect(daemonSocket);
      try {
        return await client.request(req);
      } finally {
        client.close();
      }
    } catch (err) {
      if (err instanceof DaemonError) throw new CommandError(`${err.message} (or give --cib FILE)`, err.code);
      throw err;
    }
  };
  return {
    describe: 'the live cluster',
    read: async () => {
      const xml = await call({ op: 'cib.query' });
      if (typeof xml !== 'string') throw new CommandError('the cluster answered with something that is not XML', 70);
      return parseXml(xml, 'live CIB');
    },
    write: async (before, after, updates) => {
      if (sectionText(before, 'configuration') !== sectionText(after, 'configuration')) {
        const { adminEpoch, epoch } = cibVersion(before);
        await call({ op: 'cib.replace', scope: 'configuration', xml: sectionText(after, 'configuration'), ifEpoch: { adminEpoch, epoch } });
      }
      if (updates.length > 0) await call({ op: 'status.edit', updates: parseAdminEdits(updates) });
    },
  };
}

interface Outcome {
  message: string;
  json: Record<string, unknown>;
}

interface Change {
  cib: XmlElement;
  outcome: Outcome;
  /** The status part of the change as edits, when there is one. */
  updates?: StatusUpdate[];
}

/** Runs one read-edit-write: the edit either returns the new CIB or throws and nothing is written. */
async function edit(opts: CommonOptions, change: (cib: XmlElement) => Change): Promise<void> {
  const format = parseOutputFormat(opts.outputAs);
  const source = await cibSource(opts);
  const before = await source.read();
  let result: Change;
  try {
    result = change(before);
  } catch (err) {
    if (err instanceof AdminError) throw err.exitCode === 64 ? new UsageError(err.message) : new CommandError(err.message, err.exitCode);
    throw err;
  }
  const changed = serializeXml(result.cib) !== serializeXml(before);
  if (changed) await source.write(before, result.cib, result.updates ?? []);
  report(format, result.outcome, changed);
}

function report(format: OutputFormat, outcome: Outcome, changed: boolean): void {
  if (format === 'json') printJson({ ok: true, changed, ...outcome.json });
  else process.stdout.write(`${outcome.message}${changed ? '' : colour.dim(' (no change)')}\n`);
}

function localNode(): string {
  return process.env.VIGIL_NODE_NAME ?? hostname();
}

function nodeLifetime(value: string | undefined): NodeLifetime {
  if (value === undefined || value === 'forever') return 'forever';
  if (value === 'reboot') return 'reboot';
  throw new UsageError(`--lifetime must be forever or reboot, not '${value}'`);
}

/** crm's `move <rsc> [<node>] [<lifetime>]`: a second word that is a duration and no node name is a lifetime. */
function splitNodeAndLifetime(cib: XmlElement, words: string[], option: string | undefined): { node?: string; lifetime?: string } {
  if (words.length > 2) throw new UsageError(`too many arguments: ${words.join(' ')}`);
  let node: string | undefined = words[0];
  let lifetime: string | undefined = words[1];
  if (node !== undefined && lifetime === undefined && !nodeNames(cib).includes(node)) {
    try {
      parseLifetime(node);
      lifetime = node;
      node = undefined;
    } catch {
      // Not a duration either: leave it as a node name so the edit reports the unknown node.
    }
  }
  if (lifetime !== undefined && option !== undefined) throw new UsageError('give the lifetime once: as an argument or with --lifetime');
  return { node, lifetime: lifetime ?? option };
}

function registerResourceVerbs(program: Command): void {
  const resource = group(program, 'resource', 'resource administration (crm resource)');

  const targetRole = (verb: string, role: 'Started' | 'Stopped', help: string): void => {
    common(resource.command(`${verb} <rsc>`).description(help)).action(async (rsc: string, opts: CommonOptions) =>
      edit(opts, (cib) => ({
        cib: setResourceMeta(cib, rsc, 'target-role', role),
        outcome: { message: `${rsc}: target-role=${role}`, json: { resource: rsc, 'target-role': role } },
      })),
    );
  };
  targetRole('start', 'Started', 'let the cluster start a resource (target-role=Started)');
  targetRole('stop', 'Stopped', 'stop a resource and keep it stopped (target-role=Stopped)');

  common(resource.command('restart <rsc>').description('stop a resource, wait until it is stopped everywhere, then start it (live cluster)'))
    .option('--wait <seconds>', 'how long to wait for the stop', '60')
    .action(async (rsc: string, opts: CommonOptions & { wait: string }) => {
      if (cibFilePath(opts.cib) !== undefined) throw new UsageError('restart needs the live cluster: on a CIB file use stop, then start');
      const waitS = Number(opts.wait);
      if (!Number.isFinite(waitS) || waitS <= 0) throw new UsageError(`--wait must be a positive number of seconds, not '${opts.wait}'`);
      const source = await cibSource(opts);
      const before = await source.read();
      findResource(before, rsc);
      await source.write(before, setResourceMeta(before, rsc, 'target-role', 'Stopped'), []);
      const deadline = Date.now() + waitS * 1000;
      let still: string[] = activeNodes(before, rsc);
      while (still.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        still = activeNodes(await source.read(), rsc);
      }
      const now = await source.read();
      await source.write(now, setResourceMeta(now, rsc, 'target-role', 'Started'), []);
      if (still.length > 0) throw new CommandError(`${rsc} was still active on ${still.join(', ')} after ${waitS} s; target-role set back to Started`, 1);
      report(parseOutputFormat(opts.outputAs), { message: `${rsc} restarted`, json: { resource: rsc, restarted: true } }, true);
    });

  for (const [verb, help] of [
    ['move', 'move a resource to a node (a cli-prefer constraint); without a node, away from where it runs'],
    ['migrate', 'same as move'],
  ] as const) {
    common(resource.command(`${verb} <rsc> [words...]`).description(`${help}; [node] [lifetime]`))
      .option('--lifetime <duration>', 'the constraint expires after this long (ISO 8601 like PT1H, or 30min)')
      .action(async (rsc: string, words: string[], opts: CommonOptions & { lifetime?: string }) =>
        edit(opts, (cib) => {
          const { node, lifetime } = splitNodeAndLifetime(cib, words, opts.lifetime);
          const r = moveResource(cib, rsc, node, lifetime, Date.now());
          const what = r.constraint.startsWith('cli-ban') ? `${rsc} banned from ${r.node}` : `${rsc} moved to ${r.node}`;
          return {
            cib: r.cib,
            outcome: {
              message: `${what} (constraint ${r.constraint}${r.expires ? `, expires ${r.expires}` : ''}). Use 'vigil resource clear ${rsc}' to remove it.`,
              json: { resource: rsc, node: r.node, constraint: r.constraint, expires: r.expires },
            },
          };
        }),
      );
  }

  common(resource.command('ban <rsc> [words...]').description('keep a resource off a node (a cli-ban constraint); [node] [lifetime]'))
    .option('--lifetime <duration>', 'the constraint expires after this long')
    .action(async (rsc: string, words: string[], opts: CommonOptions & { lifetime?: string }) =>
      edit(opts, (cib) => {
        const { node, lifetime } = splitNodeAndLifetime(cib, words, opts.lifetime);
        const r = banResource(cib, rsc, node, lifetime, Date.now());
        return {
          cib: r.cib,
          outcome: {
            message: `${rsc} banned from ${r.node} (constraint ${r.constraint}${r.expires ? `, expires ${r.expires}` : ''}). Use 'vigil resource clear ${rsc}' to remove it.`,
            json: { resource: rsc, node: r.node, constraint: r.constraint, expires: r.expires },
          },
        };
      }),
    );

  for (const verb of ['clear', 'unmigrate']) {
    common(resource.command(`${verb} <rsc> [node]`).description('remove the constraints move and ban created'))
      .action(async (rsc: string, node: string | undefined, opts: CommonOptions) =>
        edit(opts, (cib) => {
          const r = clearResource(cib, rsc, node);
          return {
            cib: r.cib,
            outcome: { message: r.removed.length ? `removed ${r.removed.join(', ')}` : `no move or ban constraints for ${rsc}`, json: { resource: rsc, removed: r.removed } },
          };
        }),
      );
  }

  for (const [verb, help] of [
    ['cleanup', 'forget failures (fail counts and failed history) so the cluster probes again'],
    ['refresh', 'forget all history of a resource so the cluster probes it again'],
  ] as const) {
    common(resource.command(`${verb} [rsc] [node]`).description(help)).action(async (rsc: string | undefined, node: string | undefined, opts: CommonOptions) =>
      edit(opts, (cib) => {
        const r = cleanupResource(cib, rsc, node, verb);
        return {
          cib: r.cib,
          updates: r.updates,
          outcome: { message: r.cleaned.length ? `cleaned up ${r.cleaned.join('; ')}` : `nothing to clean up${rsc ? ` for ${rsc}` : ''}`, json: { resource: rsc ?? null, node: node ?? null, cleaned: r.cleaned } },
        };
      }),
    );
  }

  for (const [verb, value] of [
    ['manage', 'true'],
    ['unmanage', 'false'],
  ] as const) {
    common(resource.command(`${verb} <rsc>`).description(`${verb === 'manage' ? 'let the cluster manage' : 'stop the cluster from managing'} a resource (is-managed=${value})`)).action(
      async (rsc: string, opts: CommonOptions) =>
        edit(opts, (cib) => ({
          cib: setResourceMeta(cib, rsc, 'is-managed', value),
          outcome: { message: `${rsc}: is-managed=${value}`, json: { resource: rsc, 'is-managed': value === 'true' } },
        })),
    );
  }
}

function registerNodeVerbs(program: Command): void {
  const node = group(program, 'node', 'node administration (crm node)');
  const modes = [
    ['standby', 'standby', true, 'put a node in standby: its resources move away'],
    ['online', 'standby', false, 'take a node out of standby'],
    ['maintenance', 'maintenance', true, 'put a node in maintenance: its resources are left alone'],
    ['ready', 'maintenance', false, 'take a node out of maintenance'],
  ] as const;
  for (const [verb, attribute, on, help] of modes) {
    common(node.command(`${verb} [node]`).description(`${help} (default: this node)`))
      .option('--lifetime <lifetime>', 'forever (default) or reboot')
      .action(async (name: string | undefined, opts: CommonOptions & { lifetime?: string }) => {
        const lifetime = nodeLifetime(opts.lifetime);
        const target = name ?? localNode();
        // Reboot-lifetime attributes live in the status section: they go as edits to the DC.
        const updates: StatusUpdate[] = on && lifetime === 'forever' ? [] : [{ kind: 'node-attribute', node: target, name: attribute, value: on ? 'on' : null }];
        await edit(opts, (cib) => ({
          cib: setNodeMode(cib, target, attribute, on, lifetime),
          updates,
          outcome: { message: `${target}: ${attribute}=${on ? 'on' : 'off'}`, json: { node: target, [attribute]: on, lifetime } },
        }));
      });
  }
  common(node.command('clearstate <node>').description('declare a node cleanly down (it was powered off by hand): it is no longer UNCLEAN')).action(
    async (name: string, opts: CommonOptions) =>
      edit(opts, (cib) => ({ ...clearNodeState(cib, name), outcome: { message: `${name}: state cleared, now cleanly offline`, json: { node: name, cleared: true } } })),
  );
  common(node.command('delete <node>').description('remove a node that is not running from the configuration and status'))
    .option('--force', 'even if it looks online')
    .action(async (name: string, opts: CommonOptions & { force?: boolean }) =>
      edit(opts, (cib) => ({ cib: deleteNode(cib, name, opts.force === true), outcome: { message: `${name} deleted`, json: { node: name, deleted: true } } })),
    );
}

function registerPropertyVerbs(program: Command): void {
  const property = group(program, 'property', 'cluster properties (crm configure property)');
  common(property.command('set <name> <value>').description('set a cluster property (e.g. maintenance-mode true)'))
    .option('--force', 'allow a property name vigil does not know')
    .action(async (name: string, value: string, opts: CommonOptions & { force?: boolean }) => {
      if (!KNOWN_PROPERTIES.has(name) && opts.force !== true) throw new UsageError(`unknown cluster property '${name}' (a typo? use --force to set it anyway)`);
      await edit(opts, (cib) => ({ cib: setProperty(cib, name, value), outcome: { message: `${name}=${value}`, json: { name, value } } }));
    });
  common(property.command('get <name>').description('print a cluster property')).action(async (name: string, opts: CommonOptions) => {
    const format = parseOutputFormat(opts.outputAs);
    const value = getProperty(await (await cibSource(opts)).read(), name);
    if (format === 'json') printJson({ name, value: value ?? null });
    else if (value === undefined) throw new CommandError(`property '${name}' is not set`, 105);
    else process.stdout.write(`${value}\n`);
  });
  common(property.command('delete <name>').description('remove a cluster property (back to its default)')).action(async (name: string, opts: CommonOptions) =>
    edit(opts, (cib) => ({ cib: setProperty(cib, name, null), outcome: { message: `${name} deleted`, json: { name, deleted: true } } })),
  );
}

function registerFenceVerbs(program: Command): void {
  const fence = group(program, 'fence', 'fencing: check devices, show history');
  common(fence.command('check').description('verify, without fencing anyone, that every node has a fence device that can reach it')).action(async (opts: CommonOptions) => {
    const format = parseOutputFormat(opts.outputAs);
    const report = checkFencing(await (await cibSource(opts)).read());
    const ok = report.stonithEnabled && report.problems.length === 0 && report.nodes.every((n) => n.ok);
    if (format === 'json') printJson({ ok, ...report });
    else {
      if (!report.stonithEnabled) process.stdout.write(colour.yellow('stonith-enabled=false: nodes that fail are NOT fenced; a partition can run resources on both sides\n'));
      const rows = [['NODE', 'FENCEABLE', 'DEVICES'], ...report.nodes.map((n) => [n.node, n.ok ? colour.green('yes') : colour.red('no'), n.devices.join(', ') || '-'])];
      process.stdout.write(table(rows) + '\n');
      for (const p of report.problems) process.stdout.write(colour.red(`problem: ${p}\n`));
      for (const n of report.nodes) for (const e of n.explanation) process.stdout.write(colour.dim(`  ${n.node}: ${e}\n`));
    }
    if (!ok) process.exitCode = 1;
  });
  fence
    .command('history')
    .description("fencing actions this node carried out, newest last (from its vigild, or its state directory)")
    .option('--state-dir <dir>', "read the node's state directory instead of asking its vigild (or $VIGIL_STATE_DIR)")
    .option('--socket <path>', 'vigild socket of the node to ask (default $VIGIL_SOCKET or /run/vigil/vigil.sock)')
    .option('--output-as <format>', 'text or json', 'text')
    .action(async (opts: { stateDir?: string; socket?: string; outputAs?: string }) => {
      const format = parseOutputFormat(opts.outputAs);
      const dir = opts.stateDir ?? process.env.VIGIL_STATE_DIR;
      let entries: FenceHistoryEntry[];
      if (dir !== undefined) entries = readFenceHistory(dir);
      else {
        const { request, socketPath } = await import('../../daemon/client.js');
        try {
          entries = (await request({ op: 'fence.history' }, socketPath(opts.socket))) as FenceHistoryEntry[];
        } catch (err) {
          throw new CommandError(`${(err as Error).message} (or give --state-dir)`, 69);
        }
      }
      if (format === 'json') return printJson(entries);
      if (entries.length === 0) return void process.stdout.write('no fencing recorded\n');
      const rows = [['WHEN', 'TARGET', 'ACTION', 'RESULT', 'BY', 'DEVICE', 'DETAIL']];
      for (const e of entries) {
        const result = e.state === 'success' ? colour.green('success') : e.state === 'failed' ? colour.red('failed') : colour.yellow(e.state);
        rows.push([new Date(e.completedMs ?? e.requestedMs).toISOString(), e.target, e.action, result, e.executioner, e.device ?? '-', e.detail]);
      }
      process.stdout.write(table(rows) + '\n');
    });
}

function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run a 3-node cluster on this machine (no root), kill a node, and show the failover live')
    .option('--kill-after <seconds>', 'how long everything runs before a node is killed', '10')
    .option('--duration <seconds>', 'stop by itself this long after the failover (default: run until Ctrl-C)')
    .option('--budget <duration>', "membership's detection budget (default: vigil's default)")
    .option('--web <port>', 'also serve the web console on this port (127.0.0.1)')
    .option('--output-as <format>', 'text, or json for the failover figures at the end', 'text')
    .action(async (opts: { killAfter: string; duration?: string; budget?: string; web?: string; outputAs?: string }) => {
      const format = parseOutputFormat(opts.outputAs);
      const seconds = (name: string, v: string): number => {
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} must be a number of seconds, not '${v}'`);
        return n;
      };
      const killAfterS = seconds('--kill-after', opts.killAfter);
      const durationS = opts.duration === undefined ? undefined : seconds('--duration', opts.duration);
      const webPort = opts.web === undefined ? undefined : Number(opts.web);
      if (webPort !== undefined && !(Number.isInteger(webPort) && webPort > 0 && webPort < 65536)) throw new UsageError(`--web must be a TCP port, not '${opts.web}'`);
      const { runDemo } = await import('../../demo/demo.js');
      const abort = new AbortController();
      const onSignal = (): void => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const figures = await runDemo({
          killAfterS,
          durationS,
          budget: opts.budget,
          webPort,
          redraw: format === 'text' && process.stdout.isTTY === true,
          write: (text) => (format === 'json' ? process.stderr.write(text) : process.stdout.write(text)),
          signal: abort.signal,
        });
        if (format === 'json') printJson(figures);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

export function registerAdminCommands(program: Command): void {
  registerDemo(program);
  registerResourceVerbs(program);
  registerNodeVerbs(program);
  registerPropertyVerbs(program);
  registerFenceVerbs(program);
}
