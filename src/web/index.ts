/**
 * The web console (Hawk rebuilt): a small single-page app served over HTTP(S) by Node's own http
 * module, talking to the local vigild through src/daemon/client.ts (or to a CIB file).
 *
 *   const backend = liveBackend('/run/vigil/vigil.sock');
 *   const web = await startWebConsole({ backend, port: 7630, usersFile, agents: systemAgents() });
 *   ...
 *   await web.close();
 */
export { startWebConsole, type WebConsole, type WebConsoleOptions } from './server.js';
export { liveBackend, fileBackend, type ClusterBackend, type ClusterSnapshot, StaleBaseError, BackendError } from './backend.js';
export { hashPassword, verifyPassword, readUsers, writeUser, removeUser, usersFilePath, DEFAULT_USERS_FILE, type Role, type UserRecord } from './auth/passwords.js';
export { systemAgents } from './agents.js';
export { registerWebCommands } from './cli.js';
export { startDemoConsole, type DemoConsole } from './demo.js';
