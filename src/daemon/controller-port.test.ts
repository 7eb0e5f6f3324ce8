import { describe, expect, it } from 'vitest';
import { emptyCib } from '../cib/empty.js';
import type { XmlElement } from '../cib/xml.js';
import { Controller, type OperationOutcome } from '../controller/controller.js';
import type { StatusUpdate } from '../controller/history.js';
import type { ControllerMessage } from '../controller/io/messages.js';
import type { ResourceAction } from '../scheduler/graph.js';
import type { CibVersion } from './cib-version.js';
import { setVersion } from './cib-version.js';
import { InProcessPort } from './controller-port.js';

const at = (numUpdates: number): XmlElement => {
  const cib = emptyCib();
  setVersion(cib, { adminEpoch: 0, epoch: 1, numUpdates });
  return cib;
};
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function portWithWrites(): { port: InProcessPort; seen: number[]; finishWrite: (v: CibVersion) => void } {
  let finish: (v: CibVersion) => void = () => undefined;
  const port = new InProcessPort({
    self: 'a',
    incarnation: 1,
    peerIncarnation: () => null,
    cib: { change: () => new Promise<CibVersion>((resolve) => (finish = resolve)) },
    send: async () => undefined,
    log: () => undefined,
    onShutdownRequest: () => undefined,
  });
  const seen: number[] = [];
  port.onCib((cib) => seen.push(Number(cib.attrs.num_updates)));
  port.viewChanged({ members: ['a', 'b'], dc: 'a', quorate: true });
  return { port, seen, finishWrite: (v) => finish(v) };
}

describe('InProcessPort', () => {
  it('holds back a CIB committed while its own status write is on its way, and one older than that write', async () => {
    const { port, seen, finishWrite } = portWithWrites();
    port.cibChanged(at(1));
    await turn();
    expect(seen).toEqual([1]);
    const write = port.writeStatus([{ kind: 'node-fenced', node: 'b' }]);
    port.cibChanged(at(2));
    await turn();
    expect(seen).toEqual([1]);
    finishWrite({ adminEpoch: 0, epoch: 1, numUpdates: 3 });
    await write;
    await turn();
    // The write made version 3: the CIB at 2 lacks it.
    expect(seen).toEqual([1]);
    port.cibChanged(at(3));
    await turn();
    expect(seen).toEqual([1, 3]);
  });

  it('coalesces changes within one turn of the event loop into the newest', async () => {
    const { port, seen } = portWithWrites();
    port.cibChanged(at(4));
    port.cibChanged(at(5));
    await turn();
    expect(seen).toEqual([5]);
  });

  describe('controller messages across a peer\'s restarts', () => {
    const N = 1_700_000_000_000;
    const dummy = { id: 'r1', configId: 'r1', agentClass: 'ocf', provider: 'heartbeat', type: 'Dummy', params: {}, meta: {} };
    const probe: ResourceAction = { kind: 'resource', id: 1, inputs: [], key: 'r1_monitor_0', task: 'monitor', node: 'n2', resource: dummy, intervalMs: 0, timeoutMs: 20_000 };
    const active: OperationOutcome = { rc: 0, opStatus: 0, exitReason: '', startedAtMs: N, durationMs: 12 };
    const result: ControllerMessage = { t: 'op-result', transition: 1, action: 1, outcome: active, origin: 'uuid-1', about: probe };

    /**
     * The DC n1's port and controller, wired as ControllerService wires them for results. n2 ran
     * the probe in its life N, was fenced, and has rejoined as N+1: in the view again, so the
     * controller's own check (members only) lets its reports through.
     */
    function dcAfterRejoin() {
      const incarnations = new Map<string, number>([['n2', N + 1]]);
      const logged: string[] = [];
      let sentBody: Buffer | null = null;
      const port = new InProcessPort({
        self: 'n1',
        incarnation: N + 5,
        peerIncarnation: (node) => incarnations.get(node) ?? null,
        cib: { change: async () => ({ adminEpoch: 0, epoch: 1, numUpdates: 1 }) },
        send: async (_node, body) => void (sentBody = body),
        log: (_level, message) => logged.push(message),
        onShutdownRequest: () => undefined,
      });
      const ctl = new Controller({ self: 'n1', uuid: 'uuid-1' });
      ctl.handle({ type: 'cib', cib: emptyCib() }, 0);
      ctl.handle({ type: 'membership', view: { members: ['n1', 'n2'], dc: 'n1', quorate: true } }, 0);
      ctl.handle({ type: 'planned', request: 1, graph: { actions: [probe] } }, 10);
      ctl.handle({ type: 'membership', view: { members: ['n1'], dc: 'n1', quorate: true } }, 20);
      ctl.handle({ type: 'membership', view: { members: ['n1', 'n2'], dc: 'n1', quorate: true } }, 30);
      const recorded: StatusUpdate[] = [];
      port.onMessage((_from, msg) => {
        if (msg.t !== 'op-result') return;
        const event = { type: 'operation-result', transition: msg.transition, action: msg.action, outcome: msg.outcome, ...(msg.about && msg.origin ? { about: msg.about, origin: msg.origin } : {}) } as const;
        recorded.push(...ctl.handle(event, 40).status);
      });
      return { port, recorded, logged, sent: () => sentBody };
    }

    it('a result from incarnation N arriving after the peer rejoined as N+1 is not recorded', () => {
      const { port, recorded } = dcAfterRejoin();
      port.received('n2', { msg: result, inc: N });
      expect(recorded).toEqual([]);
      expect(port.staleMessages).toBe(1);
      // The same result from the current life is recorded: the drop is the incarnation's doing.
      port.received('n2', { msg: result, inc: N + 1 });
      expect(recorded.map((u) => u.kind)).toContain('operation');
      expect(port.staleMessages).toBe(1);
    });

    it('lets through a life newer than membership knows yet, and a message without an incarnation (from a daemon before it)', () => {
      const newer = dcAfterRejoin();
      newer.port.received('n2', { msg: result, inc: N + 2 });
      expect(newer.recorded).not.toEqual([]);
      const unstamped = dcAfterRejoin();
      unstamped.port.received('n2', { msg: result, inc: null });
      expect(unstamped.recorded).not.toEqual([]);
      expect(newer.port.staleMessages + unstamped.port.staleMessages).toBe(0);
    });

    it('logs a burst of stale messages from one peer once, counting them all', () => {
      const { port, logged } = dcAfterRejoin();
      for (let i = 0; i < 5; i++) port.received('n2', { msg: result, inc: N });
      expect(port.staleMessages).toBe(5);
      expect(logged).toEqual([`dropped op-result from n2's earlier life (incarnation ${N}, now ${N + 1})`]);
    });

    it('stamps what it sends with its own incarnation', async () => {
      const { port, sent } = dcAfterRejoin();
      await port.send('n2', { t: 'shutdown', transition: 3, action: 4 });
      expect(JSON.parse(String(sent()))).toEqual({ t: 'shutdown', transition: 3, action: 4, inc: N + 5 });
    });
  });
});
