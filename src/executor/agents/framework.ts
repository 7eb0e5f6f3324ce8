import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a built-in agent sees: the same environment a shell agent gets, read into fields. */
export interface AgentContext {
  instance: string;
  params: Record<string, string>;
  meta: Record<string, string>;
  rscTmp: string;
  env: NodeJS.ProcessEnv;
  /** Diagnostics on stderr, where the executor keeps them. */
  log(message: string): void;
  /** The failure reason shown by status (`ocf-exit-reason:` on stderr). */
  exitReason(message: string): void;
  /** Runs a helper command in-process, exactly as a shell agent would run it on PATH. */
  helper(tool: string, args: string[]): Promise<{ code: number; stdout: string }>;
  /**
   * Aborted when the operation's timeout passes. A built-in agent runs inside the executor, where
   * nothing can be killed at the timeout: waits must end on this signal, and nothing may change
   * after it (a late start writing its state file would contradict the timed-out result).
   */
  signal: AbortSignal;
  /**
   * Hands a long-running process the agent started to the executor, which reacts to its death
   * at once (it runs the resource's recurring monitors then) instead of at the next interval.
   */
  supervise(child: ChildProcess): void;
}

/** Where an agent's context sends what it produces, and what the executor gives it. */
export interface AgentIo {
  stderr(text: string): void;
  signal: AbortSignal;
  supervise(child: ChildProcess): void;
}

export interface ParameterSpec {
  name: string;
  shortdesc: string;
  longdesc: string;
  type: 'string' | 'integer' | 'boolean';
  required?: boolean;
  unique?: boolean;
  reloadable?: boolean;
  default?: string;
}

export interface ActionSpec {
  name: string;
  timeout: string;
  interval?: string;
  role?: string;
  depth?: string;
}

/** The actions of an agent that only starts, stops and checks a service, with their default timeouts. */
export const SERVICE_ACTIONS: readonly ActionSpec[] = [
  { name: 'start', timeout: '20s' },
  { name: 'stop', timeout: '20s' },
  { name: 'monitor', timeout: '20s', interval: '10s' },
  { name: 'validate-all', timeout: '20s' },
  { name: 'meta-data', timeout: '5s' },
];

export interface BuiltinAgent {
  name: string;
  shortdesc: string;
  longdesc: string;
  parameters: ParameterSpec[];
  actions: readonly ActionSpec[];
  handlers: Record<string, (ctx: AgentContext) => Promise<number> | number>;
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** OCF 1.1 meta-data, the same document shape as the shell agents print. */
export function metadataXml(agent: BuiltinAgent): string {
  const params = agent.parameters
    .map((p) => {
      const attrs = [`name="${p.name}"`];
      if (p.required) attrs.push('required="1"');
      attrs.push(`unique="${p.unique ? 1 : 0}"`);
      if (p.reloadable) attrs.push('reloadable="1"');
      const def = p.default !== undefined ? ` default="${escape(p.default)}"` : '';
      return `<parameter ${attrs.join(' ')}>\n<longdesc lang="en">${escape(p.longdesc)}</longdesc>\n<shortdesc lang="en">${escape(p.shortdesc)}</shortdesc>\n<content type="${p.type}"${def}/>\n</parameter>`;
    })
    .join('\n');
  const actions = agent.actions
    .map((a) => {
      const extra = [a.interval ? ` interval="${a.interval}"` : '', a.role ? ` role="${a.role}"` : '', a.depth ? ` depth="${a.depth}"` : ''].join('');
      return `<action name="${a.name}" timeout="${a.timeout}"${extra}/>`;
    })
    .join('\n');
  return `<?xml version="1.0"?>
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
<resource-agent name="${agent.name}" version="1.0">
<version>1.1</version>
<longdesc lang="en">${escape(agent.longdesc)}</longdesc>
<shortdesc lang="en">${escape(agent.shortdesc)}</shortdesc>
<parameters>
${params}
</parameters>
<actions>
${actions}
</actions>
</resource-agent>
`;
}

export function contextFromEnv(env: NodeJS.ProcessEnv, agent: BuiltinAgent, io: AgentIo): AgentContext {
  const params: Record<string, string> = {};
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (k.startsWith('OCF_RESKEY_CRM_meta_')) meta[k.slice('OCF_RESKEY_CRM_meta_'.length)] = v;
    else if (k.startsWith('OCF_RESKEY_')) params[k.slice('OCF_RESKEY_'.length)] = v;
  }
  for (const p of agent.parameters) if (params[p.name] === undefined && p.default !== undefined) params[p.name] = p.default;
  const prefix = env.OCF_EXIT_REASON_PREFIX ?? 'ocf-exit-reason:';
  return {
    instance: env.OCF_RESOURCE_INSTANCE ?? 'RESOURCE_ID',
    params,
    meta,
    rscTmp: env.HA_RSCTMP ?? '/run/resource-agents',
    env,
    log: (m) => io.stderr(`${agent.name}(${env.OCF_RESOURCE_INSTANCE ?? ''}): ${m}\n`),
    exitReason: (m) => io.stderr(`${prefix}${m}\n`),
    signal: io.signal,
    supervise: (child) => io.supervise(child),
    helper: async (tool, args) => {
      // Loaded on demand: most actions of most agents never call a helper.
      const { runHelperLive } = await import('../helpers/main.js');
      let stdout = '';
      const code = await runHelperLive(tool, args, env, { out: (t) => (stdout += t), err: (t) => io.stderr(t) });
      return { code, stdout };
    },
  };
}

/** A marker file under HA_RSCTMP, as shell agents' ha_pseudo_resource keeps one. */
export class StateFile {
  readonly path: string;
  constructor(ctx: AgentContext, agentName: string, explicit?: string) {
    this.path = explicit || join(ctx.rscTmp, `vigil-${agentName}-${ctx.instance.replace(/[^A-Za-z0-9_.:-]/g, '_')}.state`);
  }
  exists(): boolean {
    return existsSync(this.path);
  }
  read(): string | undefined {
    return this.exists() ? readFileSync(this.path, 'utf8').trim() : undefined;
  }
  write(content: string): void {
    mkdirSync(join(this.path, '..'), { recursive: true });
    writeFileSync(this.path, content + '\n');
  }
  remove(): void {
    rmSync(this.path, { force: true });
  }
}

export const OCF_SUCCESS = 0;
export const OCF_ERR_GENERIC = 1;
export const OCF_ERR_ARGS = 2;
export const OCF_ERR_UNIMPLEMENTED = 3;
export const OCF_ERR_INSTALLED = 5;
export const OCF_ERR_CONFIGURED = 6;
export const OCF_NOT_RUNNING = 7;
export const OCF_RUNNING_PROMOTED = 8;

/** A pause that ends early, rejecting, when the operation is aborted (its timeout passed). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new OperationAborted());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new OperationAborted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class OperationAborted extends Error {
  constructor() {
    super('the operation timed out');
  }
}

/** The op's timeout in ms as the executor passed it, for agents that pace their own waits. */
export function opTimeoutMs(ctx: AgentContext, fallback: number): number {
  const t = Number(ctx.meta.timeout);
  return Number.isFinite(t) && t > 0 ? t : fallback;
}
