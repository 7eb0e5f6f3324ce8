/** One fencing operation as the fencer records it (crm_mon's fence history). */
export interface FenceHistoryEntry {
  target: string;
  action: string;
  state: 'pending' | 'success' | 'failed';
  /** The node that asked (the DC). */
  origin: string;
  /** The node that ran the device. */
  executioner: string;
  device?: string;
  requestedMs: number;
  completedMs?: number;
  detail: string;
}

export const HISTORY_KEPT = 200;

/** Appends, keeping the newest HISTORY_KEPT entries, as Pacemaker's fencer bounds its history. */
export function appendHistory(history: readonly FenceHistoryEntry[], entry: FenceHistoryEntry): FenceHistoryEntry[] {
  const out = [...history, entry];
  return out.length > HISTORY_KEPT ? out.slice(out.length - HISTORY_KEPT) : out;
}
