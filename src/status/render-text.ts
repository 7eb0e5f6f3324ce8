import { compareNodeNames } from './attrs.js';
import type { BundleView, CloneView, ClusterStatusView, GroupView, NodeView, PrimitiveView, ResourceView } from './types.js';

/**
 * The node list and resource list as Pacemaker's text output formats them
 * (crm_simulate's status blocks and crm_mon's body share these). Lines are
 * returned without a trailing newline; `indent` is the column of the first
 * bullet.
 */

export interface TextOptions {
  /** Show in-flight actions (Starting, Stopping, Monitoring...). */
  readonly showPending: boolean;
  /** List resources that are not active (the "Full List of Resources"). */
  readonly showInactive: boolean;
}

type NodeIndex = ReadonlyMap<string, NodeView>;

function bullet(indent: number, text: string): string {
  return `${' '.repeat(indent)}* ${text}`;
}

function nodeStatusText(n: NodeView): string {
  if (n.unclean) return n.online ? 'UNCLEAN (online)' : n.pending ? 'UNCLEAN (pending)' : 'UNCLEAN (offline)';
  if (n.pending) return 'pending';
  if (n.standbyOnFail && n.online) return 'standby (on-fail)';
  if (n.standby) {
    if (!n.online) return 'OFFLINE (standby)';
    return n.resourcesRunning > 0 ? 'standby (with active resources)' : 'standby';
  }
  if (n.maintenance) return n.online ? 'maintenance' : 'OFFLINE (maintenance)';
  return n.online ? 'online' : 'OFFLINE';
}

export function nodeListLines(view: ClusterStatusView, indent: number): string[] {
  const lines: string[] = [];
  const online: string[] = [];
  const offline: string[] = [];
  const remoteOnline: string[] = [];
  const remoteOffline: string[] = [];
  const guestOnline: string[] = [];
  for (const n of view.nodes) {
    const special = n.unclean || n.pending || (n.standbyOnFail && n.online) || n.standby || n.maintenance || n.health !== 'green';
    if (special) {
      const kind = n.type === 'guest' ? 'GuestNode' : n.type === 'remote' ? 'RemoteNode' : 'Node';
      const healthText = n.health === 'yellow' ? ' (health is YELLOW)' : n.health === 'red' ? ' (health is RED)' : '';
      lines.push(bullet(indent, `${kind} ${n.name}: ${nodeStatusText(n)}${healthText}`));
    } else if (n.online) {
      (n.type === 'guest' ? guestOnline : n.type === 'remote' ? remoteOnline : online).push(n.name);
    } else if (n.type === 'remote') {
      remoteOffline.push(n.name);
    } else if (n.type !== 'guest') {
      offline.push(n.name);
    }
  }
  const groups: [string, string[]][] = [
    ['Online', online],
    ['OFFLINE', offline],
    ['RemoteOnline', remoteOnline],
    ['RemoteOFFLINE', remoteOffline],
    ['GuestOnline', guestOnline],
  ];
  for (const [label, names] of groups) {
    if (names.length > 0) lines.push(bullet(indent, `${label}: [ ${names.join(' ')} ]`));
  }
  return lines;
}

/** Whether a primitive counts as active: an unclean node still counts, a clean offline one does not. */
function primitiveActive(p: PrimitiveView, nodes: NodeIndex): boolean {
  for (const name of p.runningOn) {
    const n = nodes.get(name);
    if (!n) continue;
    if (n.unclean) return true;
    if (!n.online && p.managed) continue;
    return true;
  }
  return false;
}

function resourceActive(r: ResourceView, all: boolean, nodes: NodeIndex): boolean {
  switch (r.kind) {
    case 'primitive':
      return primitiveActive(r, nodes);
    case 'group':
      return collectiveActive(r.children, all, nodes);
    case 'clone':
      return collectiveActive(r.instances, all, nodes);
    case 'bundle':
      return bundleActive(r, all, nodes);
  }
}

/** Pacemaker decides a bundle's activity from the first replica member (ip, child, container, connection) that settles it. */
function bundleActive(b: BundleView, all: boolean, nodes: NodeIndex): boolean {
  for (const rep of b.replicas) {
    for (const member of [rep.ipResource, rep.child, rep.container, rep.remote]) {
      if (!member) continue;
      const active = primitiveActive(member, nodes);
      if (active && !all) return true;
      if (!active && all) return false;
    }
  }
  return all;
}

function collectiveActive(children: readonly ResourceView[], all: boolean, nodes: NodeIndex): boolean {
  for (const c of children) {
    const active = resourceActive(c, all, nodes);
    if (active && !all) return true;
    if (!active && all) return false;
  }
  return all;
}

const PENDING_STATE: Record<string, string> = {
  start: 'Starting',
  stop: 'Stopping',
  migrate_to: 'Migrating',
  migrate_from: 'Migrating',
  promote: 'Promoting',
  demote: 'Demoting',
};

function roleRank(role: string): number {
  return { Stopped: 1, Started: 2, Unpromoted: 3, Promoted: 4 }[role] ?? 0;
}

/** One primitive's line, Pacemaker style: `name<TAB>(agent):<TAB> STATE NODE (flags)`. */
export function primitiveText(p: PrimitiveView, name: string, nodeArg: string | undefined, nodes: NodeIndex, opts: TextOptions, promotableParent: boolean): string {
  let node = nodeArg ?? p.lockedTo;
  if (p.runningOn.length > 1) node = undefined;
  let s = `${name}\t(${p.agent}):\t`;
  if (p.orphaned) s += ' ORPHANED';
  if (p.failed) {
    s += ' FAILED';
    if (roleRank(p.displayRole) > roleRank('Unpromoted')) s += ` ${p.displayRole}`;
  } else {
    const pending = opts.showPending && p.pendingTask !== undefined ? PENDING_STATE[p.pendingTask] : undefined;
    s += ` ${pending ?? p.displayRole}`;
  }
  if (node !== undefined) s += ` ${node}`;
  if (p.displayRole === 'Stopped') {
    const probe = p.failedProbes.find((f) => node === undefined || f.node === node);
    if (probe) s += ` (${probe.result}) `;
  }
  const flags: string[] = [];
  const nodeView = node !== undefined ? nodes.get(node) : undefined;
  if (nodeView && !nodeView.online && nodeView.unclean) flags.push('UNCLEAN');
  if (node !== undefined && node === p.lockedTo) flags.push('LOCKED');
  if (opts.showPending && p.pendingTask === 'monitor') flags.push('Monitoring');
  const target = p.targetRole?.toLowerCase();
  if (target === 'stopped') flags.push('disabled');
  else if (promotableParent && (target === 'unpromoted' || target === 'slave')) flags.push(`target-role:${p.targetRole!}`);
  if (p.blocked) flags.push('blocked');
  else if (!p.managed) flags.push('unmanaged');
  if (p.failureIgnored) flags.push('failure ignored');
  if (flags.length > 0) s += ` (${flags.join(', ')})`;
  if (p.runningOn.length > 1) s += ` [ ${p.runningOn.join(' ')} ]`;
  return s;
}

function primitiveLines(p: PrimitiveView, indent: number, nodes: NodeIndex, opts: TextOptions, promotableParent: boolean): string[] {
  // Not running anywhere: the node an action is pending on stands in.
  return [bullet(indent, primitiveText(p, p.displayName, p.runningOn[0] ?? p.pendingNode, nodes, opts, promotableParent))];
}

function attrsSuffix(words: string[]): string {
  return words.length > 0 ? ` (${words.join(', ')})` : '';
}

function groupLines(g: GroupView, indent: number, nodes: NodeIndex, opts: TextOptions, promotableParent: boolean): string[] {
  if (g.children.length === 0) return [];
  const words: string[] = [];
  if (!opts.showInactive && !resourceActive(g, true, nodes) && resourceActive(g, false, nodes)) {
    const inactive = g.children.filter((c) => !primitiveActive(c, nodes)).length;
    words.push(`${inactive} member${inactive === 1 ? '' : 's'} inactive`);
  }
  if (!g.managed) words.push('unmanaged');
  if (g.disabled) words.push('disabled');
  return [
    bullet(indent, `Resource Group: ${g.id}${attrsSuffix(words)}:`),
    ...g.children
      .filter((c) => opts.showInactive || primitiveActive(c, nodes))
      .flatMap((c) => primitiveLines(c, indent + 2, nodes, opts, promotableParent)),
  ];
}

function anyFlag(r: PrimitiveView | GroupView, pick: (p: PrimitiveView | GroupView) => boolean): boolean {
  if (pick(r)) return true;
  return r.kind === 'group' && r.children.some((c) => pick(c));
}

/** Single node an instance is active on, or undefined when none or several. */
function singleLocation(r: PrimitiveView | GroupView): string | undefined {
  const all = new Set(r.kind === 'group' ? r.children.flatMap((c) => c.runningOn) : r.runningOn);
  return all.size === 1 ? [...all][0] : undefined;
}

function instanceRole(r: PrimitiveView | GroupView): number {
  if (r.kind === 'primitive') return roleRank(r.role);
  return Math.max(0, ...r.children.map((c) => roleRank(c.role)));
}

function cloneLines(c: CloneView, indent: number, nodes: NodeIndex, opts: TextOptions): string[] {
  const words: string[] = [];
  if (c.promotable) words.push('promotable');
  if (c.unique) words.push('unique');
  if (!c.managed) words.push('unmanaged');
  if (c.disabled) words.push('disabled');
  const lines = [bullet(indent, `Clone Set: ${c.id} [${c.childId}]${attrsSuffix(words)}:`)];
  const inner = indent + 2;
  const promoted: string[] = [];
  const started: string[] = [];
  for (const inst of c.instances) {
    const partiallyActive = resourceActive(inst, false, nodes);
    // Active only through unmanaged members on a lost node: the instance itself runs nowhere.
    if (partiallyActive && inst.runningOn.length === 0) continue;
    let full = false;
    if (c.unique) {
      // Pacemaker tests the clone's own orphan flag here, so every unique instance is listed.
      full = true;
    } else if (opts.showPending && inst.kind === 'primitive' && inst.pendingTask !== undefined) {
      full = true;
    } else if (!partiallyActive) {
      full = false;
    } else if (anyFlag(inst, (r) => r.orphaned) || anyFlag(inst, (r) => !r.managed) || anyFlag(inst, (r) => r.failed)) {
      full = true;
    } else if (resourceActive(inst, true, nodes)) {
      const where = singleLocation(inst);
      const whereNode = where !== undefined ? nodes.get(where) : undefined;
      if (where === undefined) full = true;
      else if (whereNode && !whereNode.online && whereNode.unclean) full = true;
      else if (instanceRole(inst) > roleRank('Unpromoted')) promoted.push(where);
      else started.push(where);
    } else {
      full = true;
    }
    if (full) {
      lines.push(
        ...(inst.kind === 'group' ? groupLines(inst, inner, nodes, opts, c.promotable) : primitiveLines(inst, inner, nodes, opts, c.promotable)),
      );
    }
  }
  if (promoted.length > 0) lines.push(bullet(inner, `Promoted: [ ${promoted.sort(compareNodeNames).join(' ')} ]`));
  if (started.length > 0) {
    const target = c.configuredRole?.toLowerCase();
    const label = c.promotable ? (target === 'unpromoted' || target === 'slave' ? 'Unpromoted (target-role)' : 'Unpromoted') : 'Started';
    lines.push(bullet(inner, `${label}: [ ${started.sort(compareNodeNames).join(' ')} ]`));
  }
  const activeInstances = promoted.length + started.length;
  if (opts.showInactive && !c.unique && c.cloneMax > activeInstances) {
    const byState = new Map<string, string[]>();
    for (const name of c.candidateNodes) {
      if (c.runningOn.includes(name)) continue;
      const probe = c.instances
        .flatMap((i) => (i.kind === 'group' ? [] : i.failedProbes))
        .find((f) => f.node === name);
      const state = probe ? `Stopped (${probe.result})` : c.configuredRole?.toLowerCase() === 'stopped' ? 'Stopped (disabled)' : 'Stopped';
      const list = byState.get(state) ?? [];
      list.push(name);
      byState.set(state, list);
    }
    for (const state of [...byState.keys()].sort()) {
      lines.push(bullet(inner, `${state}: [ ${byState.get(state)!.join(' ')} ]`));
    }
  }
  return lines;
}

function bundleLines(b: BundleView, indent: number, nodes: NodeIndex, opts: TextOptions): string[] {
  const set = b.replicas.length > 1 ? ' set' : '';
  const unique = b.unique ? ' (unique)' : '';
  const unmanaged = !b.managed ? ' (unmanaged)' : '';
  const lines = [bullet(indent, `Container bundle${set}: ${b.id} [${b.image}]${unique}${unmanaged}:`)];
  for (const rep of b.replicas) {
    const shown = rep.child ?? rep.container;
    const base = rep.remote ? rep.remote.displayName : rep.container.displayName;
    const name = rep.ip !== undefined ? `${base} (${rep.ip})` : base;
    lines.push(bullet(indent + 2, primitiveText(shown, name, rep.container.runningOn[0], nodes, opts, false)));
  }
  return lines;
}

export function resourceLines(r: ResourceView, indent: number, nodes: NodeIndex, opts: TextOptions): string[] {
  switch (r.kind) {
    case 'primitive':
      return primitiveLines(r, indent, nodes, opts, false);
    case 'group':
      return groupLines(r, indent, nodes, opts, false);
    case 'clone':
      return cloneLines(r, indent, nodes, opts);
    case 'bundle':
      return bundleLines(r, indent, nodes, opts);
  }
}

export function nodeIndex(view: ClusterStatusView): NodeIndex {
  return new Map(view.nodes.map((n) => [n.name, n]));
}

/** Lines of every top-level resource worth listing (inactive orphans are not). */
export function resourceListLines(view: ClusterStatusView, indent: number, opts: TextOptions): string[] {
  const nodes = nodeIndex(view);
  const lines: string[] = [];
  for (const r of view.resources) {
    const active = resourceActive(r, true, nodes);
    const partially = resourceActive(r, false, nodes);
    if (r.orphaned && !active) continue;
    if (!partially && !opts.showInactive) continue;
    // Active only through unmanaged members on lost nodes: the collective itself runs nowhere.
    if (partially && r.runningOn.length === 0) continue;
    lines.push(...resourceLines(r, indent, nodes, opts));
  }
  return lines;
}
