import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { childrenNamed, firstChild, parseXml, type XmlElement } from '../cib/xml.js';
import { readInitInfo, type AgentDirectories } from './agent-command.js';
import { BUILTIN_AGENTS } from './agents/registry.js';
import { formatAgentSpec } from './agent-spec.js';
import type { AgentSpec } from './types.js';

export interface ParameterInfo {
  name: string;
  required: boolean;
  unique: boolean;
  reloadable: boolean;
  type: string;
  default?: string;
  shortdesc: string;
  longdesc: string;
}

export interface ActionInfo {
  name: string;
  timeout?: string;
  interval?: string;
  role?: string;
  depth?: string;
  startDelay?: string;
}

export interface AgentMetadata {
  agent: string;
  name: string;
  version?: string;
  shortdesc: string;
  longdesc: string;
  parameters: ParameterInfo[];
  actions: ActionInfo[];
}

export class MetadataError extends Error {
  override name = 'MetadataError';
}

const text = (el: XmlElement | undefined): string => (el?.text ?? '').replace(/\s+/g, ' ').trim();
const isTrue = (v: string | undefined): boolean => v === '1' || v === 'true' || v === 'yes';

/** Reads an agent's `<resource-agent>` meta-data; a document of another shape is an error naming the agent. */
export function parseMetadata(agent: string, xml: string): AgentMetadata {
  let root: XmlElement;
  try {
    root = parseXml(xml, `${agent} meta-data`);
  } catch (err) {
    throw new MetadataError(`${agent}: meta-data is not valid XML: ${(err as Error).message}`);
  }
  if (root.name !== 'resource-agent') throw new MetadataError(`${agent}: meta-data root is <${root.name}>, not <resource-agent>`);
  const params = firstChild(root, 'parameters');
  const actions = firstChild(root, 'actions');
  return {
    agent,
    name: root.attrs.name ?? agent,
    version: root.attrs.version ?? text(firstChild(root, 'version')),
    // Fence agents give their short description as an attribute of the root.
    shortdesc: text(firstChild(root, 'shortdesc')) || (root.attrs.shortdesc ?? ''),
    longdesc: text(firstChild(root, 'longdesc')),
    parameters: (params ? childrenNamed(params, 'parameter') : []).map((p) => {
      const content = firstChild(p, 'content');
      return {
        name: p.attrs.name ?? '',
        required: isTrue(p.attrs.required),
        unique: isTrue(p.attrs.unique),
        reloadable: isTrue(p.attrs.reloadable),
        type: content?.attrs.type ?? 'string',
        default: content?.attrs.default,
        shortdesc: text(firstChild(p, 'shortdesc')),
        longdesc: text(firstChild(p, 'longdesc')),
      };
    }),
    actions: (actions ? childrenNamed(actions, 'action') : []).map((a) => ({
      name: a.attrs.name ?? '',
      timeout: a.attrs.timeout,
      interval: a.attrs.interval,
      role: a.attrs.role,
      depth: a.attrs.depth ?? a.attrs['OCF_CHECK_LEVEL'],
      startDelay: a.attrs['start-delay'],
    })),
  };
}

/**
 * Meta-data for an LSB script, made from its INIT INFO header (scripts print none), with the
 * actions the cluster uses.
 */
export function lsbMetadata(agent: string, info: Record<string, string>): AgentMetadata {
  return {
    agent,
    name: agent.slice(agent.indexOf(':') + 1),
    shortdesc: info['Short-Description'] ?? '',
    longdesc: info.Description ?? info['Short-Description'] ?? '',
    parameters: [],
    actions: ['start', 'stop', 'status', 'restart', 'force-reload', 'monitor', 'meta-data'].map((name) => ({
      name,
      timeout: '15s',
      interval: name === 'monitor' ? '15s' : undefined,
    })),
  };
}

function listExecutables(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.') && !n.endsWith('~'))
    .filter((n) => {
      try {
        const st = statSync(join(dir, n));
        return st.isFile() && (st.mode & 0o111) !== 0;
      } catch {
        return false;
      }
    })
    .sort();
}

/** Agents installed on this node, by class (and OCF provider): `vigil ra list`. */
export function listAgents(dirs: AgentDirectories, agentClass?: string, provider?: string): string[] {
  const out: string[] = [];
  const want = (cls: string): boolean => agentClass === undefined || agentClass === cls;
  if (want('ocf')) {
    const root = join(dirs.ocfRoot, 'resource.d');
    const providers = existsSync(root) ? readdirSync(root).sort() : [];
    for (const p of ['vigil', ...providers]) {
      if (provider !== undefined && p !== provider) continue;
      const types = p === 'vigil' ? [...BUILTIN_AGENTS.keys()].sort() : listExecutables(join(root, p));
      for (const t of types) out.push(`ocf:${p}:${t}`);
    }
  }
  if (want('lsb') && provider === undefined) for (const s of listExecutables(dirs.lsbDir)) out.push(`lsb:${s}`);
  if (want('systemd') && provider === undefined && dirs.systemdRunDir) for (const u of systemdServices()) out.push(`systemd:${u}`);
  if (want('stonith') && provider === undefined) {
    for (const f of listExecutables(dirs.fenceDir).filter((n) => n.startsWith('fence_'))) out.push(`stonith:${f}`);
  }
  return out;
}

/** Service units systemd knows, without the `.service` suffix (implied for systemd: agents). */
function systemdServices(): string[] {
  const res = spawnSync('systemctl', ['list-unit-files', '--type=service', '--no-legend', '--no-pager'], { encoding: 'utf8' });
  if (res.status !== 0) return [];
  return res.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0])
    .filter((unit) => unit.endsWith('.service') && !unit.includes('@.'))
    .map((unit) => unit.slice(0, -'.service'.length));
}

/** Meta-data an agent does not print itself (LSB), or undefined when it must be asked. */
export function staticMetadata(agent: AgentSpec, dirs: AgentDirectories): AgentMetadata | undefined {
  const name = formatAgentSpec(agent);
  if (agent.agentClass === 'lsb' || (agent.agentClass === 'service' && !dirs.systemdRunDir)) {
    const path = join(dirs.lsbDir, agent.type);
    if (!existsSync(path)) throw new MetadataError(`${name}: no script ${path}`);
    return lsbMetadata(name, readInitInfo(path));
  }
  if (agent.agentClass === 'systemd' || agent.agentClass === 'service') {
    if (!dirs.systemdRunDir) throw new MetadataError(`${name}: systemd is not running on this node, so no unit meta-data can be read`);
    return { ...lsbMetadata(name, {}), shortdesc: `systemd unit ${agent.type}`, longdesc: `Cluster-controlled systemd unit ${agent.type}` };
  }
  return undefined;
}
