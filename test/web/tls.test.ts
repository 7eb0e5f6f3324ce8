import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashPassword, writeUser } from '../../src/web/auth/passwords.js';
import { fileBackend } from '../../src/web/backend.js';
import { startWebConsole } from '../../src/web/server.js';
import { fixtureCib } from './fixture.js';

const skip = existsSync('/usr/bin/openssl') ? null : 'openssl is not installed: HTTPS test skipped';

describe.skipIf(skip !== null)('web console over HTTPS', () => {
  it('serves TLS and marks the session cookie Secure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-web-tls-'));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    writeFileSync(join(dir, 'cib.xml'), fixtureCib());
    writeUser(join(dir, 'users'), { name: 'ann', role: 'admin', hash: await hashPassword('long enough pw') });
    const web = await startWebConsole({
      backend: fileBackend(join(dir, 'cib.xml')),
      port: 0,
      usersFile: join(dir, 'users'),
      tls: { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') },
      agents: { lookupAgent: () => undefined, pickProvider: () => 'heartbeat' },
    });
    try {
      expect(web.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      const res = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
        const body = JSON.stringify({ user: 'ann', password: 'long enough pw' });
        const req = request(new URL('/api/login', web.url), { method: 'POST', ca: readFileSync(cert), headers: { 'content-type': 'application/json' } }, (r) => {
          r.resume();
          r.on('end', () => resolve({ status: r.statusCode ?? 0, cookie: String(r.headers['set-cookie'] ?? '') }));
        });
        req.on('error', reject);
        req.end(body);
      });
      expect(res.status).toBe(200);
      expect(res.cookie).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    } finally {
      await web.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
