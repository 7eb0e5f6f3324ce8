import { shape, type Shape } from './fidelity.js';

/**
 * Which XML attribute each model field holds, per element, and what each element's model knows.
 * The reader and the writer share these so the two cannot drift apart.
 */
export interface AttrSpec {
  readonly pairs: ReadonlyArray<readonly [field: string, attr: string]>;
  /** The model field that holds each attribute. */
  readonly fieldOf: ReadonlyMap<string, string>;
}

export function attrSpec(pairs: ReadonlyArray<readonly [field: string, attr: string]>): AttrSpec {
  return { pairs, fieldOf: new Map(pairs.map(([field, attr]) => [attr, field])) };
}

export const CIB_ATTRS: AttrSpec = attrSpec([
  ['validateWith', 'validate-with'], ['crmFeatureSet', 'crm_feature_set'], ['haveQuorum', 'have-quorum'], ['dcUuid', 'dc-uuid'],
]);
/** The root's attributes as the writer sees them: versions first, as Pacemaker writes them. */
export const CIB_ROOT_ATTRS: AttrSpec = attrSpec([
  ['admin_epoch', 'admin_epoch'], ['epoch', 'epoch'], ['num_updates', 'num_updates'], ...CIB_ATTRS.pairs,
]);
export const NVPAIR_ATTRS: AttrSpec = attrSpec([['id', 'id'], ['ref', 'id-ref'], ['name', 'name'], ['value', 'value']]);
export const RULE_ATTRS: AttrSpec = attrSpec([
  ['id', 'id'], ['ref', 'id-ref'], ['score', 'score'], ['scoreAttribute', 'score-attribute'], ['booleanOp', 'boolean-op'], ['role', 'role'],
]);
export const EXPRESSION_ATTRS: AttrSpec = attrSpec([
  ['id', 'id'], ['attribute', 'attribute'], ['operation', 'operation'], ['value', 'value'], ['type', 'type'], ['valueSource', 'value-source'],
]);
export const DATE_EXPRESSION_ATTRS: AttrSpec = attrSpec([['id', 'id'], ['operation', 'operation'], ['start', 'start'], ['end', 'end']]);
export const RSC_EXPRESSION_ATTRS: AttrSpec = attrSpec([['id', 'id'], ['class', 'class'], ['provider', 'provider'], ['type', 'type']]);
export const OP_EXPRESSION_ATTRS: AttrSpec = attrSpec([['id', 'id'], ['name', 'name'], ['interval', 'interval']]);
export const NODE_ATTRS: AttrSpec = attrSpec([['id', 'id'], ['uname', 'uname'], ['type', 'type'], ['description', 'description'], ['score', 'score']]);
export const PRIMITIVE_ATTRS: AttrSpec = attrSpec([
  ['id', 'id'], ['class', 'class'], ['provider', 'provider'], ['type', 'type'], ['template', 'template'], ['description', 'description'],
]);
export const NVSET_ATTRS: AttrSpec = attrSpec([['id', 'id'], ['ref', 'id-ref'], ['score', 'score']]);
export const OPERATIONS_ATTRS: AttrSpec = attrSpec([['id', 'id'], ['ref', 'id-ref']]);
export const OP_ATTRS: AttrSpec = attrSpec([
  ['id', 'id'], ['name', 'name'], ['interval', 'interval'], ['timeout', 'timeout'], ['role', 'role'], ['onFail', 'on-fail'],
  ['startDelay', 'start-delay'], ['intervalOrigin', 'interval-origin'], ['enabled', 'enabled'], ['recordPending', 'record-pending'],
  ['requires', 'requires'], ['description', 'description'],
]);
export const CONTAINER_ATTRS: AttrSpec = attrSpec([['id', 'id'], ['description', 'description']]);
export const RESOURCE_SET_ATTRS: AttrSpec = attrSpec([
  ['id', 'id'], ['ref', 'id-ref'], ['sequential', 'sequential'], ['requireAll', 'require-all'], ['ordering', 'ordering'],
  ['action', 'action'], ['role', 'role'], ['score', 'score'], ['kind', 'kind'],
]);
export const LOCATION_ATTRS: AttrSpec = attrSpec([
  ['id', 'id'], ['rsc', 'rsc'], ['rscPattern', 'rsc-pattern'], ['role', 'role'], ['node', 'node'], ['score', 'score'],
  ['resourceDiscovery', 'resource-discovery'],
]);
export const COLOCATION_ATTRS: AttrSpec = attrSpec([
  ['id', 'id'], ['rsc', 'rsc'], ['withRsc', 'with-rsc'], ['rscRole', 'rsc-role'], ['withRscRole', 'with-rsc-role'], ['score', 'score'],
  ['nodeAttribute', 'node-attribute'], ['influence', 'influence'],
]);
export const ORDER_ATTRS: AttrSpec = attrSpec([
  ['id', 'id'], ['first', 'first'], ['then', 'then'], ['firstAction', 'first-action'], ['thenAction', 'then-action'],
  ['orderKind', 'kind'], ['symmetrical', 'symmetrical'], ['score', 'score'],
]);
export const TICKET_ATTRS: AttrSpec = attrSpec([['id', 'id'], ['ticket', 'ticket'], ['rsc', 'rsc'], ['rscRole', 'rsc-role'], ['lossPolicy', 'loss-policy']]);
export const ALERT_ATTRS: AttrSpec = attrSpec([['id', 'id'], ['path', 'path'], ['description', 'description']]);
export const RECIPIENT_ATTRS: AttrSpec = attrSpec([['id', 'id'], ['value', 'value'], ['description', 'description']]);
export const FENCING_LEVEL_ATTRS: AttrSpec = attrSpec([
  ['id', 'id'], ['index', 'index'], ['devices', 'devices'], ['target', 'target'], ['targetPattern', 'target-pattern'],
  ['targetAttribute', 'target-attribute'], ['targetValue', 'target-value'],
]);
export const ID_ATTRS: AttrSpec = attrSpec([['id', 'id']]);
export const ACL_PERMISSION_ATTRS: AttrSpec = attrSpec([
  ['id', 'id'], ['access', 'kind'], ['xpath', 'xpath'], ['reference', 'reference'], ['objectType', 'object-type'],
  ['attribute', 'attribute'], ['description', 'description'],
]);
export const ACL_TARGET_ATTRS: AttrSpec = attrSpec([['id', 'id'], ['name', 'name']]);
export const NODE_STATE_ATTRS: AttrSpec = attrSpec([
  ['id', 'id'], ['uname', 'uname'], ['inCcm', 'in_ccm'], ['crmd', 'crmd'], ['join', 'join'], ['expected', 'expected'],
]);
export const LRM_RESOURCE_ATTRS: AttrSpec = attrSpec([['id', 'id'], ['class', 'class'], ['provider', 'provider'], ['type', 'type']]);
export const LRM_RSC_OP_ATTRS: AttrSpec = attrSpec([
  ['id', 'id'], ['operationKey', 'operation_key'], ['operation', 'operation'], ['transitionKey', 'transition-key'],
  ['transitionMagic', 'transition-magic'], ['exitReason', 'exit-reason'], ['onNode', 'on_node'], ['callId', 'call-id'],
  ['rcCode', 'rc-code'], ['opStatus', 'op-status'], ['interval', 'interval'], ['lastRcChange', 'last-rc-change'],
  ['lastRun', 'last-run'], ['execTime', 'exec-time'], ['queueTime', 'queue-time'], ['opDigest', 'op-digest'],
]);

const attrsOf = (spec: AttrSpec): string[] => spec.pairs.map(([, attr]) => attr);
const NVSETS = ['instance_attributes', 'meta_attributes', 'utilization'];

export const SHAPES = {
  cib: shape(attrsOf(CIB_ROOT_ATTRS), ['configuration', 'status']),
  configuration: shape([], [
    'crm_config', 'nodes', 'resources', 'constraints', 'rsc_defaults', 'op_defaults', 'alerts', 'fencing-topology', 'tags', 'acls',
  ]),
  crm_config: shape([], ['cluster_property_set']),
  nodes: shape([], ['node']),
  list: shape([], [], true),
  defaults: shape([], ['meta_attributes']),
  alerts: shape([], ['alert']),
  'fencing-topology': shape([], ['fencing-level']),
  tags: shape([], ['tag']),
  // A definition keeps a stray id-ref, and a reference stray content, as unknown parts.
  nvset: shape(['id', 'score'], ['nvpair', 'rule']),
  nvsetReference: shape(['id-ref']),
  nvpair: shape(attrsOf(NVPAIR_ATTRS)),
  rule: shape(attrsOf(RULE_ATTRS).filter((a) => a !== 'id-ref'), [], true),
  ruleReference: shape(['id-ref']),
  expression: shape(attrsOf(EXPRESSION_ATTRS)),
  date_expression: shape(attrsOf(DATE_EXPRESSION_ATTRS), ['date_spec', 'duration']),
  rsc_expression: shape(attrsOf(RSC_EXPRESSION_ATTRS)),
  op_expression: shape(attrsOf(OP_EXPRESSION_ATTRS)),
  node: shape(attrsOf(NODE_ATTRS), ['instance_attributes', 'utilization']),
  primitive: shape(attrsOf(PRIMITIVE_ATTRS), [...NVSETS, 'operations']),
  operations: shape(attrsOf(OPERATIONS_ATTRS), ['op']),
  op: shape(attrsOf(OP_ATTRS), ['instance_attributes', 'meta_attributes']),
  group: shape(attrsOf(CONTAINER_ATTRS), ['primitive', ...NVSETS]),
  clone: shape(attrsOf(CONTAINER_ATTRS), ['primitive', 'group', 'meta_attributes', 'instance_attributes']),
  resource_set: shape(attrsOf(RESOURCE_SET_ATTRS), ['resource_ref']),
  id: shape(['id']),
  rsc_location: shape(attrsOf(LOCATION_ATTRS), ['rule', 'resource_set']),
  rsc_colocation: shape(attrsOf(COLOCATION_ATTRS), ['resource_set']),
  rsc_order: shape(attrsOf(ORDER_ATTRS), ['resource_set']),
  rsc_ticket: shape(attrsOf(TICKET_ATTRS), ['resource_set']),
  alert: shape(attrsOf(ALERT_ATTRS), ['meta_attributes', 'instance_attributes', 'recipient']),
  recipient: shape(attrsOf(RECIPIENT_ATTRS), ['meta_attributes', 'instance_attributes']),
  'fencing-level': shape(attrsOf(FENCING_LEVEL_ATTRS)),
  tag: shape(['id'], ['obj_ref']),
  acl_role: shape(attrsOf(CONTAINER_ATTRS), ['acl_permission']),
  acl_permission: shape(attrsOf(ACL_PERMISSION_ATTRS)),
  acl_target: shape(attrsOf(ACL_TARGET_ATTRS), ['role']),
  status: shape([], ['node_state']),
  node_state: shape(attrsOf(NODE_STATE_ATTRS), ['transient_attributes', 'lrm']),
  transient_attributes: shape(['id'], ['instance_attributes', 'meta_attributes', 'utilization', 'cluster_property_set']),
  lrm: shape(['id'], ['lrm_resources']),
  lrm_resources: shape([], ['lrm_resource']),
  lrm_resource: shape(attrsOf(LRM_RESOURCE_ATTRS), ['lrm_rsc_op']),
  lrm_rsc_op: shape(attrsOf(LRM_RSC_OP_ATTRS)),
} satisfies Record<string, Shape>;
