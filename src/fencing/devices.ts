import type { XmlElement } from '../cib/xml.js';
import { parseDurationMs } from '../controller/duration.js';

/**
 * Fence devices as the fencer sees them: the stonith primitives of the configuration, with the
 * pcmk_* parameters that the fencer consumes itself (the agent never sees them) decoded.
 */
export type HostCheck = 'static-list' | 'dynamic-list' | 'status' | 'none';

export interface FenceDevice {
  id: string;
  agent: string;
  /** Parameters passed to the agent: everything but the fencer's own pcmk_* ones. */
  params: Record<string, string>;
  hostList: string[] | null;
  /** Cluster node name → the name the device knows it by (plug/port). */
  hostMap: Map<string, string>;
  hostCheck: HostCheck;
  delayBaseMs: number | Map<string, number>;
  delayMaxMs: number;
  priority: number;
  /** pcmk_reboot_action / pcmk_off_action: the agent action to use instead. */
  actionFor: { reboot: string; off: string; on: string };
  /** Why it is unusable, when its configuration cannot be read. */
  problems: string[];
}

function nvpairs(el: XmlElement, set: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of el.children) if (s.name === set) for (const p of s.children) if (p.name === 'nvpair' && p.attrs.name !== undefined) out[p.attrs.name] = p.attrs.value ?? '';
  return out;
}

function parseHostMap(text: string, problems: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of text.split(/[;,\s]+/).filter(Boolean)) {
    const m = /^([^:=]+)[:=](.+)$/.exec(entry);
    if (m) map.set(m[1], m[2]);
    else problems.push(`pcmk_host_map entry '${entry}' is not NODE:PORT`);
  }
  return map;
}

function parseDelayBase(text: string, problems: string[]): number | Map<string, number> {
  if (!/[:=]/.test(text)) {
    const ms = parseDurationMs(text);
    if (ms === null) problems.push(`pcmk_delay_base '${text}' is not a duration`);
    return ms ?? 0;
  }
  const map = new Map<string, number>();
  for (const entry of text.split(/[;,\s]+/).filter(Boolean)) {
    const m = /^([^:=]+)[:=](.+)$/.exec(entry);
    const ms = m ? parseDurationMs(m[2]) : null;
    if (m && ms !== null) map.set(m[1], ms);
    else problems.push(`pcmk_delay_base entry '${entry}' is not NODE:DURATION`);
  }
  return map;
}

export function readDevice(primitive: XmlElement): FenceDevice {
  const all = nvpairs(primitive, 'instance_attributes');
  const meta = nvpairs(primitive, 'meta_attributes');
  const problems: string[] = [];
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (!k.startsWith('pcmk_')) params[k] = v;
  const hostList = all.pcmk_host_list !== undefined ? all.pcmk_host_list.split(/[\s,;]+/).filter(Boolean) : null;
  const hostMap = all.pcmk_host_map !== undefined ? parseHostMap(all.pcmk_host_map, problems) : new Map<string, string>();
  const explicit = all.pcmk_host_check;
  let hostCheck: HostCheck;
  if (explicit === undefined) hostCheck = hostList !== null || hostMap.size > 0 ? 'static-list' : 'dynamic-list';
  else if (explicit === 'static-list' || explicit === 'dynamic-list' || explicit === 'status' || explicit === 'none') hostCheck = explicit;
  else {
    problems.push(`pcmk_host_check '${explicit}' is not static-list, dynamic-list, status or none`);
    hostCheck = 'none';
  }
  const delayMax = all.pcmk_delay_max !== undefined ? parseDurationMs(all.pcmk_delay_max) : 0;
  if (delayMax === null) problems.push(`pcmk_delay_max '${all.pcmk_delay_max}' is not a duration`);
  const priority = Number.parseInt(all.priority ?? meta.priority ?? '0', 10);
  return {
    id: primitive.attrs.id ?? '',
    agent: primitive.attrs.type ?? '',
    params,
    hostList,
    hostMap,
    hostCheck,
    delayBaseMs: all.pcmk_delay_base !== undefined ? parseDelayBase(all.pcmk_delay_base, problems) : 0,
    delayMaxMs: delayMax ?? 0,
    priority: Number.isFinite(priority) ? priority : 0,
    actionFor: { reboot: all.pcmk_reboot_action ?? 'reboot', off: all.pcmk_off_action ?? 'off', on: all.pcmk_on_action ?? 'on' },
    problems,
  };
}

/** Every stonith primitive in the configuration, wherever it sits (groups and clones included). */
export function fenceDevices(cib: XmlElement): FenceDevice[] {
  const out: FenceDevice[] = [];
  const visit = (el: XmlElement): void => {
    if (el.name === 'primitive' && el.attrs.class === 'stonith') out.push(readDevice(el));
    for (const child of el.children) visit(child);
  };
  const resources = cib.children.find((c) => c.name === 'configuration')?.children.find((c) => c.name === 'resources');
  if (resources) visit(resources);
  return out;
}

/**
 * Whether the device can fence this node. `dynamicHosts` is the device's answer to `list`
 * (null when unknown); `status` and `none` devices are taken at their word, as the fencer does
 * before it asks the agent.
 */
export function deviceReaches(device: FenceDevice, node: string, dynamicHosts: readonly string[] | null): boolean {
  switch (device.hostCheck) {
    case 'static-list':
      return (device.hostList?.includes(node) ?? false) || device.hostMap.has(node);
    case 'dynamic-list': {
      const name = device.hostMap.get(node) ?? node;
      return dynamicHosts !== null && (dynamicHosts.includes(name) || dynamicHosts.includes(node));
    }
    case 'status':
    case 'none':
      return true;
  }
}

/** The name the device knows the node by: its pcmk_host_map entry, else the node name. */
export function portFor(device: FenceDevice, node: string): string {
  return device.hostMap.get(node) ?? node;
}
