import type { XmlElement } from '../cib/xml.js';
import type { Position } from './errors.js';

/**
 * The crm configure language as a typed tree. The parser produces it, the compiler turns it into
 * CIB XML (ids are assigned there, as crmsh assigns them when it commits).
 */
export type Statement =
  | PropertyStatement
  | NodeStatement
  | PrimitiveStatement
  | GroupStatement
  | CloneStatement
  | LocationStatement
  | ColocationStatement
  | OrderStatement
  | TicketStatement
  | TagStatement
  | FencingTopologyStatement
  | AlertStatement
  | BundleStatement
  | AclRoleStatement
  | AclTargetStatement
  | XmlStatement;

interface Base {
  at: Position;
  /** `#` comment lines written just before the statement. */
  comments: string[];
}

/** `name=value`, `name` alone (no value), `$id:name=value` or `@idref[:name]`. */
export interface NvPair {
  name?: string;
  value?: string;
  id?: string;
  idRef?: string;
}

/** A score as written: a number or ±INFINITY (normalized), or a node attribute holding it. */
export type Score = { score: string } | { scoreAttribute: string };

export type Expression =
  | { kind: 'binary'; attribute: string; operation: string; type?: string; value: string; valueSource?: string }
  | { kind: 'unary'; attribute: string; operation: 'defined' | 'not_defined' }
  | { kind: 'date-compare'; operation: 'lt' | 'gt'; value: string }
  | { kind: 'date-range'; start?: string; end?: string; duration: [string, string][] }
  | { kind: 'date-spec'; spec: [string, string][] };

export type Rule =
  | { idRef: string; role?: string }
  | { id?: string; role?: string; score: Score; booleanOp?: 'and' | 'or'; expressions: Expression[] };

/** params / meta / utilization / attributes / op_params / op_meta. */
export interface AttrSet {
  tag: 'instance_attributes' | 'meta_attributes' | 'utilization';
  id?: string;
  idRef?: string;
  score?: string;
  rules: Rule[];
  pairs: NvPair[];
}

export interface PropertyStatement extends Base {
  kind: 'property' | 'rsc_defaults' | 'op_defaults';
  id?: string;
  idRef?: string;
  rules: Rule[];
  pairs: NvPair[];
}

export interface NodeStatement extends Base {
  kind: 'node';
  id?: string;
  uname: string;
  type?: string;
  description?: string;
  sets: AttrSet[];
}

export type AgentRef = { class: string; provider?: string; type: string } | { template: string };

export interface Operation {
  name: string;
  /** Attributes of `<op>` itself, in the order written (interval=0 appended when absent). */
  attrs: [string, string | undefined][];
  sets: AttrSet[];
}

export interface PrimitiveStatement extends Base {
  kind: 'primitive' | 'rsc_template';
  id: string;
  agent: AgentRef;
  description?: string;
  /** Attribute sets and the operations list, in the order written (the XML keeps it). */
  parts: PrimitivePart[];
}

export type PrimitivePart = { kind: 'set'; set: AttrSet } | { kind: 'operations'; id?: string; idRef?: string; ops: Operation[] };

export interface GroupStatement extends Base {
  kind: 'group';
  id: string;
  members: string[];
  description?: string;
  sets: AttrSet[];
}

export interface CloneStatement extends Base {
  kind: 'clone' | 'ms';
  id: string;
  child: string;
  description?: string;
  sets: AttrSet[];
}

/** A resource with an optional role (colocation, ticket, location sets) or action (order). */
export interface ResourceRef {
  id: string;
  qualifier?: string;
  /** The qualifier is a clone instance number rather than a role or action. */
  instance?: boolean;
}

export interface ResourceSet {
  sequential: boolean;
  requireAll: boolean;
  /** role or action, shared by every member of the set. */
  qualifier?: string;
  members: string[];
}

export type ConstraintResources = { simple: ResourceRef[] } | { sets: ResourceSet[] };

export interface LocationStatement extends Base {
  kind: 'location';
  id: string;
  target: { rsc: string } | { pattern: string } | { sets: ResourceSet[] };
  role?: string;
  resourceDiscovery?: string;
  placement: { score: Score; node: string } | { rules: Rule[] };
}

export interface ColocationStatement extends Base {
  kind: 'colocation';
  id: string;
  score: Score;
  nodeAttribute?: string;
  resources: ConstraintResources;
}

export interface OrderStatement extends Base {
  kind: 'order';
  id: string;
  orderKind?: string;
  symmetrical?: string;
  resources: ConstraintResources;
}

export interface TicketStatement extends Base {
  kind: 'rsc_ticket';
  id: string;
  ticket: string;
  lossPolicy?: string;
  resources: ConstraintResources;
}

export interface TagStatement extends Base {
  kind: 'tag';
  id: string;
  refs: string[];
}

export type FencingTarget = { node: string } | { attribute: string; value: string } | { pattern: string } | { allNodes: true };

export interface FencingTopologyStatement extends Base {
  kind: 'fencing_topology';
  levels: { target: FencingTarget; devices: string }[];
}

export interface AlertRecipient {
  value: string;
  description?: string;
  sets: AttrSet[];
}

export interface AlertStatement extends Base {
  kind: 'alert';
  id: string;
  path: string;
  description?: string;
  /** Attribute sets, selections and recipients, in the order written (the XML keeps it). */
  parts: AlertPart[];
}

export type AlertSelector = { kind: 'nodes' | 'fencing' | 'resources' } | { kind: 'attributes'; names: string[] };

export type AlertPart = { kind: 'set'; set: AttrSet } | { kind: 'select'; selectors: AlertSelector[] } | { kind: 'recipient'; recipient: AlertRecipient };

/** One `NAME=VALUE` list written on a bundle part, in the order written. */
export type Attrs = [string, string][];

/** docker/podman/rkt NAME=VALUE..., network NAME=VALUE... port-mapping ..., storage storage-mapping ... */
export interface BundleContainer {
  kind: 'container';
  /** `docker`, `podman`, `rkt`, `network` or `storage`: the element's name. */
  name: string;
  attrs: Attrs;
  /** `port-mapping` or `storage-mapping` children. */
  mappings: { name: 'port-mapping' | 'storage-mapping'; attrs: Attrs }[];
}

export type BundlePart = BundleContainer | { kind: 'set'; set: AttrSet } | { kind: 'primitive'; id: string };

export interface BundleStatement extends Base {
  kind: 'bundle';
  id: string;
  description?: string;
  /** In the order written: the XML keeps it. */
  parts: BundlePart[];
}

/** What an ACL permission applies to: Pacemaker allows exactly one of these per `<acl_permission>`. */
export type AclSpec = { xpath: string } | { reference: string } | { objectType: string; attribute?: string };

export interface AclPermission {
  right: 'read' | 'write' | 'deny';
  id?: string;
  description?: string;
  spec: AclSpec;
}

export interface AclRoleStatement extends Base {
  kind: 'role';
  id: string;
  description?: string;
  permissions: AclPermission[];
}

/** `acl_target` (also written `user`) and `acl_group`: who gets which roles. */
export interface AclTargetStatement extends Base {
  kind: 'acl_target' | 'acl_group';
  id: string;
  roles: string[];
}

/** `xml <element ...>`: raw CIB XML for what the language cannot say. */
export interface XmlStatement extends Base {
  kind: 'xml';
  element: XmlElement;
}
