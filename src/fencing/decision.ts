import type { XmlElement } from '../cib/xml.js';
import { parseDurationMs } from '../controller/duration.js';
import { property } from '../controller/options.js';
import { deviceReaches, fenceDevices, portFor, type FenceDevice } from './devices.js';
import { fencingLevels, levelMatches } from './topology.js';

/**
 * Which device(s) fence a node, in which order, after which delay: pure, so the same decision
 * is visible in `vigil fence check` before anyone is fenced, and testable without agents.
 */

export type FenceActionName = 'reboot' | 'off' | 'on';

export interface FenceStep {
  device: string;
  agent: string;
  /** The agent's parameters, target included (plug and port). */
  params: Record<string, string>;
  /** Agent action after pcmk_reboot_action / pcmk_off_action. */
  action: string;
  /** This device's own delay (pcmk_delay_base plus a share of pcmk_delay_max). */
  delayMs: number;
}

export interface FenceLevelPlan {
  /** Topology index, or 0 when no topology applies and every capable device is a level of its own. */
  index: number;
  steps: FenceStep[];
}

export interface FencePlan {
  target: string;
  action: FenceActionName;
  /** priority-fencing-delay, when it applies to this target. */
  priorityDelayMs: number;
  /** Tried in order until one level succeeds in full. */
  levels: FenceLevelPlan[];
  /** How the plan was reached, level by level, for logs and `fence check`. */
  explanation: string[];
}

export interface FenceContext {
  /** Answers of dynamic-list devices to `list`, by device id (null: not known). */
  dynamicLists?: ReadonlyMap<string, readonly string[] | null>;
  /** In [0, 1): where in [base, max] pcmk_delay_max lands. The shell draws it; tests fix it. */
  delayFraction?: number;
}

export class FencingError extends Error {
  override name = 'FencingError';
}

function nodeAttributes(cib: XmlElement, node: string): Record<string, string> {
  const out: Record<string, string> = {};
  const nodes = cib.children.find((c) => c.name === 'configuration')?.children.find((c) => c.name === 'nodes');
  const el = nodes?.children.find((n) => n.name === 'node' && n.attrs.uname === node);
  for (const set of el?.children ?? []) if (set.name === 'instance_attributes') for (const p of set.children) if (p.attrs.name) out[p.attrs.name] = p.attrs.value ?? '';
  return out;
}

function stepFor(device: FenceDevice, target: string, action: FenceActionName, fraction: number): FenceStep {
  const base = typeof device.delayBaseMs === 'number' ? device.delayBaseMs : (device.delayBaseMs.get(target) ?? 0);
  const spread = Math.max(0, device.delayMaxMs - base);
  const port = portFor(device, target);
  return {
    device: device.id,
    agent: device.agent,
    params: { ...device.params, plug: port, port, nodename: target },
    action: device.actionFor[action],
    delayMs: Math.round(base + spread * Math.min(Math.max(fraction, 0), 0.999999)),
  };
}

/** Sum of the priorities of the resources the history shows active on each node. */
export function nodePriorities(cib: XmlElement): Map<string, number> {
  const priority = new Map<string, number>();
  const visit = (el: XmlElement, inherited: number): void => {
    let own = inherited;
    for (const set of el.children) if (set.name === 'meta_attributes') for (const p of set.children) if (p.attrs.name === 'priority') own = Number.parseInt(p.attrs.value ?? '0', 10) || 0;
    if (el.name === 'primitive' && el.attrs.id) priority.set(el.attrs.id, own);
    for (const child of el.children) visit(child, own);
  };
  const resources = cib.children.find((c) => c.name === 'configuration')?.children.find((c) => c.name === 'resources');
  if (resources) visit(resources, 0);
  const out = new Map<string, number>();
  for (const state of cib.children.find((c) => c.name === 'status')?.children ?? []) {
    const node = state.attrs.uname;
    if (!node) continue;
    let sum = 0;
    for (const lrm of state.children) if (lrm.name === 'lrm') for (const rscs of lrm.children) for (const rsc of rscs.children) {
      const last = rsc.children.find((o) => o.attrs.id === `${rsc.attrs.id}_last_0`);
      const running = last && ['start', 'monitor', 'promote', 'demote', 'migrate_from'].includes(last.attrs.operation ?? '') && ['0', '8'].includes(last.attrs['rc-code'] ?? '');
      if (running && rsc.attrs.class !== 'stonith') sum += (priority.get((rsc.attrs.id ?? '').replace(/:\d+$/, '')) ?? 0) + (last?.attrs['rc-code'] === '8' ? 1 : 0);
    }
    out.set(node, sum);
  }
  return out;
}

/**
 * priority-fencing-delay protects the node running the most important resources in a fencing
 * race: fencing aimed at it waits, so it fences the other side first.
 */
export function priorityDelayMs(cib: XmlElement, target: string): number {
  const crmConfig = cib.children.find((c) => c.name === 'configuration')?.children.find((c) => c.name === 'crm_config');
  const raw = property(crmConfig, 'priority-fencing-delay');
  const delay = raw === undefined ? 0 : (parseDurationMs(raw) ?? 0);
  if (delay <= 0) return 0;
  const priorities = nodePriorities(cib);
  const mine = priorities.get(target) ?? 0;
  const others = [...priorities].filter(([n]) => n !== target).map(([, p]) => p);
  return others.every((p) => mine > p) ? delay : 0;
}

export function fencePlan(cib: XmlElement, target: string, action: FenceActionName, context: FenceContext = {}): FencePlan {
  const devices = fenceDevices(cib).filter((d) => d.problems.length === 0);
  const byId = new Map(devices.map((d) => [d.id, d]));
  const fraction = context.delayFraction ?? 0;
  const lists = context.dynamicLists ?? new Map();
  const explanation: string[] = [];
  const { levels } = fencingLevels(cib);
  const attrs = nodeAttributes(cib, target);
  const matching = levels.filter((l) => levelMatches(l, target, attrs)).sort((a, b) => a.index - b.index);
  const plan: FenceLevelPlan[] = [];
  if (matching.length > 0) {
    for (const level of matching) {
      const missing = level.devices.filter((d) => !byId.has(d));
      if (missing.length) {
        explanation.push(`level ${level.index} (${level.id}): skipped, unknown or broken device(s) ${missing.join(', ')}`);
        continue;
      }
      plan.push({ index: level.index, steps: level.devices.map((d) => stepFor(byId.get(d) as FenceDevice, target, action, fraction)) });
      explanation.push(`level ${level.index} (${level.id}): ${level.devices.join(' + ')}`);
    }
  } else {
    for (const device of devices) {
      if (!deviceReaches(device, target, lists.get(device.id) ?? null)) continue;
      plan.push({ index: 0, steps: [stepFor(device, target, action, fraction)] });
      explanation.push(`${device.id} (${device.agent}, ${device.hostCheck}) can fence ${target}`);
    }
    // Higher priority devices are tried first, as the fencer does.
    plan.sort((a, b) => (byId.get(b.steps[0].device)?.priority ?? 0) - (byId.get(a.steps[0].device)?.priority ?? 0));
  }
  const priorityDelay = priorityDelayMs(cib, target);
  if (priorityDelay > 0) explanation.push(`priority-fencing-delay ${priorityDelay} ms: ${target} runs the most important resources`);
  if (plan.length === 0) explanation.push(`no fence device can reach ${target}`);
  return { target, action, priorityDelayMs: priorityDelay, levels: plan, explanation };
}

export interface NodeFenceCheck {
  node: string;
  ok: boolean;
  devices: string[];
  explanation: string[];
}

export interface FenceCheckReport {
  stonithEnabled: boolean;
  nodes: NodeFenceCheck[];
  problems: string[];
}

/** `vigil fence check`: can every node be fenced, and how, without fencing anyone. */
export function checkFencing(cib: XmlElement, context: FenceContext = {}): FenceCheckReport {
  const configuration = cib.children.find((c) => c.name === 'configuration');
  const crmConfig = configuration?.children.find((c) => c.name === 'crm_config');
  const enabledRaw = property(crmConfig, 'stonith-enabled') ?? property(crmConfig, 'fencing-enabled');
  const stonithEnabled = enabledRaw === undefined || /^(true|yes|on|1|y)$/i.test(enabledRaw);
  const problems: string[] = [];
  for (const d of fenceDevices(cib)) for (const p of d.problems) problems.push(`${d.id}: ${p}`);
  problems.push(...fencingLevels(cib).problems);
  const nodeNames = new Set<string>();
  for (const n of configuration?.children.find((c) => c.name === 'nodes')?.children ?? []) if (n.attrs.uname) nodeNames.add(n.attrs.uname);
  for (const s of cib.children.find((c) => c.name === 'status')?.children ?? []) if (s.attrs.uname) nodeNames.add(s.attrs.uname);
  const nodes = [...nodeNames].sort().map((node) => {
    const plan = fencePlan(cib, node, 'reboot', context);
    return { node, ok: plan.levels.length > 0, devices: plan.levels.flatMap((l) => l.steps.map((s) => s.device)), explanation: plan.explanation };
  });
  return { stonithEnabled, nodes, problems };
}
