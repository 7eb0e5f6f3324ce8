import { contextFromEnv, metadataXml, OCF_ERR_ARGS, OCF_ERR_GENERIC, OCF_ERR_INSTALLED, OCF_ERR_UNIMPLEMENTED, type AgentIo } from './framework.js';
import { BUILTIN_AGENTS } from './registry.js';

/**
 * One action of a built-in agent, with the OCF environment and the exit codes a shell agent
 * would give: shared by the executor (in its own process) and by run.js (an agent process).
 */
export async function runBuiltinAction(type: string | undefined, action: string | undefined, env: NodeJS.ProcessEnv, io: AgentIo): Promise<{ code: number; stdout: string }> {
  const agent = type ? BUILTIN_AGENTS.get(type) : undefined;
  if (!agent) {
    io.stderr(`ocf:vigil: no built-in agent '${type ?? ''}' (have: ${[...BUILTIN_AGENTS.keys()].join(', ')})\n`);
    return { code: OCF_ERR_INSTALLED, stdout: '' };
  }
  if (!action) {
    io.stderr(`usage: run.js ${agent.name} {${['meta-data', ...Object.keys(agent.handlers)].join('|')}}\n`);
    return { code: OCF_ERR_ARGS, stdout: '' };
  }
  if (action === 'meta-data') return { code: 0, stdout: metadataXml(agent) };
  const handler = action === 'status' ? agent.handlers.monitor : agent.handlers[action];
  if (!handler) return { code: OCF_ERR_UNIMPLEMENTED, stdout: '' };
  // ocf-shellfuncs refuses the same way: an OCF 1.x caller must name the instance.
  if (env.OCF_RA_VERSION_MAJOR && !env.OCF_RESOURCE_INSTANCE) {
    io.stderr('OCF_RESOURCE_INSTANCE is not set\n');
    return { code: OCF_ERR_ARGS, stdout: '' };
  }
  const ctx = contextFromEnv(env, agent, io);
  try {
    return { code: await handler(ctx), stdout: '' };
  } catch (err) {
    ctx.exitReason(`${agent.name} ${action}: ${(err as Error).message}`);
    return { code: OCF_ERR_GENERIC, stdout: '' };
  }
}
