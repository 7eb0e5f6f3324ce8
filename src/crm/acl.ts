/**
 * ACL xpath shortcuts of the crm language: `meta:RSC:NAME` stands for the xpath of that meta
 * attribute, and so on. Each shortcut is a list of xpath pieces; `@@` in a piece takes the next
 * `:`-separated argument, a piece without `@@` is a fixed prefix that takes none.
 */
const SHORTCUTS: Record<string, string[]> = {
  meta: ["//primitive[@id='@@']/meta_attributes", "/nvpair[@name='@@']"],
  params: ["//primitive[@id='@@']/instance_attributes", "/nvpair[@name='@@']"],
  utilization: ["//primitive[@id='@@']/utilization"],
  location: ["//rsc_location[@id='cli-prefer-@@' and @rsc='@@']"],
  property: ['//crm_config/cluster_property_set', "/nvpair[@name='@@']"],
  nodeattr: ['//nodes/node/instance_attributes', "/nvpair[@name='@@']"],
  nodeutil: ['//nodes/node/utilization', "[@uname='@@']"],
  node: ['//nodes/node', "[@uname='@@']"],
  status: ['/cib/status'],
  cib: ['/cib'],
};

export function isAclShortcut(name: string): boolean {
  return Object.hasOwn(SHORTCUTS, name);
}

/** The xpath a shortcut stands for, or a message saying what is wrong with its arguments. */
export function expandAclShortcut(name: string, value: string | undefined): { xpath: string } | { error: string } {
  const pieces = SHORTCUTS[name];
  const args = value === undefined ? [] : value.split(':');
  let xpath = '';
  let i = 0;
  if (args.length === 0) {
    if (pieces[0].includes('@@')) return { error: `${name}: needs an argument (${name}:ID...)` };
    return { xpath: pieces[0] };
  }
  for (const arg of args) {
    if (i < pieces.length && !pieces[i].includes('@@')) xpath += pieces[i++];
    if (i >= pieces.length || arg === '') return { error: `${name}:${value ?? ''}: too many or empty arguments for the ${name} shortcut` };
    xpath += pieces[i++].replaceAll('@@', arg);
  }
  return { xpath };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The shortcut that expands to exactly this xpath (`meta:d1:target-role`), if any: `show` prints it. */
export function collapseAclXpath(xpath: string): string | undefined {
  for (const [name, pieces] of Object.entries(SHORTCUTS)) {
    for (let n = pieces.length; n >= 1; n--) {
      const used = pieces.slice(0, n);
      if (!used.some((p) => p.includes('@@'))) {
        if (used.join('') === xpath) return name;
        continue;
      }
      const re = new RegExp('^' + used.map((p) => escapeRe(p).replaceAll('@@', "([^':]+)")).join('') + '$');
      const m = xpath.match(re);
      if (!m) continue;
      const args = m.slice(1);
      // location repeats its one argument; the others take one argument per @@.
      const distinct = name === 'location' ? (args.every((a) => a === args[0]) ? [args[0]] : undefined) : args;
      if (!distinct) continue;
      const candidate = `${name}:${distinct.join(':')}`;
      const back = expandAclShortcut(name, distinct.join(':'));
      if ('xpath' in back && back.xpath === xpath) return candidate;
    }
  }
  return undefined;
}
