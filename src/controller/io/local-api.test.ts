import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:net';
import { controllerRequest, controllerSocketPath, startControllerApi, type ControllerRequest } from './local-api.js';

describe('controller local API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ctlapi-'));
  const path = controllerSocketPath(join(dir, 'vigil.sock'));
  const seen: ControllerRequest[] = [];
  let server: Server;
  beforeAll(async () => {
    server = await startControllerApi(path, async (req) => {
      seen.push(req);
      if (req.op === 'cib') return '<cib/>';
      if (req.op === 'status-edit') throw new Error('no DC right now');
      return { dc: false };
    });
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sits beside the daemon socket', () => {
    expect(path).toBe(join(dir, 'vigil.sock.controller'));
  });

  it('answers requests and reports handler errors', async () => {
    expect(await controllerRequest(path, { op: 'cib' })).toBe('<cib/>');
    await expect(controllerRequest(path, { op: 'status-edit', updates: [] })).rejects.toThrow('no DC right now');
    expect(seen.map((r) => r.op)).toEqual(['cib', 'status-edit']);
  });

  it('refuses unknown requests without calling the handler', async () => {
    await expect(controllerRequest(path, { op: 'drop-tables' } as unknown as ControllerRequest)).rejects.toThrow(/unknown request "drop-tables"/);
    expect(seen).toHaveLength(2);
  });

  it('says clearly when no controller listens', async () => {
    await expect(controllerRequest(join(dir, 'nobody.sock'), { op: 'cib' }, 1000)).rejects.toThrow(/no controller listens at .*nobody\.sock/);
  });
});
