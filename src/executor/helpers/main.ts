import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { daemonSocketFor, openDaemonStore, type DaemonStore } from '../../attributes/io/daemon-store.js';
import { AttributeError, type AttributeStore } from '../../attributes/store.js';
import { DaemonError, request } from '../../daemon/client.js';
import { attrdUpdater } from './attrd-updater.js';
import { NotConnectedError, openBackend, type HelperBackend } from './backend.js';
import { crmAttribute } from './crm-attribute.js';
import { crmMaster } from './crm-master.js';
import { crmNode } from './crm-node.js';
import { crmResource } from './crm-resource.js';
import { crmMon } from './crm-mon.js';
import { cibadmin } from './cibadmin.js';
import { HelperUsageError } from './getopt.js';
import type { HelperIo } from './io.js';

/** The Pacemaker version agents compare against (ocf_local_nodename needs ≥ 1.1.8). */
const PACEMAKER_VERSION = '2.1.5';

/** Pacemaker's CRM_EX_USAGE. */
const EXIT_USAGE = 64;

type Tool = (argv: string[], env: NodeJS.ProcessEnv, backend: () => HelperBackend, io: HelperIo, now: () => number) => number;

const TOOLS: Record<string, Tool> = {
  crm_attribute: crmAttribute,
  crm_master: crmMaster,
  attrd_updater: attrdUpdater,
  crm_node: crmNode,
  crm_resource: crmResource,
  crm_mon: crmMon,
  pacemakerd: (argv, _env, _b, io) => {
    if (argv.includes('-$') || argv.includes('--version')) {
      io.out(`Pacemaker ${PACEMAKER_VERSION} (vigil)\n`);
      return 0;
    }
    io.err('pacemakerd: vigil runs no pacemakerd; only --version (-$) is answered\n');
    return 3;
  },
  cibadmin: cibadmin,
};

export const HELPER_NAMES = Object.keys(TOOLS);

/**
 * Runs one helper against the file stores the environment names; returns its exit code. Errors
 * become messages on stderr with Pacemaker's codes. `backend` replaces the file stores.
 */
export function runHelper(
  tool: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: HelperIo,
  now: () => number = Date.now,
  backend: () => HelperBackend = () => openBackend(env, now),
): number {
  const fn = TOOLS[tool];
  if (!fn) {
    io.err(`vigil helpers: unknown tool '${tool}' (known: ${HELPER_NAMES.join(', ')})\n`);
    return EXIT_USAGE;
  }
  try {
    return fn(argv, env, backend, io, now);
  } catch (err) {
    if (err instanceof HelperUsageError) {
      io.err(`${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof NotConnectedError) {
      io.err(`${tool}: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof AttributeError) {
      io.err(`${tool}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/** Pacemaker's CRM_EX_UNAVAILABLE: the tools' answer when the cluster cannot be reached. */
const EXIT_NOT_CONNECTED = 102;

/** Helpers that read the CIB besides attributes, never writing it. */
const READS_CIB = ['cibadmin', 'crm_node'];

/**
 * Runs one helper against the live cluster when a vigild runs: $VIGIL_SOCKET, else (with no
 * VIGIL_STATE_DIR naming a file store) the default socket. CIB_file always means the file, as
 * for Pacemaker's tools. The helper works on a snapshot of the daemon's attributes, and what it
 * changed is sent back in one update, committed on every node when the helper exits.
 */
export async function runHelperLive(tool: string, argv: string[], env: NodeJS.ProcessEnv, io: HelperIo, now: () => number = Date.now): Promise<number> {
  const socket = env.CIB_file ? undefined : env.VIGIL_SOCKET || (env.VIGIL_STATE_DIR ? undefined : daemonSocketFor(env));
  if (socket === undefined || !(tool in TOOLS) || tool === 'pacemakerd') return runHelper(tool, argv, env, io, now);
  let store: DaemonStore;
  try {
    store = await openDaemonStore(socket);
  } catch (err) {
    // The daemon is gone (or not yet up): a node's own file store still serves its agents.
    if (env.VIGIL_STATE_DIR) return runHelper(tool, argv, env, io, now);
    io.err(`${tool}: ${(err as Error).message}\n`);
    return EXIT_NOT_CONNECTED;
  }
  let cibCopy: string | undefined;
  try {
    let current: AttributeStore = store.snapshot;
    const backend: HelperBackend = {
      describe: `vigild at ${socket}`,
      nodeName: env.VIGIL_NODE_NAME || store.self || env.OCF_RESKEY_CRM_meta_on_node || hostname(),
      read: () => current,
      update: (change) => (current = change(current)),
    };
    if (READS_CIB.includes(tool)) {
      // These tools only read the CIB: a copy of the live one serves them as the file does offline.
      cibCopy = mkdtempSync(join(tmpdir(), 'vigil-helper-'));
      backend.cibFile = join(cibCopy, 'cib.xml');
      writeFileSync(backend.cibFile, String(await request({ op: 'cib.query' }, socket)));
    }
    const rc = runHelper(tool, argv, env, io, now, () => backend);
    if (rc !== 0 || current === store.snapshot) return rc;
    try {
      await store.push(current, now());
    } catch (err) {
      io.err(`${tool}: ${(err as Error).message}\n`);
      return err instanceof DaemonError ? err.code : 1;
    }
    return rc;
  } catch (err) {
    if (!(err instanceof DaemonError)) throw err;
    io.err(`${tool}: ${err.message}\n`);
    return err.code;
  } finally {
    store.close();
    if (cibCopy !== undefined) rmSync(cibCopy, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const [tool, ...args] = process.argv.slice(2);
  process.exitCode = await runHelperLive(tool ?? '', args, process.env, {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  });
}
