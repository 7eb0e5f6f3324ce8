import { parentPort } from 'node:worker_threads';
import { emptyCib } from '../../cib/empty.js';
import type { XmlElement } from '../../cib/xml.js';
import type { TransitionGraph } from '../../scheduler/graph.js';

/**
 * The scheduler's thread: planning a big CIB takes long enough to starve heartbeats, so it never
 * runs on the daemon's event loop. Messages: {request, cib, now} in, {request, graph} or
 * {request, error} out.
 */
interface PlanRequest {
  request: number;
  cib: XmlElement;
  now: number;
}

type ScheduleFn = (cib: XmlElement, options: { now: number }) => { graph: TransitionGraph; summary?: string[]; warnings?: string[]; unsupported?: string[] };

let schedule: ScheduleFn | null = null;

async function load(): Promise<ScheduleFn> {
  if (schedule) return schedule;
  // Named through a variable: the scheduler is a sibling part that may not be built yet.
  const path = '../../scheduler/index.js';
  const mod = (await import(path)) as { schedule?: ScheduleFn };
  if (typeof mod.schedule !== 'function') throw new Error('src/scheduler does not export schedule()');
  schedule = mod.schedule;
  return schedule;
}

// Loaded and run once on an empty CIB at once, so that the first real plan finds the code loaded
// and compiled (see Planner.warm).
void load().then(
  (fn) => {
    try {
      fn(emptyCib(), { now: Math.floor(Date.now() / 1000) });
    } catch {
      // Only a warm-up: a real plan reports its own errors.
    }
  },
  () => undefined,
);

parentPort?.on('message', (msg: PlanRequest) => {
  load().then(
    (fn) => {
      try {
        const result = fn(msg.cib, { now: msg.now });
        parentPort?.postMessage({ request: msg.request, graph: result.graph, summary: result.summary ?? [], warnings: [...(result.warnings ?? []), ...(result.unsupported ?? [])] });
      } catch (err) {
        parentPort?.postMessage({ request: msg.request, error: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
      }
    },
    (err: unknown) => parentPort?.postMessage({ request: msg.request, error: `cannot load the scheduler: ${err instanceof Error ? err.message : String(err)}` }),
  );
});
