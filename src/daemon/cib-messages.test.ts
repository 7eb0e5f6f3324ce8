import { describe, expect, it } from 'vitest';
import { parseCibMessage } from './cib-messages.js';

describe('status changes between nodes', () => {
  const change = (updates: unknown[]): unknown => ({ t: 'cib-change', req: 'r1', change: { op: 'status', updates } });

  it("carries an administrator's edits to the DC", () => {
    const msg = parseCibMessage(change([{ kind: 'clear-failures', node: 'b', resource: 'r1' }, { kind: 'node-attribute', node: 'b', name: 'standby', value: null }]));
    expect(msg).toEqual({ t: 'cib-change', req: 'r1', change: { op: 'status', updates: [{ kind: 'clear-failures', node: 'b', resource: 'r1' }, { kind: 'node-attribute', node: 'b', name: 'standby', value: null }] } });
  });

  it('refuses operation records and fail counts from another node: only the DC writes those', () => {
    expect(parseCibMessage(change([{ kind: 'fail-count', node: 'b', resource: 'r1', task: 'start', intervalMs: 0, add: 1, lastFailure: 1 }]))).toBeNull();
    expect(parseCibMessage(change([{ kind: 'operation', op: {} }]))).toBeNull();
    expect(parseCibMessage(change([{ kind: 'clear-failures', node: 'b' }]))).toBeNull();
  });
});
