/**
 * stonith-enabled with no fencing device configured (a stonith-class primitive, running or not):
 * no node could be fenced, so Pacemaker refuses to start resources. It goes further than that:
 * every resource is handled as if unmanaged — probed, its recurring monitors kept, but nothing
 * started, stopped, moved or recovered — and no node is fenced (crm_simulate 2.1.5, on small CIBs).
 */
import type { Context } from '../context.js';
import type { Resource } from '../model.js';
import { primitivesOf } from '../model.js';

export function hasFencingDevice(resources: Resource[]): boolean {
  return resources.some((r) => primitivesOf(r).some((p) => p.cls === 'stonith'));
}

export function startupDisabled(ctx: Context): boolean {
  return ctx.stonithEnabled && !ctx.fencingDevice;
}

export const STARTUP_DISABLED =
  'stonith-enabled is true but no fencing device is configured: resources are neither started nor stopped, and no node can be fenced (configure a stonith resource, or set stonith-enabled=false)';
