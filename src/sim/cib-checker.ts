import { compareVersions, formatVersion, type CibVersion } from '../cib/index.js';
import { serializeXml } from '../cib/xml.js';
import type { Violation } from './membership-checker.js';
import { configurationOf, type NodeActor, type NodeDisk, type NodeMessage } from './node-actor.js';
import type { Simulation } from './simulation.js';

export type ClusterSim = Simulation<NodeActor, NodeMessage>;

interface Committed {
  request: string;
  /** The resource id the change added, if it added one. */
  marker: string | null;
  node: string;
  version: CibVersion;
  configuration: string | null;
  atMs: number;
}

interface Pending {
  node: string;
  incarnation: number;
  atMs: number;
  /** A change the DC must refuse (malformed): it may never be reported committed. */
  mustRefuse: boolean;
  marker: string | null;
}

/** What the run's clients saw, for the summary. */
export interface CibStats {
  submitted: number;
  committed: number;
  refused: number;
  notCommitted: number;
  /**
   * Committed changes absent after a heal: a partition's newer configuration won (Pacemaker's rule).
   * Every change the scenario makes is checked against the version it was made from, so only a
   * heal can drop one.
   */
  superseded: number;
}

/**
 * The replicated CIB's promises, checked after every step (versions only grow: in a node's
 * memory while it runs, on its disk across crashes) and when the scenario says the cluster has
 * settled (`expectSettled`): every member of the one partition holds the same CIB; every change
 * reported committed is there at an equal or higher version (at an equal configuration epoch, with
 * the very configuration committed); every request was answered; a malformed change was refused.
 */
export class CibChecker {
  readonly violations: Violation[] = [];
  readonly stats: CibStats = { submitted: 0, committed: 0, refused: 0, notCommitted: 0, superseded: 0 };
  private readonly committed: Committed[] = [];
  /**
   * Every configuration some partition committed (a client's change, or a DC's push that every
   * member of its view persisted), by admin_epoch.epoch: more than one means a split brain.
   */
  private readonly committedAt = new Map<string, Set<string>>();
  private readonly pending = new Map<string, Pending>();
  private readonly memoryVersion = new Map<string, CibVersion>();
  private readonly diskVersion = new Map<string, CibVersion>();

  constructor(private readonly disks: ReadonlyMap<string, NodeDisk>) {}

  submitted(request: string, node: string, incarnation: number, atMs: number, what: { mustRefuse: boolean; marker: string | null }): void {
    this.stats.submitted += 1;
    this.pending.set(request, { node, incarnation, atMs, ...what });
  }

  afterStep(sim: ClusterSim): void {
    for (const node of sim.nodes.values()) {
      const disk = this.disks.get(node.name)?.version ?? null;
      if (disk !== null) {
        const before = this.diskVersion.get(node.name);
        if (before !== undefined && compareVersions(disk, before) < 0) {
          this.fail(sim, 'disk-version-grows', `${node.name}'s disk went from CIB ${formatVersion(before)} to ${formatVersion(disk)}`);
        }
        this.diskVersion.set(node.name, disk);
      }
      const actor = node.actor;
      if (!actor) continue;
      const key = `${node.name}#${node.incarnation}`;
      const now = actor.cib.version();
      const before = this.memoryVersion.get(key);
      if (before !== undefined && compareVersions(now, before) < 0) {
        this.fail(sim, 'cib-version-grows', `${node.name} went from CIB ${formatVersion(before)} to ${formatVersion(now)}`);
      }
      this.memoryVersion.set(key, now);
      if (actor.outcomes.length > 0) this.record(sim, actor);
      for (const { version, configuration } of actor.synchronised.splice(0)) this.committedIn(version, configuration);
    }
  }

  private record(sim: ClusterSim, actor: NodeActor): void {
    for (const o of actor.drainOutcomes()) {
      const p = this.pending.get(o.request);
      this.pending.delete(o.request);
      if (o.committed) {
        this.stats.committed += 1;
        this.committed.push({ request: o.request, marker: p?.marker ?? null, node: o.node, version: o.version, configuration: o.configuration, atMs: sim.nowMs });
        if (o.configuration !== null) this.committedIn(o.version, o.configuration);
        if (p?.mustRefuse) this.fail(sim, 'refuse-bad-input', `${o.node}: malformed change ${o.request} reported committed at ${formatVersion(o.version)}`);
      } else if (o.refused) this.stats.refused += 1;
      else {
        this.stats.notCommitted += 1;
      }
    }
  }

  /**
   * The network has healed, membership converged and the cluster had time to settle: every
   * running node holds one view (checked by the membership checker) and now one CIB.
   */
  expectSettled(sim: ClusterSim, reason: string, answerWithinMs: number): void {
    const up = [...sim.nodes.values()].filter((n) => n.actor !== null);
    const busy = up.filter((n) => !(n.actor as NodeActor).cib.idle()).map((n) => n.name);
    const cibs = up.map((n) => ({ name: n.name, actor: n.actor as NodeActor, xml: serializeXml((n.actor as NodeActor).cib.current()) }));
    const first = cibs[0];
    if (first === undefined) return;
    const differ = cibs.filter((c) => c.xml !== first.xml);
    if (differ.length > 0) {
      const versions = cibs.map((c) => `${c.name} ${formatVersion(c.actor.cib.version())}`).join(', ');
      this.fail(sim, 'one-cib', `${reason}: the members do not hold the same CIB (${versions}${busy.length > 0 ? `; still busy: ${busy.join(', ')}` : ''})`);
      return;
    }
    const held = first.actor.cib.version();
    const config = configurationOf(first.actor.cib.current());
    const downDisks = [...sim.nodes.values()].filter((n) => n.actor === null).map((n) => this.disks.get(n.name)?.version ?? null);
    const later: Committed[] = [];
    for (const c of this.committed) {
      // A node that is down may hold it: judged when that node is back.
      if (downDisks.some((v) => v !== null && compareVersions(v, c.version) >= 0)) {
        later.push(c);
        continue;
      }
      const order = compareVersions(held, c.version);
      if (order < 0) {
        this.fail(sim, 'committed-kept', `${reason}: change ${c.request} committed at ${formatVersion(c.version)} on ${c.node}, the cluster holds the older ${formatVersion(held)}`);
      } else if (c.configuration !== null && sameEpoch(held, c.version) && config !== c.configuration) {
        // Two partitions that each committed their own configuration at this epoch: the heal keeps
        // one (Pacemaker's rule, as vigil's). Losing to a copy no partition committed is a bug.
        if (this.rivals(c)) this.stats.superseded += 1;
        else {
          this.fail(sim, 'committed-kept', `${reason}: change ${c.request} committed at ${formatVersion(c.version)} on ${c.node}: the cluster holds another configuration at the same epoch, never committed`);
        }
      } else if (c.marker !== null && !config.includes(`id="${c.marker}"`)) {
        this.stats.superseded += 1;
      }
    }
    this.committed.splice(0, this.committed.length, ...later);
    for (const [request, p] of this.pending) {
      const node = sim.nodes.get(p.node);
      if (node?.actor == null || node.incarnation !== p.incarnation) {
        this.pending.delete(request);
        continue;
      }
      if (sim.nowMs - p.atMs > answerWithinMs) this.fail(sim, 'answered', `${reason}: ${p.node}'s change ${request} (at ${p.atMs.toFixed(1)} ms) was never answered`);
    }
  }

  private committedIn(version: CibVersion, configuration: string): void {
    const key = epochKey(version);
    this.committedAt.set(key, (this.committedAt.get(key) ?? new Set()).add(configuration));
  }

  private rivals(c: Committed): boolean {
    return (this.committedAt.get(epochKey(c.version))?.size ?? 0) > 1;
  }

  private fail(sim: ClusterSim, rule: string, detail: string): void {
    this.violations.push({ atMs: Math.round(sim.nowMs * 1000) / 1000, step: sim.steps, rule, detail });
  }
}

const epochKey = (v: CibVersion): string => `${v.adminEpoch}.${v.epoch}`;
const sameEpoch = (a: CibVersion, b: CibVersion): boolean => a.adminEpoch === b.adminEpoch && a.epoch === b.epoch;
