import type { BuiltinAgent } from './framework.js';
import { dummy } from './builtin/dummy.js';
import { httpCheck } from './builtin/http-check.js';
import { stateful } from './builtin/stateful.js';
import { supervisor } from './builtin/supervisor.js';
import { virtualIp } from './builtin/virtual-ip.js';

/** vigil's own agents, `ocf:vigil:NAME`. */
export const BUILTIN_AGENTS: ReadonlyMap<string, BuiltinAgent> = new Map(
  [dummy, stateful, supervisor, virtualIp, httpCheck].map((a) => [a.name, a]),
);
