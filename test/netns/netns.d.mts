import type { ChildProcess, SpawnOptions } from 'node:child_process';

export interface NetnsNode {
  name: string;
  ns: string;
  addresses: string[];
  ifaces: string[];
}

export interface Network {
  prefix: string;
  hub: string;
  nodes: NetnsNode[];
  exec(i: number, cmd: string, args?: string[]): string;
  spawn(i: number, cmd: string, args?: string[], options?: SpawnOptions): ChildProcess;
  setLink(i: number, link: number, up: boolean): void;
  isolate(i: number): void;
  heal(i: number): void;
  setLoss(percent: number): void;
  destroy(): void;
}

export function netnsAvailable(): string | null;
export function lossAvailable(): string | null;
export function cleanupLeftovers(): string[];
export function createNetwork(options: { nodes: number; links?: number }): Network;
