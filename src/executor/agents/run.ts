import { contextFromEnv, metadataXml, OCF_ERR_ARGS, OCF_ERR_GENERIC, OCF_ERR_UNIMPLEMENTED } from './framework.js';
import { BUILTIN_AGENTS } from './registry.js';

/**
 * `node run.js TYPE ACTION`: runs a built-in agent as a process of its own, with the OCF
 * environment, so the executor treats it like any shell agent (timeouts, process groups, output).
 */
async function main(argv: string[]): Promise<number> {
  const [type, action] = argv;
  const agent = type ? BUILTIN_AGENTS.get(type) : undefined;
  if (!agent) {
    process.stderr.write(`ocf:vigil: no built-in agent '${type ?? ''}' (have: ${[...BUILTIN_AGENTS.keys()].join(', ')})\n`);
    return 5;
  }
  if (!action) {
    process.stderr.write(`usage: run.js ${agent.name} {${['meta-data', ...Object.keys(agent.handlers)].join('|')}}\n`);
    return OCF_ERR_ARGS;
  }
  if (action === 'meta-data') {
    process.stdout.write(metadataXml(agent));
    return 0;
  }
  const handler = action === 'status' ? agent.handlers.monitor : agent.handlers[action];
  if (!handler) return OCF_ERR_UNIMPLEMENTED;
  // ocf-shellfuncs refuses the same way: an OCF 1.x caller must name the instance.
  if (process.env.OCF_RA_VERSION_MAJOR && !process.env.OCF_RESOURCE_INSTANCE) {
    process.stderr.write('OCF_RESOURCE_INSTANCE is not set\n');
    return OCF_ERR_ARGS;
  }
  const ctx = contextFromEnv(process.env, agent);
  try {
    return await handler(ctx);
  } catch (err) {
    ctx.exitReason(`${agent.name} ${action}: ${(err as Error).message}`);
    return OCF_ERR_GENERIC;
  }
}

process.exitCode = await main(process.argv.slice(2));
