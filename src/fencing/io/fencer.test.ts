import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isolatedHere } from './fencer.js';

const external = Object.entries(networkInterfaces()).flatMap(([name, list]) => (name === 'lo' ? [] : (list ?? []).map((a) => a.address)));

describe('isolatedHere', () => {
  it('says nothing for addresses on no real interface (loopback clusters)', () => {
    expect(isolatedHere(['127.0.0.2', '192.0.2.77'], () => 'down')).toBeNull();
  });

  it.skipIf(external.length === 0)('reports the node isolated only when every cluster interface is down', () => {
    expect(isolatedHere([external[0]], () => 'down')).toMatch(/every cluster link of this node is down/);
    expect(isolatedHere([external[0]], () => 'up')).toBeNull();
    expect(isolatedHere([external[0]], () => null)).toBeNull();
  });
});
