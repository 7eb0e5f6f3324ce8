import { describe, expect, it } from 'vitest';
import { emptyCib } from '../cib/empty.js';
import type { XmlElement } from '../cib/xml.js';
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
});
