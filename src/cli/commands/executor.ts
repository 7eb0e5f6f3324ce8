import { Command } from 'commander';
import { readCibFile } from '../../cib/io/file.js';
import { clearFailCount, failCountEntries, failCount } from '../../attributes/failcount.js';
import { AttributeError, formatScore, getAttribute, nodeAttributes, nodesWith, scopeForLifetime, setAttribute } from '../../attributes/store.js';
import { AgentSpecError, formatAgentSpec, parseAgentSpec } from '../../executor/agent-spec.js';
import { attributeAccess, DurationError, findConfiguredResource, localNodeName, parseDurationMs, ResourceLookupError, type ConfiguredResource } from '../../executor/cli-support.js';
import { DaemonError } from '../../daemon/client.js';
import { Executor } from '../../executor/executor.js';
import { ocfMeaning, ocfName } from '../../executor/exit-codes.js';
import { listAgents, MetadataError, type AgentMetadata } from '../../executor/metadata.js';
import { fenceAgentInput } from '../../executor/environment.js';
import type { OperationRequest, OperationResult } from '../../executor/types.js';
import { colour, CommandError, parseOutputFormat, printJson, table, UsageError } from '../output.js';

/** `resource` and `node` are shared with the administration verbs (admin.ts): whoever comes first creates them. */
function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

export function getResourceCommand(program: Command): Command {
  return group(program, 'resource', 'resource administration (crm resource)');
}

export function getNodeCommand(program: Command): Command {
  return group(program, 'node', 'node administration (crm node)');
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function keyValues(pairs: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} '${pair}': expected NAME=VALUE`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Turns the executor's and attribute store's own errors into the CLI's. */
async function guarded<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AgentSpecError || err instanceof ResourceLookupError || err instanceof DurationError) throw new UsageError(err.message);
    if (err instanceof MetadataError || err instanceof AttributeError) throw new CommandError(err.message, 1);
    if (err instanceof DaemonError) throw new CommandError(err.message, err.code);
    throw err;
  }
}

function executorFor(opts: { node?: string; stateDir?: string; cib?: string }): Executor {
  const stateDir = opts.stateDir ?? process.env.VIGIL_STATE_DIR;
  const cib = opts.cib ?? process.env.CIB_file;
  return new Executor({
    nodeName: opts.node ?? localNodeName(),
    attributes: stateDir ? { kind: 'file', stateDir } : cib ? { kind: 'cib-file', path: cib } : undefined,
  });
}

export function registerExecutorCommands(program: Command): void {
  registerRa(program);
  registerResourceOp(getResourceCommand(program));
  registerFailcount(getResourceCommand(program));
  registerNodeAttribute(getNodeCommand(program));
}

function registerRa(program: Command): void {
  const ra = group(program, 'ra', 'resource agents: list them, show their meta-data');
  ra.command('list')
    .argument('[class]', 'ocf, ocf:PROVIDER, lsb, stonith, systemd or service')
    .option('--output-as <format>', 'text or json', 'text')
    .description('list the agents installed on this node')
    .action(async (filter: string | undefined, opts: { outputAs: string }) => {
      const format = parseOutputFormat(opts.outputAs);
      const [cls, provider] = filter ? filter.split(':') : [undefined, undefined];
      if (cls !== undefined && !['ocf', 'lsb', 'stonith', 'systemd', 'service'].includes(cls)) {
        throw new UsageError(`unknown agent class '${cls}' (expected ocf, lsb, stonith, systemd or service)`);
      }
      const agents = listAgents(executorFor({}).directories, cls, provider);
      if (format === 'json') printJson(agents);
      else process.stdout.write(agents.length ? agents.join('\n') + '\n' : `no agents${filter ? ` of ${filter}` : ''} installed\n`);
    });
  ra.command('info')
    .argument('<agent>', 'e.g. ocf:heartbeat:IPaddr2, lsb:nginx, stonith:fence_ipmilan')
    .option('--output-as <format>', 'text or json', 'text')
    .description("show an agent's parameters, actions and default timeouts")
    .action((name: string, opts: { outputAs: string }) =>
      guarded(async () => {
        const format = parseOutputFormat(opts.outputAs);
        const md = await executorFor({}).metadata(parseAgentSpec(name));
        if (format === 'json') printJson(md);
        else process.stdout.write(renderMetadata(md));
      }),
    );
}

function renderMetadata(md: AgentMetadata): string {
  const lines = [`${colour.bold(md.agent)}${md.shortdesc ? ` — ${md.shortdesc}` : ''}`, ''];
  if (md.longdesc) lines.push(md.longdesc, '');
  lines.push(colour.bold('Parameters') + (md.parameters.length ? '' : ': none'));
  if (md.parameters.length) {
    const rows = [['name', 'type', 'default', 'flags', 'description'].map(colour.dim)];
    for (const p of md.parameters) {
      const flags = [p.required ? 'required' : '', p.unique ? 'unique' : '', p.reloadable ? 'reloadable' : ''].filter(Boolean).join(',');
      rows.push([p.required ? colour.yellow(p.name) : p.name, p.type, p.default ?? '', flags, p.shortdesc]);
    }
    lines.push(table(rows));
  }
  lines.push('', colour.bold('Actions'));
  const rows = [['action', 'timeout', 'interval', 'role', 'depth'].map(colour.dim)];
  for (const a of md.actions) rows.push([a.name, a.timeout ?? '', a.interval ?? '', a.role ?? '', a.depth ?? '']);
  lines.push(table(rows), '');
  return lines.join('\n');
}

interface OpOptions {
  id: string;
  param: string[];
  meta: string[];
  timeout?: string;
  interval?: string;
  cib?: string;
  node?: string;
  stateDir?: string;
  showEnv?: boolean;
  outputAs: string;
}

function registerResourceOp(resource: Command): void {
  resource
    .command('op')
    .argument('<resource-or-agent>', 'a resource id from the CIB, or an agent such as ocf:heartbeat:Dummy')
    .argument('<action>', 'start, stop, monitor, promote, demote, validate-all, meta-data ...')
    .option('--param <name=value>', 'instance attribute (repeatable; overrides the CIB)', collect, [])
    .option('--meta <name=value>', 'meta attribute (repeatable)', collect, [])
    .option('--timeout <duration>', 'operation timeout (default: the op in the CIB, else 20s)')
    .option('--interval <duration>', 'run as the recurring op of this interval (a monitor with 0 is a probe)', '0')
    .option('--id <instance>', 'resource instance name the agent sees, when running an agent by name', 'vigil-op')
    .option('--cib <file>', 'read the resource from this CIB file (or $CIB_file)')
    .option('--node <name>', 'node name the agent sees (default: this host)')
    .option('--state-dir <dir>', "node state directory holding the attribute store (or $VIGIL_STATE_DIR)")
    .option('--show-env', 'print the whole environment, not only the OCF/HA variables')
    .option('--output-as <format>', 'text or json', 'text')
    .description('run one agent action by hand and show its environment, output and result (crm_resource --force-*)')
    .action((target: string, action: string, opts: OpOptions) =>
      guarded(async () => {
        const format = parseOutputFormat(opts.outputAs);
        if (!/^[a-z][a-z_-]*$/.test(action)) throw new UsageError(`'${action}' is not an agent action`);
        let configured: ConfiguredResource | undefined;
        if (!target.includes(':')) {
          const cibPath = opts.cib ?? process.env.CIB_file;
          if (!cibPath) throw new UsageError(`'${target}' is not an agent name; to run a configured resource give --cib FILE (or set CIB_file)`);
          configured = findConfiguredResource(readCibFile(cibPath), target);
        }
        const intervalMs = parseDurationMs(opts.interval ?? '0');
        const op = configured?.ops.find((o) => o.name === action && o.intervalMs === intervalMs);
        const timeoutMs = opts.timeout ? parseDurationMs(opts.timeout) : (op?.timeoutMs ?? 20_000);
        if (timeoutMs <= 0) throw new UsageError('--timeout must be more than 0');
        const request: OperationRequest = {
          resourceId: configured?.id ?? opts.id,
          agent: configured?.agent ?? parseAgentSpec(target),
          params: { ...(configured?.params ?? {}), ...(op?.params ?? {}), ...keyValues(opts.param, '--param') },
          meta: { ...(configured?.meta ?? {}), ...keyValues(opts.meta, '--meta') },
          task: action,
          intervalMs,
          timeoutMs,
        };
        const executor = executorFor(opts);
        const env = executor.environmentFor(request);
        // Fence agents take their parameters on stdin, not in the environment: show those lines too.
        const stdin = request.agent.agentClass === 'stonith' ? fenceAgentInput(request) : undefined;
        const result = await executor.execute(request);
        if (format === 'json') printJson({ agent: formatAgentSpec(request.agent), environment: env, stdin, result: { ...result, rcName: ocfName(result.rc), meaning: ocfMeaning(result.rc) } });
        else process.stdout.write(renderOp(request, env, stdin, result, opts.showEnv === true));
        process.exitCode = result.rc;
      }),
    );
}

function renderOp(request: OperationRequest, env: Record<string, string>, stdin: string | undefined, result: OperationResult, all: boolean): string {
  const lines = [colour.bold(`${formatAgentSpec(request.agent)} ${request.task} (resource ${request.resourceId})`), '', colour.bold('Environment')];
  const shown = Object.keys(env)
    .filter((k) => all || /^(OCF_|HA_|PCMK_|PATH$|CIB_file$|VIGIL_)/.test(k))
    .sort();
  lines.push(table(shown.map((k) => [`  ${k}`, env[k]])));
  if (stdin !== undefined) lines.push('', colour.bold('Input (stdin)'), stdin.trimEnd().replace(/^/gm, '  '));
  if (result.stdout) lines.push('', colour.bold('Output (stdout)'), result.stdout.trimEnd());
  if (result.stderr) lines.push('', colour.bold('Output (stderr)'), result.stderr.trimEnd());
  const ok = result.status === 'done' && (result.rc === 0 || (request.task === 'monitor' && [7, 8].includes(result.rc)));
  const paint = ok ? colour.green : colour.red;
  lines.push('', colour.bold('Result'));
  const rows = [
    ['  exit code', paint(`${result.rc} ${ocfName(result.rc)}: ${ocfMeaning(result.rc)}`)],
    ['  status', result.status],
    ['  raw exit', result.rawExit === undefined ? 'did not run' : 'code' in result.rawExit ? String(result.rawExit.code) : `signal ${result.rawExit.signal}`],
    ['  duration', `${result.durationMs} ms`],
    ['  op-digest', result.digest],
  ];
  if (result.exitReason) rows.splice(2, 0, ['  exit reason', result.exitReason]);
  lines.push(table(rows), '');
  return lines.join('\n');
}

interface AttrOptions {
  delete?: boolean;
  lifetime: string;
  cib?: string;
  stateDir?: string;
  socket?: string;
  outputAs: string;
}

const SOCKET_HELP = 'without --cib/--state-dir: the vigild to ask (default $VIGIL_SOCKET or /run/vigil/vigil.sock)';

function registerNodeAttribute(node: Command): void {
  node
    .command('attribute')
    .argument('<node>', 'node name')
    .argument('[name]', 'attribute name (omit to list the node\'s attributes)')
    .argument('[value]', 'new value (omit to show the current one)')
    .option('--delete', 'delete the attribute')
    .option('--lifetime <lifetime>', 'reboot (transient, status section) or forever (nodes section)', 'forever')
    .option('--cib <file>', 'work on this CIB file (or $CIB_file)')
    .option('--state-dir <dir>', "a node's attribute store directory (or $VIGIL_STATE_DIR)")
    .option('--socket <path>', SOCKET_HELP)
    .option('--output-as <format>', 'text or json', 'text')
    .description('show, set or delete a node attribute (crm node attribute / crm_attribute); live through vigild unless a file is named')
    .action((nodeName: string, name: string | undefined, value: string | undefined, opts: AttrOptions) =>
      guarded(async () => {
        const format = parseOutputFormat(opts.outputAs);
        if (opts.lifetime !== 'reboot' && opts.lifetime !== 'forever') throw new UsageError(`--lifetime must be reboot or forever, not '${opts.lifetime}'`);
        if (opts.delete && value !== undefined) throw new UsageError('give a value or --delete, not both');
        const scope = scopeForLifetime(opts.lifetime);
        const access = attributeAccess(opts);
        if (name === undefined) {
          if (opts.delete) throw new UsageError('--delete needs an attribute name');
          const store = await access.read();
          const rows = (['permanent', 'transient'] as const).flatMap((s) => nodeAttributes(store, s, nodeName).map(([n, v]) => ({ name: n, value: v, lifetime: s === 'permanent' ? 'forever' : 'reboot' })));
          if (format === 'json') printJson({ node: nodeName, attributes: rows });
          else process.stdout.write(rows.length ? table([['name', 'value', 'lifetime'].map(colour.dim), ...rows.map((r) => [r.name, r.value, r.lifetime])]) + '\n' : `${nodeName}: no attributes\n`);
          return;
        }
        const ref = { scope, node: nodeName, name };
        if (opts.delete || value !== undefined) {
          const after = await access.update((s) => setAttribute(s, ref, opts.delete ? undefined : value));
          const now = getAttribute(after, ref);
          if (format === 'json') printJson({ node: nodeName, name, value: now ?? null, lifetime: opts.lifetime });
          else process.stdout.write(opts.delete ? `${nodeName}: ${name} deleted\n` : `${nodeName}: ${name}=${now}\n`);
          return;
        }
        const current = getAttribute(await access.read(), ref);
        if (current === undefined) throw new CommandError(`${nodeName}: no attribute '${name}' with lifetime ${opts.lifetime} (in ${access.describe})`, 105);
        if (format === 'json') printJson({ node: nodeName, name, value: current, lifetime: opts.lifetime });
        else process.stdout.write(`${current}\n`);
      }),
    );
}

function registerFailcount(resource: Command): void {
  resource
    .command('failcount')
    .argument('<resource>', 'resource id')
    .argument('[node]', 'node name (default: every node with a fail count)')
    .option('--delete', 'clear the fail counts (and last-failure) of the resource')
    .option('--cib <file>', 'work on this CIB file (or $CIB_file)')
    .option('--state-dir <dir>', "a node's attribute store directory (or $VIGIL_STATE_DIR)")
    .option('--socket <path>', SOCKET_HELP)
    .option('--output-as <format>', 'text or json', 'text')
    .description("show or clear a resource's fail counts; live through vigild unless a file is named")
    .action((rsc: string, nodeName: string | undefined, opts: { delete?: boolean; cib?: string; stateDir?: string; socket?: string; outputAs: string }) =>
      guarded(async () => {
        const format = parseOutputFormat(opts.outputAs);
        const access = attributeAccess(opts);
        // Live, the fail counts of the operations the cluster ran are in vigild's CIB beside the
        // other transient attributes: one read, one update.
        const store = await access.read();
        const nodes = nodeName ? [nodeName] : nodesWith(store, 'transient');
        if (opts.delete) {
          if (!nodeName && nodes.length === 0) {
            process.stdout.write(`${rsc}: no fail counts\n`);
            return;
          }
          await access.update((s) => nodes.reduce((acc, n) => clearFailCount(acc, n, rsc), s));
          if (format === 'json') printJson({ resource: rsc, cleared: nodes });
          else process.stdout.write(`${rsc}: fail counts cleared on ${nodes.join(', ')}\n`);
          return;
        }
        const perNode = nodes.map((n) => ({ node: n, total: failCount(store, n, rsc), operations: failCountEntries(store, n, rsc) })).filter((e) => nodeName || e.operations.length > 0);
        if (format === 'json') {
          printJson({ resource: rsc, nodes: perNode });
          return;
        }
        if (perNode.every((e) => e.operations.length === 0)) {
          process.stdout.write(`${rsc}: fail count 0${nodeName ? ` on ${nodeName}` : ''}\n`);
          return;
        }
        const rows = [['node', 'operation', 'interval', 'count', 'last failure'].map(colour.dim)];
        for (const e of perNode) {
          for (const op of e.operations) {
            rows.push([e.node, op.task, `${op.intervalMs}ms`, colour.red(formatScore(op.count)), op.lastFailure ? new Date(op.lastFailure * 1000).toISOString() : '']);
          }
          rows.push([e.node, colour.bold('total'), '', colour.bold(formatScore(e.total)), '']);
        }
        process.stdout.write(table(rows) + '\n');
      }),
    );
}
