import { readFile } from 'node:fs/promises';
import { ConfigError, parseVigilConfig } from '../parse.js';
import type { VigilConfig } from '../types.js';

export const DEFAULT_CONFIG_PATH = '/etc/vigil/vigil.conf';

/** Reads and parses vigil.conf; a missing or unreadable file is a ConfigError naming the path. */
export async function readVigilConfig(path: string = process.env.VIGIL_CONFIG ?? DEFAULT_CONFIG_PATH): Promise<VigilConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [{ line: null, message: `cannot read the configuration: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  return parseVigilConfig(text, path);
}
