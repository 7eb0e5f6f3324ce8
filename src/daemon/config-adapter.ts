import { hostname, networkInterfaces } from 'node:os';
import { resolveTiming, type VigilConfig } from '../config/index.js';
import type { LogLevel } from './log.js';
import type { DaemonSettings, LinkSettings } from './settings.js';

export interface DaemonFlags {
  /** --node: which configured node this is. */
  node?: string;
  socket?: string;
  stateDir?: string;
  logDir?: string;
  logLevel: LogLevel;
  logFormat: 'json' | 'plain';
}

function localAddresses(): Map<string, string> {
  const byAddress = new Map<string, string>();
  for (const [ifname, addrs] of Object.entries(networkInterfaces())) for (const a of addrs ?? []) byAddress.set(a.address, ifname);
  return byAddress;
}

/**
 * Which node we are: --node, else the configured node owning one of this host's addresses, else
 * the host name (as Heartbeat's `uname -n` rule). Several namespaces on one host share a host
 * name, which is why the address match comes first.
 */
export function resolveSelf(config: VigilConfig, explicit?: string): string {
  const names = config.nodes.map((n) => n.name);
  if (explicit !== undefined) {
    if (!names.includes(explicit)) throw new Error(`--node ${explicit} is not in the configuration's node list (${names.join(', ')})`);
    return explicit;
  }
  const local = localAddresses();
  const owners = config.nodes.filter((n) => n.addresses.some((a) => a !== '' && local.has(a)));
  if (owners.length === 1) return owners[0].name;
  if (owners.length > 1) throw new Error(`this host has addresses of several nodes (${owners.map((n) => n.name).join(', ')}); say which with --node`);
  const host = hostname();
  if (names.includes(host)) return host;
  throw new Error(`cannot tell which node this is: no configured address is local and the host name '${host}' is not a node; use --node`);
}

function ipv4Of(ifname: string | undefined): string | undefined {
  if (ifname === undefined) return undefined;
  return networkInterfaces()[ifname]?.find((a) => a.family === 'IPv4')?.address;
}

export function settingsFromConfig(config: VigilConfig, flags: DaemonFlags): DaemonSettings {
  const self = resolveSelf(config, flags.node);
  const links: LinkSettings[] = config.links.map((l) => {
    if (l.mode === 'mcast') return { mode: 'multicast', port: l.port, group: l.group, ttl: l.ttl };
    if (l.mode === 'bcast') return { mode: 'broadcast', port: l.port, broadcastAddress: l.broadcastAddress ?? '255.255.255.255' };
    return { mode: 'unicast', port: l.port };
  });
  const nodes = config.nodes.map((n) => ({
    name: n.name,
    id: n.id,
    votes: n.votes,
    addresses: config.links.map((l, i) => {
      const a = n.addresses[i];
      if (a !== undefined && a !== '') return a;
      if (l.mode === 'udpu') throw new Error(`node ${n.name} has no address on unicast link ${i}`);
      // Shared-medium links need no per-node address; ours is the interface's, for binding.
      return n.name === self ? (ipv4Of(l.interface) ?? '0.0.0.0') : '';
    }),
  }));
  const timing = resolveTiming(config.timing);
  return {
    cluster: config.cluster.name,
    self,
    nodes,
    links,
    timing,
    quorum: {
      expectedVotes: config.quorum.expectedVotes,
      twoNode: config.quorum.twoNode,
      waitForAll: config.quorum.waitForAll,
      lastManStanding: config.quorum.lastManStanding,
      lastManStandingWindowMs: config.quorum.lastManStandingWindowMs,
    },
    keyFile: config.crypto.keyFile,
    encrypt: config.crypto.mode === 'aes-256-gcm',
    stateDir: flags.stateDir ?? config.paths.stateDir,
    logDir: flags.logDir ?? config.paths.logDir,
    logLevel: flags.logLevel,
    logFormat: flags.logFormat,
    socketPath: flags.socket ?? config.paths.socketPath,
    cibTimeoutMs: Math.max(2_000, 2 * timing.deadMs),
  };
}
