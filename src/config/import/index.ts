export { importAuthkeys } from './authkeys.js';
export { importCorosyncConf, parseCorosync } from './corosync.js';
export { importHaCf } from './hacf.js';
export { ImportError, type ImportNote, type ImportResult } from './result.js';
