import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The drop-in a cluster-managed unit gets before its first start, as Pacemaker writes one:
 * ordered before the cluster stack at shutdown, and never restarted by systemd behind the
 * cluster's back.
 */
export function dropInText(unit: string): string {
  return `[Unit]\nDescription=Cluster Controlled ${unit}\nBefore=vigild.service pacemaker.service pacemaker_remote.service\n\n[Service]\nRestart=no\n`;
}

export async function installDropIn(systemdRunDir: string, unit: string): Promise<void> {
  const dir = join(systemdRunDir, `${unit}.d`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '50-vigil.conf'), dropInText(unit));
  await run('systemctl', ['daemon-reload']);
}
