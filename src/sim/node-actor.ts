import { emptyCib } from '../cib/empty.js';
import { ReplicationCore, cibVersion, type ReplicationEffect } from '../cib/replication/index.js';
import { compareVersions, formatVersion, type CibVersion } from '../cib/index.js';
import { parseXml, serializeXml, type XmlElement } from '../cib/xml.js';
import type { MembershipConfig, MembershipMessage } from '../membership/index.js';
import type { CibChange, CibMessage } from '../daemon/cib-messages.js';
import { replicationRules } from '../daemon/replication.js';
import type { ClusterNode } from '../daemon/cib-apply.js';
import { MembershipActor } from './membership-actor.js';
import type { Actor, Outgoing } from './simulation.js';

export type NodeMessage = { ch: 'membership'; m: MembershipMessage } | { ch: 'cib'; m: CibMessage } | { ch: 'disk'; seq: number };

/** What survives a crash: the view id membership persisted and the last CIB written in full. */
export interface NodeDisk {
  lastViewId: number;
  cib: string | null;
  /** The version of `cib`, kept beside it so checkers need not parse it. */
  version: CibVersion | null;
}

/** What a local client was told about a change it asked for. */
export type ChangeOutcome =
  /** `configuration`: the committed configuration section, when this node still holds that version. */
  | { request: string; node: string; committed: true; version: CibVersion; configuration: string | null }
  | { request: string; node: string; committed: false; refused: boolean; message: string };

/**
 * One simulated node: membership and the replicated CIB side by side, as in vigild. Membership's
 * views feed the CIB machine; the CIB travels on the stream channel; persist effects go to the
 * simulated disk and come back as `persisted` once written (a crash before then loses them).
 */
export class NodeActor implements Actor<NodeMessage> {
  readonly membership: MembershipActor;
  readonly cib: ReplicationCore<CibChange>;
  /** Outcomes of local clients' changes since the checker last drained them. */
  outcomes: ChangeOutcome[] = [];
  /** Configurations this node, as DC, saw every member of its view persist (since last drained). */
  synchronised: { version: CibVersion; configuration: string }[] = [];
  private readonly writes = new Map<number, { xml: string; version: CibVersion }>();
  readonly name: string;

  constructor(
    config: MembershipConfig,
    nodes: readonly ClusterNode[],
    nowMs: number,
    private readonly disk: NodeDisk,
    timeoutMs: number,
    /** Where the CIB machine's log lines and the clients' outcomes go (the seed's replay log). */
    private readonly note: (line: string) => void = () => undefined,
  ) {
    this.name = config.self;
    this.membership = new MembershipActor(config, nowMs, disk);
    this.cib = new ReplicationCore<CibChange>({
      self: config.self,
      rules: replicationRules(nodes, { clusterName: 'sim', dcVersion: 'sim' }),
      initial: disk.cib === null ? emptyCib() : parseXml(disk.cib, `${config.self}'s disk`),
      timeoutMs,
    });
  }

  tick(nowMs: number): Outgoing<NodeMessage>[] {
    const out = this.fromMembership(() => this.membership.tick(nowMs), nowMs);
    out.push(...this.fromCib(this.cib.tick(nowMs)));
    return out;
  }

  receive(from: string, msg: NodeMessage, nowMs: number, link: number): Outgoing<NodeMessage>[] {
    switch (msg.ch) {
      case 'membership':
        return this.fromMembership(() => this.membership.receive(from, msg.m, nowMs, link), nowMs);
      case 'cib':
        return this.fromCib(this.cib.receive(from, msg.m, nowMs));
      case 'disk': {
        const write = this.writes.get(msg.seq);
        this.writes.delete(msg.seq);
        if (write !== undefined) {
          this.disk.cib = write.xml;
          this.disk.version = write.version;
        }
        return this.fromCib(this.cib.persisted(msg.seq, nowMs));
      }
    }
  }

  undeliverable(to: string, msg: NodeMessage, nowMs: number): Outgoing<NodeMessage>[] {
    return msg.ch === 'cib' ? this.fromCib(this.cib.sendFailed(to, msg.m, 'the connection failed', nowMs)) : [];
  }

  probeAnswered(from: string, sentAtMs: number, nowMs: number): Outgoing<NodeMessage>[] {
    return this.fromMembership(() => this.membership.probeAnswered(from, sentAtMs, nowMs), nowMs);
  }

  nextTickMs(): number {
    return Math.min(this.membership.nextTickMs(), this.cib.nextDeadlineMs());
  }

  submit(request: string, change: CibChange, nowMs: number): Outgoing<NodeMessage>[] {
    return this.fromCib(this.cib.submit(request, change, nowMs));
  }

  drainOutcomes(): ChangeOutcome[] {
    const o = this.outcomes;
    this.outcomes = [];
    return o;
  }

  private heldConfiguration(version: CibVersion): string | null {
    return compareVersions(this.cib.version(), version) === 0 ? configurationOf(this.cib.current()) : null;
  }

  private fromMembership(step: () => Outgoing<MembershipMessage>[], nowMs: number): Outgoing<NodeMessage>[] {
    const seen = this.membership.events.length;
    const out: Outgoing<NodeMessage>[] = step().map((o) => (o.via === 'probe' ? o : { to: o.to, msg: { ch: 'membership', m: o.msg } }));
    for (const e of this.membership.events.slice(seen)) {
      if (e.type === 'view-changed') {
        const v = e.view;
        this.note(`view ${v.id} of ${v.coordinator}: [${v.members.join(', ')}], DC ${v.dc ?? 'none'}${v.quorate ? '' : ', no quorum'}`);
        out.push(...this.fromCib(this.cib.onView({ id: v.id, members: v.members, dc: v.dc, quorate: v.quorate }, nowMs)));
      }
    }
    return out;
  }

  private fromCib(effects: ReplicationEffect<CibChange>[]): Outgoing<NodeMessage>[] {
    const out: Outgoing<NodeMessage>[] = [];
    for (const e of effects) {
      switch (e.type) {
        case 'send':
          out.push({ to: e.to, msg: { ch: 'cib', m: e.msg }, via: 'stream' });
          break;
        case 'persist':
          this.writes.set(e.seq, { xml: serializeXml(e.cib), version: cibVersion(e.cib) });
          out.push({ to: this.name, msg: { ch: 'disk', seq: e.seq }, via: 'disk' });
          break;
        case 'committed':
          this.note(`${e.request} committed at ${formatVersion(e.version)}`);
          this.outcomes.push({ request: e.request, node: this.name, committed: true, version: e.version, configuration: this.heldConfiguration(e.version) });
          break;
        case 'rejected':
          this.note(`${e.request} ${e.refused ? 'refused' : 'not committed'}: ${e.message}`);
          this.outcomes.push({ request: e.request, node: this.name, committed: false, refused: e.refused, message: e.message });
          break;
        case 'log':
          this.note(e.message);
          break;
        case 'synchronised': {
          const configuration = this.heldConfiguration(e.version);
          if (configuration !== null) this.synchronised.push({ version: e.version, configuration });
          break;
        }
        case 'changed':
          break;
      }
    }
    return out;
  }
}

/** The configuration section as text: what a configuration change is about. */
export function configurationOf(cib: XmlElement): string {
  const config = cib.children.find((c) => c.name === 'configuration');
  return config === undefined ? '' : serializeXml(config);
}
