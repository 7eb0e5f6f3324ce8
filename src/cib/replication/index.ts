/** The replicated CIB's protocol as a pure state machine; src/daemon/replication.ts is its I/O shell, src/sim drives it too. */
export { ReplicationCore, type ChangeOrigin, type ReplicationConfig, type ReplicationEffect, type ReplicationRules } from './core.js';
export type { ReplicaView, ReplicationMessage } from './messages.js';
export { cibVersion, setVersion } from './version.js';
