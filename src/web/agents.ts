import { agentName, type AgentMetadata, type LookupAgent } from '../crm/agents.js';
import { installedAgentLookup, systemPickProvider } from '../crm/io/agents.js';
import type { AgentLookups } from './config-editor.js';

/**
 * The configuration editor checks agents as `vigil configure load` does — the ones installed
 * here — and also knows vigil's own built-in `ocf:vigil:*` agents. Answers are kept: each verify
 * re-checks every primitive, and asking a shell agent for its meta-data costs a process.
 */
export function systemAgents(): AgentLookups {
  const installed = installedAgentLookup();
  const known = new Map<string, AgentMetadata | undefined>();
  const lookupAgent: LookupAgent = (spec) => {
    const key = agentName(spec);
    if (!known.has(key)) known.set(key, installed(spec));
    return known.get(key);
  };
  return { lookupAgent, pickProvider: systemPickProvider };
}
