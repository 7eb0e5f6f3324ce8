import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fenceAgentInput } from './environment.js';
import type { AgentSpec, OperationRequest } from './types.js';

/** Where each class's programs live; tests point these at directories they make. */
export interface AgentDirectories {
  ocfRoot: string;
  lsbDir: string;
  fenceDir: string;
  /** The directory systemd drop-ins go into; `undefined` when systemd is not PID 1. */
  systemdRunDir?: string;
}

export const BUILTIN_PROVIDER = 'vigil';

export type AgentCommand =
  | { kind: 'run'; command: string; args: string[]; stdin?: string; /** systemd monitor answers in text, not exit code */ parse?: 'systemd-state' }
  /** `ocf:vigil:TYPE`: run inside the executor's process (agents/in-process.ts). */
  | { kind: 'builtin'; type: string; action: string }
  | { kind: 'unavailable'; status: 'not-installed' | 'not-supported'; reason: string };

/** True when systemd runs this machine, the condition for systemd: resources (as sd_booted()). */
export function systemdRunning(): boolean {
  return existsSync('/run/systemd/system');
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** LSB scripts know `status`; the cluster says `monitor`. */
function lsbAction(task: string): string {
  return task === 'monitor' ? 'status' : task;
}

/** What to run for one operation of an agent, or why it cannot run on this node. */
export function agentCommand(request: OperationRequest, dirs: AgentDirectories): AgentCommand {
  const agent = request.agent;
  switch (agent.agentClass) {
    case 'ocf': {
      if (agent.provider === BUILTIN_PROVIDER) {
        return { kind: 'builtin', type: agent.type, action: request.task };
      }
      const path = join(dirs.ocfRoot, 'resource.d', agent.provider, agent.type);
      if (!executable(path)) return notInstalled(agent, path);
      return { kind: 'run', command: path, args: [request.task] };
    }
    case 'lsb':
      return lsbCommand(agent, request.task, dirs);
    case 'service':
      return dirs.systemdRunDir ? systemdCommand(agent.type, request.task) : lsbCommand(agent, request.task, dirs);
    case 'systemd':
      if (!dirs.systemdRunDir) {
        return {
          kind: 'unavailable',
          status: 'not-supported',
          reason: `systemd:${agent.type}: systemd is not running on this node (it is not PID 1), so its units cannot be managed`,
        };
      }
      return systemdCommand(agent.type, request.task);
    case 'stonith': {
      const path = join(dirs.fenceDir, agent.type);
      if (!executable(path)) return notInstalled(agent, path);
      return { kind: 'run', command: path, args: [], stdin: fenceAgentInput(request) };
    }
  }
}

function lsbCommand(agent: AgentSpec, task: string, dirs: AgentDirectories): AgentCommand {
  const path = join(dirs.lsbDir, agent.type);
  if (!executable(path)) return notInstalled(agent, path);
  return { kind: 'run', command: path, args: [lsbAction(task)] };
}

export function unitName(type: string): string {
  return /\.(service|socket|mount|timer|target|path)$/.test(type) ? type : `${type}.service`;
}

function systemdCommand(type: string, task: string): AgentCommand {
  const unit = unitName(type);
  if (task === 'monitor' || task === 'status') {
    return { kind: 'run', command: 'systemctl', args: ['show', '--property=ActiveState', '--value', unit], parse: 'systemd-state' };
  }
  if (task === 'start' || task === 'stop') return { kind: 'run', command: 'systemctl', args: [task, unit] };
  return { kind: 'unavailable', status: 'not-supported', reason: `systemd:${type}: action '${task}' is not supported for systemd units` };
}

/** Pacemaker's reading of a unit's ActiveState. */
export function systemdStateRc(state: string): number {
  switch (state.trim()) {
    case 'active':
    case 'reloading':
    case 'activating':
      return 0;
    case 'inactive':
    case 'deactivating':
      return 7;
    default:
      return 1;
  }
}

function notInstalled(agent: AgentSpec, path: string): AgentCommand {
  const name = agent.agentClass === 'ocf' ? `ocf:${agent.provider}:${agent.type}` : `${agent.agentClass}:${agent.type}`;
  return { kind: 'unavailable', status: 'not-installed', reason: `${name}: no executable agent at ${path}` };
}

/** The `### BEGIN INIT INFO` header of an LSB script, the source of its meta-data. */
export function readInitInfo(path: string): Record<string, string> {
  const info: Record<string, string> = {};
  let inside = false;
  let last = '';
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('### BEGIN INIT INFO')) inside = true;
    else if (line.startsWith('### END INIT INFO')) break;
    else if (inside) {
      const m = /^#\s*([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) {
        last = m[1];
        info[last] = m[2].trim();
      } else if (last && /^#(\t|\s{2,})/.test(line)) info[last] += ' ' + line.slice(1).trim();
    }
  }
  return info;
}
