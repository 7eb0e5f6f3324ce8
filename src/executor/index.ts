/**
 * The executor: what the controller calls to run resource agents on this node.
 *
 *   const ex = new Executor({ nodeName, shimsDir, attributes: { kind: 'file', stateDir }, log });
 *   const result = await ex.runAction(graphAction);           // or ex.run(request)
 *   ex.startRecurring(monitorRequest, (result, changed) => ...);
 *   ex.cancelRecurring({ resourceId, task: 'monitor', intervalMs: 10000 });
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
