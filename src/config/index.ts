/**
 * vigil's node configuration: the vigil.conf format (docs/config.md), its validation, the timers it
 * gives, and the import of Heartbeat's ha.cf/authkeys and Corosync's corosync.conf. Pure: reading
 * files is in ./io.
 */
export { ConfigError, parseVigilConfig, type ConfigProblem } from './parse.js';
export { formatVigilConfig } from './format.js';
export { checkConfig, membershipConfigFor, resolveTiming, type SemanticProblem } from './validate.js';
export { formatDuration, parseDuration } from './duration.js';
export * from './types.js';
export { ImportError, importAuthkeys, importCorosyncConf, importHaCf, type ImportNote, type ImportResult } from './import/index.js';
