import { CibError } from './model/errors.js';
import { readCib } from './model/read.js';
import { childrenNamed, firstChild, type XmlElement } from './xml.js';
import { isIsoDate, nonexistentDate } from './dates.js';
import {
  isRole, parseRole, OPERATION_NAMES, ORDER_ACTIONS, parseBoolean, parseDurationMs, parseScore,
} from './values.js';

/**
 * Checks a CIB's configuration for the mistakes Pacemaker's crm_verify reports: things the cluster
 * would refuse or silently ignore. Pure: it reads the tree and returns findings, so the crm
 * language can call it before writing and `vigil verify` can print it.
 */

export interface Finding {
  severity: 'error' | 'warning';
  message: string;
  id?: string;
}

export interface VerifyResult {
  errors: Finding[];
  warnings: Finding[];
}

const RESOURCE_KINDS = new Set(['primitive', 'group', 'clone', 'master', 'bundle']);
/** Containers whose members run as instances: Pacemaker finds no resource by a member's own id. */
const CLONE_KINDS = new Set(['clone', 'master', 'bundle']);
/**
 * Elements whose `id` is not an XML ID: references to another element, and nodes, whose id is the
 * membership layer's node id and may equal a resource's name.
 */
const NOT_XML_IDS = new Set(['resource_ref', 'obj_ref', 'role', 'node']);
const NVSET_KINDS = new Set(['instance_attributes', 'meta_attributes', 'utilization', 'cluster_property_set']);

const KNOWN_PROPERTIES = new Set([
  'batch-limit', 'cluster-delay', 'cluster-infrastructure', 'cluster-ipc-limit', 'cluster-name',
  'cluster-recheck-interval', 'concurrent-fencing', 'dc-deadtime', 'dc-version', 'election-timeout',
  'enable-acl', 'enable-startup-probes', 'fence-reaction', 'have-watchdog', 'join-finalization-timeout',
  'join-integration-timeout', 'load-threshold', 'maintenance-mode', 'migration-limit', 'no-quorum-policy',
  'node-action-limit', 'node-health-base', 'node-health-green', 'node-health-red', 'node-health-strategy',
  'node-health-yellow', 'node-pending-timeout', 'pe-error-series-max', 'pe-input-series-max',
  'pe-warn-series-max', 'placement-strategy', 'priority-fencing-delay', 'remove-after-stop',
  'shutdown-escalation', 'shutdown-lock', 'shutdown-lock-limit', 'start-failure-is-fatal',
  'startup-fencing', 'stonith-action', 'stonith-enabled', 'stonith-max-attempts', 'stonith-timeout',
  'stonith-watchdog-timeout', 'stop-all-resources', 'stop-orphan-actions', 'stop-orphan-resources',
  'symmetric-cluster', 'transition-delay', 'last-lrm-refresh', 'expected-quorum-votes',
  // Deprecated names Pacemaker still reads.
  'default-resource-stickiness', 'is-managed-default', 'default-action-timeout', 'crmd-transition-delay',
  'crmd-integration-timeout', 'crmd-finalization-timeout', 'default-resource-failure-stickiness',
]);

const BOOLEAN_PROPERTIES = new Set([
  'stonith-enabled', 'symmetric-cluster', 'maintenance-mode', 'start-failure-is-fatal', 'enable-startup-probes',
  'stop-orphan-resources', 'stop-orphan-actions', 'remove-after-stop', 'startup-fencing', 'concurrent-fencing',
  'stop-all-resources', 'enable-acl', 'have-watchdog', 'shutdown-lock', 'is-managed-default',
]);
const DURATION_PROPERTIES = new Set([
  'cluster-delay', 'cluster-recheck-interval', 'dc-deadtime', 'election-timeout', 'join-finalization-timeout',
  'join-integration-timeout', 'shutdown-escalation', 'stonith-timeout', 'transition-delay', 'shutdown-lock-limit',
  'priority-fencing-delay', 'node-pending-timeout',
]);
const BOOLEAN_META = new Set([
  'is-managed', 'maintenance', 'globally-unique', 'notify', 'interleave', 'ordered', 'promotable',
  'allow-migrate', 'critical', 'allow-unhealthy-nodes', 'remote-allow-migrate',
]);
const ON_FAIL = new Set(['ignore', 'block', 'stop', 'restart', 'standby', 'fence', 'demote', 'reset']);
const ORDER_KINDS = new Set(['optional', 'mandatory', 'serialize']);
const LOSS_POLICIES = new Set(['stop', 'demote', 'fence', 'freeze']);
const EXPRESSION_OPS = new Set(['lt', 'gt', 'lte', 'gte', 'eq', 'ne', 'defined', 'not_defined']);
const EXPRESSION_TYPES = new Set(['string', 'integer', 'number', 'version']);
const DATE_OPS = new Set(['in_range', 'date_spec', 'gt', 'lt']);
const PROMOTED_ROLES = new Set(['Promoted', 'Master', 'Unpromoted', 'Slave']);

export function verifyCib(cib: XmlElement): VerifyResult {
  return new Verifier(cib).run();
}

class Verifier {
  private readonly errors: Finding[] = [];
  private readonly warnings: Finding[] = [];
  private readonly ids = new Map<string, XmlElement>();
  private readonly resourceIds = new Set<string>();
  /** Resources inside a clone or bundle, by the id of that outermost clone or bundle. */
  private readonly clonedIn = new Map<string, string>();
  private readonly templateIds = new Set<string>();
  private readonly tagIds = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private stonithDevices = 0;
  private primitives = 0;

  constructor(private readonly cib: XmlElement) {}

  run(): VerifyResult {
    if (this.cib.name !== 'cib') {
      this.error(`the document's root element is <${this.cib.name}>, not <cib>`);
      return this.result();
    }
    const config = firstChild(this.cib, 'configuration');
    if (!config) {
      this.error('the CIB has no <configuration> section');
      return this.result();
    }
    this.indexIds(config);
    const section = (name: string): XmlElement[] => childrenNamed(config, name).flatMap((s) => s.children);
    this.indexNodes(section('nodes'));
    this.indexResources(section('resources'));
    for (const tag of section('tags')) if (tag.attrs.id) this.tagIds.add(tag.attrs.id);

    const fencingOn = this.fencingEnabled(section('crm_config'));
    this.checkProperties(section('crm_config'));
    for (const rsc of section('resources')) this.checkResource(rsc, fencingOn, false);
    for (const set of section('rsc_defaults')) this.checkDefaults(set, 'rsc_defaults');
    for (const set of section('op_defaults')) this.checkDefaults(set, 'op_defaults');
    for (const c of section('constraints')) this.checkConstraint(c, fencingOn);
    for (const tag of section('tags')) this.checkTag(tag);
    for (const level of section('fencing-topology')) this.checkFencingLevel(level);
    for (const acl of section('acls')) this.checkAcl(acl);
    this.checkIdRefs(config);
    // Unlike crm_verify, a configuration with no resources at all passes: there is nothing to start
    // unsafely yet, and a configuration is often loaded in steps, properties first.
    if (this.primitives > 0 && this.stonithDevices === 0 && fencingOn) {
      this.error('resource start-up disabled since no STONITH resources have been defined: configure a fencing device or set stonith-enabled=false');
    }
    // The model refuses some documents the checks above already explain (a clone without a child);
    // its reason is added only when nothing else was found, so one mistake is not reported twice.
    // Missing version attributes are no configuration mistake (the CIB manager sets them), so
    // callers may verify a <cib> they have just assembled around a configuration.
    if (this.errors.length === 0) {
      try {
        readCib({ ...this.cib, attrs: { admin_epoch: '0', epoch: '0', num_updates: '0', ...this.cib.attrs } });
      } catch (err) {
        if (!(err instanceof CibError)) throw err;
        this.error(err.message);
      }
    }
    return this.result();
  }

  private result(): VerifyResult {
    return { errors: this.errors, warnings: this.warnings };
  }

  private error(message: string, id?: string): void {
    this.errors.push(id === undefined ? { severity: 'error', message } : { severity: 'error', message, id });
  }

  private warn(message: string, id?: string): void {
    this.warnings.push(id === undefined ? { severity: 'warning', message } : { severity: 'warning', message, id });
  }

  private indexIds(config: XmlElement): void {
    const walk = (el: XmlElement): void => {
      const id = el.attrs.id;
      if (id !== undefined && !NOT_XML_IDS.has(el.name)) {
        if (id === '') this.error(`<${el.name}> has an empty id`);
        else if (this.ids.has(id)) this.error(`duplicate id '${id}': used by <${this.ids.get(id)?.name}> and <${el.name}>`, id);
        else this.ids.set(id, el);
      }
      for (const child of el.children) walk(child);
    };
    walk(config);
  }

  private indexNodes(nodes: XmlElement[]): void {
    const ids = new Set<string>();
    for (const node of nodes) {
      const { id, uname } = node.attrs;
      if (!id) this.error(`<${node.name}> ${uname ?? ''} has no id`);
      else if (ids.has(id)) this.error(`duplicate node id '${id}'`, id);
      else ids.add(id);
      const name = uname ?? id ?? '';
      if (this.nodeNames.has(name)) this.error(`duplicate node name '${name}'`, id);
      this.nodeNames.add(name);
    }
  }

  private indexResources(resources: XmlElement[]): void {
    const walk = (el: XmlElement, clone?: XmlElement): void => {
      if (el.name === 'template' && el.attrs.id) this.templateIds.add(el.attrs.id);
      if (RESOURCE_KINDS.has(el.name) && el.attrs.id) this.resourceIds.add(el.attrs.id);
      if (clone && RESOURCE_KINDS.has(el.name) && el.attrs.id) this.clonedIn.set(el.attrs.id, clone.attrs.id ?? '');
      if (el.name === 'primitive') {
        this.primitives++;
        // A remote node takes its name from its connection resource, a guest node from remote-node.
        if (el.attrs.class === 'ocf' && el.attrs.provider === 'pacemaker' && el.attrs.type === 'remote' && el.attrs.id) this.nodeNames.add(el.attrs.id);
        const guest = this.metaValues(el).get('remote-node')?.attrs.value;
        if (guest) this.nodeNames.add(guest);
        if (el.attrs.class === 'stonith') this.stonithDevices++;
      }
      if (el.name === 'template' && el.attrs.class === 'stonith') this.stonithDevices++;
      const outer = clone ?? (CLONE_KINDS.has(el.name) ? el : undefined);
      if (RESOURCE_KINDS.has(el.name)) for (const child of el.children) walk(child, outer);
    };
    for (const el of resources) walk(el);
  }

  private fencingEnabled(crmConfig: XmlElement[]): boolean {
    for (const set of crmConfig) {
      for (const nv of childrenNamed(set, 'nvpair')) {
        if (nv.attrs.name === 'stonith-enabled' || nv.attrs.name === 'stonith_enabled') {
          return parseBoolean(nv.attrs.value ?? '') !== false;
        }
      }
    }
    return true;
  }

  private checkProperties(crmConfig: XmlElement[]): void {
    for (const set of crmConfig) {
      this.checkNvSet(set);
      for (const nv of childrenNamed(set, 'nvpair')) {
        const name = nv.attrs.name ?? '';
        const value = nv.attrs.value ?? '';
        const normal = name.replaceAll('_', '-');
        if (!KNOWN_PROPERTIES.has(normal)) this.warn(`unknown cluster property '${name}'`, nv.attrs.id);
        if (BOOLEAN_PROPERTIES.has(normal) && parseBoolean(value) === undefined) {
          this.error(`cluster property ${name}='${value}' is not a boolean`, nv.attrs.id);
        }
        if (DURATION_PROPERTIES.has(normal) && parseDurationMs(value) === undefined) {
          this.error(`cluster property ${name}='${value}' is not a duration`, nv.attrs.id);
        }
      }
    }
  }

  /** Checks an attribute set's rules and nvpairs; the caller checks what the names mean. */
  private checkNvSet(set: XmlElement): void {
    if (!set.attrs.id && !set.attrs['id-ref']) this.error(`<${set.name}> has no id`);
    if (set.attrs.score !== undefined) this.checkScore(set.attrs.score, `<${set.name}> score`, set.attrs.id);
    for (const child of set.children) {
      if (child.name === 'rule') this.checkRule(child);
      else if (child.name === 'nvpair' && child.attrs.name === undefined && child.attrs['id-ref'] === undefined) {
        this.error(`nvpair '${child.attrs.id ?? '?'}' has no name`, child.attrs.id);
      }
    }
  }

  /** Defaults are checked like the values they stand in for: resource meta or op attributes. */
  private checkDefaults(set: XmlElement, section: 'rsc_defaults' | 'op_defaults'): void {
    this.checkNvSet(set);
    for (const nv of childrenNamed(set, 'nvpair')) {
      const { name = '', value = '' } = nv.attrs;
      const where = `${section} ${name}`;
      if (section === 'rsc_defaults' && BOOLEAN_META.has(name) && parseBoolean(value) === undefined) {
        this.error(`${where}: '${value}' is not a boolean`, nv.attrs.id);
      }
      if (section === 'rsc_defaults' && name === 'resource-stickiness') this.checkScore(value, where, nv.attrs.id);
      if (section === 'op_defaults' && ['timeout', 'interval', 'start-delay'].includes(name) && parseDurationMs(value) === undefined) {
        this.error(`${where}: '${value}' is not a duration`, nv.attrs.id);
      }
      if (section === 'op_defaults' && ['enabled', 'record-pending'].includes(name) && parseBoolean(value) === undefined) {
        this.error(`${where}: '${value}' is not a boolean`, nv.attrs.id);
      }
    }
  }

  private metaValues(rsc: XmlElement): Map<string, XmlElement> {
    const out = new Map<string, XmlElement>();
    for (const set of childrenNamed(rsc, 'meta_attributes')) {
      for (const nv of childrenNamed(set, 'nvpair')) if (nv.attrs.name && !out.has(nv.attrs.name)) out.set(nv.attrs.name, nv);
    }
    return out;
  }

  private checkResource(rsc: XmlElement, fencingOn: boolean, inPromotable: boolean): void {
    const id = rsc.attrs.id;
    if (!id && rsc.name !== 'template') this.error(`<${rsc.name}> has no id`);
    const meta = this.metaValues(rsc);
    for (const [name, nv] of meta) {
      if (BOOLEAN_META.has(name) && parseBoolean(nv.attrs.value ?? '') === undefined) {
        this.error(`resource ${id}: meta attribute ${name}='${nv.attrs.value ?? ''}' is not a boolean`, nv.attrs.id ?? id);
      }
      if (name === 'resource-stickiness' && nv.attrs.value !== undefined) {
        this.checkScore(nv.attrs.value, `resource ${id}: meta attribute ${name}`, nv.attrs.id ?? id);
      }
    }
    for (const set of rsc.children.filter((c) => NVSET_KINDS.has(c.name))) this.checkNvSet(set);
    const promotable =
      inPromotable || rsc.name === 'master' || (rsc.name === 'clone' && parseBoolean(meta.get('promotable')?.attrs.value ?? '') === true);
    switch (rsc.name) {
      case 'primitive':
      case 'template':
        this.checkPrimitive(rsc, fencingOn, promotable, meta);
        break;
      case 'group': {
        const members = childrenNamed(rsc, 'primitive');
        if (members.length === 0) this.error(`group ${id} is empty`, id);
        for (const member of members) this.checkResource(member, fencingOn, promotable);
        break;
      }
      case 'clone':
      case 'master': {
        const inner = rsc.children.filter((c) => c.name === 'primitive' || c.name === 'group');
        if (inner.length !== 1) this.error(`${rsc.name} ${id} must contain exactly one primitive or group, has ${inner.length}`, id);
        for (const child of inner) this.checkResource(child, fencingOn, promotable);
        break;
      }
      case 'bundle':
        for (const child of childrenNamed(rsc, 'primitive')) this.checkResource(child, fencingOn, false);
        break;
      default:
        this.warn(`unknown resource element <${rsc.name}>`, id);
    }
  }

  private checkPrimitive(rsc: XmlElement, fencingOn: boolean, promotable: boolean, meta: Map<string, XmlElement>): void {
    const id = rsc.attrs.id;
    const template = rsc.attrs.template;
    if (template !== undefined && !this.templateIds.has(template)) {
      this.error(`primitive ${id} uses template '${template}', which does not exist`, id);
    }
    if (template === undefined && (!rsc.attrs.type || !rsc.attrs.class)) {
      this.error(`${rsc.name} ${id} has no ${rsc.attrs.class ? 'type' : 'class'}`, id);
    }
    const role = meta.get('target-role')?.attrs.value;
    // "#default" asks for the default role, as Pacemaker reads it.
    if (role !== undefined && role !== '#default') {
      if (!isRole(role)) this.error(`resource ${id}: target-role '${role}' is not a role`, id);
      else if (PROMOTED_ROLES.has(parseRole(role) ?? '') && !promotable) {
        this.error(`resource ${id}: target-role '${role}' only makes sense for promotable clones`, id);
      }
    }
    const seen = new Map<string, string>();
    for (const ops of childrenNamed(rsc, 'operations')) {
      for (const op of childrenNamed(ops, 'op')) this.checkOp(op, id, fencingOn, seen);
    }
  }

  private checkOp(op: XmlElement, rscId: string | undefined, fencingOn: boolean, seen: Map<string, string>): void {
    const id = op.attrs.id;
    const name = op.attrs.name ?? '';
    const where = `resource ${rscId} op ${id ?? name}`;
    this.checkOpName(name, where, id);
    const interval = op.attrs.interval;
    let intervalMs: number | undefined = 0;
    if (interval === undefined) this.error(`${where}: no interval`, id);
    else {
      intervalMs = parseDurationMs(interval);
      if (intervalMs === undefined) this.error(`${where}: interval '${interval}' is not a duration`, id);
    }
    for (const attr of ['timeout', 'start-delay']) {
      const v = op.attrs[attr];
      if (v !== undefined && parseDurationMs(v) === undefined) this.error(`${where}: ${attr} '${v}' is not a duration`, id);
    }
    if (op.attrs.role !== undefined && !isRole(op.attrs.role)) this.error(`${where}: role '${op.attrs.role}' is not a role`, id);
    for (const attr of ['enabled', 'record-pending']) {
      const v = op.attrs[attr];
      if (v !== undefined && parseBoolean(v) === undefined) this.error(`${where}: ${attr} '${v}' is not a boolean`, id);
    }
    const onFail = op.attrs['on-fail'];
    if (onFail !== undefined) {
      if (!ON_FAIL.has(onFail)) this.error(`${where}: on-fail '${onFail}' is not one of ${[...ON_FAIL].join(', ')}`, id);
      else if (name === 'stop' && (onFail === 'standby' || onFail === 'demote' || onFail === 'stop')) {
        this.error(`${where}: on-fail '${onFail}' is not allowed for stop`, id);
      } else if (onFail === 'demote' && name !== 'promote' && !(name === 'monitor' && /^(Promoted|Master)$/.test(parseRole(op.attrs.role ?? '') ?? ''))) {
        this.error(`${where}: on-fail 'demote' is allowed only for promote and for monitors of the Promoted role`, id);
      } else if (onFail === 'fence' && !fencingOn) this.error(`${where}: on-fail 'fence' is not valid when fencing is disabled`, id);
    }
    // Pacemaker keys recurring operations by name and interval, so two with the same key collide.
    if (intervalMs !== undefined && intervalMs > 0 && name !== '') {
      const key = `${name}_${intervalMs}`;
      const other = seen.get(key);
      if (other !== undefined) {
        this.error(`${where}: duplicates operation ${other} (the same name and interval may be used only once per resource)`, id);
      } else seen.set(key, id ?? name);
    }
    for (const set of op.children.filter((c) => NVSET_KINDS.has(c.name))) this.checkNvSet(set);
  }

  /**
   * Agents may define actions of their own (SAPInstance's "methods"), so an unknown name is only a
   * warning, unless it is within two typing mistakes of a standard one ("moniter").
   */
  private checkOpName(name: string, where: string, id?: string): void {
    if ((OPERATION_NAMES as readonly string[]).includes(name)) return;
    const near = OPERATION_NAMES.find((known) => editDistance(known, name) <= 2);
    if (name === '') this.error(`${where}: no operation name`, id);
    else if (near !== undefined) this.error(`${where}: '${name}' is not an operation name (did you mean '${near}'?)`, id);
    else this.warn(`${where}: '${name}' is not a standard operation name; the agent must provide it`, id);
  }

  private checkScore(value: string, what: string, id?: string): void {
    if (parseScore(value) === undefined) this.error(`${what}: '${value}' is not a score (an integer, INFINITY, +INFINITY or -INFINITY)`, id);
  }

  private checkRole(value: string | undefined, what: string, id?: string): void {
    if (value !== undefined && !isRole(value)) this.error(`${what}: '${value}' is not a role`, id);
  }

  /** A resource named by a constraint must exist; tags and templates stand for their resources. */
  private checkResourceRef(ref: string | undefined, what: string, id?: string): void {
    if (ref === undefined) this.error(`${what}: no resource given`, id);
    else if (!this.resourceIds.has(ref) && !this.templateIds.has(ref) && !this.tagIds.has(ref)) {
      this.error(`${what}: resource '${ref}' does not exist`, id);
    } else if (this.clonedIn.has(ref)) {
      const outer = this.clonedIn.get(ref) as string;
      const kind = this.ids.get(outer)?.name === 'bundle' ? 'bundle' : 'clone';
      this.error(`${what}: resource '${ref}' is inside ${kind} '${outer}', whose instances the cluster places; name '${outer}' instead (Pacemaker ignores this constraint)`, id);
    }
  }

  private checkConstraint(c: XmlElement, fencingOn: boolean): void {
    const id = c.attrs.id;
    const what = `${c.name} ${id ?? '(no id)'}`;
    if (!id) this.error(`<${c.name}> has no id`);
    const sets = childrenNamed(c, 'resource_set');
    for (const set of sets) this.checkResourceSet(set, what);
    if (c.attrs.score !== undefined) this.checkScore(c.attrs.score, what, id);
    switch (c.name) {
      case 'rsc_location':
        this.checkLocation(c, what, sets.length > 0);
        break;
      case 'rsc_colocation':
        if (sets.length === 0) {
          this.checkResourceRef(c.attrs.rsc, what, id);
          this.checkResourceRef(c.attrs['with-rsc'], what, id);
        }
        this.checkRole(c.attrs['rsc-role'], `${what} rsc-role`, id);
        this.checkRole(c.attrs['with-rsc-role'], `${what} with-rsc-role`, id);
        if (c.attrs.score === undefined && c.attrs['score-attribute'] === undefined) this.error(`${what}: no score`, id);
        if (c.attrs.influence !== undefined && parseBoolean(c.attrs.influence) === undefined) {
          this.error(`${what}: influence '${c.attrs.influence}' is not a boolean`, id);
        }
        break;
      case 'rsc_order':
        if (sets.length === 0) {
          this.checkResourceRef(c.attrs.first, `${what} first`, id);
          this.checkResourceRef(c.attrs.then, `${what} then`, id);
        }
        for (const attr of ['first-action', 'then-action']) this.checkAction(c.attrs[attr], `${what} ${attr}`, id);
        if (c.attrs.kind !== undefined && !ORDER_KINDS.has(c.attrs.kind.toLowerCase())) {
          this.error(`${what}: kind '${c.attrs.kind}' is not Optional, Mandatory or Serialize`, id);
        }
        if (c.attrs.symmetrical !== undefined && parseBoolean(c.attrs.symmetrical) === undefined) {
          this.error(`${what}: symmetrical '${c.attrs.symmetrical}' is not a boolean`, id);
        }
        break;
      case 'rsc_ticket':
        if (sets.length === 0) this.checkResourceRef(c.attrs.rsc, what, id);
        this.checkRole(c.attrs['rsc-role'], `${what} rsc-role`, id);
        if (!c.attrs.ticket) this.error(`${what}: no ticket`, id);
        if (c.attrs['loss-policy'] !== undefined) {
          const policy = c.attrs['loss-policy'];
          if (!LOSS_POLICIES.has(policy)) this.error(`${what}: loss-policy '${policy}' is not one of stop, demote, fence, freeze`, id);
          else if (policy === 'fence' && (!fencingOn || this.stonithDevices === 0)) {
            this.error(`${what}: loss-policy 'fence' needs fencing, but ${fencingOn ? 'no fencing device is configured' : 'stonith-enabled is false'}`, id);
          }
        }
        break;
      default:
        this.warn(`unknown constraint element <${c.name}>`, id);
    }
  }

  private checkAction(value: string | undefined, what: string, id?: string): void {
    if (value !== undefined && !(ORDER_ACTIONS as readonly string[]).includes(value)) {
      this.error(`${what}: '${value}' is not one of ${ORDER_ACTIONS.join(', ')}`, id);
    }
  }

  private checkLocation(c: XmlElement, what: string, hasSets: boolean): void {
    const id = c.attrs.id;
    if (!hasSets && c.attrs['rsc-pattern'] === undefined) this.checkResourceRef(c.attrs.rsc, what, id);
    if (c.attrs['rsc-pattern'] !== undefined) {
      try {
        new RegExp(c.attrs['rsc-pattern']);
      } catch {
        this.error(`${what}: rsc-pattern '${c.attrs['rsc-pattern']}' is not a regular expression`, id);
      }
    }
    this.checkRole(c.attrs.role, `${what} role`, id);
    const discovery = c.attrs['resource-discovery'];
    if (discovery !== undefined && !['always', 'never', 'exclusive'].includes(discovery)) {
      this.error(`${what}: resource-discovery '${discovery}' is not always, never or exclusive`, id);
    }
    const rules = childrenNamed(c, 'rule');
    for (const rule of rules) this.checkRule(rule);
    if (c.attrs.node !== undefined) {
      if (c.attrs.score === undefined) this.error(`${what}: a location for node ${c.attrs.node} needs a score`, id);
      if (!this.nodeNames.has(c.attrs.node)) this.warn(`${what}: node '${c.attrs.node}' is not in the nodes section`, id);
    } else if (rules.length === 0) this.error(`${what}: needs a node and a score, or a rule`, id);
  }

  private checkResourceSet(set: XmlElement, what: string): void {
    const id = set.attrs.id;
    const refs = childrenNamed(set, 'resource_ref');
    if (refs.length === 0) this.error(`${what}: resource set ${id ?? ''} is empty`, id);
    for (const ref of refs) this.checkResourceRef(ref.attrs.id, `${what} set ${id ?? ''}`, id);
    this.checkRole(set.attrs.role, `${what} set ${id ?? ''} role`, id);
    this.checkAction(set.attrs.action, `${what} set ${id ?? ''} action`, id);
    if (set.attrs.score !== undefined) this.checkScore(set.attrs.score, `${what} set ${id ?? ''}`, id);
    for (const attr of ['sequential', 'require-all']) {
      const v = set.attrs[attr];
      if (v !== undefined && parseBoolean(v) === undefined) this.error(`${what} set ${id ?? ''}: ${attr} '${v}' is not a boolean`, id);
    }
  }

  private checkRule(rule: XmlElement): void {
    if (rule.attrs['id-ref'] !== undefined) return;
    const id = rule.attrs.id;
    const what = `rule ${id ?? '(no id)'}`;
    if (rule.attrs.score !== undefined) this.checkScore(rule.attrs.score, what, id);
    this.checkRole(rule.attrs.role, `${what} role`, id);
    const op = rule.attrs['boolean-op'];
    if (op !== undefined && op !== 'and' && op !== 'or') this.error(`${what}: boolean-op '${op}' is not and/or`, id);
    for (const expr of rule.children) {
      switch (expr.name) {
        case 'rule':
          this.checkRule(expr);
          break;
        case 'expression':
          this.checkExpression(expr);
          break;
        case 'date_expression':
          this.checkDateExpression(expr);
          break;
        case 'rsc_expression':
        case 'op_expression':
          break;
        default:
          this.warn(`${what}: unknown element <${expr.name}>`, id);
      }
    }
  }

  private checkExpression(expr: XmlElement): void {
    const id = expr.attrs.id;
    const what = `expression ${id ?? '(no id)'}`;
    const op = expr.attrs.operation;
    if (!expr.attrs.attribute) this.error(`${what}: no attribute`, id);
    if (op === undefined || !EXPRESSION_OPS.has(op)) this.error(`${what}: operation '${op ?? ''}' is not one of ${[...EXPRESSION_OPS].join(', ')}`, id);
    else if (op !== 'defined' && op !== 'not_defined' && expr.attrs.value === undefined) this.error(`${what}: no value to compare`, id);
    if (expr.attrs.type !== undefined && !EXPRESSION_TYPES.has(expr.attrs.type)) this.error(`${what}: type '${expr.attrs.type}' is not one of ${[...EXPRESSION_TYPES].join(', ')}`, id);
  }

  private checkDateExpression(expr: XmlElement): void {
    const id = expr.attrs.id;
    const what = `date_expression ${id ?? '(no id)'}`;
    const op = expr.attrs.operation ?? 'in_range';
    if (!DATE_OPS.has(op)) this.error(`${what}: operation '${op}' is not one of ${[...DATE_OPS].join(', ')}`, id);
    for (const attr of ['start', 'end']) {
      const v = expr.attrs[attr];
      if (v === undefined) continue;
      // Say why a date of the right shape names no real time; the shape is checked on its own.
      const problem = nonexistentDate(v);
      if (problem !== undefined) this.error(`${what}: ${attr} '${v}' does not exist: ${problem}`, id);
      else if (!isIsoDate(v)) this.error(`${what}: ${attr} '${v}' is not an ISO 8601 date`, id);
    }
    if (op === 'gt' && expr.attrs.start === undefined) this.error(`${what}: 'gt' needs a start`, id);
    if (op === 'lt' && expr.attrs.end === undefined) this.error(`${what}: 'lt' needs an end`, id);
    if (op === 'in_range' && expr.attrs.start === undefined && expr.attrs.end === undefined) this.error(`${what}: 'in_range' needs a start or an end`, id);
    if (op === 'date_spec' && !firstChild(expr, 'date_spec')) this.error(`${what}: 'date_spec' needs a <date_spec>`, id);
  }

  private checkTag(tag: XmlElement): void {
    const id = tag.attrs.id;
    for (const ref of childrenNamed(tag, 'obj_ref')) {
      if (ref.attrs.id === undefined || !this.ids.has(ref.attrs.id)) this.error(`tag ${id}: refers to '${ref.attrs.id ?? ''}', which does not exist`, id);
    }
  }

  /** The schema makes a role reference an IDREF and a permission name exactly one target. */
  private checkAcl(acl: XmlElement): void {
    const id = acl.attrs.id;
    if (acl.name === 'acl_target' || acl.name === 'acl_group') {
      for (const role of childrenNamed(acl, 'role')) {
        if (this.ids.get(role.attrs.id ?? '')?.name !== 'acl_role') this.error(`${acl.name} ${id ?? ''}: role '${role.attrs.id ?? ''}' is not an acl_role`, id);
      }
    } else if (acl.name === 'acl_role') {
      for (const perm of childrenNamed(acl, 'acl_permission')) {
        const what = `acl_permission ${perm.attrs.id ?? '(no id)'}`;
        if (!['read', 'write', 'deny'].includes(perm.attrs.kind ?? '')) this.error(`${what}: kind '${perm.attrs.kind ?? ''}' is not read, write or deny`, perm.attrs.id);
        const targets = ['xpath', 'reference', 'object-type'].filter((a) => perm.attrs[a] !== undefined);
        if (targets.length !== 1) this.error(`${what}: needs exactly one of xpath, reference or object-type (has ${targets.length === 0 ? 'none' : targets.join(', ')})`, perm.attrs.id);
        if (perm.attrs.attribute !== undefined && perm.attrs['object-type'] === undefined) this.error(`${what}: attribute applies only with object-type`, perm.attrs.id);
      }
    }
  }

  private checkFencingLevel(level: XmlElement): void {
    const id = level.attrs.id;
    const what = `fencing-level ${id ?? '(no id)'}`;
    if (!/^[1-9]\d*$/.test(level.attrs.index ?? '')) this.error(`${what}: index '${level.attrs.index ?? ''}' is not a positive integer`, id);
    for (const device of (level.attrs.devices ?? '').split(',').filter((d) => d !== '')) {
      if (!this.resourceIds.has(device)) this.error(`${what}: device '${device}' does not exist`, id);
    }
    const target = level.attrs.target;
    if (target !== undefined && !this.nodeNames.has(target)) this.warn(`${what}: target node '${target}' is not in the nodes section`, id);
  }

  /** Every id-ref must name an element of the same kind, as Pacemaker expands them by copying. */
  private checkIdRefs(config: XmlElement): void {
    const walk = (el: XmlElement): void => {
      const ref = el.attrs['id-ref'];
      if (ref !== undefined) {
        const target = this.ids.get(ref);
        if (!target) this.error(`<${el.name}> refers to id-ref '${ref}', which does not exist`, ref);
        else if (target.name !== el.name) this.error(`<${el.name}> id-ref '${ref}' names a <${target.name}>, not a <${el.name}>`, ref);
      }
      for (const child of el.children) walk(child);
    };
    walk(config);
  }
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}
