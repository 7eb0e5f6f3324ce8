/**
 * A small getopt_long for the helper commands: agents call them with Pacemaker's flag
 * spellings (`-l reboot`, `-lreboot`, `--lifetime=reboot`, `--lifetime reboot`, clustered
 * `-qG`), so the parser must accept every one of those and reject anything else by name.
 */
export interface OptionSpec {
  key: string;
  short?: string;
  long?: string[];
  /** `required`: takes the next word; `optional`: only an attached value (`-pRSC`, `--promotion=RSC`). */
  arg?: 'required' | 'optional';
}

export class HelperUsageError extends Error {
  override name = 'HelperUsageError';
}

export interface Parsed {
  /** Last value wins; flags without an argument get 'true'. */
  opts: Map<string, string>;
  positional: string[];
}

export function getopt(tool: string, argv: string[], specs: OptionSpec[]): Parsed {
  const opts = new Map<string, string>();
  const positional: string[] = [];
  const byShort = new Map<string, OptionSpec>();
  const byLong = new Map<string, OptionSpec>();
  for (const s of specs) {
    if (s.short) byShort.set(s.short, s);
    for (const l of s.long ?? []) byLong.set(l, s);
  }
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = eq >= 0 ? word.slice(2, eq) : word.slice(2);
      const spec = byLong.get(name);
      if (!spec) throw new HelperUsageError(`${tool}: unknown option '--${name}'`);
      if (eq >= 0) {
        if (!spec.arg) throw new HelperUsageError(`${tool}: option '--${name}' takes no value`);
        opts.set(spec.key, word.slice(eq + 1));
      } else if (spec.arg === 'required') {
        if (i + 1 >= argv.length) throw new HelperUsageError(`${tool}: option '--${name}' needs a value`);
        opts.set(spec.key, argv[++i]);
      } else opts.set(spec.key, 'true');
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      for (let j = 1; j < word.length; j++) {
        const spec = byShort.get(word[j]);
        if (!spec) throw new HelperUsageError(`${tool}: unknown option '-${word[j]}'`);
        if (spec.arg) {
          const attached = word.slice(j + 1);
          if (attached) opts.set(spec.key, attached);
          else if (spec.arg === 'required') {
            if (i + 1 >= argv.length) throw new HelperUsageError(`${tool}: option '-${word[j]}' needs a value`);
            opts.set(spec.key, argv[++i]);
          } else opts.set(spec.key, 'true');
          break;
        }
        opts.set(spec.key, 'true');
      }
      continue;
    }
    positional.push(word);
  }
  return { opts, positional };
}
