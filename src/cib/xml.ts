import { normalizeNewlines, parse, ParseError } from './xml-parse.js';

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
  try {
    return parse(text);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    const { line, column } = position(normalizeNewlines(text), err.offset);
    throw new XmlSyntaxError(err.reason, line, column, source);
  }
}

/** Line and column (both from 1) of an offset, found only when an error is reported. */
function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
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
