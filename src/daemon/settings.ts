import type { QuorumOptions, Timing } from '../membership/index.js';
import type { LinkMode } from '../transport/index.js';
import type { LogLevel } from './log.js';

/**
 * Everything vigild needs to run, resolved: which node this is, the nodes and their address on
 * each link, the timers, and where to keep state. Built from the configuration file by
 * `settingsFromConfig`, or directly by tests.
 */
export interface DaemonSettings {
  cluster: string;
  self: string;
  nodes: { name: string; id: number; votes: number; addresses: string[] }[];
  links: LinkSettings[];
  timing: Timing;
  quorum: QuorumOptions;
  keyFile: string;
  encrypt: boolean;
  stateDir: string;
  logDir?: string;
  logLevel: LogLevel;
  logFormat: 'json' | 'plain';
  socketPath: string;
  /** Replication waits this long for a member's answer before calling the commit failed. */
  cibTimeoutMs: number;
}

export interface LinkSettings {
  mode: LinkMode;
  port: number;
  /** multicast */
  group?: string;
  ttl?: number;
  /** broadcast */
  broadcastAddress?: string;
}
