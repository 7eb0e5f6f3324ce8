import type { OperationRequest } from './types.js';

/** Pacemaker 2.1.5's feature set: agents compare it (ocf_promotion_score needs ≥ 3.10.0). */
export const CRM_FEATURE_SET = '3.16.1';
export const OCF_ROOT_DEFAULT = '/usr/lib/ocf';
export const HA_RSCTMP_DEFAULT = '/run/resource-agents';

export interface EnvironmentContext {
  nodeName: string;
  nodeId?: string;
  ocfRoot: string;
  /** Directory of vigil's helper shims (crm_attribute, crm_master ...): first on PATH, and HA_SBIN_DIR. */
  shimsDir: string;
  rscTmp: string;
  /** The executor's own environment: PATH and the like are kept, OCF_/HA_ variables are not. */
  inherited: Record<string, string | undefined>;
  /** Extra variables the helper shims need to reach the attribute store (VIGIL_STATE_DIR ...). */
  extra?: Record<string, string>;
}

/** Meta names become environment suffixes as Pacemaker spells them: `clone-max` → `clone_max`. */
export function metaEnvName(name: string): string {
  return `OCF_RESKEY_CRM_meta_${name.replace(/-/g, '_')}`;
}

/**
 * Pacemaker 1.x agents test `master_max`, newer ones `promoted_max`: each spelling the
 * configuration gives is also provided under the other name.
 */
const ROLE_ALIASES: [string, string][] = [
  ['promoted_max', 'master_max'],
  ['promoted_node_max', 'master_node_max'],
];

/**
 * The environment an agent runs in, as pacemaker-execd builds it. Parameters only ever arrive
 * here: agents take no arguments but the action.
 */
export function buildAgentEnvironment(request: OperationRequest, ctx: EnvironmentContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx.inherited)) {
    if (value === undefined || key.startsWith('OCF_') || key.startsWith('HA_') || key.startsWith('PCMK_')) continue;
    env[key] = value;
  }
  const path = ctx.inherited.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  env.PATH = `${ctx.shimsDir}:${path}`;
  Object.assign(env, ctx.extra ?? {});

  const { agent } = request;
  env.OCF_ROOT = ctx.ocfRoot;
  env.OCF_FUNCTIONS_DIR = `${ctx.ocfRoot}/lib/heartbeat`;
  env.OCF_RA_VERSION_MAJOR = '1';
  env.OCF_RA_VERSION_MINOR = '1';
  env.OCF_RESOURCE_INSTANCE = request.resourceId;
  env.OCF_RESOURCE_TYPE = agent.type;
  if (agent.agentClass === 'ocf') env.OCF_RESOURCE_PROVIDER = agent.provider;
  env.OCF_EXIT_REASON_PREFIX = 'ocf-exit-reason:';
  env.OCF_OUTPUT_FORMAT = 'text';
  env.HA_RSCTMP = ctx.rscTmp;
  env.HA_SBIN_DIR = ctx.shimsDir;
  env.HA_logfacility = 'none';
  env.HA_debug = '0';
  env.PCMK_logfacility = 'none';
  env.PCMK_service = 'vigil-executor';

  for (const [name, value] of Object.entries(request.params)) env[`OCF_RESKEY_${name}`] = value;
  env.OCF_RESKEY_crm_feature_set = CRM_FEATURE_SET;
  if (request.params.OCF_CHECK_LEVEL !== undefined) env.OCF_CHECK_LEVEL = request.params.OCF_CHECK_LEVEL;

  const meta: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.meta)) meta[name.replace(/-/g, '_')] = value;
  for (const [a, b] of ROLE_ALIASES) {
    if (meta[a] !== undefined && meta[b] === undefined) meta[b] = meta[a];
    else if (meta[b] !== undefined && meta[a] === undefined) meta[a] = meta[b];
  }
  if (meta.promotable === undefined && meta.master_max !== undefined) meta.promotable = 'true';
  Object.assign(meta, {
    id: meta.id ?? request.resourceId,
    class: agent.agentClass,
    type: agent.type,
    name: request.task,
    interval: String(request.intervalMs),
    timeout: String(request.timeoutMs),
    on_node: ctx.nodeName,
  });
  if (agent.agentClass === 'ocf') meta.provider = agent.provider;
  if (ctx.nodeId !== undefined) meta.on_node_uuid = ctx.nodeId;
  for (const [name, value] of Object.entries(meta)) env[metaEnvName(name)] = value;
  return env;
}

/**
 * Fence agents read their parameters as `name=value` lines on stdin, the action among them.
 * The target of on/off/reboot (`port` or `plug`, and `nodename`) is the fencer's to put in
 * the parameters: a device check has no target at all.
 */
export function fenceAgentInput(request: OperationRequest): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(request.params)) {
    // pcmk_* parameters are for the fencer, never for the agent.
    if (name.startsWith('pcmk_')) continue;
    lines.push(`${name}=${value.replace(/\n/g, ' ')}`);
  }
  lines.push(`action=${fenceAction(request.task)}`);
  return lines.join('\n') + '\n';
}

/** The cluster monitors a fence device with `monitor`; the agent's own names apply otherwise. */
export function fenceAction(task: string): string {
  if (task === 'meta-data') return 'metadata';
  if (task === 'start' || task === 'stop') return 'monitor';
  return task;
}
