import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync } from 'node:fs';
import { OCF_ERR_CONFIGURED, OCF_ERR_GENERIC, OCF_ERR_INSTALLED, OCF_NOT_RUNNING, OCF_SUCCESS, opTimeoutMs, sleep, StateFile, type AgentContext, type BuiltinAgent } from '../framework.js';
import { atNormalPriority } from '../../priority.js';

/**
 * A process supervisor, like ocf:heartbeat:anything: starts a program detached from the
 * executor (its own session, so an operation's timeout kill does not reach it), keeps its pid,
 * and monitors that the pid is alive and still runs that program.
 */
export const supervisor: BuiltinAgent = {
  name: 'Supervisor',
  shortdesc: 'Runs and watches any long-running program',
  longdesc:
    'Starts binfile with cmdline_options in the background, records its pid, and monitors it. Stop sends SIGTERM, then SIGKILL after stop_timeout. ' +
    "When the program dies, the resource's recurring monitor runs at once (not at its next interval) and reports the failure.",
  parameters: [
    { name: 'binfile', shortdesc: 'Program', longdesc: 'Full path of the program to run.', type: 'string', required: true, unique: true },
    { name: 'cmdline_options', shortdesc: 'Arguments', longdesc: 'Arguments, split on whitespace; single or double quotes group words.', type: 'string' },
    { name: 'pidfile', shortdesc: 'Pid file', longdesc: 'Where the pid is kept (default under HA_RSCTMP).', type: 'string' },
    { name: 'workdir', shortdesc: 'Working directory', longdesc: 'Directory the program runs in.', type: 'string', default: '/' },
    { name: 'logfile', shortdesc: 'Output file', longdesc: "File the program's stdout is appended to (default /dev/null).", type: 'string' },
    { name: 'errlogfile', shortdesc: 'Error file', longdesc: "File the program's stderr is appended to (default: logfile).", type: 'string' },
    { name: 'stop_timeout', shortdesc: 'Stop timeout', longdesc: 'Seconds between SIGTERM and SIGKILL (default: 80% of the stop timeout).', type: 'integer' },
    {
      name: 'start_check_ms',
      shortdesc: 'Start check',
      longdesc: 'Milliseconds the program must stay up for the start to succeed, so that a program refusing its arguments fails the start. A death after that is noticed at once and reported by the monitor.',
      type: 'integer',
      default: '100',
    },
  ],
  actions: [
    { name: 'start', timeout: '20s' },
    { name: 'stop', timeout: '20s' },
    { name: 'monitor', timeout: '20s', interval: '10s' },
    { name: 'validate-all', timeout: '5s' },
    { name: 'meta-data', timeout: '5s' },
  ],
  handlers: {},
};

/** Splits an argument string as a shell would for plain words and quoted groups (no expansion). */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

const pidFile = (ctx: AgentContext): StateFile => new StateFile(ctx, 'Supervisor', ctx.params.pidfile);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill 0; it is not running.
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** The pid recorded, if that process is alive and still runs binfile (a pid may be reused). */
function runningPid(ctx: AgentContext): number | undefined {
  const pid = Number(pidFile(ctx).read());
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (!cmdline.some((w) => w === ctx.params.binfile || w.endsWith(`/${ctx.params.binfile}`))) return undefined;
  } catch {
    return undefined;
  }
  return pid;
}

function validate(ctx: AgentContext): [number, string] | undefined {
  const bin = ctx.params.binfile;
  if (!bin) return [OCF_ERR_CONFIGURED, 'the binfile parameter is required'];
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    return [OCF_ERR_INSTALLED, `binfile ${bin} is not an executable file`];
  }
  if (!existsSync(ctx.params.workdir ?? '/')) return [OCF_ERR_CONFIGURED, `workdir ${ctx.params.workdir} does not exist`];
  if (!/^\d+$/.test(ctx.params.start_check_ms ?? '100')) return [OCF_ERR_CONFIGURED, `start_check_ms must be a number of milliseconds, not '${ctx.params.start_check_ms}'`];
  if (ctx.params.stop_timeout !== undefined && !/^\d+$/.test(ctx.params.stop_timeout)) return [OCF_ERR_CONFIGURED, `stop_timeout must be a number of seconds, not '${ctx.params.stop_timeout}'`];
  return undefined;
}

supervisor.handlers = {
  start: async (ctx) => {
    const bad = validate(ctx);
    if (bad) {
      ctx.exitReason(bad[1]);
      return bad[0];
    }
    if (runningPid(ctx) !== undefined) return OCF_SUCCESS;
    const out = ctx.params.logfile ? openSync(ctx.params.logfile, 'a') : 'ignore';
    const err = ctx.params.errlogfile ? openSync(ctx.params.errlogfile, 'a') : out;
    let child: ChildProcess;
    try {
      child = spawn(...atNormalPriority(ctx.params.binfile, splitArgs(ctx.params.cmdline_options ?? '')), {
        cwd: ctx.params.workdir,
        detached: true,
        stdio: ['ignore', out, err],
        env: Object.fromEntries(Object.entries(ctx.env).filter(([k]) => !k.startsWith('OCF_'))),
      });
    } finally {
      // The child has its own copies; the executor runs for months and must not collect descriptors.
      for (const fd of new Set([out, err])) if (typeof fd === 'number') closeSync(fd);
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const failed = await new Promise<string | undefined>((resolve) => {
      // Kept for the child's life: an 'error' without a listener would throw in the executor.
      child.on('error', (e) => resolve(e.message));
      child.once('spawn', () => resolve(undefined));
    });
    if (failed || child.pid === undefined) {
      ctx.exitReason(`could not start ${ctx.params.binfile}: ${failed ?? 'no pid'}`);
      return OCF_ERR_GENERIC;
    }
    child.unref();
    pidFile(ctx).write(String(child.pid));
    // A program that dies at once (bad arguments) must fail the start, not the first monitor;
    // its exit ends the wait early.
    await Promise.race([exited, sleep(Number(ctx.params.start_check_ms ?? '100'), ctx.signal)]);
    if (runningPid(ctx) === undefined) {
      ctx.exitReason(`${ctx.params.binfile} exited right after starting`);
      return OCF_ERR_GENERIC;
    }
    ctx.supervise(child);
    return OCF_SUCCESS;
  },
  stop: async (ctx) => {
    const pid = runningPid(ctx);
    if (pid !== undefined) {
      const graceMs = ctx.params.stop_timeout ? Number(ctx.params.stop_timeout) * 1000 : opTimeoutMs(ctx, 20_000) * 0.8;
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      // A short poll: most programs leave within milliseconds of SIGTERM, and the stop is on the
      // recovery's critical path; each check is one kill(0) and one read of /proc.
      while (alive(pid) && Date.now() < deadline) await sleep(10, ctx.signal);
      if (alive(pid)) {
        ctx.log(`pid ${pid} ignored SIGTERM for ${graceMs}ms: SIGKILL`);
        process.kill(pid, 'SIGKILL');
        while (alive(pid)) await sleep(10, ctx.signal);
      }
    }
    pidFile(ctx).remove();
    return OCF_SUCCESS;
  },
  monitor: (ctx) => {
    if (runningPid(ctx) !== undefined) return OCF_SUCCESS;
    if (pidFile(ctx).exists()) {
      ctx.exitReason(`${ctx.params.binfile} (pid ${pidFile(ctx).read()}) is no longer running`);
      return OCF_ERR_GENERIC;
    }
    return OCF_NOT_RUNNING;
  },
  'validate-all': (ctx) => {
    const bad = validate(ctx);
    if (bad) ctx.exitReason(bad[1]);
    return bad ? bad[0] : OCF_SUCCESS;
  },
};
