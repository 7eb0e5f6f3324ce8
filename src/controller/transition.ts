import type { GraphAction, TransitionGraph } from '../scheduler/graph.js';

/**
 * One transition graph being carried out. An action may run once every action it takes as
 * input is confirmed; an aborted run dispatches nothing new but still waits for what is in flight,
 * so a new graph never starts while an old action may still change the cluster.
 */
export type ActionState = 'waiting' | 'in-flight' | 'confirmed' | 'failed';

export class TransitionRun {
  private readonly states = new Map<number, ActionState>();
  private readonly byId = new Map<number, GraphAction>();
  private abortReason: string | null = null;

  constructor(
    readonly id: number,
    readonly graph: TransitionGraph,
  ) {
    for (const action of graph.actions) {
      this.states.set(action.id, 'waiting');
      this.byId.set(action.id, action);
    }
  }

  action(id: number): GraphAction | undefined {
    return this.byId.get(id);
  }

  state(id: number): ActionState | undefined {
    return this.states.get(id);
  }

  get aborted(): string | null {
    return this.abortReason;
  }

  abort(reason: string): void {
    this.abortReason ??= reason;
  }

  /** Marks and returns every waiting action whose inputs are all confirmed, in graph order. */
  takeRunnable(): GraphAction[] {
    if (this.abortReason !== null) return [];
    const out: GraphAction[] = [];
    for (const action of this.graph.actions) {
      if (this.states.get(action.id) !== 'waiting') continue;
      // An input the graph does not contain cannot ever be confirmed: the action never runs.
      if (action.inputs.every((i) => this.states.get(i) === 'confirmed')) {
        this.states.set(action.id, 'in-flight');
        out.push(action);
      }
    }
    return out;
  }

  confirm(id: number): void {
    if (this.states.get(id) === 'in-flight') this.states.set(id, 'confirmed');
  }

  fail(id: number, reason: string): void {
    if (this.states.get(id) !== 'in-flight') return;
    this.states.set(id, 'failed');
    this.abort(reason);
  }

  inFlight(): GraphAction[] {
    return this.graph.actions.filter((a) => this.states.get(a.id) === 'in-flight');
  }

  /** Nothing in flight and nothing more will be dispatched. */
  get finished(): boolean {
    if (this.inFlight().length > 0) return false;
    if (this.abortReason !== null) return true;
    return !this.graph.actions.some((a) => this.states.get(a.id) === 'waiting' && a.inputs.every((i) => this.states.get(i) === 'confirmed'));
  }

  /** Finished with every action confirmed: the cluster reached the state the graph planned. */
  get complete(): boolean {
    return this.abortReason === null && [...this.states.values()].every((s) => s === 'confirmed');
  }

  counts(): Record<ActionState, number> {
    const counts: Record<ActionState, number> = { waiting: 0, 'in-flight': 0, confirmed: 0, failed: 0 };
    for (const s of this.states.values()) counts[s] += 1;
    return counts;
  }
}
