import { SaxesParser } from 'saxes';

/**
 * The CIB's XML, as a plain tree. Attribute order is kept (objects keep insertion order for
 * non-numeric keys, and XML names never start with a digit), so a document read and written
 * back keeps its shape. Comments and processing instructions are not kept: Pacemaker's tools
 * do not keep them either.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Non-whitespace character data directly inside the element, if any. */
  text?: string;
}

export class XmlSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    readonly source?: string,
  ) {
    super(`${source ? source + ':' : ''}${line}:${column}: malformed XML: ${reason}`);
    this.name = 'XmlSyntaxError';
  }
}

export function element(
  name: string,
  attrs: Record<string, string> = {},
  children: XmlElement[] = [],
): XmlElement {
  return { name, attrs, children };
}

/** Parses a whole document and returns its root element; throws XmlSyntaxError with line and column. */
export function parseXml(text: string, source?: string): XmlElement {
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: XmlSyntaxError | undefined;
  parser.on('error', (err) => {
    if (!failure) {
      const reason = err.message.replace(/^(?:[^:]*:)?\d+:\d+: /, '');
      failure = new XmlSyntaxError(reason, parser.line, parser.column + 1, source);
    }
  });
  parser.on('opentag', (tag) => {
    const el: XmlElement = { name: tag.name, attrs: tag.attributes as Record<string, string>, children: [] };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (t) => {
    const parent = stack[stack.length - 1];
    if (parent && t.trim() !== '') parent.text = (parent.text ?? '') + t;
  });
  parser.on('cdata', (t) => {
    const parent = stack[stack.length - 1];
    if (parent) parent.text = (parent.text ?? '') + t;
  });
  try {
    parser.write(text).close();
  } catch (err) {
    if (!failure) throw err;
  }
  if (failure) throw failure;
  if (!root) throw new XmlSyntaxError('document has no root element', 1, 1, source);
  return root;
}

const ATTR_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' };
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

const ATTR_SPECIAL = /[&<>"\n\r\t]/;
const ATTR_SPECIAL_ALL = /[&<>"\n\r\t]/g;
const TEXT_SPECIAL = /[&<>]/;
const TEXT_SPECIAL_ALL = /[&<>]/g;

export function escapeAttr(value: string): string {
  return ATTR_SPECIAL.test(value) ? value.replace(ATTR_SPECIAL_ALL, (c) => ATTR_ESCAPES[c]) : value;
}

function escapeText(value: string): string {
  return TEXT_SPECIAL.test(value) ? value.replace(TEXT_SPECIAL_ALL, (c) => TEXT_ESCAPES[c]) : value;
}

/** Serializes as Pacemaker's tools print XML: two-space indentation, empty elements self-closed. */
export function serializeXml(root: XmlElement, options: { declaration?: boolean } = {}): string {
  // One growing string: V8 joins appended pieces lazily, which beats an array of a million parts.
  const out = { text: options.declaration ? '<?xml version="1.0"?>\n' : '' };
  write(root, 0, out);
  return out.text;
}

const PADS: string[] = [];
function pad(depth: number): string {
  return (PADS[depth] ??= '  '.repeat(depth));
}

function write(el: XmlElement, depth: number, out: { text: string }): void {
  const indent = pad(depth);
  let open = indent + '<' + el.name;
  const attrs = el.attrs;
  for (const key in attrs) open += ' ' + key + '="' + escapeAttr(attrs[key]) + '"';
  if (el.children.length === 0) {
    out.text += el.text === undefined ? open + '/>\n' : open + '>' + escapeText(el.text) + '</' + el.name + '>\n';
    return;
  }
  out.text += open + '>\n';
  if (el.text !== undefined) out.text += indent + '  ' + escapeText(el.text.trim()) + '\n';
  for (const child of el.children) write(child, depth + 1, out);
  out.text += indent + '</' + el.name + '>\n';
}

/** Deep copy, for callers that must not share structure with an input they do not own. */
export function cloneXml(el: XmlElement): XmlElement {
  const copy: XmlElement = { name: el.name, attrs: { ...el.attrs }, children: el.children.map(cloneXml) };
  if (el.text !== undefined) copy.text = el.text;
  return copy;
}

export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

export function firstChild(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}
