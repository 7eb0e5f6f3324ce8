import { readCibFile, writeCibFile } from '../../cib/io/file.js';
import { cloneXml, serializeXml, XmlSyntaxError, type XmlElement } from '../../cib/xml.js';
import { configurationOf } from '../../crm/load.js';
import { commitLiveCib, readLiveCib } from '../../daemon/live-cib.js';
import { cibVersion } from '../../daemon/cib-version.js';
import { live, liveOrFile } from '../commands/cib.js';
import { CommandError } from '../output.js';

/** The exit status for a commit refused because the CIB moved on (EX_TEMPFAIL: read it again). */
export const EXIT_CHANGED_UNDERNEATH = 75;

/**
 * The CIB an edit starts from, and the one way to write the edit back: refused when the CIB
 * changed since `base` was read, so that an edit made on an old configuration never overwrites
 * a newer one.
 */
export interface EditStore {
  base: XmlElement;
  /** Writes `next` (an edited copy of `base`); resolves to the epoch committed. */
  commit(next: XmlElement): Promise<number>;
}

export async function openEditStore(opts: { cib?: string; socket?: string }): Promise<EditStore> {
  const source = liveOrFile(opts);
  if (source.kind === 'live') {
    const base = await live(() => readLiveCib(source.socket));
    return {
      base,
      commit: async (next) => {
        // Checked here first for the same message and exit status as a file; the DC checks again
        // (ifEpoch) as it commits, which closes the window between the two.
        refuseIfMoved(base, await live(() => readLiveCib(source.socket)), false);
        return (await live(() => commitLiveCib(source.socket, base, next))).epoch;
      },
    };
  }
  const read = (): XmlElement => {
    try {
      return readCibFile(source.path);
    } catch (err) {
      if (err instanceof XmlSyntaxError) throw new CommandError(err.message, 65);
      throw err;
    }
  };
  const base = read();
  return {
    base,
    commit: (next) => {
      const now = read();
      refuseIfMoved(base, now, true);
      // The status section may have moved on (it does not bump epoch): keep the file's own.
      const written = cloneXml(now);
      const config = configurationOf(written);
      written.children[written.children.indexOf(config)] = cloneXml(configurationOf(next));
      for (const attr of ['admin_epoch', 'epoch', 'num_updates'] as const) {
        if (next.attrs[attr] !== undefined) written.attrs[attr] = next.attrs[attr];
      }
      writeCibFile(source.path, written);
      return Promise.resolve(cibVersion(written).epoch);
    },
  };
}

/**
 * Refuses when admin_epoch/epoch moved since `base`. A file has no DC to keep its epoch honest: a
 * tool that edits it by hand may not bump it, so for a file (`sameEpochEdits`) the configurations
 * are compared too.
 */
export function refuseIfMoved(base: XmlElement, now: XmlElement, sameEpochEdits: boolean): void {
  const was = cibVersion(base);
  const is = cibVersion(now);
  const versionMoved = was.adminEpoch !== is.adminEpoch || was.epoch !== is.epoch;
  if (!versionMoved && (!sameEpochEdits || serializeXml(configurationOf(cloneXml(base))) === serializeXml(configurationOf(cloneXml(now))))) return;
  const how = versionMoved
    ? `it was read at admin_epoch ${was.adminEpoch}, epoch ${was.epoch}, and is now at admin_epoch ${is.adminEpoch}, epoch ${is.epoch}`
    : `its configuration was changed at the same epoch (${is.adminEpoch}.${is.epoch})`;
  throw new CommandError(`the CIB changed underneath since the edit began: ${how}; nothing committed (edit again)`, EXIT_CHANGED_UNDERNEATH);
}
