import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { XmlElement } from '../cib/xml.js';
import { activeNodes } from '../controller/admin/edits.js';
import { CURRENT_TITLE, renderSimulateStatus } from '../status/index.js';
import { LocalCluster } from './local-cluster.js';
import { DEMO_DEFAULTS, DEMO_PROPERTIES, demoResources, writeDemoPrograms } from './resources.js';

export interface DemoOptions {
  /** Seconds after everything runs before a node is killed. */
  killAfterS: number;
  /** Stop by itself this many seconds after the failover (undefined: until Ctrl-C). */
  durationS?: number;
  /** Membership's detection budget; vigil's default when not given. */
  budget?: string;
  /** Also serve the web console (on node1's API) on this port. */
  webPort?: number;
  /** Clear and redraw the screen (a terminal), or print only what changes. */
  redraw: boolean;
  write: (text: string) => void;
  signal: AbortSignal;
}

export interface DemoFigures {
  killedNode: string;
  /** kill -9 → a survivor's view no longer has the node. */
  detectionS: number | null;
  /** kill -9 → the web group's HTTP check running on a survivor. */
  groupRecoveredS: number | null;
  /** kill -9 → the web server answering HTTP again. */
  httpAnswersS: number | null;
  newNode: string | null;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(300) });
    await res.text();
    return res.ok;
  } catch {
    return false;
  }
}

const PRIMITIVES = ['worker', 'web-server', 'web-check', 'dummy'];

/** Where a resource runs; nowhere while the CIB does not have it yet. */
function runningOn(cib: XmlElement, id: string): string[] {
  try {
    return activeNodes(cib, id);
  } catch {
    return [];
  }
}

/**
 * `vigil demo`: three nodes on this machine, resources running, a node killed, the failover
 * measured and shown, then on until Ctrl-C. Everything lives in a temporary directory that is
 * removed at the end, and every process started is stopped.
 */
export async function runDemo(o: DemoOptions): Promise<DemoFigures | null> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-demo-'));
  const port = 20_000 + Math.floor(Math.random() * 4_000) * 3;
  const webPort = port + 2;
  const cluster = new LocalCluster({ dir, nodes: 3, port, budget: o.budget });
  const say = (line: string): void => o.write(line + '\n');
  let figures: DemoFigures | null = null;
  let closeWeb: (() => Promise<void>) | null = null;
  try {
    say(`vigil demo: 3 nodes on 127.0.0.1-3 (port ${port}), state in ${dir}`);
    cluster.startAll();
    await cluster.waitForMembers(3);
    say('cluster formed; loading resources: worker (a process), web (group: web-server + web-check), dummies (clone)');
    const programs = writeDemoPrograms(dir);
    await cluster.replace(0, 'crm_config', DEMO_PROPERTIES);
    await cluster.replace(0, 'rsc_defaults', DEMO_DEFAULTS);
    await cluster.replace(0, 'resources', demoResources(programs, webPort));
    say('stonith-enabled=false: on one machine nothing can cut a node\'s power, so a partition here could run a resource twice.');
    if (o.webPort !== undefined) {
      const { startDemoConsole } = await import('../web/index.js');
      const web = await startDemoConsole({ socket: cluster.nodes[0].socket, port: o.webPort, dir });
      closeWeb = () => web.close();
      say(`web console: ${web.url}  (user ${web.user}, password ${web.password})`);
    }

    const live = new LiveView(cluster, o, say);
    const started = await live.until(async (cib) => PRIMITIVES.every((p) => runningOn(cib, p).length > 0), 30_000);
    if (o.signal.aborted) return null;
    if (!started) say('not every resource started within 30 s; killing a node anyway');
    await live.run(o.killAfterS * 1000);
    if (o.signal.aborted) return null;

    const cib = await live.dcCib();
    const holder = cib ? runningOn(cib, 'web-server')[0] : undefined;
    const victim = Math.max(0, cluster.nodes.findIndex((n) => n.name === holder));
    const killed = cluster.nodes[victim].name;
    say(`\n*** kill -9 of ${killed} (its vigild and the processes its agents started) ***\n`);
    const t0 = performance.now();
    cluster.powerOff(victim);
    figures = { killedNode: killed, detectionS: null, groupRecoveredS: null, httpAnswersS: null, newNode: null };
    const survivor = (victim + 1) % 3;
    const deadline = t0 + 30_000;
    while (performance.now() < deadline && !o.signal.aborted && (figures.detectionS === null || figures.groupRecoveredS === null || figures.httpAnswersS === null)) {
      const elapsed = (): number => Math.round(performance.now() - t0) / 1000;
      if (figures.httpAnswersS === null && (await httpOk(`http://127.0.0.1:${webPort}/`))) figures.httpAnswersS = elapsed();
      if (figures.detectionS === null) {
        const view = await cluster.daemonStatus(survivor).catch(() => null);
        if (view?.view && !view.view.members.includes(killed)) figures.detectionS = elapsed();
      }
      if (figures.groupRecoveredS === null) {
        const now = await live.dcCib();
        const where = now ? runningOn(now, 'web-check').filter((n) => n !== killed) : [];
        if (where.length > 0) {
          figures.groupRecoveredS = elapsed();
          figures.newNode = where[0];
        }
      }
      await sleep(20);
    }
    const show = (v: number | null): string => (v === null ? 'not within 30 s' : `${v.toFixed(2)} s`);
    say(`\nfailover of ${killed}:`);
    say(`  node death detected        ${show(figures.detectionS)}`);
    say(`  web group running again    ${show(figures.groupRecoveredS)}${figures.newNode ? ` on ${figures.newNode}` : ''}`);
    say(`  web server answering HTTP  ${show(figures.httpAnswersS)}`);
    say(o.durationS === undefined ? '\nstill running: Ctrl-C to stop and clean up\n' : '');
    await live.run(o.durationS === undefined ? Number.POSITIVE_INFINITY : o.durationS * 1000);
    return figures;
  } finally {
    say('stopping the cluster and cleaning up...');
    await closeWeb?.().catch(() => undefined);
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The cluster status, redrawn once a second (or printed when it changes, off a terminal). */
class LiveView {
  private last = '';
  private readonly t0 = performance.now();

  constructor(
    private readonly cluster: LocalCluster,
    private readonly o: DemoOptions,
    private readonly say: (line: string) => void,
  ) {}

  /** The current DC's CIB (any node's when the DC cannot be asked). */
  async dcCib(): Promise<XmlElement | null> {
    for (let i = 0; i < this.cluster.nodes.length; i++) {
      if (!this.cluster.isRunning(i)) continue;
      try {
        const st = await this.cluster.daemonStatus(i);
        const dc = this.cluster.nodes.findIndex((n) => n.name === st.view?.dc);
        return await this.cluster.cib(dc >= 0 && this.cluster.isRunning(dc) ? dc : i);
      } catch {
        // This node cannot answer right now: ask the next.
      }
    }
    return null;
  }

  private async draw(): Promise<XmlElement | null> {
    const cib = await this.dcCib();
    if (!cib) return null;
    let text: string;
    try {
      text = renderSimulateStatus(cib).replace(`${CURRENT_TITLE}:\n`, '');
    } catch (err) {
      text = `(status cannot be shown: ${(err as Error).message})`;
    }
    if (this.o.redraw) {
      this.o.write(`\x1b[2J\x1b[H`);
      this.say(`vigil demo — ${((performance.now() - this.t0) / 1000).toFixed(0)} s — Ctrl-C to stop\n`);
      this.say(text);
    } else if (text !== this.last) this.say(text);
    this.last = text;
    return cib;
  }

  async run(ms: number): Promise<void> {
    const end = performance.now() + ms;
    while (performance.now() < end && !this.o.signal.aborted) {
      await this.draw();
      await sleep(Math.min(1000, end - performance.now()), this.o.signal);
    }
  }

  async until(pred: (cib: XmlElement) => Promise<boolean>, ms: number): Promise<boolean> {
    const end = performance.now() + ms;
    while (performance.now() < end && !this.o.signal.aborted) {
      const cib = await this.draw();
      if (cib && (await pred(cib))) return true;
      await sleep(250, this.o.signal);
    }
    return false;
  }
}
