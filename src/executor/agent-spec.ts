import type { AgentSpec } from './types.js';

/** Thrown for an agent name that cannot be parsed; the CLI turns it into a usage error. */
export class AgentSpecError extends Error {
  override name = 'AgentSpecError';
}

const CLASSES_WITHOUT_PROVIDER = new Set(['lsb', 'systemd', 'service', 'stonith']);
const SAFE_PART = /^[A-Za-z0-9_.@:+-]+$/;

/**
 * Parses `ocf:heartbeat:IPaddr2`, `lsb:nginx`, `systemd:sshd.service`, `stonith:fence_dummy` —
 * the standard:provider:type notation of crm and crm_resource. A bare name is refused: guessing
 * the class would run a different program than the administrator meant.
 */
export function parseAgentSpec(text: string): AgentSpec {
  const parts = text.split(':');
  const cls = parts[0];
  if (cls === 'ocf') {
    if (parts.length !== 3 || !parts[1] || !parts[2]) {
      throw new AgentSpecError(`'${text}': an OCF agent is named ocf:PROVIDER:TYPE`);
    }
    checkPart(text, parts[1]);
    checkPart(text, parts[2]);
    return { agentClass: 'ocf', provider: parts[1], type: parts[2] };
  }
  if (CLASSES_WITHOUT_PROVIDER.has(cls)) {
    // systemd unit names may carry an instance after '@' and, rarely, colons: keep the rest whole.
    const type = parts.slice(1).join(':');
    if (!type) throw new AgentSpecError(`'${text}': missing the agent name after '${cls}:'`);
    checkPart(text, type);
    return { agentClass: cls as 'lsb' | 'systemd' | 'service' | 'stonith', type };
  }
  throw new AgentSpecError(`'${text}': unknown agent class '${cls}' (expected ocf, lsb, systemd, service or stonith)`);
}

/** A path component must not climb out of the agent directory (`ocf:../../bin:sh`). */
function checkPart(text: string, part: string): void {
  if (!SAFE_PART.test(part) || part === '.' || part === '..') {
    throw new AgentSpecError(`'${text}': '${part}' is not a valid agent name component`);
  }
}

export function formatAgentSpec(agent: AgentSpec): string {
  return agent.agentClass === 'ocf' ? `ocf:${agent.provider}:${agent.type}` : `${agent.agentClass}:${agent.type}`;
}

/** From the scheduler's ActionResource fields (class, provider?, type). */
export function agentSpecFrom(agentClass: string, provider: string | undefined, type: string): AgentSpec {
  return parseAgentSpec(agentClass === 'ocf' ? `ocf:${provider ?? ''}:${type}` : `${agentClass}:${type}`);
}
