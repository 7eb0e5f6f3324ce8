import { describe, expect, it } from 'vitest';
import { parseAdminEdits } from '../history.js';
import { encodeControllerFrame, parseControllerFrame, parseControllerMessage } from './messages.js';

const resource = { id: 'vip', configId: 'vip', agentClass: 'ocf', provider: 'heartbeat', type: 'IPaddr2', params: { ip: '10.0.0.1' }, meta: {} };

describe('controller messages', () => {
  it('accepts well-formed messages', () => {
    const action = { kind: 'resource', id: 7, inputs: [], key: 'vip_start_0', task: 'start', node: 'n1', resource, intervalMs: 0, timeoutMs: 20000 };
    const op = { t: 'op', transition: 3, origin: 'uuid-1', action };
    expect(parseControllerMessage(op)).toEqual(op);
    const result = { t: 'op-result', transition: 3, action: 7, outcome: { rc: 0, opStatus: 0, exitReason: '', startedAtMs: 1, durationMs: 2 } };
    expect(parseControllerMessage(result)).toEqual(result);
    const described = { ...result, origin: 'uuid-1', about: action };
    expect(parseControllerMessage(described)).toEqual(described);
    const pending = { t: 'op-pending', transition: 3, origin: 'uuid-1', about: action };
    expect(parseControllerMessage(pending)).toEqual(pending);
    expect(parseControllerMessage({ t: 'shutdown', transition: 3, action: 9 })).toEqual({ t: 'shutdown', transition: 3, action: 9 });
  });

  it('drops anything malformed, whoever authenticated it', () => {
    expect(parseControllerMessage(null)).toBeNull();
    expect(parseControllerMessage({ t: 'op', transition: 1, action: { kind: 'fence' } })).toBeNull();
    expect(parseControllerMessage({ t: 'op-result', transition: '1', action: 7, outcome: {} })).toBeNull();
    expect(parseControllerMessage({ t: 'shutdown', transition: 3 })).toBeNull();
    expect(parseControllerMessage({ t: 'op', transition: 3, action: { kind: 'resource' } })).toBeNull();
    expect(parseControllerMessage({ t: 'op-result', transition: 3, action: 7, outcome: { rc: 0, opStatus: 0, exitReason: '', startedAtMs: 1, durationMs: 2 }, about: { kind: 'fence' } })).toBeNull();
    expect(parseControllerMessage({ t: 'op-pending', transition: 3, origin: 'uuid-1' })).toBeNull();
    // CIB replication messages share the stream: they are not the controller's.
    expect(parseControllerMessage({ t: 'cib-offer-req', view: 3 })).toBeNull();
    expect(parseControllerMessage({ t: 'launch-missiles' })).toBeNull();
  });

  it('lets administrators send edits but never forged operation records', () => {
    expect(parseAdminEdits([{ kind: 'clear-failures', node: 'n1', resource: 'vip' }, { kind: 'node-attribute', node: 'n1', name: 'standby', value: null }])).toHaveLength(2);
    expect(() => parseAdminEdits([{ kind: 'operation', op: {} }])).toThrow(/status edit 1 is not an edit an administrator can make/);
    expect(() => parseAdminEdits([{ kind: 'forget-resource', node: 'n1' }])).toThrow(/status edit 1/);
  });

  it("carries the sender's incarnation beside the message, and takes a message without one (an older daemon)", () => {
    const msg = { t: 'shutdown', transition: 3, action: 9 } as const;
    const wire: unknown = JSON.parse(encodeControllerFrame(msg, 1_700_000_000_123).toString());
    expect(parseControllerFrame(wire)).toEqual({ msg, inc: 1_700_000_000_123 });
    // A daemon from before the field reads the frame as the message it always was.
    expect(parseControllerMessage(wire)).toEqual(msg);
    expect(parseControllerFrame(msg)).toEqual({ msg, inc: null });
    expect(parseControllerFrame({ ...msg, inc: '17' })).toBeNull();
    expect(parseControllerFrame({ ...msg, inc: -1 })).toBeNull();
  });
});
