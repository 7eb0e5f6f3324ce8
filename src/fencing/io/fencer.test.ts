import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isolatedHere } from './fencer.js';

const external = Object.entries(networkInterfaces()).flatMap(([name, list]) => (name === 'lo' ? [] : (list ?? []).map((a) => a.address)));

describe('isolatedHere', () => {
  it('says nothing for addresses on no real interface (loopback clusters)', () => {
    expect(isolatedHere(['127.0.0.2', '192.0.2.77'], () => 'down')).toBeNull();
  });

  it('reports the node isolated only when every cluster interface is down', () => {
    const ifaces = (): Map<string, string> => new Map([['10.0.0.1', 'eth0'], ['10.0.1.1', 'eth1']]);
    const states = (down: string[]) => (i: string) => (down.includes(i) ? 'down' : 'up');
    expect(isolatedHere(['10.0.0.1', '10.0.1.1'], states(['eth0', 'eth1']), ifaces)).toMatch(/every cluster link of this node is down \(eth0 down, eth1 down\)/);
    expect(isolatedHere(['10.0.0.1', '10.0.1.1'], states(['eth0']), ifaces)).toBeNull();
    expect(isolatedHere(['10.0.0.1'], () => null, ifaces)).toBeNull();
  });

  it.skipIf(external.length === 0)('finds this host\'s interfaces with ip', () => {
    expect(isolatedHere([external[0]], () => 'down')).toMatch(/is down/);
  });
});
