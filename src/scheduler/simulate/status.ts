import type { XmlElement } from '../../cib/xml.js';
import { buildContext } from '../unpack/context.js';
import type { Primitive, Resource } from '../model.js';
import { activeHistories } from '../placement/scores.js';

/**
 * A plain status listing (nodes, then resources), used by `vigil simulate` when the
 * crm_mon-style renderer is not available.
 */
export function minimalStatus(cib: XmlElement): string {
  const ctx = buildContext(cib, 0);
  const lines: string[] = ['  * Node List:'];
  const byName = [...ctx.nodes].sort((a, b) => (a.uname < b.uname ? -1 : a.uname > b.uname ? 1 : 0));
  for (const n of byName) {
    if (n.unclean) lines.push(`    * Node ${n.uname}: UNCLEAN (${n.online ? 'online' : 'offline'})`);
    else if (n.pending) lines.push(`    * Node ${n.uname}: pending`);
    else if (n.online && n.standby) lines.push(`    * Node ${n.uname}: standby`);
    else if (n.online && n.maintenance) lines.push(`    * Node ${n.uname}: maintenance`);
  }
  const online = byName.filter((n) => n.online && !n.unclean && !n.pending && !n.standby && !n.maintenance).map((n) => n.uname);
  const offline = byName.filter((n) => !n.online && !n.unclean && !n.pending).map((n) => n.uname);
  if (online.length > 0) lines.push(`    * Online: [ ${online.join(' ')} ]`);
  if (offline.length > 0) lines.push(`    * OFFLINE: [ ${offline.join(' ')} ]`);
  lines.push('', '  * Full List of Resources:');
  for (const r of ctx.resources) lines.push(...resourceLines(r, '    '));
  return lines.join('\n');
}

function agent(p: Primitive): string {
  return p.provider ? `${p.cls}:${p.provider}:${p.type}` : `${p.cls}:${p.type}`;
}

function primitiveLine(p: Primitive, indent: string): string {
  const active = activeHistories(p);
  let state = 'Stopped';
  if (active.length > 1) state = `Started [ ${active.map((h) => h.node.uname).join(' ')} ]`;
  else if (active.length === 1) {
    const h = active[0];
    const role = h.role === 'Started' ? 'Started' : h.role;
    state = h.failed ? `FAILED ${h.node.uname}` : `${role} ${h.node.uname}`;
  }
  return `${indent}* ${p.id}\t(${agent(p)}):\t ${state}`;
}

function resourceLines(r: Resource, indent: string): string[] {
  if (r.kind === 'primitive') return [primitiveLine(r, indent)];
  if (r.kind === 'group') return [`${indent}* Resource Group: ${r.id}:`, ...r.children.map((c) => primitiveLine(c, `${indent}  `))];
  const flags = [r.promotable ? 'promotable' : '', r.unique ? 'unique' : ''].filter(Boolean);
  const out = [`${indent}* Clone Set: ${r.id} [${r.childId}]${flags.length ? ` (${flags.join(', ')})` : ''}:`];
  for (const inst of r.instances) for (const l of resourceLines(inst, `${indent}  `)) out.push(l);
  return out;
}
