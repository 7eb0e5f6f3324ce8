import { execFile, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { OCF_ERR_CONFIGURED, OCF_ERR_GENERIC, OCF_ERR_INSTALLED, OCF_NOT_RUNNING, OCF_SUCCESS, SERVICE_ACTIONS, type AgentContext, type BuiltinAgent } from '../framework.js';
import { atNormalPriority } from '../../priority.js';

const run = promisify(execFile);

/**
 * A virtual IP, like IPaddr2: adds the address to an interface with `ip addr`, announces it
 * with gratuitous ARP (arping, or resource-agents' send_arp), and monitors that it is there.
 */
export const virtualIp: BuiltinAgent = {
  name: 'VirtualIP',
  shortdesc: 'Virtual IPv4/IPv6 address',
  longdesc: 'Adds an address to a network interface, announces it with gratuitous ARP (IPv4), and removes it on stop.',
  parameters: [
    { name: 'ip', shortdesc: 'Address', longdesc: 'The IPv4 or IPv6 address.', type: 'string', required: true, unique: true },
    { name: 'cidr_netmask', shortdesc: 'Prefix length', longdesc: 'Netmask as a prefix length (default 32 for IPv4, 128 for IPv6).', type: 'integer' },
    { name: 'nic', shortdesc: 'Interface', longdesc: 'The interface to add the address to (default: the one routing to the address).', type: 'string' },
    { name: 'label', shortdesc: 'Label', longdesc: 'An interface label for the address (IPv4).', type: 'string' },
    { name: 'arp_count', shortdesc: 'ARP count', longdesc: 'How many gratuitous ARPs to send on start.', type: 'integer', default: '5' },
  ],
  actions: SERVICE_ACTIONS,
  handlers: {},
};

const SEND_ARP = '/usr/libexec/heartbeat/send_arp';

function validate(ctx: AgentContext): string | undefined {
  const family = isIP(ctx.params.ip ?? '');
  if (!family) return `ip '${ctx.params.ip ?? ''}' is not an IPv4 or IPv6 address`;
  const max = family === 4 ? 32 : 128;
  const cidr = ctx.params.cidr_netmask;
  if (cidr !== undefined && (!/^\d+$/.test(cidr) || Number(cidr) > max)) return `cidr_netmask must be 0..${max}, not '${cidr}'`;
  if (ctx.params.nic !== undefined && !/^[A-Za-z0-9_.:@-]{1,15}$/.test(ctx.params.nic)) return `nic '${ctx.params.nic}' is not an interface name`;
  if (!/^\d+$/.test(ctx.params.arp_count ?? '5')) return `arp_count must be a number, not '${ctx.params.arp_count}'`;
  return undefined;
}

async function interfaceFor(ctx: AgentContext): Promise<string | undefined> {
  if (ctx.params.nic) return ctx.params.nic.split(':')[0];
  try {
    const { stdout } = await run('ip', ['-o', 'route', 'get', ctx.params.ip]);
    return /\bdev (\S+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/** Whether the address is configured on the interface (or on any interface, without one). */
async function present(ctx: AgentContext, nic: string | undefined): Promise<boolean> {
  const args = ['-o', 'addr', 'show', ...(nic ? ['dev', nic] : [])];
  const { stdout } = await run('ip', args);
  return stdout.split('\n').some((line) => line.includes(` ${ctx.params.ip}/`));
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Gratuitous ARP in the background, as IPaddr2 runs send_arp: the address answers from the moment
 * it is added, and the repeats (200 ms apart with send_arp, 1 s with arping) only refresh the
 * neighbours' caches; waiting for them would hold the start, and the group members after it,
 * for up to a few seconds.
 */
function announce(ctx: AgentContext, nic: string): void {
  const count = ctx.params.arp_count ?? '5';
  if (isIP(ctx.params.ip) !== 4 || count === '0') return;
  const [command, args] = executable(SEND_ARP)
    ? [SEND_ARP, ['-i', '200', '-r', count, '-p', `${ctx.rscTmp}/send_arp-${ctx.params.ip}`, nic, ctx.params.ip, 'auto', 'not_used', 'not_used']]
    : ['arping', ['-U', '-c', count, '-I', nic, ctx.params.ip]];
  const child = spawn(...atNormalPriority(command, args), { detached: true, stdio: 'ignore' });
  // The address is up; a failed announcement delays its takeover in neighbours' caches only.
  child.on('error', (err) => ctx.log(`gratuitous ARP for ${ctx.params.ip} on ${nic} failed: ${err.message}`));
  child.unref();
}

virtualIp.handlers = {
  start: async (ctx) => {
    const bad = validate(ctx);
    if (bad) {
      ctx.exitReason(bad);
      return OCF_ERR_CONFIGURED;
    }
    const nic = await interfaceFor(ctx);
    if (!nic) {
      ctx.exitReason(`no interface given and none routes to ${ctx.params.ip}`);
      return OCF_ERR_CONFIGURED;
    }
    if (await present(ctx, nic)) return OCF_SUCCESS;
    const cidr = ctx.params.cidr_netmask ?? (isIP(ctx.params.ip) === 4 ? '32' : '128');
    const label = ctx.params.label && isIP(ctx.params.ip) === 4 ? ['label', `${nic}:${ctx.params.label}`] : [];
    try {
      await run('ip', ['addr', 'add', `${ctx.params.ip}/${cidr}`, 'dev', nic, ...label]);
    } catch (err) {
      ctx.exitReason(`ip addr add ${ctx.params.ip}/${cidr} dev ${nic} failed: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()}`);
      return OCF_ERR_GENERIC;
    }
    announce(ctx, nic);
    return OCF_SUCCESS;
  },
  stop: async (ctx) => {
    if (validate(ctx)) return OCF_SUCCESS;
    const nic = await interfaceFor(ctx);
    if (!(await present(ctx, nic))) return OCF_SUCCESS;
    const cidr = ctx.params.cidr_netmask ?? (isIP(ctx.params.ip) === 4 ? '32' : '128');
    try {
      await run('ip', ['addr', 'del', `${ctx.params.ip}/${cidr}`, ...(nic ? ['dev', nic] : [])]);
    } catch (err) {
      ctx.exitReason(`ip addr del ${ctx.params.ip} failed: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()}`);
      return OCF_ERR_GENERIC;
    }
    return OCF_SUCCESS;
  },
  monitor: async (ctx) => {
    const bad = validate(ctx);
    if (bad) {
      ctx.exitReason(bad);
      return OCF_ERR_CONFIGURED;
    }
    try {
      return (await present(ctx, ctx.params.nic?.split(':')[0])) ? OCF_SUCCESS : OCF_NOT_RUNNING;
    } catch (err) {
      ctx.exitReason(`ip addr show failed: ${(err as Error).message}`);
      return OCF_ERR_INSTALLED;
    }
  },
  'validate-all': (ctx) => {
    const bad = validate(ctx);
    if (bad) ctx.exitReason(bad);
    return bad ? OCF_ERR_CONFIGURED : OCF_SUCCESS;
  },
};
