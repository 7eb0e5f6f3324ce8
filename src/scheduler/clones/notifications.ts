/**
 * Clone notifications (meta notify=true): before and after the clone starts, stops, promotes or
 * demotes instances, every instance concerned is told so by a `notify` action of its agent.
 *
 * Per task T with completion D (start/running, stop/stopped, promote/promoted, demote/demoted)
 * the clone gets four pseudo actions, ordered
 *   CLONE_pre_notify_T → CLONE_confirmed-pre_notify_T → CLONE_T … CLONE_D →
 *   CLONE_post_notify_D → CLONE_confirmed-post_notify_D
 * and each instance's `notify` runs between a pre (or post) pseudo and its confirmation.
 * Pre-notifications go to the instances active before the transition, post-notifications to
 * those active after it. They are decided once everything else is (Pacemaker creates them while
 * writing the graph), so they never change what else is required or runnable.
 */
import type { Act } from '../actions/action.js';
import { appendAct } from '../actions/action.js';
import type { Plan } from '../actions/plan.js';
import type { Context } from '../context.js';
import type { Clone, Node, Primitive, Resource } from '../model.js';
import { primitivesOf } from '../model.js';
import { activeHistories } from '../placement/scores.js';
import { selectActions } from '../transition/graph.js';

type Task = 'start' | 'stop' | 'promote' | 'demote';

const DONE: Record<Task, string> = { start: 'running', stop: 'stopped', promote: 'promoted', demote: 'demoted' };

/** The clone's four pseudo actions for one task. */
interface Round {
  task: Task;
  pre: Act;
  preDone: Act;
  post: Act;
  postDone: Act;
}

function notifyKey(id: string, type: string, task: string): string {
  return `${id}_${type}_notify_${task}_0`;
}

function addToResource(plan: Plan, r: Resource, a: Act, after?: Act): void {
  const list = plan.byRsc.get(r) ?? [];
  const at = after ? list.indexOf(after) : -1;
  if (at >= 0) list.splice(at + 1, 0, a);
  else list.push(a);
  plan.byRsc.set(r, list);
}

function order(plan: Plan, first: Act, then: Act): void {
  plan.edges.push({ first, then, flags: new Set(['order']), label: first.key });
}

/**
 * The pre pseudo actions are required when the clone's task is, the post ones when its
 * completion is; post-notifications can only happen when the completion can.
 */
function createRound(plan: Plan, c: Clone, task: Task, keep: Set<Act>): Round | undefined {
  const action = plan.pseudo.get(`${c.id}_${task}_0`);
  const complete = plan.pseudo.get(`${c.id}_${DONE[task]}_0`);
  if (!action || !complete) return undefined;
  const pseudo = (type: string, op: string, optional: boolean, runnable: boolean, after: Act): Act => {
    const a = appendAct(plan.acts, { key: notifyKey(c.id, type, op), task: type.startsWith('confirmed') ? 'notified' : 'notify', rsc: c, kind: 'pseudo', pseudo: true, optional, runnable });
    plan.pseudo.set(a.key, a);
    addToResource(plan, c, a, after);
    return a;
  };
  const preOptional = !keep.has(action);
  const postOptional = !keep.has(complete);
  const pre = pseudo('pre', task, preOptional, true, complete);
  const preDone = pseudo('confirmed-pre', task, preOptional, true, pre);
  const post = pseudo('post', DONE[task], postOptional, complete.runnable, preDone);
  const postDone = pseudo('confirmed-post', DONE[task], postOptional, complete.runnable, post);
  order(plan, pre, preDone);
  order(plan, preDone, action);
  order(plan, complete, post);
  order(plan, post, postDone);
  order(plan, preDone, post);
  return { task, pre, preDone, post, postDone };
}

/** Whether an instance's action for `task` is part of the transition (required, on a node). */
function acting(plan: Plan, p: Primitive, task: Task): boolean {
  return (plan.byRsc.get(p) ?? []).some((a) => a.task === task && !a.optional && a.node !== undefined && !a.collectiveOf);
}

/** Pre or post pseudo actions and their confirmations, for one task. */
type Notifier = Pick<Round, 'task'> & Partial<Omit<Round, 'task'>>;

/**
 * One instance's notify on one node. The same notification asked for twice (after fencing and
 * after the clone's stop) is one action that waits for both.
 */
function notifyInstance(plan: Plan, p: Primitive, node: Node, round: Notifier, post: boolean): void {
  const op = post ? round.post : round.pre;
  const done = post ? round.postDone : round.preDone;
  if (!op || !done || !node.online || !op.runnable) return;
  const key = notifyKey(p.id, post ? 'post' : 'pre', round.task);
  let a = (plan.byRsc.get(p) ?? []).find((x) => x.key === key && x.node === node);
  if (a) a.optional &&= op.optional;
  else {
    a = appendAct(plan.acts, { key, task: 'notify', rsc: p, node, kind: 'resource', optional: op.optional, runnable: !node.pending });
    addToResource(plan, p, a);
  }
  order(plan, op, a);
  order(plan, a, done);
  if (!post) return;
  // An instance's recurring monitors resume once every instance has heard the outcome.
  for (const mon of plan.byRsc.get(p) ?? []) if (mon.task === 'monitor' && mon.intervalMs > 0) order(plan, done, mon);
}

function isTrue(v: string | undefined): boolean {
  return ['true', 'yes', '1', 'on'].includes((v ?? '').toLowerCase());
}

/**
 * A stop implied by fencing also gets a post-notification of its own, sent as soon as the node is
 * fenced: the instances left are told without waiting for the clone's whole stop. Its pseudo
 * actions belong to the fenced instance and are keyed as Pacemaker writes them for an instance
 * known by a history name (an anonymous clone's) or by its own id. It depends on the instance's
 * own notify meta attribute, which it may have without the clone.
 */
function notifyAfterFencing(plan: Plan, c: Clone): void {
  const prims = primitivesOf(c);
  for (const p of prims) {
    for (const stop of plan.stops.get(p)?.values() ?? []) {
      const fence = stop.node ? plan.fenceActs.get(stop.node.uname) : undefined;
      if (!stop.pseudo || !fence || stop.optional || !isTrue(p.meta.get('notify'))) continue;
      const pseudo = (key: string): Act => {
        const a = appendAct(plan.acts, { key, task: 'notify', rsc: p, kind: 'pseudo', pseudo: true, optional: fence.optional, runnable: fence.runnable });
        addToResource(plan, p, a);
        return a;
      };
      const round: Notifier = c.unique
        ? { task: 'stop', post: pseudo(notifyKey(p.id, 'post', 'stonith')), postDone: pseudo(notifyKey(p.id, 'confirmed-post', 'stonith')) }
        : { task: 'stop', post: pseudo(notifyKey(p.id, 'post', 'stop')), postDone: pseudo(`${p.id}_notified_0`) };
      if (!round.post || !round.postDone) continue;
      order(plan, fence, round.post);
      order(plan, round.post, round.postDone);
      for (const q of prims) {
        const qStops = [...(plan.stops.get(q)?.values() ?? [])];
        const qStop = qStops[qStops.length - 1];
        if (qStop && !qStop.optional) continue;
        for (const h of activeHistories(q)) notifyInstance(plan, q, h.node, round, true);
      }
    }
  }
}

function notifyInstances(ctx: Context, plan: Plan, c: Clone, round: Round): void {
  const prims = primitivesOf(c);
  // A stop may be implied by fencing, so stop notifications are looked at even with no stop.
  if (round.task !== 'stop' && !prims.some((p) => acting(plan, p, round.task))) return;
  for (const p of prims) {
    if (round.task === 'stop' || round.task === 'demote') {
      const stops = [...(plan.stops.get(p)?.values() ?? [])];
      const stop = stops[stops.length - 1];
      for (const h of activeHistories(p)) {
        // A node being fenced hears nothing: its stop is implied by the fencing.
        if (stop?.pseudo && plan.fenceActs.has(h.node.uname)) continue;
        notifyInstance(plan, p, h.node, round, false);
        if (round.task === 'demote' || !stop || stop.optional) notifyInstance(plan, p, h.node, round, true);
      }
      continue;
    }
    const next = ctx.placement.get(p)?.node;
    if (!next) continue;
    const start = plan.starts.get(p);
    // An instance that is starting is not running yet to hear that it will start.
    if (round.task !== 'start' || !start || start.optional) notifyInstance(plan, p, next, round, false);
    notifyInstance(plan, p, next, round, true);
  }
}

/** Creates the notifications of every clone with notify=true, with their orderings. */
export function scheduleNotifications(ctx: Context, plan: Plan): void {
  const clones = ctx.resources.filter((r): r is Clone => r.kind === 'clone');
  // Fencing notifications come first: Pacemaker creates them with the fencing, before the rest.
  for (const c of clones) notifyAfterFencing(plan, c);
  const notifying = clones.filter((c) => c.notify);
  if (notifying.length === 0) return;
  const keep = selectActions(plan);
  for (const c of notifying) {
    const tasks: Task[] = c.promotable ? ['start', 'stop', 'promote', 'demote'] : ['start', 'stop'];
    const rounds = new Map<Task, Round>();
    for (const t of tasks) {
      const round = createRound(plan, c, t, keep);
      if (round) rounds.set(t, round);
    }
    const chain = (from: Task, to: Task): void => {
      const f = rounds.get(from);
      const t = rounds.get(to);
      if (f && t) order(plan, f.postDone, t.pre);
    };
    // Notifications of one task finish before those of the next begin.
    chain('stop', 'start');
    chain('stop', 'promote');
    chain('start', 'promote');
    chain('demote', 'promote');
    chain('demote', 'start');
    chain('demote', 'stop');
    for (const t of tasks) {
      const round = rounds.get(t);
      if (round) notifyInstances(ctx, plan, c, round);
    }
  }
}

/**
 * What an ordering "clone task, then something else" waits for in the graph: with notifications,
 * the confirmation that every instance heard of the task's completion.
 */
export function orderingFirst(plan: Plan, first: Act, then: Act): Act {
  const c = first.collectiveOf;
  if (!c || c.kind !== 'clone' || !c.notify || !then.rsc) return first;
  for (let cur: Resource | undefined = then.rsc; cur; cur = cur.parent) if (cur === c) return first;
  const task = (Object.keys(DONE) as Task[]).find((t) => first.task === t || first.task === DONE[t]);
  return (task && plan.pseudo.get(notifyKey(c.id, 'confirmed-post', DONE[task]))) || first;
}
