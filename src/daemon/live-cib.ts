import { cibFilePath } from '../cib/io/file.js';
import { parseXml, serializeXml, type XmlElement } from '../cib/xml.js';
import { request, socketPath } from './client.js';
import { cibVersion, type CibVersion } from './cib-version.js';

/**
 * Where a CLI command finds the CIB: the file named by --cib or $CIB_file (offline, as
 * crm_shadow/CIB_file work), else the live cluster through the local vigild.
 */
export type CibSource = { kind: 'file'; path: string } | { kind: 'live'; socket: string };

export function chooseCibSource(opts: { cib?: string; socket?: string }): CibSource {
  if (opts.cib !== undefined && opts.socket !== undefined) throw new LiveCibError('give --cib or --socket, not both', 64);
  // An explicit --socket means the live cluster even where $CIB_file is set.
  const path = opts.socket === undefined ? cibFilePath(opts.cib) : undefined;
  return path !== undefined ? { kind: 'file', path } : { kind: 'live', socket: socketPath(opts.socket) };
}

/** A failure with the exit status the CLI should use (the daemon's, or sysexits'). */
export class LiveCibError extends Error {
  override name = 'LiveCibError';
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

/** The cluster's current CIB (or one section, as XML text), as the local node holds it. */
export async function queryLiveCib(socket: string, scope?: string): Promise<string> {
  const result = await request(scope === undefined ? { op: 'cib.query' } : { op: 'cib.query', scope }, socket);
  if (typeof result !== 'string') throw new LiveCibError('vigild answered cib.query with something other than XML', 70);
  return result;
}

export async function readLiveCib(socket: string): Promise<XmlElement> {
  const text = await queryLiveCib(socket);
  try {
    return parseXml(text, 'the live CIB');
  } catch (err) {
    throw new LiveCibError(`vigild sent a CIB that does not parse: ${(err as Error).message}`, 70);
  }
}

/**
 * Commits `next`, an edited copy of `base`, through the DC. Refused (and nothing changed) if the
 * cluster's configuration moved on since `base` was read; resolves only once every member of
 * the partition has persisted the change.
 */
export async function commitLiveCib(socket: string, base: XmlElement, next: XmlElement): Promise<CibVersion> {
  const { adminEpoch, epoch } = cibVersion(base);
  const result = (await request({ op: 'cib.replace', xml: serializeXml(next), ifEpoch: { adminEpoch, epoch } }, socket)) as {
    committed?: boolean;
    version?: CibVersion;
  };
  if (result.committed !== true || result.version === undefined) throw new LiveCibError('vigild did not confirm the commit', 75);
  return result.version;
}
