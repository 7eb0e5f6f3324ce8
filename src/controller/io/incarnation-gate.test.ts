import { describe, expect, it } from 'vitest';
import { IncarnationGate } from './incarnation-gate.js';
import type { ControllerFrame } from './messages.js';

const frame = (inc: number | null): ControllerFrame => ({ msg: { t: 'shutdown-ack', transition: 1, action: 2 }, inc });

describe('IncarnationGate', () => {
  it('drops only what comes from a life older than the one membership knows', () => {
    const known = new Map([['b', 20]]);
    const gate = new IncarnationGate((node) => known.get(node) ?? null, () => undefined);
    expect(gate.admits('b', frame(19), 0)).toBe(false);
    expect(gate.admits('b', frame(20), 0)).toBe(true);
    expect(gate.admits('b', frame(21), 0)).toBe(true);
    expect(gate.admits('b', frame(null), 0)).toBe(true);
    // Never heard from (this node just started): nothing to judge by.
    expect(gate.admits('c', frame(1), 0)).toBe(true);
    expect(gate.dropped).toBe(1);
  });

  it('logs each peer at most once per 10 s, then says how many went unlogged', () => {
    const lines: string[] = [];
    const gate = new IncarnationGate((node) => (node === 'b' || node === 'c' ? 20 : null), (m) => lines.push(m));
    for (let t = 0; t < 4; t++) gate.admits('b', frame(19), t * 1000);
    gate.admits('c', frame(7), 3_500);
    gate.admits('b', frame(19), 10_000);
    expect(lines).toEqual([
      "dropped shutdown-ack from b's earlier life (incarnation 19, now 20)",
      "dropped shutdown-ack from c's earlier life (incarnation 7, now 20)",
      "dropped shutdown-ack from b's earlier life (incarnation 19, now 20) (and 3 more since the last report)",
    ]);
    expect(gate.dropped).toBe(6);
  });
});
