import { Worker } from 'node:worker_threads';
import type { XmlElement } from '../../cib/xml.js';
import type { TransitionGraph } from '../../scheduler/graph.js';

export type PlanAnswer = { request: number; graph: TransitionGraph; summary: string[]; warnings: string[] } | { request: number; error: string };

/** Runs the scheduler in a worker thread, one plan at a time; restarts the worker if it dies. */
export class Planner {
  private worker: Worker | null = null;
  private pending: number | null = null;

  constructor(private readonly onAnswer: (answer: PlanAnswer) => void) {}

  /**
   * Starts the thread now: any node may become the DC when the DC dies, and its first plan then
   * decides how soon the services come back — it must not wait for a thread to start and the
   * scheduler to load (70 ms and more).
   */
  warm(): void {
    this.ensure();
  }

  plan(request: number, cib: XmlElement, now: number): void {
    const worker = this.ensure();
    this.pending = request;
    worker.postMessage({ request, cib, now });
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./scheduler-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (answer: PlanAnswer) => {
      if (answer.request === this.pending) this.pending = null;
      this.onAnswer(answer);
    });
    worker.on('error', (err) => {
      const request = this.pending;
      this.worker = null;
      this.pending = null;
      if (request !== null) this.onAnswer({ request, error: `scheduler thread crashed: ${err.message}` });
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
    });
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
