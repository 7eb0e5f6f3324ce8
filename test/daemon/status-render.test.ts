import { describe, expect, it } from 'vitest';
import { emptyCib } from '../../src/cib/empty.js';
import { serializeXml } from '../../src/cib/xml.js';
import { renderStatusText } from '../../src/daemon/status-render.js';
import type { DaemonStatus } from '../../src/daemon/status-types.js';
import { deriveTiming, timingFigures } from '../../src/membership/index.js';
import { zeroCounters } from '../../src/transport/index.js';

function status(over: Partial<DaemonStatus> = {}): DaemonStatus {
  return {
    cluster: 'c',
    node: 'n1',
    incarnation: 1,
    uptimeS: 5,
    view: { id: 3, coordinator: 'n1', members: ['n1', 'n2', 'n3'], dc: 'n1', quorate: true, partition: 'whole-cluster', votes: 3, expectedVotes: 3, quorumVotes: 2 },
    peers: [
      { name: 'n1', id: 1, self: true, state: 'alive', inView: true, incarnation: 1, silentMsByLink: [] },
      { name: 'n2', id: 2, self: false, state: 'stalled', inView: true, incarnation: 1, silentMsByLink: [700] },
      { name: 'n3', id: 3, self: false, state: 'lost', inView: false, incarnation: 1, silentMsByLink: [null] },
    ],
    health: { score: 0, lastLagMs: 1, worstLagMs: 2 },
    timing: timingFigures(deriveTiming()),
    links: [{ index: 0, mode: 'udpu', port: 694 }],
    counters: { ...zeroCounters(), membership: { malformed: 0, unknownSender: 0, staleIncarnation: 0 }, controller: { staleIncarnation: 0 } },
    cibVersion: { adminEpoch: 0, epoch: 1, numUpdates: 0 },
    cib: serializeXml(emptyCib()),
    ...over,
  };
}

const paint = { yellow: (s: string) => `<y>${s}</y>`, red: (s: string) => `<r>${s}</r>` };

describe('vigil status text', () => {
  it("marks a stalled peer as a suspect one and a lost one in red", () => {
    const text = renderStatusText(status(), false, paint, 0);
    expect(text).toContain('* n2: <y>stalled</y> (link 0: heard 700 ms ago)');
    expect(text).toContain('* n3: <r>lost</r> (link 0: never heard)');
  });

  it("counts controller messages from a peer's earlier life among the drops, highlighted once any is dropped", () => {
    const quiet = renderStatusText(status(), false, paint, 0);
    expect(quiet).toMatch(/\* dropped: .*a peer's earlier life 0/);
    expect(quiet).not.toContain('<y>  * dropped');
    const base = status();
    const noisy = renderStatusText(status({ counters: { ...base.counters, controller: { staleIncarnation: 2 } } }), false, paint, 0);
    expect(noisy).toMatch(/<y> {2}\* dropped: .*a peer's earlier life 2<\/y>/);
  });
});
