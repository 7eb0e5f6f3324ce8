import type { ChildProcess } from 'node:child_process';
import type { Network } from '../netns/netns.mjs';

export const vigildPath: string;
export const vigilPath: string;
export function buildAvailable(): string | null;

export interface ClusterNodeInfo {
  name: string;
  socket: string;
  stateDir: string;
  logDir: string;
  logFile: string;
  stderrFile: string;
  addresses: string[];
}

/** The subset of the daemon's status the tests read; see src/daemon/status-types.ts. */
export interface StatusLike {
  node: string;
  incarnation: number;
  view: { id: number; members: string[]; dc: string | null; quorate: boolean; partition: string; coordinator: string };
  peers: { name: string; state: string; inView: boolean; silentMsByLink: (number | null)[] }[];
  counters: Record<string, number> & { membership: Record<string, number>; controller: { staleIncarnation: number } };
  cibVersion: { adminEpoch: number; epoch: number; numUpdates: number };
  cib: string;
  health: { score: number; lastLagMs: number; worstLagMs: number };
  timing: { keepaliveMs: number; warnMs: number; deadMs: number; initDeadMs: number; tickMs: number; worstCaseDetectionMs: number; stallHoldMs: number };
}

export interface LogRecord {
  ts: number;
  level: string;
  node: string;
  msg: string;
  event?: string;
  [key: string]: unknown;
}

export interface Cluster {
  dir: string;
  configFile: string;
  port: number;
  names: string[];
  node(i: number): ClusterNodeInfo;
  start(i: number): ChildProcess;
  pid(i: number): number | undefined;
  kill(i: number, signal?: NodeJS.Signals): void;
  waitExit(i: number, ms?: number): Promise<number | null>;
  request(i: number, req: Record<string, unknown>): Promise<unknown>;
  status(i: number): Promise<StatusLike>;
  waitFor(i: number, pred: (s: StatusLike) => boolean, ms?: number, what?: string): Promise<StatusLike>;
  events(i: number): LogRecord[];
  stop(): Promise<void>;
}

export function startCluster(options: {
  network?: Network;
  nodes?: number;
  links?: number;
  budget?: string;
  dir: string;
  port?: number;
  encrypt?: boolean;
  extraConfig?: string;
}): Promise<Cluster>;
