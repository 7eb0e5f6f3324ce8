import { parseXml, XmlSyntaxError } from '../cib/xml.js';
import { expandAclShortcut, isAclShortcut } from './acl.js';
import type {
  AclPermission,
  AclSpec,
  AgentRef,
  AlertPart,
  AlertRecipient,
  AlertSelector,
  AttrSet,
  BundleContainer,
  BundlePart,
  ConstraintResources,
  Expression,
  FencingTarget,
  NvPair,
  Operation,
  PrimitivePart,
  ResourceRef,
  ResourceSet,
  Rule,
  Score,
  Statement,
} from './ast.js';
import { XML_OBJECTS, xmlStatementSection } from './compile.js';
import { CrmSyntaxError, type Position } from './errors.js';
import { lexStatements, type Token, type Statement as Line } from './lexer.js';

const RESOURCE_ROLES = ['Stopped', 'Started', 'Promoted', 'Unpromoted', 'Master', 'Slave'];
const RESOURCE_ACTIONS = ['start', 'promote', 'demote', 'stop'];
const ORDER_KINDS = ['Optional', 'Mandatory', 'Serialize'];
/** `<op>` attributes in the Pacemaker schema; anything else written on an op is an op parameter. */
const OP_ATTRIBUTES = ['id', 'name', 'interval', 'description', 'start-delay', 'interval-origin', 'timeout', 'enabled', 'record-pending', 'role', 'on-fail'];
const RA_CLASSES = ['ocf', 'lsb', 'service', 'systemd', 'stonith', 'nagios', 'upstart'];
const DATE_SPEC_NAMES = ['hours', 'monthdays', 'weekdays', 'yearsdays', 'months', 'weeks', 'years', 'weekyears', 'moon'];
const EXPRESSION_TYPES = ['string', 'integer', 'number', 'version'];
const BINARY_OPS = ['lt', 'gt', 'lte', 'gte', 'eq', 'ne'];
const BINARY_OP_RE = new RegExp(`^((${EXPRESSION_TYPES.join('|')}):)?(${BINARY_OPS.join('|')})$`, 'i');
const TERMINATORS = ['params', 'meta', 'utilization', 'operations', 'op', 'op_params', 'op_meta', 'rule', 'attributes'];
const COMMANDS = [
  'property', 'rsc_defaults', 'op_defaults', 'node', 'primitive', 'rsc_template', 'group', 'clone', 'ms', 'master',
  'location', 'colocation', 'collocation', 'order', 'rsc_ticket', 'tag', 'fencing_topology', 'fencing-topology', 'alert',
  'bundle', 'role', 'acl_target', 'user', 'acl_group', 'xml',
];
const BUNDLE_RUNTIMES = ['docker', 'podman', 'rkt'];
const BUNDLE_KEYWORDS = [...BUNDLE_RUNTIMES, 'network', 'storage', 'meta', 'primitive'];
const ACL_RIGHTS = ['read', 'write', 'deny'];
/** Permission spec prefixes and the `<acl_permission>` attribute each sets. */
const ACL_SPECS: Record<string, 'xpath' | 'reference' | 'object-type' | 'attribute'> = {
  xpath: 'xpath', ref: 'reference', reference: 'reference', tag: 'object-type', type: 'object-type', attr: 'attribute', attribute: 'attribute',
};

const SCORE_RE = /^([^:]+):$/;
const IDENT_RE = /^[a-z0-9_#$-][^=]*$/i;
const RESOURCE_RE = /^[a-z_#$][^=]*$/i;
const NVPAIR_RE = /^([^=@$][^=]*)=(.*)$/s;
const NVPAIR_ID_RE = /^\$([^:=]+)(?::(.+))?=(.*)$/s;
const NVPAIR_REF_RE = /^@([^:]+)(?::(.+))?$/;
const NVPAIR_KEY_RE = /^([^:=]+)$/;
const DESC_RE = /^description=(.+)$/is;
const OBJECT_ID_RE = /^[A-Za-z_][\w.-]*$/;

/** Parses crm configure text into statements; throws CrmSyntaxError at the first mistake. */
export function parseCrm(text: string, source = '<input>'): Statement[] {
  return lexStatements(text, source).map((line) => new StatementParser(line, source).parse());
}

/** Normalizes a score as crmsh does: `inf` → `INFINITY`, `mandatory` → `INFINITY`, a word → a node attribute. */
export function scoreOf(text: string): Score {
  const lower = text.toLowerCase();
  if (lower === 'advisory') return { score: '0' };
  if (lower === 'mandatory') return { score: 'INFINITY' };
  if (/^[+-]?(inf(inity)?|INF(INITY)?|[0-9]+)$/.test(text)) return { score: text.replace(/inf(inity)?|INF(INITY)?/, 'INFINITY') };
  return { scoreAttribute: text };
}

function canonical(value: string, list: string[]): string | undefined {
  return list.find((x) => x.toLowerCase() === value.toLowerCase());
}

class StatementParser {
  private tokens: Token[];
  private pos = 0;
  private readonly at: Position;

  constructor(
    private readonly line: Line,
    private readonly source: string,
  ) {
    this.tokens = line.tokens;
    this.at = { line: line.line, column: line.column };
  }

  parse(): Statement {
    const head = this.tokens[0];
    const command = head.text.toLowerCase();
    if (!COMMANDS.includes(command)) this.fail(`a command (${COMMANDS.filter((c) => !['collocation', 'fencing-topology', 'master', 'user'].includes(c)).join(', ')})`, head);
    this.pos = 1;
    const statement = this.dispatch(command);
    if (this.more()) this.fail('end of statement');
    return statement;
  }

  private dispatch(command: string): Statement {
    const base = { at: this.at, comments: this.line.comments };
    switch (command) {
      case 'property':
      case 'rsc_defaults':
      case 'op_defaults':
        return { ...base, kind: command, ...this.propertySet() };
      case 'node':
        return { ...base, kind: 'node', ...this.node() };
      case 'primitive':
      case 'rsc_template':
        return { ...base, kind: command, ...this.primitive(command) };
      case 'group':
        return { ...base, kind: 'group', ...this.group() };
      case 'clone':
      case 'ms':
      case 'master': {
        const id = this.objectId('a resource id');
        const child = this.resource('the resource to clone');
        const description = this.description();
        return { ...base, kind: command === 'clone' ? 'clone' : 'ms', id, child, description, sets: this.attrSets({ params: 'instance_attributes', meta: 'meta_attributes' }, 'params') };
      }
      case 'location':
        return { ...base, kind: 'location', ...this.location() };
      case 'colocation':
      case 'collocation':
        return { ...base, kind: 'colocation', ...this.colocation() };
      case 'order':
        return { ...base, kind: 'order', ...this.order() };
      case 'rsc_ticket':
        return { ...base, kind: 'rsc_ticket', ...this.ticket() };
      case 'tag':
        return { ...base, kind: 'tag', ...this.tag() };
      case 'fencing_topology':
      case 'fencing-topology':
        return { ...base, kind: 'fencing_topology', levels: this.fencingLevels() };
      case 'alert':
        return { ...base, kind: 'alert', ...this.alert() };
      case 'bundle':
        return { ...base, kind: 'bundle', ...this.bundle() };
      case 'role':
        return { ...base, kind: 'role', ...this.aclRole() };
      case 'acl_target':
      case 'user':
      case 'acl_group':
        return { ...base, kind: command === 'acl_group' ? 'acl_group' : 'acl_target', ...this.aclTarget(command) };
      default:
        return { ...base, kind: 'xml', element: this.xml() };
    }
  }

  // ------------------------------------------------------------------ token helpers

  private more(): boolean {
    return this.pos < this.tokens.length;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private peekLower(): string | undefined {
    return this.tokens[this.pos]?.text.toLowerCase();
  }

  private next(expected: string): Token {
    const tok = this.tokens[this.pos];
    if (!tok) this.fail(expected);
    this.pos++;
    return tok;
  }

  private tryMatch(re: RegExp): RegExpMatchArray | undefined {
    const tok = this.tokens[this.pos];
    if (!tok) return undefined;
    const m = tok.text.match(re);
    if (!m) return undefined;
    this.pos++;
    return m;
  }

  private tryKeyword(word: string): boolean {
    if (this.peekLower() !== word) return false;
    this.pos++;
    return true;
  }

  /** `tok` null: the statement ended where something more was expected. */
  private fail(expected: string, tok: Token | null | undefined = this.peek()): never {
    if (tok) throw new CrmSyntaxError(this.source, tok, JSON.stringify(tok.text), expected);
    const last = this.tokens[this.tokens.length - 1];
    throw new CrmSyntaxError(this.source, { line: last.line, column: last.column + last.text.length }, 'end of line', expected);
  }

  private identifier(what: string): string {
    const tok = this.next(what);
    if (!IDENT_RE.test(tok.text)) this.fail(what, tok);
    return tok.text;
  }

  /** The id of a new object: an XML NCName, as crmsh and the schema require. */
  private objectId(what: string): string {
    const tok = this.next(what);
    if (!OBJECT_ID_RE.test(tok.text)) this.fail(`${what}: a letter or _, then letters, digits, _, . or -`, tok);
    return tok.text;
  }

  private resource(what: string): string {
    const tok = this.next(what);
    if (!RESOURCE_RE.test(tok.text)) this.fail(what, tok);
    return tok.text;
  }

  private description(): string | undefined {
    return this.tryMatch(DESC_RE)?.[1];
  }

  /** `$id=ID` or `ID:` in front of properties and nodes. */
  private initialId(): string | undefined {
    return (this.tryMatch(/^\$id=(.*)$/i) ?? this.tryMatch(/^([\w-]+):$/))?.[1];
  }

  // ------------------------------------------------------------------ attribute sets

  private nvpairs(terminators: string[]): NvPair[] {
    const out: NvPair[] = [];
    while (this.more()) {
      const lower = this.peekLower() as string;
      if (terminators.includes(lower)) break;
      let m: RegExpMatchArray | undefined;
      if ((m = this.tryMatch(NVPAIR_REF_RE))) out.push({ idRef: m[1], ...(m[2] !== undefined ? { name: m[2] } : {}) });
      else if ((m = this.tryMatch(NVPAIR_ID_RE))) out.push({ id: m[1], name: m[2] ?? m[1], value: m[3] });
      else if ((m = this.tryMatch(NVPAIR_RE))) out.push({ name: m[1], value: m[2] });
      else if (terminators.length > 0 && (m = this.tryMatch(NVPAIR_KEY_RE))) out.push({ name: m[1] });
      else break;
    }
    return out;
  }

  private attrSet(tag: AttrSet['tag'], allowEmpty: boolean, terminators: string[]): AttrSet | undefined {
    const idspec = this.tryMatch(/^(\$id-ref|\$id)=(.*)$/i);
    if (idspec && idspec[1].toLowerCase() === '$id-ref') return { tag, idRef: idspec[2], rules: [], pairs: [] };
    const score = this.tryMatch(SCORE_RE)?.[1];
    const rules = this.rules();
    const pairs = this.nvpairs(terminators);
    if (!allowEmpty && !idspec && score === undefined && rules.length === 0 && pairs.length === 0) return undefined;
    const set: AttrSet = { tag, rules, pairs };
    if (idspec) set.id = idspec[2];
    if (score !== undefined) set.score = score;
    return set;
  }

  /**
   * `[KEYWORD] list [KEYWORD list ...]`: a list right after the head needs no keyword when
   * `implicit` names one (crmsh: `primitive p Dummy fake=1` means `params fake=1`).
   */
  private attrSets(names: Record<string, AttrSet['tag']>, implicit?: string, terminators = TERMINATORS): AttrSet[] {
    const out: AttrSet[] = [];
    let first = true;
    while (this.more()) {
      const word = this.peekLower() as string;
      if (Object.hasOwn(names, word)) {
        this.pos++;
        out.push(this.attrSet(names[word], true, terminators) as AttrSet);
      } else if (first && implicit) {
        const set = this.attrSet(names[implicit], false, terminators);
        if (set) out.push(set);
        else break;
      } else break;
      first = false;
    }
    return out;
  }

  // ------------------------------------------------------------------ rules

  private rules(): Rule[] {
    const rules: Rule[] = [];
    while (this.tryKeyword('rule')) {
      const idspec = this.tryMatch(/^(\$id-ref|\$id)=(.*)$/i);
      const role = this.tryMatch(/^\$?role=(.+)$/i)?.[1];
      if (idspec && idspec[1].toLowerCase() === '$id-ref') {
        rules.push({ idRef: idspec[2], ...(role !== undefined ? { role } : {}) });
        continue;
      }
      const scoreText = this.tryMatch(SCORE_RE)?.[1];
      const score = scoreText === undefined ? { score: 'INFINITY' } : scoreOf(scoreText);
      let booleanOp: 'and' | 'or' | undefined;
      const expressions = [this.expression()];
      for (;;) {
        const op = this.tryMatch(/^(and|or)$/i);
        if (!op) break;
        const lower = op[1].toLowerCase() as 'and' | 'or';
        if (booleanOp && booleanOp !== lower) this.fail(`'${booleanOp}' again (a rule cannot mix 'and' and 'or')`, this.tokens[this.pos - 1]);
        booleanOp = lower;
        expressions.push(this.expression());
      }
      const rule: Rule = { score, expressions };
      if (idspec) rule.id = idspec[2];
      if (role !== undefined) rule.role = role;
      if (booleanOp === 'or') rule.booleanOp = 'or';
      rules.push(rule);
    }
    return rules;
  }

  private expression(): Expression {
    if (this.tryKeyword('date')) return this.dateExpression();
    const unary = this.tryMatch(/^(defined|not_defined)$/i);
    if (unary) return { kind: 'unary', operation: unary[1].toLowerCase() as 'defined' | 'not_defined', attribute: this.identifier('a node attribute name') };
    const attribute = this.identifier('an expression: ATTRIBUTE OP VALUE, defined ATTRIBUTE, not_defined ATTRIBUTE or date ...');
    const op = this.tryMatch(BINARY_OP_RE);
    if (!op) this.fail(`an operator ([string:|integer:|number:|version:]${BINARY_OPS.join('|')})`);
    const raw = this.next('a value to compare with').text;
    const source = raw.match(/^([^\s{}]+)\{(\S+)\}$/);
    const expr: Expression = { kind: 'binary', attribute, operation: op[3].toLowerCase(), value: source ? source[2] : raw };
    if (op[2]) expr.type = op[2].toLowerCase();
    if (source) expr.valueSource = source[1];
    return expr;
  }

  private dateExpression(): Expression {
    const op = this.tryMatch(/^(lt|gt|in_range|in|date_spec|spec)$/i);
    if (!op) this.fail('a date operation (lt, gt, in, spec)');
    const name = op[1].toLowerCase();
    if (name === 'lt' || name === 'gt') return { kind: 'date-compare', operation: name, value: this.next('a date').text };
    if (name === 'in' || name === 'in_range') {
      const pairs = this.keyedPairs(['start', 'end', ...DATE_SPEC_NAMES], 2);
      const expr: Expression = { kind: 'date-range', duration: pairs.filter(([k]) => k !== 'start' && k !== 'end') };
      for (const [k, v] of pairs) if (k === 'start' || k === 'end') expr[k] = v;
      return expr;
    }
    return { kind: 'date-spec', spec: this.keyedPairs(DATE_SPEC_NAMES, 1) };
  }

  private keyedPairs(keys: string[], min: number): [string, string][] {
    const out: [string, string][] = [];
    const re = new RegExp(`^(${keys.join('|')})=(.+)$`);
    let m: RegExpMatchArray | undefined;
    while ((m = this.tryMatch(re))) out.push([m[1], m[2]]);
    if (out.length < min) this.fail(`${min === 1 ? 'a' : `at least ${min}`} NAME=VALUE (${keys.join(', ')})`);
    return out;
  }

  // ------------------------------------------------------------------ statements

  private propertySet(): { id?: string; idRef?: string; rules: Rule[]; pairs: NvPair[] } {
    const out: { id?: string; idRef?: string; rules: Rule[]; pairs: NvPair[] } = { rules: [], pairs: [] };
    const idTok = this.peek();
    const id = this.initialId();
    if (id !== undefined && !OBJECT_ID_RE.test(id)) this.fail('a set id: a letter or _, then letters, digits, _, . or -', idTok);
    if (id !== undefined) out.id = id;
    else {
      const ref = this.tryMatch(/^\$id-ref=(.*)$/i);
      if (ref) out.idRef = ref[1];
    }
    out.rules = this.rules();
    out.pairs = this.nvpairs(TERMINATORS);
    return out;
  }

  private node(): { id?: string; uname: string; type?: string; description?: string; sets: AttrSet[] } {
    const id = this.initialId();
    const tok = this.next('a node name');
    const m = tok.text.match(/^([^:]+)(:(normal|member|ping|remote))?$/i);
    if (!m) this.fail('a node name, optionally with :normal, :member, :ping or :remote', tok);
    const out: { id?: string; uname: string; type?: string; description?: string; sets: AttrSet[] } = { uname: m[1], sets: [] };
    if (id !== undefined) out.id = id;
    if (m[3]) out.type = m[3];
    const description = this.description();
    if (description !== undefined) out.description = description;
    out.sets = this.attrSets({ attributes: 'instance_attributes', utilization: 'utilization' }, 'attributes');
    return out;
  }

  private agent(): AgentRef {
    const tok = this.next('a resource agent ([CLASS:[PROVIDER:]]TYPE or @TEMPLATE)');
    const parts = tok.text.split(':');
    if (parts.some((p) => p === '') || parts.length > 3) this.fail('a resource agent ([CLASS:[PROVIDER:]]TYPE)', tok);
    const [cls, provider, type] = parts.length === 3 ? parts : parts.length === 2 ? [parts[0], undefined, parts[1]] : ['ocf', undefined, parts[0]];
    if (!RA_CLASSES.includes(cls)) this.fail(`a resource agent class (${RA_CLASSES.join(', ')})`, tok);
    if (cls !== 'ocf' && provider !== undefined) this.fail(`a resource agent without a provider (only ocf agents have one)`, tok);
    return provider === undefined ? { class: cls, type } : { class: cls, provider, type };
  }

  private primitive(kind: 'primitive' | 'rsc_template'): { id: string; agent: AgentRef; description?: string; parts: PrimitivePart[] } {
    if (this.tokens.length < 3) this.fail(`a resource id and an agent ${kind === 'primitive' ? '(or @TEMPLATE) ' : ''}after ${kind}`, this.tokens.length === 2 ? null : this.peek());
    const id = this.objectId('a resource id');
    const template = kind === 'primitive' ? this.tryMatch(/^@(.+)$/) : undefined;
    const agent: AgentRef = template ? { template: template[1] } : this.agent();
    const out: { id: string; agent: AgentRef; description?: string; parts: PrimitivePart[] } = { id, agent, parts: [] };
    const description = this.description();
    if (description !== undefined) out.description = description;
    const names: Record<string, AttrSet['tag']> = { params: 'instance_attributes', meta: 'meta_attributes', utilization: 'utilization' };
    let first = true;
    let operations: Extract<PrimitivePart, { kind: 'operations' }> | undefined;
    while (this.more()) {
      const word = this.peekLower() as string;
      if (word === 'op' || word === 'operations') {
        if (!operations) {
          operations = { kind: 'operations', ops: [] };
          out.parts.push(operations);
        }
        if (this.tryKeyword('operations')) {
          const idspec = this.tryMatch(/^(\$id-ref|\$id)=(.*)$/i);
          if (!idspec) this.fail('$id=ID or $id-ref=ID after operations');
          if (idspec[1].toLowerCase() === '$id') operations.id = idspec[2];
          else operations.idRef = idspec[2];
        }
        while (this.peekLower() === 'op') operations.ops.push(this.operation());
      } else if (Object.hasOwn(names, word)) {
        this.pos++;
        out.parts.push({ kind: 'set', set: this.attrSet(names[word], true, TERMINATORS) as AttrSet });
      } else if (first) {
        const set = this.attrSet('instance_attributes', false, TERMINATORS);
        if (!set) break;
        out.parts.push({ kind: 'set', set });
      } else break;
      first = false;
    }
    return out;
  }

  private operation(): Operation {
    this.pos++;
    const name = this.identifier('an operation name (monitor, start, stop, ...)');
    const opStart = this.pos;
    const pairs = this.nvpairs(TERMINATORS);
    if (!pairs.some((p) => p.name === 'interval')) pairs.push({ name: 'interval', value: '0' });
    const attrs: [string, string | undefined][] = [];
    const params: NvPair[] = [];
    pairs.forEach((p, i) => {
      if (p.name !== undefined && OP_ATTRIBUTES.includes(p.name) && p.idRef === undefined) {
        if (params.length > 0) this.fail(`'${p.name}' before the operation's parameters (${params.map((x) => x.name).join(', ')}): op attributes come first`, this.tokens[opStart + i]);
        attrs.push([p.name, p.value]);
      } else params.push(p);
    });
    const sets: AttrSet[] = [];
    if (params.length > 0) sets.push({ tag: 'instance_attributes', rules: [], pairs: params });
    sets.push(...this.attrSets({ op_params: 'instance_attributes', op_meta: 'meta_attributes' }, 'op_params'));
    return { name, attrs, sets };
  }

  private group(): { id: string; members: string[]; description?: string; sets: AttrSet[] } {
    if (this.tokens.length < 3) this.fail('a group id and at least one member after group', this.tokens.length === 2 ? null : this.peek());
    const id = this.objectId('a group id');
    const members: string[] = [];
    while (this.more()) {
      const tok = this.peek() as Token;
      if (tok.text.includes('=') || ['params', 'meta'].includes(tok.text.toLowerCase())) break;
      if (members.includes(tok.text)) this.fail(`a resource not already in group ${id}`, tok);
      members.push(tok.text);
      this.pos++;
    }
    const out: { id: string; members: string[]; description?: string; sets: AttrSet[] } = { id, members, sets: [] };
    const description = this.description();
    if (description !== undefined) out.description = description;
    out.sets = this.attrSets({ params: 'instance_attributes', meta: 'meta_attributes' }, 'params');
    return out;
  }

  /** Pops the last token when it is `NAME=VALUE` for the given name: crmsh reads these tails first. */
  private tail(name: string, values?: string[]): string | undefined {
    const last = this.tokens[this.tokens.length - 1];
    if (this.tokens.length <= this.pos || !last.text.toLowerCase().startsWith(`${name}=`)) return undefined;
    const value = last.text.slice(name.length + 1);
    if (value === '') return undefined;
    if (values && !values.includes(value.toLowerCase())) this.fail(`${name}=${values.join('|')}`, last);
    this.tokens = this.tokens.slice(0, -1);
    return value;
  }

  private scorePrefix(what: string): string {
    const m = this.tryMatch(SCORE_RE);
    if (!m) this.fail(what);
    return m[1];
  }

  private location() {
    const id = this.objectId('a constraint id');
    let target: { rsc: string } | { pattern: string } | { sets: ResourceSet[] };
    const pattern = this.tryMatch(/^\/(.+)\/$/);
    if (pattern) target = { pattern: pattern[1] };
    else if (this.tryKeyword('{')) {
      const start = this.pos;
      while (this.more() && this.peek()?.text !== '}') this.pos++;
      if (!this.more()) this.fail("'}' closing the resource set");
      if (this.pos === start) this.fail('a resource in the set');
      const inner = this.tokens.slice(start, this.pos);
      this.pos++;
      target = { sets: this.resourceSets(inner, 'role') };
    } else target = { rsc: this.resource('a resource, /PATTERN/ or { SET }') };
    let role: string | undefined;
    let resourceDiscovery: string | undefined;
    let m: RegExpMatchArray | undefined;
    while ((m = this.tryMatch(/^\$?([^=]+)=(.*)$/))) {
      const name = m[1].toLowerCase();
      if (name === 'role') role = this.role(m[2], this.tokens[this.pos - 1]);
      else if (name === 'resource-discovery') resourceDiscovery = m[2];
      else this.fail('role=ROLE, resource-discovery=always|never|exclusive, a SCORE: NODE or a rule', this.tokens[this.pos - 1]);
    }
    const scoreText = this.tryMatch(SCORE_RE)?.[1];
    let placement: { score: Score; node: string } | { rules: Rule[] };
    if (scoreText !== undefined) {
      placement = { score: scoreOf(scoreText), node: this.identifier('a node name after the score') };
      const late = this.tryMatch(/^\$?role=(.+)$/i);
      if (late && role === undefined) role = this.role(late[1], this.tokens[this.pos - 1]);
    } else {
      const rules = this.rules();
      if (rules.length === 0) this.fail('SCORE: NODE or rule [...]');
      placement = { rules };
    }
    return { id, target, placement, ...(role !== undefined ? { role } : {}), ...(resourceDiscovery !== undefined ? { resourceDiscovery } : {}) };
  }

  private role(value: string, tok: Token): string {
    const role = canonical(value, RESOURCE_ROLES);
    if (!role) this.fail(`a role (${RESOURCE_ROLES.join(', ')})`, tok);
    return role;
  }

  private colocation() {
    const id = this.objectId('a constraint id');
    const score = scoreOf(this.scorePrefix('SCORE: before the resources'));
    const nodeAttribute = this.tail('node-attribute')?.toLowerCase();
    const resources = this.constraintResources('role', 2);
    return { id, score, resources, ...(nodeAttribute !== undefined ? { nodeAttribute } : {}) };
  }

  private order() {
    const id = this.objectId('a constraint id');
    let orderKind: string | undefined;
    const kindTok = this.peek();
    const m = this.tryMatch(SCORE_RE);
    if (m) {
      const kind = canonical(m[1], ORDER_KINDS);
      if (kind) orderKind = kind;
      else if (/^[+-]?(inf(inity)?|INF(INITY)?|[0-9]+)$/.test(m[1])) orderKind = m[1] === '0' ? 'Optional' : 'Mandatory';
      else this.fail(`an order kind (${ORDER_KINDS.join(', ')}) or a score`, kindTok);
    }
    const sym = this.tail('symmetrical', ['true', 'false', 'yes', 'no', 'on', 'off']);
    const symmetrical = sym === undefined ? undefined : ['true', 'yes', 'on'].includes(sym.toLowerCase()) ? 'true' : 'false';
    const resources = this.constraintResources('action', 2);
    return { id, resources, ...(orderKind !== undefined ? { orderKind } : {}), ...(symmetrical !== undefined ? { symmetrical } : {}) };
  }

  private ticket() {
    const id = this.objectId('a constraint id');
    const ticket = this.scorePrefix('TICKET: before the resources');
    const lossPolicy = this.tail('loss-policy', ['stop', 'demote', 'fence', 'freeze']);
    const resources = this.constraintResources('role', 1);
    return { id, ticket, resources, ...(lossPolicy !== undefined ? { lossPolicy } : {}) };
  }

  private constraintResources(qualifier: 'role' | 'action', simpleCount: number): ConstraintResources {
    const rest = this.tokens.slice(this.pos);
    this.pos = this.tokens.length;
    if (rest.length === 0) this.fail(`${simpleCount === 1 ? 'a resource' : 'resources'} (RSC[:${qualifier}] ...)`);
    if (rest.length === simpleCount) return { simple: rest.map((t) => this.resourceRef(t, qualifier)) };
    return { sets: this.resourceSets(rest, qualifier) };
  }

  private resourceRef(tok: Token, qualifier: 'role' | 'action'): ResourceRef {
    const parts = tok.text.split(':');
    if (parts.length > 2) this.fail(`RESOURCE[:${qualifier}]`, tok);
    const [id, q] = parts;
    if (!RESOURCE_RE.test(id)) this.fail('a resource id', tok);
    if (q === undefined || q === '') return { id };
    if (/^\d+$/.test(q)) return { id, qualifier: q, instance: true };
    const list = qualifier === 'role' ? RESOURCE_ROLES : RESOURCE_ACTIONS;
    const value = canonical(q, list);
    if (!value) this.fail(`a ${qualifier} (${list.join(', ')}) after '${id}:'`, tok);
    return { id, qualifier: value };
  }

  private resourceSets(raw: Token[], qualifier: 'role' | 'action'): ResourceSet[] {
    const tokens: Token[] = [];
    for (const t of raw) {
      if (t.text.length > 1 && '(['.includes(t.text[0])) tokens.push({ ...t, text: t.text[0] }, { ...t, column: t.column + 1, text: t.text.slice(1) });
      else if (t.text.length > 1 && ')]'.includes(t.text[t.text.length - 1])) tokens.push({ ...t, text: t.text.slice(0, -1) }, { ...t, column: t.column + t.text.length - 1, text: t.text[t.text.length - 1] });
      else tokens.push(t);
    }
    const sets: ResourceSet[] = [];
    let opened = '';
    let sequential = true;
    let requireAll = true;
    let current: ResourceSet = { sequential, requireAll, members: [] };
    const save = (): void => {
      if (current.members.length === 0) return;
      current.sequential = sequential;
      current.requireAll = requireAll;
      sets.push(current);
      current = { sequential, requireAll, members: [] };
    };
    for (const tok of tokens) {
      const text = tok.text;
      if (text === '_rsc_set_') continue;
      if (text === '(' || text === '[') {
        if (opened) this.fail(`a resource or '${opened === '(' ? ')' : ']'}' (sets cannot nest)`, tok);
        save();
        sequential = false;
        requireAll = text === '(';
        opened = text;
      } else if (text === ')' || text === ']') {
        if (!opened) this.fail('a resource (no set is open)', tok);
        if ((opened === '(') !== (text === ')')) this.fail(`'${opened === '(' ? ')' : ']'}'`, tok);
        if (current.members.length === 0) this.fail('a resource in the set', tok);
        save();
        sequential = true;
        requireAll = true;
        opened = '';
      } else if (text.includes('=')) {
        const [k, v, ...extra] = text.split('=');
        if (extra.length > 0 || !['sequential', 'require-all'].includes(k)) this.fail('sequential=BOOL or require-all=BOOL', tok);
        const b = v.toLowerCase();
        if (!['true', 'false', 'yes', 'no', 'on', 'off', '1', '0'].includes(b)) this.fail(`a boolean for ${k}`, tok);
        const value = ['true', 'yes', 'on', '1'].includes(b);
        if (k === 'sequential') sequential = value;
        else requireAll = value;
      } else {
        const ref = this.resourceRef(tok, qualifier);
        if (ref.qualifier !== current.qualifier) {
          save();
          if (ref.qualifier !== undefined) current.qualifier = ref.qualifier;
        }
        current.members.push(ref.id);
      }
    }
    if (opened) this.fail(`'${opened === '(' ? ')' : ']'}' closing the set`, undefined);
    save();
    return sets;
  }

  private tag(): { id: string; refs: string[] } {
    const m = this.tryMatch(/^([a-zA-Z_][^\s:]*):?$/);
    if (!m) this.fail('a tag name');
    const refs: string[] = [];
    while (this.more()) refs.push(this.resource('a resource id'));
    if (refs.length === 0) this.fail('at least one object to tag');
    return { id: m[1], refs };
  }

  private fencingLevels(): { target: FencingTarget; devices: string }[] {
    let target: FencingTarget = { allNodes: true };
    const levels: { target: FencingTarget; devices: string }[] = [];
    while (this.more()) {
      let m: RegExpMatchArray | undefined;
      if ((m = this.tryMatch(/^attr:([\w-]+)=([\w-]+)$/i))) target = { attribute: m[1], value: m[2] };
      else if ((m = this.tryMatch(/^pattern:(.+)$/i))) target = { pattern: m[1] };
      else if ((m = this.tryMatch(/^([^:]+):$/))) target = { node: m[1] };
      else levels.push({ target, devices: this.next('devices').text });
    }
    return levels;
  }

  private alert(): { id: string; path: string; description?: string; parts: AlertPart[] } {
    if (this.tokens.length < 3) this.fail('an alert id and the path of its agent', this.tokens.length === 2 ? null : this.peek());
    const id = this.objectId('an alert id');
    const path = this.next('the path of the alert agent').text;
    const out: { id: string; path: string; description?: string; parts: AlertPart[] } = { id, path, parts: [] };
    const description = this.description();
    if (description !== undefined) out.description = description;
    const setNames: Record<string, AttrSet['tag']> = { attributes: 'instance_attributes', meta: 'meta_attributes' };
    while (this.more()) {
      const word = this.peekLower() as string;
      if (word === 'attributes' || word === 'meta') {
        for (const set of this.attrSets(setNames, undefined, ['attributes', 'meta', 'to', 'select'])) out.parts.push({ kind: 'set', set });
      } else if (this.tryKeyword('select')) {
        const selectors: AlertSelector[] = [];
        while (['nodes', 'fencing', 'resources', 'attributes'].includes(this.peekLower() ?? '')) {
          const kind = (this.next('a selector').text.toLowerCase()) as AlertSelector['kind'];
          if (kind !== 'attributes') {
            selectors.push({ kind });
            continue;
          }
          if (!this.tryKeyword('{')) {
            this.pos--;
            break;
          }
          const names: string[] = [];
          while (this.peek()?.text !== '}') names.push(this.identifier("an attribute name or '}'"));
          this.pos++;
          selectors.push({ kind: 'attributes', names });
        }
        out.parts.push({ kind: 'select', selectors });
      } else {
        if (!this.tryKeyword('to')) this.fail('to RECIPIENT, select ..., attributes ... or meta ...');
        const braced = this.tryKeyword('{');
        const recipient: AlertRecipient = { value: this.next('a recipient').text, sets: [] };
        const desc = this.description();
        if (desc !== undefined) recipient.description = desc;
        recipient.sets = this.attrSets(setNames, undefined, braced ? ['attributes', 'meta', 'to', '}'] : ['attributes', 'meta', 'to']);
        if (braced && !this.tryKeyword('}')) this.fail("'}' closing the recipient");
        out.parts.push({ kind: 'recipient', recipient });
      }
    }
    return out;
  }

  private bundle(): { id: string; description?: string; parts: BundlePart[] } {
    if (this.tokens.length < 3) this.fail('a bundle id and its container (docker, podman or rkt)', this.tokens.length === 2 ? null : this.peek());
    const id = this.objectId('a bundle id');
    const out: { id: string; description?: string; parts: BundlePart[] } = { id, parts: [] };
    const description = this.description();
    if (description !== undefined) out.description = description;
    const seen = new Set<string>();
    while (this.more()) {
      const tok = this.peek() as Token;
      const word = tok.text.toLowerCase();
      if (!BUNDLE_KEYWORDS.includes(word)) this.fail(BUNDLE_KEYWORDS.join(', '), tok);
      const part = BUNDLE_RUNTIMES.includes(word) ? 'container' : word;
      if (seen.has(part)) this.fail(part === 'container' ? `one container only (${BUNDLE_RUNTIMES.join(', ')})` : `one '${word}' only in bundle ${id}`, tok);
      seen.add(part);
      this.pos++;
      if (word === 'meta') out.parts.push({ kind: 'set', set: this.attrSet('meta_attributes', true, BUNDLE_KEYWORDS) as AttrSet });
      else if (word === 'primitive') out.parts.push({ kind: 'primitive', id: this.resource('the id of the primitive the bundle runs') });
      else out.parts.push(this.bundleContainer(word));
    }
    if (!seen.has('container')) this.fail(`a container for bundle ${id} (${BUNDLE_RUNTIMES.join(', ')})`, null);
    return out;
  }

  private bundleContainer(name: string): BundleContainer {
    const child = name === 'network' ? 'port-mapping' : name === 'storage' ? 'storage-mapping' : undefined;
    const out: BundleContainer = { kind: 'container', name, attrs: [], mappings: [] };
    let current: [string, string][] = out.attrs;
    while (this.more()) {
      const tok = this.peek() as Token;
      if (BUNDLE_KEYWORDS.includes(tok.text.toLowerCase())) break;
      this.pos++;
      if (child !== undefined && tok.text === child) {
        current = [];
        out.mappings.push({ name: child, attrs: current });
        continue;
      }
      const m = tok.text.match(NVPAIR_RE);
      if (!m || m[2] === '') this.fail(`NAME=VALUE${child ? ` or ${child}` : ''} in ${name}`, tok);
      if (current.some(([k]) => k === m[1])) this.fail(`'${m[1]}' only once`, tok);
      current.push([m[1], m[2]]);
    }
    if (child !== undefined && out.mappings.some((mp) => mp.attrs.length === 0)) this.fail(`NAME=VALUE after ${child}`, null);
    return out;
  }

  private aclRole(): { id: string; description?: string; permissions: AclPermission[] } {
    const id = this.objectId('a role id');
    const out: { id: string; description?: string; permissions: AclPermission[] } = { id, permissions: [] };
    const description = this.description();
    if (description !== undefined) out.description = description;
    while (this.more()) out.permissions.push(...this.aclPermissions());
    if (out.permissions.length === 0) this.fail('a permission (read|write|deny SPEC...)');
    return out;
  }

  /** `read|write|deny [$id=ID] [description=...] SPEC...`: one permission per kind of spec, as Pacemaker allows one. */
  private aclPermissions(): AclPermission[] {
    const rightTok = this.next('read, write or deny');
    const right = rightTok.text.toLowerCase() as AclPermission['right'];
    if (!ACL_RIGHTS.includes(right)) this.fail('read, write or deny', rightTok);
    const id = this.initialId();
    const description = this.description();
    const specs: Partial<Record<'xpath' | 'reference' | 'object-type' | 'attribute', string>> = {};
    while (this.more()) {
      const tok = this.peek() as Token;
      const m = tok.text.match(/^([^:]+)(?::(.*))?$/s);
      const prefix = m?.[1].toLowerCase() ?? '';
      if (!m || (!Object.hasOwn(ACL_SPECS, prefix) && !isAclShortcut(prefix))) break;
      this.pos++;
      let attr: 'xpath' | 'reference' | 'object-type' | 'attribute';
      let value: string;
      if (Object.hasOwn(ACL_SPECS, prefix)) {
        if (m[2] === undefined || m[2] === '') this.fail(`${prefix}:VALUE`, tok);
        attr = ACL_SPECS[prefix];
        value = m[2];
      } else {
        const expanded = expandAclShortcut(prefix, m[2]);
        if ('error' in expanded) this.fail(expanded.error, tok);
        attr = 'xpath';
        value = expanded.xpath;
      }
      if (specs[attr] !== undefined) this.fail(`one ${attr} per permission`, tok);
      specs[attr] = value;
    }
    if (specs.attribute !== undefined && specs['object-type'] === undefined) this.fail('tag:TYPE with attribute: (an attribute applies to an element type)', rightTok);
    const spec: AclSpec[] = [];
    if (specs.xpath !== undefined) spec.push({ xpath: specs.xpath });
    if (specs.reference !== undefined) spec.push({ reference: specs.reference });
    if (specs['object-type'] !== undefined) spec.push(specs.attribute !== undefined ? { objectType: specs['object-type'], attribute: specs.attribute } : { objectType: specs['object-type'] });
    if (spec.length === 0) this.fail(`what ${right} applies to (xpath:, ref:, tag:, attr: or a shortcut such as meta:RSC:NAME)`);
    if (id !== undefined && spec.length > 1) this.fail(`one spec for a permission with an id (${id} would be given twice)`, rightTok);
    return spec.map((sp) => ({ right, spec: sp, ...(id !== undefined ? { id } : {}), ...(description !== undefined ? { description } : {}) }));
  }

  private aclTarget(command: string): { id: string; roles: string[] } {
    if (this.tokens.length < 3) this.fail(`an id and at least one role after ${command}`, this.tokens.length === 2 ? null : this.peek());
    const id = this.objectId(command === 'acl_group' ? 'a group name' : 'a user name');
    const roles: string[] = [];
    while (this.more()) {
      const tok = this.peek() as Token;
      // The older `user` statement names roles as role:ID; its inline rules have no place in today's schema.
      const ref = command === 'user' ? tok.text.match(/^role:(.+)$/i) : null;
      if (command === 'user' && ACL_RIGHTS.includes(tok.text.toLowerCase())) this.fail(`role:ROLE (rules written on a user are not supported: put them in a role)`, tok);
      const roleId = ref ? ref[1] : this.objectId('a role id');
      if (ref) this.pos++;
      if (!OBJECT_ID_RE.test(roleId)) this.fail('a role id', tok);
      if (roles.includes(roleId)) this.fail(`role ${roleId} only once`, tok);
      roles.push(roleId);
    }
    return { id, roles };
  }

  private xml() {
    const text = this.line.raw.replace(/^\s*xml\s*/i, '');
    if (text === '') this.fail('XML after xml');
    this.pos = this.tokens.length;
    let el;
    try {
      el = parseXml(text);
    } catch (err) {
      if (err instanceof XmlSyntaxError) throw new CrmSyntaxError(this.source, this.tokens[1], 'malformed XML', `well-formed XML (${err.reason})`);
      throw err;
    }
    if (xmlStatementSection(el.name) === undefined) this.fail(`an element that is a configuration object (${XML_OBJECTS.join(', ')})`, this.tokens[1]);
    if (el.name !== 'fencing-topology' && el.attrs.id === undefined) this.fail(`an id on <${el.name}>`, this.tokens[1]);
    return el;
  }
}
