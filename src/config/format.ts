import { formatDuration } from './duration.js';
import { DEFAULT_PATHS, DEFAULT_PORT, type VigilConfig } from './types.js';
import { DEFAULT_BUDGET_MS, DEFAULT_LAST_MAN_STANDING_WINDOW_MS } from '../membership/index.js';

/**
 * Writes a configuration back as vigil.conf text that `parseVigilConfig` reads to an equal value.
 * Settings at their default are still written when they matter to a reader (the budget, the port,
 * the key file); the others are left out to keep the file short.
 */
export function formatVigilConfig(config: VigilConfig): string {
  const out: string[] = [];
  const section = (header: string, lines: [string, string | undefined][]): void => {
    const set = lines.filter((l): l is [string, string] => l[1] !== undefined);
    if (set.length === 0 && header !== '[cluster]' && !header.startsWith('[node')) return;
    if (out.length > 0) out.push('');
    out.push(header, ...set.map(([k, v]) => `${k} = ${v}`));
  };
  section('[cluster]', [['name', config.cluster.name]]);
  for (const n of config.nodes) {
    section(`[node ${n.name}]`, [
      ['id', String(n.id)],
      ['addresses', n.addresses.length > 0 ? n.addresses.join(', ') : undefined],
      ['votes', n.votes !== 1 ? String(n.votes) : undefined],
    ]);
  }
  const first = config.links[0];
  const mode = first?.mode ?? 'udpu';
  const port = first?.port ?? DEFAULT_PORT;
  section('[transport]', [
    ['mode', mode],
    ['port', String(port)],
    ['crypto', config.crypto.mode],
    ['key_file', config.crypto.keyFile],
  ]);
  config.links.forEach((link, i) => {
    const lines: [string, string | undefined][] = [
      ['mode', link.mode !== mode ? link.mode : undefined],
      ['port', link.port !== port ? String(link.port) : undefined],
    ];
    if (link.mode === 'mcast') lines.push(['group', link.group], ['ttl', String(link.ttl)], ['interface', link.interface]);
    if (link.mode === 'bcast') lines.push(['interface', link.interface], ['broadcast_address', link.broadcastAddress]);
    section(`[link ${i}]`, lines);
  });
  const t = config.timing;
  const d = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : formatDuration(ms));
  section('[timing]', [
    ['detection_budget', formatDuration(t.budgetMs ?? DEFAULT_BUDGET_MS)],
    ['keepalive', d(t.keepaliveMs)],
    ['warntime', d(t.warnMs)],
    ['deadtime', d(t.deadMs)],
    ['initdead', d(t.initDeadMs)],
  ]);
  const q = config.quorum;
  const yn = (b: boolean | undefined): string | undefined => (b === undefined ? undefined : b ? 'yes' : 'no');
  section('[quorum]', [
    ['expected_votes', q.expectedVotes !== undefined ? String(q.expectedVotes) : undefined],
    ['two_node', q.twoNode ? 'yes' : undefined],
    ['wait_for_all', yn(q.waitForAll)],
    ['last_man_standing', q.lastManStanding ? 'yes' : undefined],
    [
      'last_man_standing_window',
      q.lastManStandingWindowMs !== DEFAULT_LAST_MAN_STANDING_WINDOW_MS ? formatDuration(q.lastManStandingWindowMs) : undefined,
    ],
  ]);
  const p = config.paths;
  section('[paths]', [
    ['state_dir', p.stateDir !== DEFAULT_PATHS.stateDir ? p.stateDir : undefined],
    ['log_dir', p.logDir !== DEFAULT_PATHS.logDir ? p.logDir : undefined],
    ['socket', p.socketPath !== DEFAULT_PATHS.socketPath ? p.socketPath : undefined],
  ]);
  return out.join('\n') + '\n';
}
