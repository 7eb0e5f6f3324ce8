import { parseDuration } from './duration.js';
import { checkConfig } from './validate.js';
import {
  DEFAULT_KEY_FILE,
  DEFAULT_PATHS,
  DEFAULT_PORT,
  MAX_LINKS,
  type CryptoConfig,
  type LinkConfig,
  type LinkMode,
  type NodeConfig,
  type QuorumSettings,
  type TimingSettings,
  type VigilConfig,
} from './types.js';
import { DEFAULT_BUDGET_MS, DEFAULT_LAST_MAN_STANDING_WINDOW_MS } from '../membership/index.js';

export interface ConfigProblem {
  line: number | null;
  message: string;
}

/** Everything wrong with a configuration file, each with its line; nothing is half-applied. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(problems.map((p) => `${source}${p.line === null ? '' : `:${p.line}`}: ${p.message}`).join('\n'));
  }
}

interface Entry {
  key: string;
  value: string;
  line: number;
}

interface Section {
  kind: string;
  arg: string | null;
  line: number;
  entries: Entry[];
}

const SECTION_KEYS: Record<string, string[]> = {
  cluster: ['name'],
  node: ['id', 'addresses', 'votes'],
  transport: ['mode', 'port', 'crypto', 'key_file'],
  link: ['mode', 'port', 'group', 'ttl', 'interface', 'broadcast_address'],
  timing: ['detection_budget', 'keepalive', 'warntime', 'deadtime', 'initdead'],
  quorum: ['expected_votes', 'two_node', 'wait_for_all', 'last_man_standing', 'last_man_standing_window'],
  paths: ['state_dir', 'log_dir', 'socket'],
};
const SECTIONS_WITH_ARG = new Set(['node', 'link']);

/** Parses vigil.conf: INI-like `[section]` / `[node NAME]` / `[link N]` headers and `key = value` lines. */
export function parseVigilConfig(text: string, source = 'vigil.conf'): VigilConfig {
  const problems: ConfigProblem[] = [];
  const sections = splitSections(text, problems);
  const read = new Reader(problems);
  const singles = new Map<string, Section>();
  for (const s of sections) {
    if (SECTIONS_WITH_ARG.has(s.kind)) continue;
    if (singles.has(s.kind)) problems.push({ line: s.line, message: `section [${s.kind}] appears twice` });
    else singles.set(s.kind, s);
  }
  const get = (kind: string): Map<string, Entry> => read.entries(singles.get(kind));

  const clusterName = read.string(get('cluster'), 'name');
  if (clusterName === undefined) {
    problems.push({ line: singles.get('cluster')?.line ?? null, message: 'the cluster needs a name: [cluster] name = ...' });
  }
  const nodes = sections.filter((s) => s.kind === 'node').map((s) => readNode(s, read));
  const transport = get('transport');
  const defaultMode = read.oneOf(transport, 'mode', ['udpu', 'mcast', 'bcast'] as const) ?? 'udpu';
  const defaultPort = read.integer(transport, 'port', 1, 65535) ?? DEFAULT_PORT;
  const crypto: CryptoConfig = {
    mode: read.oneOf(transport, 'crypto', ['hmac-sha256', 'aes-256-gcm'] as const) ?? 'hmac-sha256',
    keyFile: read.string(transport, 'key_file') ?? DEFAULT_KEY_FILE,
  };
  const links = readLinks(sections, nodes, defaultMode, defaultPort, read);
  const timing = readTiming(get('timing'), read);
  const quorum = readQuorum(get('quorum'), read);
  const paths = get('paths');
  const config: VigilConfig = {
    cluster: { name: clusterName ?? '' },
    nodes,
    links,
    crypto,
    timing,
    quorum,
    paths: {
      stateDir: read.string(paths, 'state_dir') ?? DEFAULT_PATHS.stateDir,
      logDir: read.string(paths, 'log_dir') ?? DEFAULT_PATHS.logDir,
      socketPath: read.string(paths, 'socket') ?? DEFAULT_PATHS.socketPath,
    },
  };
  if (problems.length === 0) {
    const lineOf = (what: string): number | null => sectionLine(sections, what);
    for (const p of checkConfig(config)) problems.push({ line: lineOf(p.section), message: p.message });
  }
  if (problems.length > 0) throw new ConfigError(source, problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return config;
}

function sectionLine(sections: Section[], what: string): number | null {
  const [kind, arg] = what.split(' ');
  return sections.find((s) => s.kind === kind && (arg === undefined || s.arg === arg))?.line ?? null;
}

function splitSections(text: string, problems: ConfigProblem[]): Section[] {
  const sections: Section[] = [];
  let current: Section | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const content = raw.replace(/(^|\s)[#;].*$/, '').trim();
    if (content === '') return;
    const header = /^\[\s*([a-z_]+)(?:\s+([^\]\s]+))?\s*\]$/.exec(content);
    if (header) {
      const [, kind, arg] = header;
      if (!(kind in SECTION_KEYS)) {
        problems.push({ line, message: `unknown section [${kind}] (known: ${Object.keys(SECTION_KEYS).join(', ')})` });
      } else if (SECTIONS_WITH_ARG.has(kind) !== (arg !== undefined)) {
        problems.push({ line, message: SECTIONS_WITH_ARG.has(kind) ? `[${kind}] needs a name: [${kind} ${kind === 'node' ? 'NAME' : 'N'}]` : `[${kind}] takes no name` });
      }
      current = { kind, arg: arg ?? null, line, entries: [] };
      sections.push(current);
      return;
    }
    const kv = /^([a-z_0-9]+)\s*=\s*(.*)$/.exec(content);
    if (!kv) {
      problems.push({ line, message: `cannot read '${content}': expected 'key = value' or a [section] header` });
      return;
    }
    if (current === null) {
      problems.push({ line, message: `'${kv[1]}' comes before any [section]` });
      return;
    }
    const section: Section = current;
    const known = SECTION_KEYS[section.kind];
    if (known && !known.includes(kv[1])) {
      problems.push({ line, message: `unknown key '${kv[1]}' in [${section.kind}] (known: ${known.join(', ')})` });
      return;
    }
    if (section.entries.some((e) => e.key === kv[1])) {
      problems.push({ line, message: `'${kv[1]}' is set twice in [${section.kind}${section.arg ? ' ' + section.arg : ''}]` });
      return;
    }
    section.entries.push({ key: kv[1], value: kv[2].trim(), line });
  });
  return sections;
}

/** Typed reads of a section's entries; each bad value adds a problem with its line and yields undefined. */
class Reader {
  constructor(private readonly problems: ConfigProblem[]) {}

  entries(section: Section | undefined): Map<string, Entry> {
    return new Map((section?.entries ?? []).map((e) => [e.key, e]));
  }

  problem(line: number, message: string): void {
    this.problems.push({ line, message });
  }

  private fail(e: Entry, message: string): undefined {
    this.problems.push({ line: e.line, message: `${e.key}: ${message}` });
    return undefined;
  }

  string(m: Map<string, Entry>, key: string): string | undefined {
    const e = m.get(key);
    if (!e) return undefined;
    return e.value === '' ? this.fail(e, 'is empty') : e.value;
  }

  integer(m: Map<string, Entry>, key: string, min: number, max: number): number | undefined {
    const e = m.get(key);
    if (!e) return undefined;
    if (!/^\d+$/.test(e.value)) return this.fail(e, `'${e.value}' is not a whole number`);
    const n = Number(e.value);
    return n < min || n > max ? this.fail(e, `${n} is outside ${min}–${max}`) : n;
  }

  boolean(m: Map<string, Entry>, key: string): boolean | undefined {
    const e = m.get(key);
    if (!e) return undefined;
    if (/^(yes|on|true|1)$/i.test(e.value)) return true;
    if (/^(no|off|false|0)$/i.test(e.value)) return false;
    return this.fail(e, `'${e.value}' is not yes or no`);
  }

  duration(m: Map<string, Entry>, key: string): number | undefined {
    const e = m.get(key);
    if (!e) return undefined;
    const d = parseDuration(e.value);
    return typeof d === 'number' ? d : this.fail(e, d.error);
  }

  oneOf<T extends string>(m: Map<string, Entry>, key: string, allowed: readonly T[]): T | undefined {
    const e = m.get(key);
    if (!e) return undefined;
    return (allowed as readonly string[]).includes(e.value) ? (e.value as T) : this.fail(e, `'${e.value}' is not one of ${allowed.join(', ')}`);
  }

  list(m: Map<string, Entry>, key: string): string[] {
    const e = m.get(key);
    if (!e) return [];
    return e.value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
}

function readNode(s: Section, read: Reader): NodeConfig {
  const m = read.entries(s);
  return {
    name: s.arg ?? '',
    id: read.integer(m, 'id', 1, 0xffffffff) ?? 0,
    addresses: read.list(m, 'addresses'),
    votes: read.integer(m, 'votes', 0, 255) ?? 1,
  };
}

function readLinks(sections: Section[], nodes: NodeConfig[], mode: LinkMode, port: number, read: Reader): LinkConfig[] {
  const explicit = new Map<number, Section>();
  for (const s of sections.filter((x) => x.kind === 'link')) {
    const n = /^\d+$/.test(s.arg ?? '') ? Number(s.arg) : NaN;
    if (!(n >= 0 && n < MAX_LINKS)) {
      read.problem(s.line, `link number '${s.arg}' must be 0–${MAX_LINKS - 1}`);
      continue;
    }
    if (explicit.has(n)) read.problem(s.line, `[link ${n}] appears twice`);
    explicit.set(n, s);
  }
  const count = Math.max(1, ...nodes.map((n) => n.addresses.length), ...[...explicit.keys()].map((n) => n + 1));
  const links: LinkConfig[] = [];
  for (let i = 0; i < count; i++) {
    const m = read.entries(explicit.get(i));
    const linkMode = read.oneOf(m, 'mode', ['udpu', 'mcast', 'bcast'] as const) ?? mode;
    const linkPort = read.integer(m, 'port', 1, 65535) ?? port;
    const iface = read.string(m, 'interface');
    if (linkMode === 'udpu') links.push({ mode: 'udpu', port: linkPort });
    else if (linkMode === 'mcast') {
      links.push({
        mode: 'mcast',
        port: linkPort,
        group: read.string(m, 'group') ?? '',
        ttl: read.integer(m, 'ttl', 1, 255) ?? 1,
        ...(iface !== undefined ? { interface: iface } : {}),
      });
    } else {
      const bcast = read.string(m, 'broadcast_address');
      links.push({
        mode: 'bcast',
        port: linkPort,
        ...(iface !== undefined ? { interface: iface } : {}),
        ...(bcast !== undefined ? { broadcastAddress: bcast } : {}),
      });
    }
  }
  return links;
}

function readTiming(m: Map<string, Entry>, read: Reader): TimingSettings {
  const t: TimingSettings = { budgetMs: read.duration(m, 'detection_budget') ?? DEFAULT_BUDGET_MS };
  const keepaliveMs = read.duration(m, 'keepalive');
  const warnMs = read.duration(m, 'warntime');
  const deadMs = read.duration(m, 'deadtime');
  const initDeadMs = read.duration(m, 'initdead');
  if (keepaliveMs !== undefined) t.keepaliveMs = keepaliveMs;
  if (warnMs !== undefined) t.warnMs = warnMs;
  if (deadMs !== undefined) t.deadMs = deadMs;
  if (initDeadMs !== undefined) t.initDeadMs = initDeadMs;
  return t;
}

function readQuorum(m: Map<string, Entry>, read: Reader): QuorumSettings {
  const q: QuorumSettings = {
    twoNode: read.boolean(m, 'two_node') ?? false,
    lastManStanding: read.boolean(m, 'last_man_standing') ?? false,
    lastManStandingWindowMs: read.duration(m, 'last_man_standing_window') ?? DEFAULT_LAST_MAN_STANDING_WINDOW_MS,
  };
  const expected = read.integer(m, 'expected_votes', 1, 65535);
  const waitForAll = read.boolean(m, 'wait_for_all');
  if (expected !== undefined) q.expectedVotes = expected;
  if (waitForAll !== undefined) q.waitForAll = waitForAll;
  return q;
}
