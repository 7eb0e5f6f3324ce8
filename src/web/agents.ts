import { systemAgentLookup, systemPickProvider } from '../crm/io/agents.js';
import type { AgentLookups } from './config-editor.js';

/** The configuration editor checks agents as `vigil configure load` does: the ones installed here. */
export function systemAgents(): AgentLookups {
  return { lookupAgent: systemAgentLookup(), pickProvider: systemPickProvider };
}
