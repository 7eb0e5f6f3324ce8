import { DEFAULT_KEY_FILE, DEFAULT_PATHS, DEFAULT_PORT, MAX_LINKS, type LinkConfig, type NodeConfig, type VigilConfig } from '../types.js';
import { DEFAULT_LAST_MAN_STANDING_WINDOW_MS } from '../../membership/index.js';
import { ImportError, inFileOrder, type ImportNote, type ImportResult } from './result.js';
import { translateTimers } from './timers.js';

/** One `key: value` or `name { ... }` of corosync.conf, with its line. */
interface Item {
  key: string;
  value?: string;
  children?: Item[];
  line: number;
}

const TOKEN_DEFAULT_MS = 3000;
const TOKEN_COEFFICIENT_DEFAULT_MS = 650;

/** totem keys that tune Totem's token ring, which vigil does not have, with the reason. */
const TOTEM_IGNORED: Record<string, string> = {
  consensus: 'vigil agrees on a view with one propose/ack/commit round after detection, so there is no separate consensus timeout',
  join: 'vigil has no join phase timer: a node joins at the next heartbeat exchange',
  send_join: 'vigil has no join phase timer',
  merge: 'partitions merge as soon as heartbeats cross again',
  downcheck: 'links are checked by every heartbeat',
  fail_recv_const: 'no token ring in vigil',
  seqno_unchanged_const: 'no token ring in vigil',
  max_messages: 'no token ring in vigil',
  miss_count_const: 'no token ring in vigil',
  token_retransmits_before_loss_const: 'no token ring in vigil',
  token_retransmit: 'no token ring in vigil',
  hold: 'no token ring in vigil',
  token_warning: 'vigil warns of a late heartbeat at warntime, derived from the detection budget',
  max_network_delay: 'detection follows the budget alone',
  heartbeat_failures_allowed: 'detection follows the budget alone',
  crypto_model: 'vigil uses Node.js (OpenSSL) crypto',
  link_mode: 'vigil sends on every link and counts a node up while any link works (like active mode)',
  ip_version: 'addresses are used as written',
  config_version: 'vigil has no configuration version handshake',
  clear_node_high_bit: 'node ids come from the nodelist',
  knet_compression_model: "vigil's wire format is fixed",
  knet_pmtud_interval: 'vigil keeps heartbeats in one small datagram',
  netmtu: 'vigil keeps heartbeats in one small datagram',
  window_size: 'no token ring in vigil',
  version: 'the only version corosync accepts; nothing to translate',
};

const LOGGING_IGNORED =
  'vigil logs to stderr (journald under systemd) and to files in log_dir; levels are set with vigild --log-level';

/**
 * Translates corosync.conf (and the authkey's bytes) into vigil's configuration. Totem's token is
 * the time to detect a failure, so it becomes the detection budget; knet and udpu become unicast
 * links, udp becomes multicast.
 */
export function importCorosyncConf(text: string, authkey?: Uint8Array): ImportResult {
  const notes: ImportNote[] = [];
  const root = parseCorosync(text);
  const note = (item: Item, path: string, status: ImportNote['status'], detail: string): void => {
    notes.push({ directive: `${path}${item.key}${item.value !== undefined ? `: ${item.value}` : ''}`, line: item.line, status, detail });
  };
  const sections = new Map<string, Item>();
  for (const item of root) {
    if (!item.children) note(item, '', 'unsupported', 'a key outside any section');
    else if (['totem', 'nodelist', 'quorum', 'logging'].includes(item.key)) {
      if (sections.has(item.key)) note(item, '', 'unsupported', `a second ${item.key} section: only the first is used`);
      else sections.set(item.key, item);
    } else if (item.key === 'system' || item.key === 'resources' || item.key === 'nozzle') {
      note(item, '', 'ignored-with-reason', `corosync's ${item.key} section has no counterpart: vigild's process settings come from its service unit`);
    } else note(item, '', 'unsupported', `unknown section '${item.key}'`);
  }
  const nodes = readNodelist(sections.get('nodelist'), note);
  if (nodes.length === 0) throw new ImportError('corosync.conf has no nodelist with nodes: nothing to import');
  const totem = readTotem(sections.get('totem'), nodes, note, notes);
  const quorum = readQuorum(sections.get('quorum'), note);
  const logDir = readLogging(sections.get('logging'), note);
  const config: VigilConfig = {
    cluster: { name: totem.clusterName },
    nodes,
    links: totem.links,
    crypto: { mode: totem.encrypt ? 'aes-256-gcm' : 'hmac-sha256', keyFile: DEFAULT_KEY_FILE },
    timing: totem.timing,
    quorum,
    paths: { ...DEFAULT_PATHS, logDir },
  };
  const result: ImportResult = { config, notes: inFileOrder(notes) };
  if (authkey !== undefined) {
    result.key = authkey;
    result.notes.push({ directive: '(authkey)', status: 'translated', detail: `the ${authkey.length}-byte corosync authkey becomes the cluster key at ${DEFAULT_KEY_FILE}` });
  } else {
    result.notes.push({ directive: '(authkey)', status: 'unsupported', detail: `no authkey given: create a cluster key at ${DEFAULT_KEY_FILE} (e.g. head -c 32 /dev/urandom), the same on every node` });
  }
  return result;
}

type Note = (item: Item, path: string, status: ImportNote['status'], detail: string) => void;

function readNodelist(section: Item | undefined, note: Note): NodeConfig[] {
  const nodes: NodeConfig[] = [];
  for (const item of section?.children ?? []) {
    if (item.key !== 'node' || !item.children) {
      note(item, 'nodelist.', 'unsupported', 'only node { } entries belong in nodelist');
      continue;
    }
    const get = (k: string): Item | undefined => item.children?.find((c) => c.key === k);
    const addresses: string[] = [];
    let name: string | undefined;
    let id: number | undefined;
    let votes = 1;
    for (const c of item.children) {
      const ring = /^ring(\d)_addr$/.exec(c.key);
      if (ring && c.value !== undefined) {
        addresses[Number(ring[1])] = c.value;
        note(c, 'nodelist.node.', 'translated', `address on link ${ring[1]}`);
      } else if (c.key === 'name' && c.value) {
        name = c.value;
        note(c, 'nodelist.node.', 'translated', `[node ${c.value}]`);
      } else if (c.key === 'nodeid' && /^\d+$/.test(c.value ?? '') && Number(c.value) > 0) {
        id = Number(c.value);
        note(c, 'nodelist.node.', 'translated', `id = ${id}`);
      } else if (c.key === 'quorum_votes' && /^\d+$/.test(c.value ?? '')) {
        votes = Number(c.value);
        note(c, 'nodelist.node.', 'translated', `votes = ${votes}`);
      } else note(c, 'nodelist.node.', 'unsupported', `unknown or invalid node key '${c.key}'`);
    }
    const ring0 = get('ring0_addr')?.value;
    if (name === undefined) {
      if (ring0 === undefined) {
        note(item, 'nodelist.', 'unsupported', 'a node with neither name nor ring0_addr is skipped');
        continue;
      }
      name = ring0;
      note(item, 'nodelist.', 'translated', `no name: the node is called ${ring0} after its ring0_addr; Pacemaker would use the host name`);
    }
    if (id === undefined) {
      id = nodes.length + 1;
      while (nodes.some((n) => n.id === id)) id += 1;
      note(item, 'nodelist.', 'translated', `${name} has no nodeid: given id ${id}`);
    }
    nodes.push({ name, id, addresses: densify(addresses, name, item, note), votes });
  }
  return nodes;
}

function densify(addresses: string[], name: string, item: Item, note: Note): string[] {
  const dense: string[] = [];
  for (let i = 0; i < addresses.length; i++) {
    if (addresses[i] === undefined) {
      note(item, 'nodelist.', 'unsupported', `${name} has ring${i + 1}_addr but no ring${i}_addr: links must be numbered from 0`);
      break;
    }
    dense.push(addresses[i]);
  }
  return dense;
}

interface TotemResult {
  clusterName: string;
  links: LinkConfig[];
  encrypt: boolean;
  timing: VigilConfig['timing'];
}

function readTotem(section: Item | undefined, nodes: NodeConfig[], note: Note, notes: ImportNote[]): TotemResult {
  let clusterName = 'corosync';
  let transport = 'knet';
  let tokenMs = TOKEN_DEFAULT_MS;
  let tokenItem: Item | undefined;
  let coefficientMs = TOKEN_COEFFICIENT_DEFAULT_MS;
  let cipher = 'none';
  let secauth = false;
  const interfaces: Item[] = [];
  for (const c of section?.children ?? []) {
    const path = 'totem.';
    if (c.children) {
      if (c.key === 'interface') interfaces.push(c);
      else note(c, path, 'unsupported', `unknown totem sub-section '${c.key}'`);
      continue;
    }
    const v = c.value ?? '';
    switch (c.key) {
      case 'cluster_name':
        clusterName = v;
        note(c, path, 'translated', `[cluster] name = ${v}`);
        break;
      case 'transport':
        transport = v;
        if (v === 'udp') note(c, path, 'translated', 'multicast links (mode = mcast)');
        else if (v === 'udpu' || v === 'knet') note(c, path, 'translated', 'unicast links (mode = udpu), one per ringX_addr');
        else note(c, path, 'unsupported', `unknown transport '${v}': unicast used`);
        break;
      case 'token':
        if (/^\d+$/.test(v)) {
          tokenMs = Number(v);
          tokenItem = c;
        } else note(c, path, 'unsupported', `'${v}' is not a number of milliseconds`);
        break;
      case 'token_coefficient':
        if (/^\d+$/.test(v)) {
          coefficientMs = Number(v);
          note(c, path, 'translated', 'folded into the detection budget with the token');
        } else note(c, path, 'unsupported', `'${v}' is not a number of milliseconds`);
        break;
      case 'crypto_cipher':
        cipher = v;
        if (v === 'none') note(c, path, 'translated', 'no encryption: packets are still authenticated with HMAC-SHA256');
        else if (/^aes(128|192|256)$/.test(v)) note(c, path, 'translated', `crypto = aes-256-gcm${v === 'aes256' ? '' : ` (upgraded from ${v})`}`);
        else note(c, path, 'unsupported', `unknown cipher '${v}': packets are authenticated, not encrypted`);
        break;
      case 'crypto_hash':
        note(c, path, 'translated', v === 'none' ? 'vigil always authenticates packets, with HMAC-SHA256' : `HMAC-SHA256 on the wire (corosync used ${v})`);
        break;
      case 'secauth':
        secauth = v === 'on' || v === 'yes';
        note(c, path, 'translated', secauth ? 'crypto = aes-256-gcm' : 'authentication only (HMAC-SHA256)');
        break;
      case 'keyfile':
      case 'key':
        note(c, path, 'translated', `the key is read from the authkey given to the import and written to ${DEFAULT_KEY_FILE}`);
        break;
      case 'block_unlisted_ips':
        note(c, path, 'translated', 'vigil accepts packets only from listed nodes holding the cluster key');
        break;
      default:
        if (c.key in TOTEM_IGNORED) note(c, path, 'ignored-with-reason', TOTEM_IGNORED[c.key]);
        else note(c, path, 'unsupported', `unknown totem key '${c.key}'`);
    }
  }
  // Corosync stretches the token for bigger clusters; vigil's budget is the time actually allowed.
  const effectiveMs = nodes.length >= 3 && coefficientMs > 0 ? tokenMs + (nodes.length - 2) * coefficientMs : tokenMs;
  const timing = translateTimers(
    {
      directive: tokenItem ? `totem.token: ${tokenMs}` : '(totem.token default 3000)',
      line: tokenItem?.line,
      ms: effectiveMs,
      why:
        `corosync's token${effectiveMs !== tokenMs ? ` with token_coefficient for ${nodes.length} nodes` : ''}; ` +
        `corosync then spent a consensus timeout more before reconfiguring, vigil agrees within the budget`,
    },
    {},
    notes,
  );
  const linkCount = Math.max(1, ...nodes.map((n) => n.addresses.length));
  const links = readInterfaces(interfaces, transport, linkCount, note);
  return { clusterName, links, encrypt: secauth || /^aes/.test(cipher), timing };
}

function readInterfaces(interfaces: Item[], transport: string, linkCount: number, note: Note): LinkConfig[] {
  const byLink = new Map<number, Item>();
  for (const itf of interfaces) {
    const n = Number(itf.children?.find((c) => c.key === 'linknumber' || c.key === 'ringnumber')?.value ?? '0');
    if (!Number.isInteger(n) || n < 0 || n >= MAX_LINKS) note(itf, 'totem.', 'unsupported', `link number must be 0–${MAX_LINKS - 1}`);
    else byLink.set(n, itf);
  }
  const count = Math.max(linkCount, ...[...byLink.keys()].map((n) => n + 1));
  const links: LinkConfig[] = [];
  for (let i = 0; i < count; i++) {
    let port = DEFAULT_PORT;
    let group: string | undefined;
    let ttl = 1;
    let broadcast = false;
    for (const c of byLink.get(i)?.children ?? []) {
      const path = `totem.interface[${i}].`;
      const v = c.value ?? '';
      if (c.key === 'linknumber' || c.key === 'ringnumber') note(c, path, 'translated', `[link ${i}]`);
      else if (c.key === 'mcastport' && /^\d+$/.test(v)) {
        port = Number(v);
        note(c, path, 'translated', `port = ${port}`);
      } else if (c.key === 'mcastaddr') {
        group = v;
        note(c, path, 'translated', transport === 'udp' ? `group = ${v}` : 'kept for reference only: this transport is unicast');
      } else if (c.key === 'ttl' && /^\d+$/.test(v)) {
        ttl = Number(v);
        note(c, path, 'translated', `ttl = ${ttl}`);
      } else if (c.key === 'broadcast') {
        broadcast = v === 'yes';
        note(c, path, 'translated', broadcast ? 'mode = bcast' : 'no broadcast');
      } else if (c.key === 'bindnetaddr') note(c, path, 'ignored-with-reason', "vigil binds to the node's own address on each link");
      else if (c.key.startsWith('knet_')) note(c, path, 'ignored-with-reason', 'link health is judged from heartbeats on each link');
      else note(c, path, 'unsupported', `unknown interface key '${c.key}'`);
    }
    if (transport === 'udp' && broadcast) links.push({ mode: 'bcast', port });
    else if (transport === 'udp') links.push({ mode: 'mcast', port, group: group ?? '', ttl });
    else links.push({ mode: 'udpu', port });
  }
  return links;
}

function readQuorum(section: Item | undefined, note: Note): VigilConfig['quorum'] {
  const q: VigilConfig['quorum'] = { twoNode: false, lastManStanding: false, lastManStandingWindowMs: DEFAULT_LAST_MAN_STANDING_WINDOW_MS };
  const flag = (v: string | undefined): boolean => v === '1' || v === 'yes' || v === 'on';
  for (const c of section?.children ?? []) {
    const path = 'quorum.';
    const v = c.value ?? '';
    switch (c.key) {
      case 'provider':
        if (v === 'corosync_votequorum') note(c, path, 'translated', 'vigil always applies votequorum rules');
        else note(c, path, 'unsupported', `provider '${v}': vigil always applies votequorum rules`);
        break;
      case 'expected_votes':
        if (/^\d+$/.test(v) && Number(v) > 0) {
          q.expectedVotes = Number(v);
          note(c, path, 'translated', `expected_votes = ${v}`);
        } else note(c, path, 'unsupported', `'${v}' is not a positive number`);
        break;
      case 'two_node':
        q.twoNode = flag(v);
        note(c, path, 'translated', `two_node = ${q.twoNode ? 'yes' : 'no'}`);
        break;
      case 'wait_for_all':
        q.waitForAll = flag(v);
        note(c, path, 'translated', `wait_for_all = ${q.waitForAll ? 'yes' : 'no'}`);
        break;
      case 'last_man_standing':
        q.lastManStanding = flag(v);
        note(c, path, 'translated', `last_man_standing = ${q.lastManStanding ? 'yes' : 'no'}`);
        break;
      case 'last_man_standing_window':
        if (/^\d+$/.test(v)) {
          q.lastManStandingWindowMs = Number(v);
          note(c, path, 'translated', `last_man_standing_window = ${v}ms`);
        } else note(c, path, 'unsupported', `'${v}' is not a number of milliseconds`);
        break;
      case 'auto_tie_breaker':
      case 'auto_tie_breaker_node':
      case 'allow_downscale':
      case 'expected_votes_tracking':
      case 'device':
        note(c, path, 'unsupported', `${c.key} is not supported: vigil's quorum is majority, two_node, wait_for_all and last_man_standing`);
        break;
      default:
        note(c, path, 'unsupported', `unknown quorum key '${c.key}'`);
    }
  }
  return q;
}

function readLogging(section: Item | undefined, note: Note): string {
  let logDir = DEFAULT_PATHS.logDir;
  for (const c of section?.children ?? []) {
    if (c.key === 'logfile' && c.value?.startsWith('/')) {
      logDir = c.value.slice(0, c.value.lastIndexOf('/')) || '/';
      note(c, 'logging.', 'translated', `log_dir = ${logDir}`);
    } else note(c, 'logging.', 'ignored-with-reason', LOGGING_IGNORED);
  }
  return logDir;
}

/** corosync.conf's syntax: `name {` ... `}` blocks and `key: value` lines, `#` comments. */
export function parseCorosync(text: string): Item[] {
  const root: Item[] = [];
  const stack: Item[][] = [root];
  const openers: Item[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    // Several statements may share a line, separated by braces or semicolons.
    const pieces = raw.replace(/#.*$/, '').split(/(\{|\}|;)/);
    let pending = '';
    for (const piece of pieces) {
      if (piece === '{') {
        const item: Item = { key: pending.trim(), children: [], line };
        if (item.key === '') throw new ImportError(`corosync.conf:${line}: '{' without a section name`);
        stack[stack.length - 1].push(item);
        stack.push(item.children as Item[]);
        openers.push(item);
        pending = '';
      } else if (piece === '}' || piece === ';') {
        addStatement(pending, line, stack[stack.length - 1]);
        pending = '';
        if (piece === '}') {
          if (stack.length === 1) throw new ImportError(`corosync.conf:${line}: '}' closes nothing`);
          stack.pop();
          openers.pop();
        }
      } else pending += piece;
    }
    addStatement(pending, line, stack[stack.length - 1]);
  });
  if (openers.length > 0) {
    const open = openers[openers.length - 1];
    throw new ImportError(`corosync.conf:${open.line}: section '${open.key}' is never closed`);
  }
  return root;
}

function addStatement(text: string, line: number, into: Item[]): void {
  const s = text.trim();
  if (s === '') return;
  const m = /^([A-Za-z0-9_]+)\s*:\s*(.*)$/.exec(s);
  if (!m) throw new ImportError(`corosync.conf:${line}: cannot read '${s}': expected 'key: value'`);
  into.push({ key: m[1], value: m[2].trim(), line });
}
