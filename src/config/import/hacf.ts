import { DEFAULT_KEY_FILE, DEFAULT_PATHS, DEFAULT_PORT, type LinkConfig, type NodeConfig, type VigilConfig } from '../types.js';
import { DEFAULT_LAST_MAN_STANDING_WINDOW_MS } from '../../membership/index.js';
import { importAuthkeys } from './authkeys.js';
import { ImportError, inFileOrder, type ImportNote, type ImportResult } from './result.js';
import { parseHeartbeatTime, translateTimers, type LegacyTimer } from './timers.js';

interface Directive {
  name: string;
  args: string[];
  line: number;
}

/** A heartbeat medium, with the udpport in force where it was declared. */
type Medium =
  | { kind: 'ucast'; iface: string; peer: string; port: number; d: Directive }
  | { kind: 'bcast'; iface: string; port: number; d: Directive }
  | { kind: 'mcast'; iface: string; group: string; port: number; ttl: number; d: Directive };

/** Directives vigil has no use for, each with the reason it gives the administrator. */
const IGNORED: Record<string, string> = {
  auto_failback: 'failback is a resource policy: set resource-stickiness in the CIB (rsc_defaults) instead',
  crm: 'vigil always runs its resource manager (Pacemaker semantics) on top of membership',
  pacemaker: 'vigil always runs its resource manager (Pacemaker semantics) on top of membership',
  use_logd: 'vigil has no separate logging daemon: it logs to stderr/journald and its log_dir',
  conn_logd_time: 'vigil has no separate logging daemon',
  logfacility: 'vigil logs to stderr (journald under systemd), not to a syslog facility of its choosing',
  debugfile: 'vigil sets its debug level at run time (vigild --log-level), not through a separate file',
  debug: 'vigil sets its debug level at run time (vigild --log-level)',
  uuidfrom: 'vigil identifies nodes by name and the numeric id it assigns in the node list',
  apiauth: 'vigil authorises API users through the local socket: owner root, group haclient',
  respawn: 'vigil runs every cluster role inside vigild; it starts no helper daemons',
  compression: "vigil's wire format is fixed; large messages travel over its reliable stream",
  compression_threshold: "vigil's wire format is fixed; large messages travel over its reliable stream",
  traditional_compression: "vigil's wire format is fixed; large messages travel over its reliable stream",
  msgfmt: "vigil's wire format is fixed (JSON in an authenticated frame)",
  realtime: 'vigil keeps heartbeats on time by design (a dedicated loop and Lifeguard health) rather than by realtime priority',
  rtprio: 'vigil keeps heartbeats on time by design rather than by realtime priority',
  coredumps: 'core dumps follow the service manager settings (systemd LimitCORE)',
  hopfudge: 'vigil does not forward heartbeats between rings',
  hbgenmethod: 'vigil keeps its own incarnation counter in the state directory',
  crm_daemon_dir: 'vigil runs every role inside vigild',
  crmd_spawns_pengine: 'vigil runs every role inside vigild',
  watchdog: 'use the hardware watchdog through sbd-style fencing; vigild does not open /dev/watchdog',
};

const UNSUPPORTED: Record<string, string> = {
  serial: 'serial links are not supported: use a second network link',
  baud: 'serial links are not supported',
  ping: 'ping nodes are not a membership feature in vigil: configure an ocf:pacemaker:ping resource',
  ping_group: 'ping groups are not supported: configure an ocf:pacemaker:ping resource',
  deadping: 'ping nodes are not supported: configure an ocf:pacemaker:ping resource',
  hbaping: 'ping nodes are not supported: configure an ocf:pacemaker:ping resource',
  stonith: 'Heartbeat-1 fencing is not supported: configure stonith resources in the CIB',
  stonith_host: 'Heartbeat-1 fencing is not supported: configure stonith resources in the CIB',
};

/**
 * Translates Heartbeat's ha.cf (and authkeys) into vigil's configuration. Directives apply top to
 * bottom as in Heartbeat (udpport affects the media after it). Every directive ends up in a note.
 */
export function importHaCf(haCfText: string, authkeysText?: string, options: { clusterName?: string } = {}): ImportResult {
  const notes: ImportNote[] = [];
  const nodes: string[] = [];
  const media: Medium[] = [];
  const timers: Partial<Record<'keepalive' | 'warntime' | 'deadtime' | 'initdead', LegacyTimer>> = {};
  let port = DEFAULT_PORT;
  let logDir = DEFAULT_PATHS.logDir;
  const note = (d: Directive, status: ImportNote['status'], detail: string): void => {
    notes.push({ directive: [d.name, ...d.args].join(' '), line: d.line, status, detail });
  };

  for (const d of readDirectives(haCfText)) {
    const a = d.args;
    switch (d.name) {
      case 'node':
        if (a.length === 0) note(d, 'unsupported', 'node with no name');
        for (const n of a) if (!nodes.includes(n)) nodes.push(n);
        if (a.length > 0) note(d, 'translated', `[node ${a.join('], [node ')}]`);
        break;
      case 'udpport': {
        const p = Number(a[0]);
        if (!Number.isInteger(p) || p < 1 || p > 65535) note(d, 'unsupported', `'${a[0] ?? ''}' is not a port`);
        else {
          port = p;
          note(d, 'translated', `port ${p} for the bcast/ucast links declared after it`);
        }
        break;
      }
      case 'ucast':
      case 'ucast6':
        if (a.length !== 2) note(d, 'unsupported', 'expected: ucast INTERFACE PEER-ADDRESS');
        else media.push({ kind: 'ucast', iface: a[0], peer: a[1], port, d });
        break;
      case 'bcast':
        if (a.length === 0) note(d, 'unsupported', 'expected: bcast INTERFACE...');
        for (const iface of a) media.push({ kind: 'bcast', iface, port, d });
        break;
      case 'mcast':
      case 'mcast6': {
        const p = Number(a[2]);
        const ttl = Number(a[3]);
        if (a.length < 4 || !Number.isInteger(p) || !Number.isInteger(ttl)) note(d, 'unsupported', 'expected: mcast INTERFACE GROUP PORT TTL LOOP');
        else media.push({ kind: 'mcast', iface: a[0], group: a[1], port: p, ttl, d });
        break;
      }
      case 'keepalive':
      case 'warntime':
      case 'deadtime':
      case 'initdead': {
        const ms = parseHeartbeatTime(a[0] ?? '');
        if (ms === null || ms <= 0) note(d, 'unsupported', `'${a[0] ?? ''}' is not a Heartbeat time (a number of seconds, or NNNms)`);
        else timers[d.name] = { directive: [d.name, ...a].join(' '), line: d.line, ms };
        break;
      }
      case 'logfile': {
        const path = a[0] ?? '';
        if (!path.startsWith('/') || path === '/dev/null') note(d, 'ignored-with-reason', `no log directory to take from '${path}'`);
        else {
          logDir = path.slice(0, path.lastIndexOf('/')) || '/';
          note(d, 'translated', `vigil writes its log files in log_dir = ${logDir}`);
        }
        break;
      }
      case 'autojoin':
        if (a[0] === 'none') note(d, 'translated', 'vigil admits only the listed nodes');
        else note(d, 'unsupported', 'vigil admits only the nodes listed in its configuration: add a [node] section per node');
        break;
      default:
        if (d.name in IGNORED) note(d, 'ignored-with-reason', IGNORED[d.name]);
        else if (d.name in UNSUPPORTED) note(d, 'unsupported', UNSUPPORTED[d.name]);
        else note(d, 'unsupported', `unknown ha.cf directive '${d.name}'`);
    }
  }
  if (nodes.length === 0) throw new ImportError('ha.cf lists no nodes (node NAME ...): nothing to import');

  const nodeConfigs: NodeConfig[] = nodes.map((name, i) => ({ name, id: i + 1, addresses: [], votes: 1 }));
  const links = buildLinks(media, nodeConfigs, notes);
  const timing = translateTimers(
    timers.deadtime
      ? { ...timers.deadtime, why: 'Heartbeat declared a node dead after deadtime' }
      : { directive: '(no deadtime)', ms: 1000, why: "ha.cf sets no deadtime: vigil's one-second default" },
    { keepalive: timers.keepalive, warn: timers.warntime, initDead: timers.initdead },
    notes,
  );
  const twoNode = nodes.length === 2;
  notes.push({
    directive: '(quorum)',
    status: 'translated',
    detail: twoNode
      ? 'two nodes: two_node = yes, so a lone survivor keeps quorum as under Heartbeat, with wait_for_all at first start'
      : `majority of ${nodes.length} votes`,
  });
  const config: VigilConfig = {
    cluster: { name: options.clusterName ?? 'linux-ha' },
    nodes: nodeConfigs,
    links,
    crypto: { mode: 'hmac-sha256', keyFile: DEFAULT_KEY_FILE },
    timing,
    quorum: { twoNode, lastManStanding: false, lastManStandingWindowMs: DEFAULT_LAST_MAN_STANDING_WINDOW_MS },
    paths: { ...DEFAULT_PATHS, logDir },
  };
  if (!options.clusterName) {
    notes.push({ directive: '(cluster name)', status: 'translated', detail: 'ha.cf has no cluster name: set to linux-ha; change [cluster] name if you like' });
  }
  const sorted = inFileOrder(notes);
  const result: ImportResult = { config, notes: sorted };
  if (authkeysText !== undefined) {
    // authkeys is another file: its notes follow, in its own line order.
    const auth = importAuthkeys(authkeysText);
    sorted.push(...auth.notes.map((n) => ({ ...n, directive: `authkeys: ${n.directive}` })));
    if (auth.key) result.key = auth.key;
  } else {
    sorted.push({ directive: '(authkeys)', status: 'unsupported', detail: `no authkeys given: create a cluster key at ${DEFAULT_KEY_FILE} (e.g. head -c 32 /dev/urandom), the same on every node` });
  }
  return result;
}

function readDirectives(text: string): Directive[] {
  const out: Directive[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const words = raw.replace(/#.*$/, '').trim().split(/\s+/).filter((w) => w !== '');
    if (words.length > 0) out.push({ name: words[0], args: words.slice(1), line: i + 1 });
  });
  return out;
}

/**
 * One link per interface, in the order first seen. ucast names peers by address only, so the
 * addresses are given to nodes in the order of the node lines, which holds when every node's
 * address is listed (a line naming the local node is skipped by Heartbeat itself).
 */
function buildLinks(media: Medium[], nodes: NodeConfig[], notes: ImportNote[]): LinkConfig[] {
  const ifaces = [...new Set(media.map((m) => m.iface))];
  const links: LinkConfig[] = [];
  ifaces.forEach((iface) => {
    const on = media.filter((m) => m.iface === iface);
    const first = on[0];
    const index = links.length;
    for (const m of on.slice(1)) if (m.kind !== first.kind) note(notes, m.d, 'unsupported', `interface ${iface} already carries ${first.kind} (link ${index}); one kind of medium per interface`);
    if (first.kind === 'bcast') {
      links.push({ mode: 'bcast', port: first.port, interface: iface });
      note(notes, first.d, 'translated', `link ${index}: broadcast on ${iface}, port ${first.port}`);
    } else if (first.kind === 'mcast') {
      links.push({ mode: 'mcast', port: first.port, group: first.group, ttl: first.ttl, interface: iface });
      note(notes, first.d, 'translated', `link ${index}: multicast ${first.group} port ${first.port} ttl ${first.ttl} on ${iface}`);
    } else {
      const peers = on.filter((m): m is Extract<Medium, { kind: 'ucast' }> => m.kind === 'ucast');
      links.push({ mode: 'udpu', port: first.port });
      const byName = peers.every((m) => nodes.some((n) => n.name === m.peer));
      if (byName) {
        for (const m of peers) {
          const owner = nodes.find((n) => n.name === m.peer) as NodeConfig;
          owner.addresses[index] = m.peer;
          note(notes, m.d, 'translated', `link ${index}: ${owner.name} reached by its host name`);
        }
      } else if (peers.length === nodes.length) {
        peers.forEach((m, i) => {
          nodes[i].addresses[index] = m.peer;
          note(notes, m.d, 'translated', `link ${index}: address of ${nodes[i].name} (matched to the node lines in order: check it)`);
        });
      } else {
        for (const m of peers) {
          note(
            notes,
            m.d,
            'unsupported',
            `link ${index}: ucast names ${peers.length} address(es) for ${nodes.length} nodes, so which node owns ${m.peer} is unknown: ` +
              `write addresses = ... in each [node] section`,
          );
        }
      }
    }
  });
  if (links.length === 0) {
    notes.push({ directive: '(media)', status: 'unsupported', detail: 'ha.cf declares no network medium: vigil uses unicast on port 694; give each node its address' });
    links.push({ mode: 'udpu', port: DEFAULT_PORT });
  }
  return links;
}

function note(notes: ImportNote[], d: Directive, status: ImportNote['status'], detail: string): void {
  notes.push({ directive: [d.name, ...d.args].join(' '), line: d.line, status, detail });
}
