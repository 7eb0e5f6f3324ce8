import { agentName, parseAgentMetadata, type AgentMetadata, type LookupAgent } from '../crm/agents.js';
import { systemAgentLookup, systemPickProvider } from '../crm/io/agents.js';
import { metadataXml } from '../executor/agents/framework.js';
import { BUILTIN_AGENTS } from '../executor/agents/registry.js';
import type { AgentLookups } from './config-editor.js';

/**
 * The configuration editor checks agents as `vigil configure load` does — the ones installed
 * here — and also knows vigil's own built-in `ocf:vigil:*` agents. Answers are kept: each verify
 * re-checks every primitive, and asking a shell agent for its meta-data costs a process.
 */
export function systemAgents(): AgentLookups {
  const system = systemAgentLookup();
  const known = new Map<string, AgentMetadata | undefined>();
  const lookupAgent: LookupAgent = (spec) => {
    const key = agentName(spec);
    if (!known.has(key)) {
      const builtin = spec.class === 'ocf' && spec.provider === 'vigil' ? BUILTIN_AGENTS.get(spec.type) : undefined;
      known.set(key, builtin ? parseAgentMetadata(metadataXml(builtin)) : system(spec));
    }
    return known.get(key);
  };
  return { lookupAgent, pickProvider: systemPickProvider };
}
