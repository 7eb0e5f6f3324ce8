import type { XmlElement } from '../cib/xml.js';
import {
  AdminError,
  banResource,
  cleanupResource,
  clearResource,
  moveResource,
  nodeNames,
  setNodeMode,
  setResourceMeta,
} from '../controller/admin/edits.js';
import type { StatusUpdate } from '../controller/history.js';
import { badRequest, HttpError, objectBody, optionalString, requiredString } from './http-error.js';

/**
 * The console's buttons as the same pure CIB edits the CLI's `vigil resource` / `vigil node`
 * verbs make (src/controller/admin/edits.ts): one request, one whole edit or none.
 */

export const RESOURCE_ACTIONS = ['start', 'stop', 'move', 'ban', 'clear', 'cleanup', 'manage', 'unmanage'] as const;
export const NODE_ACTIONS = ['standby', 'online', 'maintenance', 'ready'] as const;
export type ActionName = (typeof RESOURCE_ACTIONS)[number] | (typeof NODE_ACTIONS)[number];

export type ActionRequest =
  | { action: 'start' | 'stop' | 'manage' | 'unmanage' | 'cleanup'; resource: string; node?: string }
  | { action: 'move' | 'ban'; resource: string; node?: string; lifetime?: string }
  | { action: 'clear'; resource: string; node?: string }
  | { action: (typeof NODE_ACTIONS)[number]; node: string };

export function parseActionRequest(value: unknown): ActionRequest {
  const body = objectBody(value, ['action', 'resource', 'node', 'lifetime']);
  const action = requiredString(body, 'action');
  const node = optionalString(body, 'node');
  const lifetime = optionalString(body, 'lifetime');
  if ((NODE_ACTIONS as readonly string[]).includes(action)) {
    if (body.resource !== undefined) throw badRequest(`'${action}' acts on a node: give 'node', not 'resource'`);
    return { action: action as (typeof NODE_ACTIONS)[number], node: requiredString(body, 'node') };
  }
  if (!(RESOURCE_ACTIONS as readonly string[]).includes(action)) {
    throw badRequest(`unknown action '${action}': expected one of ${[...RESOURCE_ACTIONS, ...NODE_ACTIONS].join(', ')}`);
  }
  const resource = requiredString(body, 'resource');
  if (lifetime !== undefined && action !== 'move' && action !== 'ban') throw badRequest(`'lifetime' applies to move and ban only, not ${action}`);
  if (action === 'move' || action === 'ban') return { action, resource, ...(node !== undefined ? { node } : {}), ...(lifetime !== undefined ? { lifetime } : {}) };
  return { action: action as 'start', resource, ...(node !== undefined ? { node } : {}) };
}

export interface ActionOutcome {
  cib: XmlElement;
  updates: StatusUpdate[];
  message: string;
}

/** Applies the action to `cib` (pure); throws HttpError 400/404/409 with the edit's own message. */
export function applyAction(cib: XmlElement, req: ActionRequest, nowMs: number): ActionOutcome {
  try {
    return edit(cib, req, nowMs);
  } catch (err) {
    if (err instanceof AdminError) throw new HttpError(err.exitCode === 105 ? 404 : err.exitCode === 64 ? 400 : 409, err.message);
    throw err;
  }
}

function edit(cib: XmlElement, req: ActionRequest, nowMs: number): ActionOutcome {
  switch (req.action) {
    case 'start':
    case 'stop': {
      const role = req.action === 'start' ? 'Started' : 'Stopped';
      return { cib: setResourceMeta(cib, req.resource, 'target-role', role), updates: [], message: `${req.resource}: target-role=${role}` };
    }
    case 'manage':
    case 'unmanage': {
      const value = req.action === 'manage' ? 'true' : 'false';
      return { cib: setResourceMeta(cib, req.resource, 'is-managed', value), updates: [], message: `${req.resource}: is-managed=${value}` };
    }
    case 'move':
    case 'ban': {
      const r = (req.action === 'move' ? moveResource : banResource)(cib, req.resource, req.node, req.lifetime, nowMs);
      const what = r.constraint.startsWith('cli-ban') ? `${req.resource} banned from ${r.node}` : `${req.resource} moved to ${r.node}`;
      return { cib: r.cib, updates: [], message: `${what} (constraint ${r.constraint}${r.expires ? `, expires ${r.expires}` : ''}); clear it to let the cluster choose again` };
    }
    case 'clear': {
      const r = clearResource(cib, req.resource, req.node);
      return { cib: r.cib, updates: [], message: r.removed.length ? `removed ${r.removed.join(', ')}` : `no move or ban constraints for ${req.resource}` };
    }
    case 'cleanup': {
      const r = cleanupResource(cib, req.resource, req.node, 'cleanup');
      return { cib: r.cib, updates: r.updates, message: r.cleaned.length ? `cleaned up ${r.cleaned.join('; ')}` : `nothing to clean up for ${req.resource}` };
    }
    case 'standby':
    case 'online':
    case 'maintenance':
    case 'ready': {
      if (!nodeNames(cib).includes(req.node)) throw new AdminError(`node '${req.node}' not found`, 105);
      const attribute = req.action === 'standby' || req.action === 'online' ? 'standby' : 'maintenance';
      const on = req.action === 'standby' || req.action === 'maintenance';
      // As `vigil node online`: a reboot-lifetime copy in the status section is cleared too.
      const updates: StatusUpdate[] = on ? [] : [{ kind: 'node-attribute', node: req.node, name: attribute, value: null }];
      return { cib: setNodeMode(cib, req.node, attribute, on, 'forever'), updates, message: `${req.node}: ${attribute}=${on ? 'on' : 'off'}` };
    }
  }
}
