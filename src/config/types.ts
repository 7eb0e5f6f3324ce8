/** vigil's node configuration (/etc/vigil/vigil.conf), as parsed. docs/config.md describes every key. */
export interface VigilConfig {
  cluster: { name: string };
  nodes: NodeConfig[];
  /** One entry per link, index = link number. */
  links: LinkConfig[];
  crypto: CryptoConfig;
  timing: TimingSettings;
  quorum: QuorumSettings;
  paths: PathsConfig;
}

export interface NodeConfig {
  name: string;
  id: number;
  /** Address on each link, index = link number; may be empty when every link is mcast or bcast. */
  addresses: string[];
  votes: number;
}

export type LinkMode = 'udpu' | 'mcast' | 'bcast';

/** Unicast to every node's address on this link: the default, and what works where multicast doesn't. */
export interface UnicastLink {
  mode: 'udpu';
  port: number;
}

export interface MulticastLink {
  mode: 'mcast';
  port: number;
  group: string;
  ttl: number;
  /** Interface to join the group on; the system's choice when absent. */
  interface?: string;
}

export interface BroadcastLink {
  mode: 'bcast';
  port: number;
  /** Interface to broadcast on; the system's choice when absent. */
  interface?: string;
  /** Defaults to 255.255.255.255. */
  broadcastAddress?: string;
}

export type LinkConfig = UnicastLink | MulticastLink | BroadcastLink;

export interface CryptoConfig {
  /** Every packet carries an HMAC-SHA256; aes-256-gcm also encrypts the payload. */
  mode: 'hmac-sha256' | 'aes-256-gcm';
  keyFile: string;
}

/** The timers as written: a detection budget, and any timer the administrator pinned explicitly. */
export interface TimingSettings {
  budgetMs: number;
  keepaliveMs?: number;
  warnMs?: number;
  deadMs?: number;
  initDeadMs?: number;
}

export interface QuorumSettings {
  expectedVotes?: number;
  twoNode: boolean;
  /** Undefined: follows two_node, as votequorum. */
  waitForAll?: boolean;
  lastManStanding: boolean;
  lastManStandingWindowMs: number;
}

export interface PathsConfig {
  stateDir: string;
  logDir: string;
  socketPath: string;
}

export const DEFAULT_PORT = 694;
export const DEFAULT_KEY_FILE = '/etc/vigil/authkey';
export const DEFAULT_PATHS: PathsConfig = {
  stateDir: '/var/lib/vigil',
  logDir: '/var/log/vigil',
  socketPath: '/run/vigil/vigil.sock',
};
export const MAX_LINKS = 8;
