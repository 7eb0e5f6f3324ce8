import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { metadataXml } from '../../executor/agents/framework.js';
import { BUILTIN_AGENTS } from '../../executor/agents/registry.js';
import { parseAgentMetadata, type AgentMetadata, type AgentSpec, type LookupAgent } from '../agents.js';

const OCF_ROOT = '/usr/lib/ocf';
const FENCE_DIRS = ['/usr/sbin', '/usr/bin'];
const CLUSTER_GLUE_PLUGINS = '/usr/lib/stonith/plugins';

/** Runs an agent for its meta-data the way Pacemaker's executor does; undefined when it fails. */
function run(cmd: string, args: string[], env: Record<string, string> = {}): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 15_000, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 && r.stdout.includes('<resource-agent') ? r.stdout : undefined;
}

function isExecutable(path: string): boolean {
  try {
    return statSync(path).isFile() && (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function parsed(xml: string | undefined): AgentMetadata | undefined {
  if (xml === undefined) return undefined;
  try {
    return parseAgentMetadata(xml);
  } catch {
    return undefined;
  }
}

function systemdRuns(): boolean {
  return existsSync('/run/systemd/system');
}

function systemdUnitExists(name: string): boolean {
  const unit = name.includes('.') ? name : `${name}.service`;
  const r = spawnSync('systemctl', ['show', '--property=LoadState', '--value', unit], { encoding: 'utf8', timeout: 15_000 });
  return r.status === 0 && r.stdout.trim() === 'loaded';
}

function lookupUncached(spec: AgentSpec): AgentMetadata | undefined {
  const safe = /^[\w.@+-]+(\/[\w.@+-]+)?$/.test(spec.type) && (spec.provider === undefined || /^[\w.-]+$/.test(spec.provider));
  if (!safe) return undefined;
  switch (spec.class) {
    case 'ocf': {
      const path = join(OCF_ROOT, 'resource.d', spec.provider ?? 'heartbeat', spec.type);
      return isExecutable(path) ? parsed(run(path, ['meta-data'], { OCF_ROOT })) : undefined;
    }
    case 'lsb':
      return isExecutable(join('/etc/init.d', spec.type)) ? { parameters: [] } : undefined;
    case 'systemd':
      return systemdRuns() && systemdUnitExists(spec.type) ? { parameters: [] } : undefined;
    case 'service':
      if (isExecutable(join('/etc/init.d', spec.type))) return { parameters: [] };
      return systemdRuns() && systemdUnitExists(spec.type) ? { parameters: [] } : undefined;
    case 'stonith': {
      if (spec.type.includes('/')) {
        return existsSync(join(CLUSTER_GLUE_PLUGINS, spec.type)) ? parsed(run('stonith', ['-t', spec.type, '-m'])) : undefined;
      }
      const bin = FENCE_DIRS.map((d) => join(d, spec.type)).find(isExecutable);
      return bin ? parsed(run(bin, ['-o', 'metadata'])) : undefined;
    }
    default:
      return undefined;
  }
}

/** Agent meta-data from this machine, each agent asked once per process. */
export function systemAgentLookup(): LookupAgent {
  const cache = new Map<string, AgentMetadata | undefined>();
  return (spec) => {
    const key = `${spec.class}:${spec.provider ?? ''}:${spec.type}`;
    if (!cache.has(key)) cache.set(key, lookupUncached(spec));
    return cache.get(key);
  };
}

/** crmsh's choice of provider for `primitive p TYPE`: heartbeat if it has TYPE (or nobody does), else pacemaker, else the first. */
export function systemPickProvider(type: string): string {
  let providers: string[] = [];
  try {
    providers = readdirSync(join(OCF_ROOT, 'resource.d')).filter((p) => existsSync(join(OCF_ROOT, 'resource.d', p, type))).sort();
  } catch {
    providers = [];
  }
  if (providers.length === 0 || providers.includes('heartbeat')) return 'heartbeat';
  if (providers.includes('pacemaker')) return 'pacemaker';
  return providers[0];
}

/**
 * What `vigil configure load` checks primitives against: the agents installed on this machine,
 * and vigil's own built-in `ocf:vigil:*` agents, which exist wherever vigil does.
 */
export function installedAgentLookup(): LookupAgent {
  const system = systemAgentLookup();
  return (spec) => {
    const builtin = spec.class === 'ocf' && spec.provider === 'vigil' ? BUILTIN_AGENTS.get(spec.type) : undefined;
    return builtin ? parseAgentMetadata(metadataXml(builtin)) : system(spec);
  };
}
