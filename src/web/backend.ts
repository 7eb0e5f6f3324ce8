import { existsSync } from 'node:fs';
import { versionOf, formatVersion, withVersion, nextVersion } from '../cib/index.js';
import { readCibFile, writeCibFile } from '../cib/io/file.js';
import { parseXml, serializeXml, type XmlElement } from '../cib/xml.js';
import { applyStatusUpdates, parseAdminEdits, type StatusUpdate } from '../controller/history.js';
import { connect, DaemonError, type ApiRequest, type DaemonClient } from '../daemon/client.js';
import type { FenceHistoryEntry } from '../fencing/history.js';

/**
 * Where the console gets the cluster and sends changes: the local vigild and its controller, or
 * a CIB file (as the CLI's --cib). Every change is made against a version the caller read, and
 * refused when the configuration moved on in the meantime.
 */

/** Membership as the local daemon sees it. */
export interface MembershipFacts {
  self: string;
  cluster: string;
  members: string[];
  dc: string | null;
  quorate: boolean;
}

export interface ClusterSnapshot {
  /** The CIB with operation history (the controller's), for status, history and the simulator. */
  cib: XmlElement;
  membership: MembershipFacts | null;
}

/** The configuration moved on since the caller read it: nothing was written. */
export class StaleBaseError extends Error {
  override name = 'StaleBaseError';
}

/** The cluster cannot be reached or refused the change; the message says why. */
export class BackendError extends Error {
  override name = 'BackendError';
}

export interface ClusterBackend {
  /** Names the source in messages: "the live cluster" or the file's path. */
  readonly describe: string;
  snapshot(): Promise<ClusterSnapshot>;
  /** The CIB whose configuration and version are authoritative (vigild's copy on a live cluster). */
  configuration(): Promise<XmlElement>;
  /**
   * Writes `next`'s configuration if the cluster's configuration is still at `base`'s
   * admin_epoch.epoch; throws StaleBaseError otherwise.
   */
  commitConfiguration(base: XmlElement, next: XmlElement): Promise<void>;
  statusEdit(updates: StatusUpdate[]): Promise<void>;
  fenceHistory(): Promise<FenceHistoryEntry[]>;
  /** The controller's transition engine: the one running and the last few finished, if known. */
  transitions(): Promise<unknown>;
  close(): void;
}

export const epochOf = (cib: XmlElement): string => {
  const v = versionOf(cib);
  return `${v.adminEpoch}.${v.epoch}`;
};

/** `cib` with the configuration of `from` in place of its own. */
function withConfigurationOf(cib: XmlElement, from: XmlElement): XmlElement {
  const config = from.children.find((e) => e.name === 'configuration');
  const rest = cib.children.filter((e) => e.name !== 'configuration');
  return { ...cib, children: config ? [config, ...rest] : rest };
}

export function liveBackend(socket: string): ClusterBackend {
  let client: DaemonClient | null = null;
  // One connection reused: a dashboard polls every 2 s and should not open a socket each time.
  const call = async (req: ApiRequest): Promise<unknown> => {
    for (let attempt = 0; ; attempt++) {
      try {
        client ??= await connect(socket);
        return await client.request(req);
      } catch (err) {
        const lost = err instanceof DaemonError && err.code === 69;
        if (lost) {
          client?.close();
          client = null;
        }
        if (!lost || attempt > 0) throw err instanceof DaemonError ? new BackendError(err.message) : err;
      }
    }
  };
  const daemonCib = async (): Promise<XmlElement> => {
    const xml = await call({ op: 'cib.query' });
    if (typeof xml !== 'string') throw new BackendError('vigild answered cib.query with something that is not XML');
    return parseXml(xml, 'the live CIB');
  };
  return {
    describe: 'the live cluster',
    async snapshot() {
      const [status, cib] = await Promise.all([
        call({ op: 'status' }) as Promise<{ cluster: string; node: string; view?: { members: string[]; dc: string | null; quorate: boolean } }>,
        daemonCib(),
      ]);
      const membership = status.view ? { self: status.node, cluster: status.cluster, members: status.view.members, dc: status.view.dc, quorate: status.view.quorate } : null;
      return { cib, membership };
    },
    configuration: daemonCib,
    async commitConfiguration(base, next) {
      // Compare-and-swap on the configuration's version (admin_epoch, epoch) in vigild: the status
      // moves with every operation result, which must not make an edit fail.
      const { adminEpoch, epoch } = versionOf(base);
      const config = next.children.find((c) => c.name === 'configuration');
      if (config === undefined) throw new BackendError('the edited CIB has no configuration section');
      try {
        await call({ op: 'cib.replace', scope: 'configuration', xml: serializeXml(config), ifEpoch: { adminEpoch, epoch } });
      } catch (err) {
        if (!/changed underneath/.test((err as Error).message)) throw err;
        const current = await daemonCib();
        throw new StaleBaseError(`the configuration changed underneath (it was ${epochOf(base)}, it is now ${epochOf(current)})`);
      }
    },
    async statusEdit(updates) {
      try {
        await call({ op: 'status.edit', updates: parseAdminEdits(updates) });
      } catch (err) {
        throw new BackendError(`cannot apply the status change: ${(err as Error).message}`);
      }
    },
    async fenceHistory() {
      return (await call({ op: 'fence.history' }).catch(() => [])) as FenceHistoryEntry[];
    },
    async transitions() {
      return call({ op: 'transition' }).catch(() => null);
    },
    close() {
      client?.close();
      client = null;
    },
  };
}

/** A CIB file: the whole console works on it offline, as the CLI does with --cib. */
export function fileBackend(path: string): ClusterBackend {
  const read = async (): Promise<XmlElement> => {
    if (!existsSync(path)) throw new BackendError(`${path} does not exist`);
    return readCibFile(path);
  };
  return {
    describe: path,
    snapshot: async () => ({ cib: await read(), membership: null }),
    configuration: read,
    async commitConfiguration(base, next) {
      const current = await read();
      if (epochOf(current) !== epochOf(base)) throw new StaleBaseError(`the configuration changed underneath (it was ${epochOf(base)}, it is now ${epochOf(current)})`);
      const v = nextVersion(versionOf(current), 'configuration');
      writeCibFile(path, withVersion(withConfigurationOf(current, next), v));
    },
    async statusEdit(updates) {
      const current = await read();
      const next = applyStatusUpdates(current, updates);
      writeCibFile(path, withVersion(next, nextVersion(versionOf(current), 'status')));
    },
    fenceHistory: async () => [],
    transitions: async () => null,
    close() {},
  };
}

export const describeVersion = (cib: XmlElement): string => formatVersion(versionOf(cib));
