export { compareVersions, formatVersion, type CibVersion } from '../cib/index.js';
export { cibVersion, setVersion } from '../cib/replication/index.js';
