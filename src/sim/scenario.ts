import { diffCib } from '../cib/index.js';
import { emptyCib } from '../cib/empty.js';
import { setVersion } from '../cib/replication/index.js';
import { cloneXml, element, firstChild, serializeXml, type XmlElement } from '../cib/xml.js';
import type { CibChange } from '../daemon/cib-messages.js';
import { deriveTiming, tickIntervalMs, type MembershipConfig, type QuorumOptions, type Timing } from '../membership/index.js';
import { CibChecker, type CibStats } from './cib-checker.js';
import { MembershipChecker, type MembershipSim, type Violation } from './membership-checker.js';
import { NodeActor, type NodeDisk } from './node-actor.js';
import { Prng } from './prng.js';
import { Simulation } from './simulation.js';

export interface SeedResult {
  seed: number;
  violations: Violation[];
  steps: number;
  simulatedMs: number;
  /** What the seed chose, for the report of a failing seed. */
  setup: string;
  log: string[];
  cib: CibStats;
}

/** Chaos, then a healed network that must converge and then stay steady; repeated. */
const ROUNDS = 3;
const LAN_DELAY_MAX_MS = 1;

interface Run {
  rng: Prng;
  sim: MembershipSim;
  checker: MembershipChecker;
  cibChecker: CibChecker;
  /** How long the DC waits for a member, as vigild sets it. */
  cibTimeoutMs: number;
  changes: number;
  names: string[];
  links: number;
  timing: Timing;
  budgetMs: number;
  startedAtMs: Map<string, number>;
  log: string[];
}

/** Runs one seed: everything it does follows from the seed, so a failure replays exactly. */
export function runSeed(seed: number): SeedResult {
  const rng = new Prng(seed);
  const n = rng.int(2, 5);
  const links = rng.int(1, 2);
  const budgetMs = rng.pick([300, 1000]);
  const timing = deriveTiming(budgetMs);
  const names = Array.from({ length: n }, (_, i) => `node${i + 1}`);
  const quorum: QuorumOptions = {
    twoNode: n === 2 && rng.chance(0.7),
    lastManStanding: rng.chance(0.3),
    lastManStandingWindowMs: 2 * budgetMs,
  };
  if (rng.chance(0.2)) quorum.waitForAll = rng.chance(0.5);
  // Ids need not follow names: shuffle them so the DC is not always node1.
  const ranks = names.map((_, i) => i + 1);
  for (let i = ranks.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
  }
  const ids = ranks.map((r) => r * 10 + rng.int(0, 9));
  const nodes = names.map((name, i) => ({ name, id: ids[i], votes: 1 }));
  const shared: Omit<MembershipConfig, 'self' | 'incarnation'> = { nodes, timing, quorum };
  const checker = new MembershipChecker(shared);
  const startedAtMs = new Map<string, number>();
  const disks = new Map<string, NodeDisk>(names.map((name) => [name, { lastViewId: 0, cib: null, version: null }]));
  // Sometimes a node boots with a configuration of its own, newer than anyone's: it must win.
  if (rng.chance(0.3)) {
    const cib = emptyCib();
    firstChild(firstChild(cib, 'configuration') as XmlElement, 'resources')?.children.push(element('primitive', { id: 'preloaded', class: 'ocf', provider: 'heartbeat', type: 'Dummy' }));
    const version = { adminEpoch: 0, epoch: rng.int(2, 9), numUpdates: rng.int(0, 3) };
    setVersion(cib, version);
    Object.assign(disks.get(rng.pick(names)) as NodeDisk, { cib: serializeXml(cib), version });
  }
  const cibChecker = new CibChecker(disks);
  // As vigild sets it, or so short that offers, fetches and acknowledgements often come too late:
  // the paths that give up on a member, retry, and meet a member holding a newer copy.
  const cibTimeoutMs = rng.chance(0.3) ? rng.pick([20, 50]) : Math.max(2_000, 2 * timing.deadMs);
  const clusterNodes = nodes.map(({ name, id }) => ({ name, id }));
  const setup = `${n} nodes (ids ${ids.join(',')}), ${links} link(s), budget ${budgetMs} ms, quorum ${JSON.stringify(quorum)}, CIB timeout ${cibTimeoutMs} ms`;
  const log = [setup];
  const sim: MembershipSim = new Simulation(
    names,
    links,
    tickIntervalMs(timing),
    (self, incarnation, nowMs) => {
      startedAtMs.set(self, nowMs);
      return new NodeActor({ ...shared, self, incarnation }, clusterNodes, nowMs, disks.get(self) as NodeDisk, cibTimeoutMs, (line) =>
        log.push(`${sim.nowMs.toFixed(1)} ms: ${self}: ${line}`),
      );
    },
    rng,
    (s) => {
      checker.afterStep(s);
      cibChecker.afterStep(s);
    },
  );
  const run: Run = { rng, sim, checker, cibChecker, cibTimeoutMs, changes: 0, names, links, timing, budgetMs, startedAtMs, log };
  for (const name of names) if (rng.chance(0.9) || name === names[0]) sim.start(name);
  for (let round = 1; round <= ROUNDS && violations(run).length === 0; round++) playRound(run, round);
  return { seed, violations: violations(run), steps: sim.steps, simulatedMs: Math.round(sim.nowMs), setup, log: run.log, cib: cibChecker.stats };
}

const violations = (run: Run): Violation[] => [...run.checker.violations, ...run.cibChecker.violations];

function playRound(run: Run, round: number): void {
  const { rng, sim, checker, budgetMs } = run;
  const chaosEnd = sim.nowMs + budgetMs * (1 + rng.float() * 3);
  const faults = rng.int(1, 8);
  const changes = rng.int(0, 4);
  const at = (): number => sim.nowMs + rng.float() * (chaosEnd - sim.nowMs);
  const events = [
    ...Array.from({ length: faults }, () => ({ t: at(), what: 'fault' as const })),
    ...Array.from({ length: changes }, () => ({ t: at(), what: 'change' as const })),
  ].sort((a, b) => a.t - b.t);
  for (const { t, what } of events) {
    sim.runUntil(t);
    run.log.push(`${t.toFixed(1)} ms: ${what === 'fault' ? injectFault(run) : submitChange(run)}`);
  }
  sim.runUntil(chaosEnd);
  heal(run);
  // Stalls end by themselves; once every node has run a tick since, its Lifeguard score is known.
  const stallsOverMs = Math.max(sim.nowMs, ...[...sim.nodes.values()].map((n) => n.stalledUntilMs));
  sim.runUntil(stallsOverMs + tickIntervalMs(run.timing) * 1.2);
  const healAtMs = sim.nowMs;
  const boundMs = convergenceBoundMs(run);
  run.log.push(`${healAtMs.toFixed(1)} ms: round ${round} healed; must converge within ${boundMs.toFixed(0)} ms`);
  sim.runUntil(healAtMs + boundMs);
  checker.checkAgreement(sim);
  if (!checker.expectConverged(sim, `round ${round}, ${boundMs.toFixed(0)} ms after healing`, dcRequired(run))) return;
  checker.quiet = true;
  const quietEnd = sim.nowMs + budgetMs * (1 + rng.float());
  // Clients keep changing the configuration on the healed cluster.
  for (const t of Array.from({ length: rng.int(0, 2) }, () => sim.nowMs + rng.float() * (quietEnd - sim.nowMs)).sort((a, b) => a - b)) {
    sim.runUntil(t);
    run.log.push(`${t.toFixed(1)} ms: ${submitChange(run)}`);
  }
  sim.runUntil(quietEnd);
  checker.quiet = false;
  settleCib(run, round);
}

/**
 * Once membership is steady, the CIB settles: the join round, a commit that waited for a member
 * (at most three CIB timeouts), a forwarded change's answer (four). Then every promise is checked.
 */
function settleCib(run: Run, round: number): void {
  const { sim, checker } = run;
  // Nodes that booted just before the heal name no DC before initdead, and without a DC nobody
  // synchronises the CIB: the promise holds once a DC must exist and has had time to be named.
  if (!dcRequired(run)) {
    sim.runUntil(dcDueMs(run) + convergenceBoundMs(run));
    checker.checkAgreement(sim);
    if (!checker.expectConverged(sim, `round ${round}, once a DC is due`, true)) return;
  }
  const deadline = sim.nowMs + 5 * run.cibTimeoutMs;
  const idle = (): boolean => [...sim.nodes.values()].every((n) => n.actor === null || n.actor.cib.idle());
  while (!idle() && sim.nowMs < deadline) sim.runUntil(Math.min(deadline, sim.nowMs + 10));
  run.log.push(`${sim.nowMs.toFixed(1)} ms: round ${round}: CIB ${idle() ? 'settled' : 'still busy'}`);
  run.cibChecker.expectSettled(sim, `round ${round}, CIB settled`, 10 * run.cibTimeoutMs);
}

/** A client's change at a random running node: most add a resource, made against that node's copy. */
function submitChange(run: Run): string {
  const { rng, sim, names } = run;
  const up = names.filter((n) => sim.isUp(n));
  if (up.length === 0) return 'change skipped (no node up)';
  const name = rng.pick(up);
  const actor = sim.nodes.get(name)?.actor as NodeActor;
  const request = `change-${++run.changes}`;
  const marker = `rsc-${run.changes}`;
  const current = actor.cib.current();
  const withResource = cloneXml(current);
  const config = firstChild(withResource, 'configuration') ?? element('configuration');
  const resources = firstChild(config, 'resources') ?? element('resources');
  resources.children.push(element('primitive', { id: marker, class: 'ocf', provider: 'heartbeat', type: 'Dummy' }));
  const kind = rng.pick(['replace', 'replace', 'patch', 'malformed'] as const);
  const v = actor.cib.version();
  const change: CibChange =
    kind === 'replace'
      ? { op: 'replace', scope: 'resources', xml: serializeXml(resources), ifEpoch: { adminEpoch: v.adminEpoch, epoch: v.epoch } }
      : kind === 'patch'
        ? { op: 'patch', patch: diffCib(current, withResource) }
        : { op: 'replace', scope: 'resources', xml: `<resources><primitive id="${marker}"` };
  const incarnation = sim.nodes.get(name)?.incarnation ?? 0;
  run.cibChecker.submitted(request, name, incarnation, sim.nowMs, { mustRefuse: kind === 'malformed', marker: kind === 'malformed' ? null : marker });
  sim.inject(name, (a, nowMs) => a.submit(request, change, nowMs));
  return `${request}: ${kind} adding ${marker} at ${name}`;
}

/**
 * The promise: once the network has healed (counted from the end of the last stall), the views
 * converge within the detection budget. The slowest path is a node that died just before: deadtime
 * plus a tick to notice it, then a proposal round trip of a few LAN delays, which fits in what the
 * budget leaves over. A node whose loop stalled lately stretches its timeouts (Lifeguard), and the
 * bound with it.
 */
function convergenceBoundMs(run: Run): number {
  let multiplier = 1;
  for (const node of run.sim.nodes.values()) {
    if (node.actor) multiplier = Math.max(multiplier, 1 + node.actor.membership.machine.healthScore());
  }
  return multiplier * run.budgetMs;
}

function dcRequired(run: Run): boolean {
  return run.names.every((n) => run.sim.isUp(n)) || run.sim.nowMs >= dcDueMs(run);
}

/** With nodes missing, when the first running node is past initdead and must have named a DC. */
function dcDueMs(run: Run): number {
  // Initdead over is noticed at the next tick and then needs a proposal round to reach the view.
  const settleMs = run.timing.initDeadMs + tickIntervalMs(run.timing) + run.timing.keepaliveMs;
  const up = run.names.filter((n) => run.sim.isUp(n));
  return Math.min(...up.map((n) => (run.startedAtMs.get(n) ?? 0) + settleMs));
}

function heal(run: Run): void {
  const { sim, rng } = run;
  sim.healLinks();
  sim.conditions = { lossRate: 0, duplicateRate: sim.conditions.duplicateRate, delayMinMs: 0.1, delayMaxMs: LAN_DELAY_MAX_MS };
  for (const name of run.names) {
    if (!sim.isUp(name) && rng.chance(0.6)) {
      sim.start(name);
      run.log.push(`${sim.nowMs.toFixed(1)} ms: restart ${name} as the network heals`);
    }
  }
  if (!run.names.some((n) => sim.isUp(n))) sim.start(run.names[0]);
}

function injectFault(run: Run): string {
  const { rng, sim, names, links, budgetMs } = run;
  const up = names.filter((n) => sim.isUp(n));
  const down = names.filter((n) => !sim.isUp(n));
  const kind = rng.pick(['partition', 'oneway', 'linkcut', 'loss', 'dup', 'delay', 'crash', 'restart', 'stall'] as const);
  switch (kind) {
    case 'partition': {
      const side = new Set(rng.subset(names, 0.5));
      for (const a of names) for (const b of names) if (side.has(a) !== side.has(b)) for (let l = 0; l < links; l++) sim.setCut(a, b, l, true);
      return `partition [${[...side]}] | [${names.filter((x) => !side.has(x))}]`;
    }
    case 'oneway': {
      const [a, b] = twoOf(rng, names);
      for (let l = 0; l < links; l++) sim.setCut(a, b, l, true);
      return `cut ${a} → ${b} (one way)`;
    }
    case 'linkcut': {
      const [a, b] = twoOf(rng, names);
      const l = rng.int(0, links - 1);
      sim.setCut(a, b, l, true);
      sim.setCut(b, a, l, true);
      return `cut link ${l} between ${a} and ${b}`;
    }
    case 'loss':
      sim.conditions.lossRate = rng.pick([0, 0.05, 0.2, 0.5]);
      return `loss ${sim.conditions.lossRate}`;
    case 'dup':
      sim.conditions.duplicateRate = rng.pick([0, 0.05, 0.2]);
      return `duplication ${sim.conditions.duplicateRate}`;
    case 'delay':
      sim.conditions.delayMaxMs = rng.pick([1, 5, 20]);
      return `delay up to ${sim.conditions.delayMaxMs} ms (reordering)`;
    case 'crash': {
      if (up.length <= 1) return 'crash skipped (one node left)';
      const victim = rng.pick(up);
      // Some stops are clean: the node announces its leave (as vigild does once drained), then
      // goes at once, before any peer could answer; the copies it sent are still in flight.
      if (rng.chance(0.4)) {
        sim.inject(victim, (a, nowMs) => a.membership.machine.leave(nowMs).send.map(({ to, msg }) => ({ to, msg: { ch: 'membership' as const, m: msg } })));
        sim.crash(victim);
        return `clean stop of ${victim} (leave, then exit)`;
      }
      sim.crash(victim);
      return `crash ${victim}`;
    }
    case 'restart': {
      if (down.length === 0) return 'restart skipped (all up)';
      const node = rng.pick(down);
      sim.start(node);
      return `restart ${node}`;
    }
    case 'stall': {
      const node = rng.pick(names);
      const forMs = budgetMs * (0.1 + rng.float() * 1.4);
      sim.stall(node, sim.nowMs + forMs);
      return `stall ${node} for ${forMs.toFixed(0)} ms`;
    }
  }
}

function twoOf(rng: Prng, names: string[]): [string, string] {
  const a = rng.pick(names);
  const b = rng.pick(names.filter((n) => n !== a));
  return [a, b];
}
