import { formatDuration } from './duration.js';
import type { TimingSettings, VigilConfig } from './types.js';
import {
  TimingError,
  deriveTiming,
  validateTiming,
  worstCaseDetectionMs,
  type MembershipConfig,
  type Timing,
} from '../membership/index.js';

/** A problem found once the file's syntax is sound; `section` is e.g. "timing" or "node alpha". */
export interface SemanticProblem {
  section: string;
  message: string;
}

const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * The timers the settings give: those derived from the budget, with explicit ones in their place.
 * Throws a TimingError that says why when they cannot work.
 */
export function resolveTiming(settings: TimingSettings): Timing {
  const derived = deriveTiming(settings.budgetMs);
  const timing: Timing = {
    keepaliveMs: settings.keepaliveMs ?? derived.keepaliveMs,
    warnMs: settings.warnMs ?? derived.warnMs,
    deadMs: settings.deadMs ?? derived.deadMs,
    initDeadMs: settings.initDeadMs ?? derived.initDeadMs,
  };
  // A pinned deadtime or keepalive shifts what the derived warntime and initdead should be.
  if (settings.warnMs === undefined && settings.deadMs !== undefined) timing.warnMs = Math.floor(timing.deadMs / 2);
  if (settings.initDeadMs === undefined && settings.deadMs !== undefined) timing.initDeadMs = 3 * timing.deadMs;
  validateTiming(timing);
  const worst = worstCaseDetectionMs(timing);
  if (worst > settings.budgetMs) {
    throw new TimingError(
      `these timers detect a dead node in up to ${formatDuration(worst)}, over the detection budget of ` +
        `${formatDuration(settings.budgetMs)}: raise detection_budget or lower deadtime`,
    );
  }
  return timing;
}

export function checkConfig(config: VigilConfig): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const add = (section: string, message: string): void => {
    problems.push({ section, message });
  };
  if (config.nodes.length === 0) add('cluster', 'no nodes: add a [node NAME] section for each node');
  const ids = new Map<number, string>();
  const names = new Set<string>();
  for (const n of config.nodes) {
    if (!NODE_NAME.test(n.name)) add(`node ${n.name}`, `node name '${n.name}' may hold only letters, digits, '.', '_' and '-'`);
    if (names.has(n.name)) add(`node ${n.name}`, `node ${n.name} is declared twice`);
    names.add(n.name);
    if (n.id === 0) add(`node ${n.name}`, `node ${n.name} needs an id (a whole number from 1)`);
    else if (ids.has(n.id)) add(`node ${n.name}`, `node ${n.name} has id ${n.id}, already used by ${ids.get(n.id)}`);
    else ids.set(n.id, n.name);
    for (const a of n.addresses) if (!validAddress(a)) add(`node ${n.name}`, `node ${n.name}: '${a}' is not an IPv4 or IPv6 address or a host name`);
  }
  config.links.forEach((link, i) => {
    if (link.mode === 'udpu') {
      const missing = config.nodes.filter((n) => n.addresses[i] === undefined).map((n) => n.name);
      if (missing.length > 0) {
        add(`node ${missing[0]}`, `link ${i} is unicast (udpu) but ${missing.join(', ')} ha${missing.length > 1 ? 've' : 's'} no address for it`);
      }
    }
    if (link.mode === 'mcast' && !isMulticast(link.group)) {
      add(`link ${i}`, `link ${i} is multicast and needs a group in 224.0.0.0/4 or ff00::/8, not '${link.group}'`);
    }
  });
  try {
    resolveTiming(config.timing);
  } catch (err) {
    if (!(err instanceof TimingError)) throw err;
    add('timing', err.message);
  }
  const q = config.quorum;
  if (q.twoNode && config.nodes.length !== 2) add('quorum', `two_node = yes needs exactly 2 nodes, not ${config.nodes.length}`);
  const votes = config.nodes.reduce((s, n) => s + n.votes, 0);
  if (votes === 0) add('cluster', 'no node has a vote: quorum could never be reached');
  if (q.expectedVotes !== undefined && q.expectedVotes < votes / 2) {
    add('quorum', `expected_votes ${q.expectedVotes} is under half the ${votes} configured votes: two halves of the cluster could both be quorate`);
  }
  const pathKeys = { stateDir: 'state_dir', logDir: 'log_dir', socketPath: 'socket' } as const;
  for (const [key, name] of Object.entries(pathKeys)) {
    const path = config.paths[key as keyof typeof pathKeys];
    if (!path.startsWith('/')) add('paths', `${name}: '${path}' must be an absolute path`);
  }
  if (!config.crypto.keyFile.startsWith('/')) add('transport', `key_file '${config.crypto.keyFile}' must be an absolute path`);
  return problems;
}

/** The membership state machine's configuration for node `self` of this cluster. */
export function membershipConfigFor(config: VigilConfig, self: string, incarnation: number): MembershipConfig {
  return {
    self,
    nodes: config.nodes.map((n) => ({ name: n.name, id: n.id, votes: n.votes })),
    timing: resolveTiming(config.timing),
    quorum: {
      ...(config.quorum.expectedVotes !== undefined ? { expectedVotes: config.quorum.expectedVotes } : {}),
      ...(config.quorum.waitForAll !== undefined ? { waitForAll: config.quorum.waitForAll } : {}),
      twoNode: config.quorum.twoNode,
      lastManStanding: config.quorum.lastManStanding,
      lastManStandingWindowMs: config.quorum.lastManStandingWindowMs,
    },
    incarnation,
  };
}

function validAddress(a: string): boolean {
  const v4 = IPV4.exec(a);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255);
  if (a.includes(':')) return /^[0-9A-Fa-f:]+$/.test(a) && a.split(':').length <= 8;
  // A host name, resolved when the daemon starts.
  return HOST_NAME.test(a) && !/^[\d.]+$/.test(a);
}

function isMulticast(group: string): boolean {
  const v4 = IPV4.exec(group);
  if (v4) return Number(v4[1]) >= 224 && Number(v4[1]) <= 239 && v4.slice(2).every((o) => Number(o) <= 255);
  return /^ff[0-9a-f]{2}:/i.test(group);
}
