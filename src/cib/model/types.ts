import type { XmlElement } from '../xml.js';
import type { Extra } from './fidelity.js';

/**
 * The CIB as typed data. Values keep the text they have in the XML (a score stays "+INFINITY",
 * an interval stays "10s") so that nothing changes on a round trip; src/cib/values.ts interprets
 * them. Every object may carry `extra`: what the model does not understand, and document order.
 * Objects built by code rather than read from XML leave it out.
 */

export interface CibVersion {
  adminEpoch: number;
  epoch: number;
  numUpdates: number;
}

export interface Cib {
  version: CibVersion;
  validateWith?: string;
  crmFeatureSet?: string;
  haveQuorum?: string;
  dcUuid?: string;
  configuration: Configuration;
  /** Absent only when the document has no status section. */
  status?: Status;
  extra?: Extra;
}

export const SECTIONS = [
  'crm_config', 'nodes', 'resources', 'constraints', 'rsc_defaults', 'op_defaults', 'alerts',
  'fencing-topology', 'tags', 'acls',
] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface Configuration {
  crmConfig: NvSet[];
  nodes: Node[];
  resources: Resource[];
  constraints: Constraint[];
  rscDefaults: NvSet[];
  opDefaults: NvSet[];
  alerts: Alert[];
  fencingTopology: FencingLevel[];
  tags: Tag[];
  acls: AclEntry[];
  /** Which optional sections the document had (written back even when empty), and their extras. */
  sections?: Partial<Record<SectionName, Extra>>;
  extra?: Extra;
}

// ---- attribute sets and rules ----

export type NvSetElement = 'instance_attributes' | 'meta_attributes' | 'utilization' | 'cluster_property_set';

/** An attribute set: either a definition, or a reference (id-ref) to one defined elsewhere. */
export type NvSet = NvSetDefinition | NvSetReference;

export interface NvSetDefinition {
  element: NvSetElement;
  ref?: undefined;
  id: string;
  score?: string;
  rules: Rule[];
  pairs: NvPair[];
  extra?: Extra;
}

export interface NvSetReference {
  element: NvSetElement;
  ref: string;
  extra?: Extra;
}

export type NvPair = { ref?: undefined; id?: string; name: string; value?: string; extra?: Extra } | { ref: string; name?: string; extra?: Extra };

export type Rule = RuleDefinition | RuleReference;

export interface RuleDefinition {
  ref?: undefined;
  id: string;
  score?: string;
  scoreAttribute?: string;
  booleanOp?: string;
  role?: string;
  expressions: RuleExpression[];
  extra?: Extra;
}

export interface RuleReference {
  ref: string;
  extra?: Extra;
}

export type RuleExpression =
  | { kind: 'expression'; id: string; attribute: string; operation: string; value?: string; type?: string; valueSource?: string; extra?: Extra }
  | { kind: 'date_expression'; id: string; operation?: string; start?: string; end?: string; dateSpec?: DateSpec; duration?: DateSpec; extra?: Extra }
  | { kind: 'rsc_expression'; id: string; class?: string; provider?: string; type?: string; extra?: Extra }
  | { kind: 'op_expression'; id: string; name: string; interval?: string; extra?: Extra }
  | { kind: 'rule'; rule: Rule }
  | Unknown;

/** date_spec and duration: every field (hours, weekdays, years, …) is kept as written. */
export interface DateSpec {
  id?: string;
  fields: Record<string, string>;
  extra?: Extra;
}

/** An element the model does not understand, kept whole in its place. */
export interface Unknown {
  kind: 'xml';
  xml: XmlElement;
}

// ---- nodes ----

export interface Node {
  id: string;
  uname?: string;
  type?: string;
  description?: string;
  score?: string;
  instanceAttributes: NvSet[];
  utilization: NvSet[];
  extra?: Extra;
}

// ---- resources ----

export type Resource = Primitive | Group | Clone | Bundle | Unknown;

/** The parts shared by a primitive and a template. */
interface PrimitiveBody {
  id: string;
  class?: string;
  provider?: string;
  type?: string;
  description?: string;
  instanceAttributes: NvSet[];
  metaAttributes: NvSet[];
  utilization: NvSet[];
  operations?: Operations;
  extra?: Extra;
}

export interface Primitive extends PrimitiveBody {
  kind: 'primitive' | 'template';
  /** The template this primitive takes its definition from. */
  template?: string;
}

export interface Operations {
  id?: string;
  ref?: string;
  ops: Op[];
  extra?: Extra;
}

export interface Op {
  id: string;
  name: string;
  interval: string;
  timeout?: string;
  role?: string;
  onFail?: string;
  startDelay?: string;
  intervalOrigin?: string;
  enabled?: string;
  recordPending?: string;
  requires?: string;
  description?: string;
  instanceAttributes: NvSet[];
  metaAttributes: NvSet[];
  extra?: Extra;
}

export interface Group {
  kind: 'group';
  id: string;
  description?: string;
  members: Primitive[];
  metaAttributes: NvSet[];
  instanceAttributes: NvSet[];
  utilization: NvSet[];
  extra?: Extra;
}

/** A clone; `element: 'master'` is the deprecated spelling of a promotable clone. */
export interface Clone {
  kind: 'clone';
  element: 'clone' | 'master';
  id: string;
  description?: string;
  child: Primitive | Group;
  metaAttributes: NvSet[];
  instanceAttributes: NvSet[];
  extra?: Extra;
}

/** Bundles are kept as XML for now; the primitive inside is still a resource others refer to. */
export interface Bundle {
  kind: 'bundle';
  id: string;
  xml: XmlElement;
}

// ---- constraints ----

export type Constraint = Location | Colocation | Order | Ticket | Unknown;

export interface ResourceSet {
  ref?: string;
  id?: string;
  sequential?: string;
  requireAll?: string;
  ordering?: string;
  action?: string;
  role?: string;
  score?: string;
  kind?: string;
  resources: ResourceRef[];
  extra?: Extra;
}

export interface ResourceRef {
  id: string;
  extra?: Extra;
}

export interface Location {
  kind: 'rsc_location';
  id: string;
  rsc?: string;
  rscPattern?: string;
  role?: string;
  node?: string;
  score?: string;
  resourceDiscovery?: string;
  rules: Rule[];
  sets: ResourceSet[];
  extra?: Extra;
}

export interface Colocation {
  kind: 'rsc_colocation';
  id: string;
  rsc?: string;
  withRsc?: string;
  rscRole?: string;
  withRscRole?: string;
  score?: string;
  nodeAttribute?: string;
  influence?: string;
  sets: ResourceSet[];
  extra?: Extra;
}

export interface Order {
  kind: 'rsc_order';
  id: string;
  first?: string;
  then?: string;
  firstAction?: string;
  thenAction?: string;
  /** The `kind` attribute: Optional, Mandatory or Serialize. */
  orderKind?: string;
  symmetrical?: string;
  score?: string;
  sets: ResourceSet[];
  extra?: Extra;
}

export interface Ticket {
  kind: 'rsc_ticket';
  id: string;
  ticket: string;
  rsc?: string;
  rscRole?: string;
  lossPolicy?: string;
  sets: ResourceSet[];
  extra?: Extra;
}

// ---- alerts, fencing topology, tags, ACLs ----

export interface Alert {
  id: string;
  path: string;
  description?: string;
  metaAttributes: NvSet[];
  instanceAttributes: NvSet[];
  recipients: AlertRecipient[];
  extra?: Extra;
}

export interface AlertRecipient {
  id: string;
  value: string;
  description?: string;
  metaAttributes: NvSet[];
  instanceAttributes: NvSet[];
  extra?: Extra;
}

export interface FencingLevel {
  id: string;
  index: string;
  devices: string;
  target?: string;
  targetPattern?: string;
  targetAttribute?: string;
  targetValue?: string;
  extra?: Extra;
}

export interface Tag {
  id: string;
  refs: ResourceRef[];
  extra?: Extra;
}

export type AclEntry = AclRole | AclTarget | Unknown;

export interface AclRole {
  kind: 'acl_role';
  id: string;
  description?: string;
  permissions: AclPermission[];
  extra?: Extra;
}

export interface AclPermission {
  id: string;
  /** read, write or deny. */
  access: string;
  xpath?: string;
  reference?: string;
  objectType?: string;
  attribute?: string;
  description?: string;
  extra?: Extra;
}

/** acl_target (a user) or acl_group, with the roles it has. */
export interface AclTarget {
  kind: 'acl_target' | 'acl_group';
  id: string;
  name?: string;
  roles: ResourceRef[];
  extra?: Extra;
}

// ---- status ----

export interface Status {
  nodes: NodeState[];
  extra?: Extra;
}

export interface NodeState {
  id?: string;
  uname?: string;
  inCcm?: string;
  crmd?: string;
  join?: string;
  expected?: string;
  transientAttributes?: TransientAttributes;
  lrm?: Lrm;
  extra?: Extra;
}

export interface TransientAttributes {
  id?: string;
  sets: NvSet[];
  extra?: Extra;
}

export interface Lrm {
  id?: string;
  resources: LrmResource[];
  /** Attributes and order of the <lrm_resources> wrapper. */
  listExtra?: Extra;
  extra?: Extra;
}

export interface LrmResource {
  id: string;
  class?: string;
  provider?: string;
  type?: string;
  ops: LrmRscOp[];
  extra?: Extra;
}

/** One entry of a resource's operation history on a node. */
export interface LrmRscOp {
  id: string;
  operation: string;
  operationKey?: string;
  interval?: string;
  callId?: string;
  rcCode?: string;
  opStatus?: string;
  transitionKey?: string;
  transitionMagic?: string;
  onNode?: string;
  lastRcChange?: string;
  lastRun?: string;
  execTime?: string;
  queueTime?: string;
  opDigest?: string;
  exitReason?: string;
  extra?: Extra;
}
