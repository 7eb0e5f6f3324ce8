import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { hashPassword, writeUser } from './auth/passwords.js';
import { liveBackend } from './backend.js';
import { systemAgents } from './agents.js';
import { startWebConsole, type WebConsole } from './server.js';

export interface DemoConsole extends WebConsole {
  user: string;
  password: string;
}

/**
 * For `vigil demo --web PORT`: the console on one node of a local cluster, with a one-off admin
 * whose random password lives only in the demo's own directory and is printed for the person.
 */
export async function startDemoConsole(o: { socket: string; port: number; dir: string }): Promise<DemoConsole> {
  const user = 'demo';
  const password = randomBytes(9).toString('base64url');
  const usersFile = join(o.dir, 'web-users');
  writeUser(usersFile, { name: user, role: 'admin', hash: await hashPassword(password) });
  const web = await startWebConsole({ backend: liveBackend(o.socket), port: o.port, usersFile, agents: systemAgents() });
  return { ...web, user, password };
}
