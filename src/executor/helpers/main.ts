import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AttributeError } from '../../attributes/store.js';
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

/** Runs one helper; returns its exit code. Errors become messages on stderr with Pacemaker's codes. */
export function runHelper(tool: string, argv: string[], env: NodeJS.ProcessEnv, io: HelperIo, now: () => number = Date.now): number {
  const fn = TOOLS[tool];
  if (!fn) {
    io.err(`vigil helpers: unknown tool '${tool}' (known: ${HELPER_NAMES.join(', ')})\n`);
    return EXIT_USAGE;
  }
  try {
    return fn(argv, env, () => openBackend(env, now), io, now);
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

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const [tool, ...args] = process.argv.slice(2);
  process.exitCode = runHelper(tool ?? '', args, process.env, {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  });
}
