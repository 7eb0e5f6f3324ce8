import { getAttribute, nodesWith, setAttribute } from '../../attributes/store.js';
import type { HelperBackend } from './backend.js';
import { EXIT_NOSUCH } from './crm-attribute.js';
import { getopt, HelperUsageError, type OptionSpec } from './getopt.js';
import type { HelperIo } from './io.js';

const SPECS: OptionSpec[] = [
  { key: 'name', short: 'n', long: ['name'], arg: 'required' },
  { key: 'update', short: 'U', long: ['update'], arg: 'required' },
  { key: 'update', short: 'v', arg: 'required' },
  { key: 'both', short: 'B', long: ['update-both'], arg: 'required' },
  { key: 'delay-only', short: 'Y', long: ['update-delay'] },
  { key: 'query', short: 'Q', long: ['query'] },
  { key: 'delete', short: 'D', long: ['delete'] },
  { key: 'refresh', short: 'R', long: ['refresh'] },
  { key: 'all', short: 'A', long: ['all'] },
  { key: 'node', short: 'N', long: ['node'], arg: 'required' },
  { key: 'delay', short: 'd', long: ['delay'], arg: 'required' },
  { key: 'private', short: 'p', long: ['private'] },
  { key: 'set', short: 's', long: ['set'], arg: 'required' },
  { key: 'set', short: 'S', arg: 'required' },
  { key: 'lifetime', short: 'l', long: ['lifetime'], arg: 'required' },
  { key: 'quiet', short: 'q', long: ['quiet'] },
  { key: 'verbose', short: 'V', long: ['verbose'] },
];

/** Pacemaker's interval syntax for -d: seconds unless a unit says otherwise (`5s`, `500ms`, `1min`). */
export function parseDelayMs(text: string): number {
  const m = /^\s*(\d+)\s*(ms|msec|s|sec|m|min|h|hr)?\s*$/.exec(text);
  if (!m) throw new HelperUsageError(`attrd_updater: '${text}' is not a delay (e.g. 5, 5s, 500ms)`);
  const n = Number(m[1]);
  switch (m[2]) {
    case 'ms':
    case 'msec':
      return n;
    case 'm':
    case 'min':
      return n * 60_000;
    case 'h':
    case 'hr':
      return n * 3_600_000;
    default:
      return n * 1000;
  }
}

/**
 * attrd_updater: transient node attributes, optionally dampened. Delays are kept per write
 * in the store (the file-backed store has no per-attribute delay setting to remember).
 */
export function attrdUpdater(argv: string[], _env: NodeJS.ProcessEnv, backend: () => HelperBackend, io: HelperIo, now: () => number): number {
  const { opts } = getopt('attrd_updater', argv, SPECS);
  const lifetime = opts.get('lifetime');
  if (lifetime !== undefined && lifetime !== 'reboot') throw new HelperUsageError(`attrd_updater: only --lifetime reboot is supported, not '${lifetime}'`);
  if (opts.has('refresh')) return 0;
  const name = opts.get('name');
  if (!name) throw new HelperUsageError('attrd_updater: an attribute name is required (-n NAME)');
  const be = backend();
  const node = opts.get('node') ?? be.nodeName;
  const ref = { scope: 'transient' as const, node, name };
  const dampenMs = opts.has('delay') ? parseDelayMs(opts.get('delay') ?? '') : 0;

  if (opts.has('query')) {
    const store = be.read();
    const nodes = opts.has('all') ? nodesWith(store, 'transient') : [node];
    let found = 0;
    for (const n of nodes) {
      const v = getAttribute(store, { ...ref, node: n });
      if (v === undefined) continue;
      found += 1;
      io.out(`name="${name}" host="${n}" value="${v}"\n`);
    }
    if (found === 0) {
      io.err(`attrd_updater: could not query value of ${name}: attribute does not exist\n`);
      return EXIT_NOSUCH;
    }
    return 0;
  }
  if (opts.has('delete')) {
    be.update((s) => setAttribute(s, ref, undefined, { dampenMs, nowMs: now() }));
    return 0;
  }
  const value = opts.get('update') ?? opts.get('both');
  if (value !== undefined) {
    be.update((s) => setAttribute(s, ref, value, { dampenMs, nowMs: now() }));
    return 0;
  }
  if (opts.has('delay-only')) return 0;
  throw new HelperUsageError('attrd_updater: nothing to do: give -U VALUE, -D, -Q or -B VALUE');
}
