import { hostname } from 'node:os';
import { readStoreFile, updateStoreFile } from '../../attributes/io/file-store.js';
import { readCibStore, updateCibStore } from '../../attributes/io/cib-store.js';
import type { AttributeStore } from '../../attributes/store.js';

/** Where the helper commands read and write attributes when they run under an agent. */
export interface HelperBackend {
  describe: string;
  nodeName: string;
  read(): AttributeStore;
  update(change: (store: AttributeStore) => AttributeStore): AttributeStore;
  /** CIB file for tools that show configuration (cibadmin -Q), if any. */
  cibFile?: string;
}

/** No daemon, no state directory, no CIB file: the tools say so, with Pacemaker's exit code. */
export class NotConnectedError extends Error {
  override name = 'NotConnectedError';
  readonly exitCode = 102;
}

/**
 * The executor tells its helpers where the attribute service is: VIGIL_STATE_DIR (a node's
 * file-backed store), else CIB_file (attributes kept in that CIB's nodes and status sections).
 */
export function openBackend(env: NodeJS.ProcessEnv, now: () => number = Date.now): HelperBackend {
  const nodeName = env.VIGIL_NODE_NAME || env.OCF_RESKEY_CRM_meta_on_node || hostname();
  if (env.VIGIL_STATE_DIR) {
    const dir = env.VIGIL_STATE_DIR;
    return {
      describe: `state directory ${dir}`,
      nodeName,
      read: () => readStoreFile(dir, now()),
      update: (change) => updateStoreFile(dir, now(), change),
      cibFile: env.CIB_file,
    };
  }
  if (env.CIB_file) {
    const path = env.CIB_file;
    return {
      describe: `CIB file ${path}`,
      nodeName,
      read: () => readCibStore(path, now()),
      update: (change) => updateCibStore(path, now(), change),
      cibFile: path,
    };
  }
  throw new NotConnectedError('no vigil daemon to connect to: set VIGIL_STATE_DIR or CIB_file to work offline');
}
