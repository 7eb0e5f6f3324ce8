import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { XmlElement } from '../../cib/xml.js';
import { parseDurationMs } from '../../controller/duration.js';
import { property } from '../../controller/options.js';
import { fencePlan, type FenceActionName, type FencePlan } from '../decision.js';
import type { FenceHistoryEntry } from '../history.js';
import type { FenceRunner } from './executor-runner.js';
import { appendFenceHistory } from './history-file.js';

export interface FenceOutcome {
  ok: boolean;
  detail: string;
  device?: string;
}

/**
 * Why this node is cut off from the network (every interface carrying one of its cluster
 * addresses is down), or null. Addresses on no local interface (loopback tests, wildcard) say
 * nothing either way.
 */
export function isolatedHere(
  addresses: readonly string[],
  readState: (ifname: string) => string | null = operState,
  interfaces: () => Map<string, string> = interfaceAddresses,
): string | null {
  const byAddress = interfaces();
  const ifnames = [...new Set(addresses.map((a) => byAddress.get(a)).filter((i): i is string => i !== undefined && i !== 'lo'))];
  if (ifnames.length === 0) return null;
  const states = ifnames.map((i) => [i, readState(i)] as const);
  if (states.some(([, st]) => st === null || st === 'up' || st === 'unknown')) return null;
  return `every cluster link of this node is down (${states.map(([i, st]) => `${i} ${st}`).join(', ')})`;
}

/**
 * Address → interface, down interfaces included (Node's networkInterfaces() leaves those out,
 * and a down interface is exactly what this is about): from `ip -o addr`.
 */
function interfaceAddresses(): Map<string, string> {
  const out = new Map<string, string>();
  let text: string;
  try {
    text = execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8', timeout: 2000 });
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+([^\s@:]+)\S*\s+inet6?\s+([^/\s]+)/.exec(line);
    if (m) out.set(m[2], m[1]);
  }
  return out;
}

function operState(ifname: string): string | null {
  try {
    return readFileSync(`/sys/class/net/${ifname}/operstate`, 'utf8').trim();
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Carries out fencing on this node (the DC): waits the planned delays, then tries the levels in
 * order; a level succeeds when every device in it does. Every attempt is kept in the history.
 */
export class Fencer {
  /** Address → interface, read once: `ip` is a child process waited for on the daemon's loop. */
  private interfaces: Map<string, string> | null = null;

  constructor(
    private readonly self: string,
    private readonly stateDir: string,
    private readonly log: (level: 'info' | 'warn' | 'error', msg: string) => void,
    /** Runs the fence agents (the executor's stonith class: executor-runner.ts). */
    private readonly run: FenceRunner,
    /** This node's cluster addresses: if every interface holding one is down, we are the isolated side. */
    private readonly linkAddresses: readonly string[] = [],
    /** How links are read (tests give their own). */
    private readonly links: { readState: (ifname: string) => string | null; interfaces: () => Map<string, string> } = { readState: operState, interfaces: interfaceAddresses },
  ) {
    // Now rather than on the first fencing, which is on the way to recovery.
    if (linkAddresses.length > 0) this.interfaces = links.interfaces();
  }

  private cutOff(): string | null {
    return isolatedHere(this.linkAddresses, this.links.readState, () => (this.interfaces ??= this.links.interfaces()));
  }

  async fence(cib: XmlElement, target: string, action: FenceActionName): Promise<FenceOutcome> {
    const cut = this.cutOff();
    if (cut !== null) {
      // This node, not the target, is the one cut off: fencing from here would kill the side
      // that can still serve. The other side will fence us.
      const detail = `not fencing ${target}: ${cut}`;
      this.log('warn', detail);
      return { ok: false, detail };
    }
    const crmConfig = cib.children.find((c) => c.name === 'configuration')?.children.find((c) => c.name === 'crm_config');
    const timeoutMs = parseDurationMs(property(crmConfig, 'stonith-timeout') ?? '60s') ?? 60_000;
    const plan = fencePlan(cib, target, action, { delayFraction: Math.random() });
    const requestedMs = Date.now();
    const outcome = await this.execute(plan, timeoutMs);
    const entry: FenceHistoryEntry = {
      target,
      action,
      state: outcome.ok ? 'success' : 'failed',
      origin: this.self,
      executioner: this.self,
      device: outcome.device,
      requestedMs,
      completedMs: Date.now(),
      detail: outcome.detail,
    };
    try {
      appendFenceHistory(this.stateDir, entry);
    } catch (err) {
      this.log('warn', `cannot record fence history: ${(err as Error).message}`);
    }
    return outcome;
  }

  private async execute(plan: FencePlan, timeoutMs: number): Promise<FenceOutcome> {
    for (const line of plan.explanation) this.log('info', `fencing ${plan.target}: ${line}`);
    if (plan.levels.length === 0) return { ok: false, detail: `no fence device can reach ${plan.target}` };
    if (plan.priorityDelayMs > 0) await sleep(plan.priorityDelayMs);
    const failures: string[] = [];
    for (const level of plan.levels) {
      const results = await Promise.all(
        level.steps.map(async (step) => {
          if (step.delayMs > 0) await sleep(step.delayMs);
          // The delays exist so that one side of a split wins; a node cut off while it waited is
          // the side that must lose, whatever it saw when it began.
          const cut = this.cutOff();
          if (cut !== null) return { device: step.device, ok: false, why: `gave up: ${cut}` };
          return { device: step.device, ...(await this.run(step, timeoutMs)) };
        }),
      );
      if (results.every((r) => r.ok)) {
        const devices = results.map((r) => r.device).join('+');
        return { ok: true, detail: `${plan.target} fenced (${plan.action}) by ${devices}`, device: devices };
      }
      for (const r of results) if (!r.ok) failures.push(`${r.device}: ${r.why}`);
    }
    return { ok: false, detail: failures.join('; ') };
  }
}
