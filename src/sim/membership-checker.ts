import type { MembershipConfig, View } from '../membership/index.js';
import type { MembershipActor } from './membership-actor.js';
import type { NodeActor, NodeMessage } from './node-actor.js';
import type { Simulation } from './simulation.js';

export type MembershipSim = Simulation<NodeActor, NodeMessage>;

export interface Violation {
  atMs: number;
  step: number;
  rule: string;
  detail: string;
}

/**
 * The promises of membership, checked after every simulation step: nodes holding the same view
 * agree on it and on its one DC; a node's view ids and the incarnations it records only grow.
 * Convergence and steadiness are checked at the points the scenario chooses (`expectConverged`,
 * `quiet`).
 */
export class MembershipChecker {
  readonly violations: Violation[] = [];
  /** While true, a node joining or leaving any view is a violation: the network is healthy and settled. */
  quiet = false;
  private readonly lastViewId = new Map<string, number>();
  private readonly seenIncarnation = new Map<string, number>();
  private readonly idOf: Map<string, number>;

  constructor(private readonly config: Omit<MembershipConfig, 'self' | 'incarnation'>) {
    this.idOf = new Map(config.nodes.map((n) => [n.name, n.id]));
  }

  /** The step hook: cheap when nothing changed, since views only change through events. */
  afterStep(sim: MembershipSim): void {
    let changed = false;
    for (const node of sim.nodes.values()) {
      const actor = node.actor?.membership;
      if (!actor || actor.events.length === 0) continue;
      for (const e of actor.drainEvents()) {
        if (e.type === 'view-changed') changed = true;
        if (this.quiet && (e.type === 'node-lost' || e.type === 'node-joined')) {
          this.fail(sim, 'steady', `${node.name} saw ${e.node} ${e.type === 'node-lost' ? 'leave' : 'join'} while the network was healthy and settled`);
        }
      }
      this.checkMonotonic(sim, node.name, node.incarnation, actor);
    }
    if (changed) this.checkAgreement(sim);
  }

  private checkMonotonic(sim: MembershipSim, name: string, incarnation: number, actor: MembershipActor): void {
    const key = `${name}#${incarnation}`;
    const id = actor.machine.view().id;
    const last = this.lastViewId.get(key) ?? 0;
    if (id < last) this.fail(sim, 'view-id-grows', `${name} went from view ${last} to ${id}`);
    this.lastViewId.set(key, id);
    for (const peer of actor.machine.nodes()) {
      if (peer.self || peer.incarnation === null) continue;
      const pkey = `${key}>${peer.name}`;
      const before = this.seenIncarnation.get(pkey) ?? 0;
      if (peer.incarnation < before) {
        this.fail(sim, 'incarnation-grows', `${name} recorded ${peer.name}'s incarnation going from ${before} to ${peer.incarnation}`);
      }
      this.seenIncarnation.set(pkey, peer.incarnation);
    }
  }

  /**
   * Nodes holding the same (id, coordinator) hold the same view (a DC stepped down may show none);
   * its DC is its lowest member.
   */
  checkAgreement(sim: MembershipSim): void {
    const byKey = new Map<string, { holder: string; view: View }>();
    for (const node of sim.nodes.values()) {
      if (!node.actor) continue;
      const view = node.actor.membership.machine.view();
      if (!view.members.includes(node.name)) this.fail(sim, 'self-in-view', `${node.name} holds view ${view.id} without itself`);
      const lowest = view.members.reduce((a, b) => ((this.idOf.get(a) ?? 0) <= (this.idOf.get(b) ?? 0) ? a : b));
      if (view.dc !== null && view.dc !== lowest) this.fail(sim, 'dc-rule', `${node.name}: view ${view.id} has DC ${view.dc}, not ${lowest}`);
      if (view.quorate && view.votes < view.quorumVotes) {
        this.fail(sim, 'quorum-rule', `${node.name}: view ${view.id} quorate with ${view.votes} of ${view.quorumVotes} votes needed`);
      }
      const key = `${view.id}@${view.coordinator}`;
      const other = byKey.get(key);
      if (!other) {
        byKey.set(key, { holder: node.name, view });
        continue;
      }
      const a = other.view;
      // A member that acked a newer view under another coordinator shows its current one without
      // a DC until that view's commit arrives; two members naming different DCs is the fault.
      const dcsDiffer = a.dc !== view.dc && a.dc !== null && view.dc !== null;
      if (a.members.join() !== view.members.join() || dcsDiffer || a.quorate !== view.quorate) {
        this.fail(
          sim,
          'one-view-one-dc',
          `view ${key}: ${other.holder} has members [${a.members}] DC ${a.dc} quorate ${a.quorate}, ` +
            `${node.name} has [${view.members}] DC ${view.dc} quorate ${view.quorate}`,
        );
      }
    }
  }

  /**
   * After the network healed: every running node holds one view of exactly the running nodes. Its
   * DC may still be unset when the coordinator booted less than initdead ago with nodes missing.
   */
  expectConverged(sim: MembershipSim, reason: string, dcRequired: boolean): boolean {
    const up = [...sim.nodes.values()].filter((n) => n.actor).map((n) => n.name);
    up.sort((a, b) => (this.idOf.get(a) ?? 0) - (this.idOf.get(b) ?? 0));
    const views = up.map((n) => (sim.nodes.get(n)?.actor as NodeActor).membership.machine.view());
    // Ids may differ for a moment when the coordinator re-commits the same members with new quorum
    // facts (last_man_standing, initdead over): that commit may be in flight at this instant.
    const ok = views.every((v) => v.coordinator === views[0].coordinator && v.members.join() === up.join());
    if (!ok) {
      const detail = up.map((n, i) => `${n}: ${views[i].id}@${views[i].coordinator} [${views[i].members}]`).join('; ');
      this.fail(sim, 'converge', `${reason}: running [${up}] did not converge: ${detail}`);
      return false;
    }
    const v = views[0];
    if (v.dc === null ? dcRequired : v.dc !== up[0]) this.fail(sim, 'converge', `${reason}: converged view ${v.id} has DC ${v.dc}, expected ${up[0]}`);
    if (up.length === this.config.nodes.length && !v.quorate) {
      this.fail(sim, 'converge', `${reason}: every node is up in view ${v.id} but it is not quorate`);
    }
    return true;
  }

  private fail(sim: MembershipSim, rule: string, detail: string): void {
    this.violations.push({ atMs: Math.round(sim.nowMs * 1000) / 1000, step: sim.steps, rule, detail });
  }
}
