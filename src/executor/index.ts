/**
 * The executor: what the controller calls to run resource agents on this node.
 *
 *   const attrs = new AttributeService({ stateDir, onChange: (changes) => writeToCibStatus(changes) });
 *   const ex = new Executor({ nodeName, attributes: { kind: 'file', stateDir }, log });
 *   const result = await ex.runAction(graphAction);           // or ex.run(request)
 *   attrs.refresh();                                          // take in what crm_master & co. wrote
 *   ex.startRecurring(monitorRequest, (result, changed) => ...);
 *   ex.cancelRecurring({ resourceId, task: 'monitor', intervalMs: 10000 });
 *
 * Results carry rc (OCF, after class mapping), status (pacemakerOpStatus() gives the CIB's
 * op-status), exit reason, bounded output, timing and op-digest. Fail counts are the
 * controller's to record, with recordFailure() from src/attributes.
 */
export { Executor, requestFromAction, exitReasonFrom } from './executor.js';
export type { ExecutorOptions, AttributeServiceLocation, RecurringKey, RecurringCallback, LogLevel } from './executor.js';
export type { AgentSpec, AgentClass, OperationRequest, OperationResult, OperationStatus } from './types.js';
export { parseAgentSpec, formatAgentSpec, agentSpecFrom, AgentSpecError } from './agent-spec.js';
export { OCF, ocfName, ocfMeaning, mapExitCode, isProbe, isFailure, pacemakerOpStatus } from './exit-codes.js';
export { opDigest, digestInput } from './digest.js';
export { buildAgentEnvironment, CRM_FEATURE_SET } from './environment.js';
export { notifyMeta } from './notify.js';
export type { NotifyInfo, Instance } from './notify.js';
