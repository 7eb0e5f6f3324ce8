import type { XmlElement } from './xml.js';

/**
 * A strict, fast XML parser for CIB documents. A general SAX parser walks the text a character at
 * a time; a 17 MiB CIB is mostly attributes, so this one jumps between markup with indexOf and
 * sticky regular expressions and finds positions (line, column) only when it reports an error.
 * It checks well-formedness as XML 1.0 asks: matching tags, one root, quoted and unique
 * attributes, known entities, no '<' in attribute values, no "]]>" in text, allowed characters.
 * Comments and processing instructions are skipped; a DOCTYPE is skipped and defines nothing.
 */

/** Thrown inside the parser; parseXml turns it into an XmlSyntaxError with line and column. */
export class ParseError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason);
  }
}

const NAME_START = 'A-Za-z_:\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = NAME_START + '\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040';
// XML's NameChar includes combining marks (U+0300–U+036F) on purpose.
// eslint-disable-next-line no-misleading-character-class
const NAME = new RegExp(`[${NAME_START}][${NAME_CHAR}]*`, 'uy');
const ENTITY = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([A-Za-z_:][-\w.:]*));/y;
// Control characters other than tab and newline (carriage returns are normalized away first),
// and the two non-characters at the end of the BMP.
const DISALLOWED = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const ATTR_WHITESPACE = /[\t\n]/g;
const ATTR_SPECIAL = /[<&\t\n]/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function parse(input: string): XmlElement {
  return new Parser(input).document();
}

/** XML reads "\r\n" and a lone "\r" as "\n" before anything else. */
export function normalizeNewlines(input: string): string {
  return input.includes('\r') ? input.replace(/\r\n?/g, '\n') : input;
}

class Parser {
  private pos = 0;
  private readonly src: string;

  constructor(input: string) {
    this.src = normalizeNewlines(input);
    if (this.src.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  private fail(reason: string, at = this.pos): never {
    throw new ParseError(reason, at);
  }

  document(): XmlElement {
    const bad = DISALLOWED.exec(this.src);
    if (bad) this.fail('disallowed character', bad.index);
    if (this.src.startsWith('<?xml', this.pos) && /[\s?]/.test(this.src[this.pos + 5] ?? '')) this.processingInstruction(true);
    this.misc(true);
    if (this.pos >= this.src.length) this.fail('document has no root element');
    if (this.src[this.pos] !== '<') this.fail('text data outside of root node');
    const root = this.elements();
    this.misc(false);
    if (this.pos < this.src.length) {
      this.fail(this.src[this.pos] === '<' ? 'documents may contain only one root' : 'text data outside of root node');
    }
    return root;
  }

  /** Whitespace, comments and processing instructions outside the root (and a DOCTYPE before it). */
  private misc(beforeRoot: boolean): void {
    let doctype = false;
    for (;;) {
      this.skipWhitespace();
      if (this.src.startsWith('<!--', this.pos)) this.comment();
      else if (this.src.startsWith('<?', this.pos)) this.processingInstruction(false);
      else if (beforeRoot && !doctype && this.src.startsWith('<!DOCTYPE', this.pos)) {
        this.doctype();
        doctype = true;
      } else return;
    }
  }

  private skipWhitespace(): number {
    const start = this.pos;
    let c = this.src.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x09) c = this.src.charCodeAt(++this.pos);
    return this.pos - start;
  }

  private name(what: string): string {
    // Nearly every name in a CIB is ASCII: scan those by hand, and leave the rest to the regex.
    const start = this.pos;
    let c = this.src.charCodeAt(start);
    if (isAsciiNameStart(c)) {
      let end = start + 1;
      c = this.src.charCodeAt(end);
      while (isAsciiNameChar(c)) c = this.src.charCodeAt(++end);
      if (!(c >= 0x80)) {
        this.pos = end;
        return this.src.slice(start, end);
      }
    }
    NAME.lastIndex = start;
    const m = NAME.exec(this.src);
    if (!m) this.fail(start >= this.src.length ? 'unexpected end of document' : `disallowed character in ${what}`);
    this.pos = NAME.lastIndex;
    return m[0];
  }

  private comment(): void {
    const start = this.pos;
    const end = this.src.indexOf('--', start + 4);
    if (end === -1) this.fail('unclosed comment', start);
    if (this.src[end + 2] !== '>') this.fail('malformed comment: "--" inside a comment', end);
    this.pos = end + 3;
  }

  private processingInstruction(declaration: boolean): void {
    const start = this.pos;
    this.pos += 2;
    const target = this.name('processing instruction target');
    if (!declaration && target.toLowerCase() === 'xml') this.fail('an XML declaration must be at the start of the document', start);
    const end = this.src.indexOf('?>', this.pos);
    if (end === -1) this.fail('unclosed processing instruction', start);
    this.pos = end + 2;
  }

  private doctype(): void {
    const start = this.pos;
    const close = this.src.indexOf('>', start);
    const subset = this.src.indexOf('[', start);
    if (subset !== -1 && (close === -1 || subset < close)) {
      const endSubset = this.src.indexOf(']', subset);
      const end = endSubset === -1 ? -1 : this.src.indexOf('>', endSubset);
      if (end === -1) this.fail('unclosed DOCTYPE', start);
      this.pos = end + 1;
    } else {
      if (close === -1) this.fail('unclosed DOCTYPE', start);
      this.pos = close + 1;
    }
  }

  /** The root element and everything in it; iterative, so deep nesting cannot overflow the stack. */
  private elements(): XmlElement {
    const src = this.src;
    const stack: XmlElement[] = [];
    let root: XmlElement | undefined;
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined && root !== undefined) return root;
      const lt = src.indexOf('<', this.pos);
      if (top !== undefined) {
        if (lt === -1) this.fail(`unclosed tag: ${top.name}`, src.length);
        if (lt > this.pos) this.text(top, this.pos, lt);
      }
      this.pos = lt;
      const next = src.charCodeAt(lt + 1);
      if (next === 0x2f /* / */) {
        if (top === undefined) this.fail('unexpected close tag');
        this.closeTag(top);
        stack.pop();
      } else if (next === 0x21 /* ! */) {
        if (top === undefined) this.fail('unexpected markup before the root element');
        if (src.startsWith('<!--', lt)) this.comment();
        else if (src.startsWith('<![CDATA[', lt)) this.cdata(top);
        else this.fail('unexpected markup: "<!" must start a comment or CDATA section');
      } else if (next === 0x3f /* ? */) {
        this.processingInstruction(false);
      } else {
        const [el, selfClosing] = this.openTag();
        if (top !== undefined) top.children.push(el);
        else root = el;
        if (!selfClosing) stack.push(el);
      }
    }
  }

  private text(el: XmlElement, from: number, to: number): void {
    let run = this.src.slice(from, to);
    const cdataEnd = run.indexOf(']]>');
    if (cdataEnd !== -1) this.fail('the string "]]>" is not allowed in character data', from + cdataEnd);
    if (run.trim() === '') return;
    if (run.includes('&')) run = this.decode(run, from);
    el.text = (el.text ?? '') + run;
  }

  private cdata(el: XmlElement): void {
    const start = this.pos + 9;
    const end = this.src.indexOf(']]>', start);
    if (end === -1) this.fail('unclosed CDATA section');
    el.text = (el.text ?? '') + this.src.slice(start, end);
    this.pos = end + 3;
  }

  private closeTag(top: XmlElement): void {
    const start = this.pos;
    this.pos += 2;
    const name = this.name('tag name');
    this.skipWhitespace();
    if (this.src[this.pos] !== '>') this.fail(`malformed close tag </${name}`);
    if (name !== top.name) this.fail(`unexpected close tag </${name}>: <${top.name}> is open`, start);
    this.pos++;
  }

  private openTag(): [XmlElement, boolean] {
    this.pos++;
    const name = this.name('tag name');
    const attrs: Record<string, string> = {};
    const el: XmlElement = { name, attrs, children: [] };
    let count = 0;
    for (;;) {
      const spaced = this.skipWhitespace() > 0;
      const c = this.src.charCodeAt(this.pos);
      if (c === 0x3e /* > */ || c === 0x2f /* / */) {
        // Checking for duplicates once per element, by count, is cheaper than once per attribute.
        if (Object.keys(attrs).length !== count) this.duplicateAttribute(name);
        if (c === 0x3e) {
          this.pos++;
          return [el, false];
        }
        if (this.src.charCodeAt(this.pos + 1) !== 0x3e) this.fail('"/" must be followed by ">"', this.pos + 1);
        this.pos += 2;
        return [el, true];
      }
      if (Number.isNaN(c)) this.fail(`unclosed tag: ${name}`);
      if (!spaced) this.fail('disallowed character in tag name or between attributes');
      this.attribute(attrs);
      count++;
    }
  }

  /** Finds the repeated attribute of the tag that starts before the current position, to name it. */
  private duplicateAttribute(tag: string): never {
    const start = this.src.lastIndexOf('<' + tag, this.pos);
    const seen = new Set<string>();
    const attr = /\s([^\s=]+)\s*=/g;
    attr.lastIndex = start;
    for (let m = attr.exec(this.src); m && m.index < this.pos; m = attr.exec(this.src)) {
      if (seen.has(m[1])) this.fail(`duplicate attribute: ${m[1]}`, m.index + 1);
      seen.add(m[1]);
    }
    this.fail('duplicate attribute', start);
  }

  private attribute(attrs: Record<string, string>): void {
    const name = this.name('attribute name');
    this.skipWhitespace();
    if (this.src.charCodeAt(this.pos) !== 0x3d /* = */) this.fail(`attribute ${name} has no value`);
    this.pos++;
    this.skipWhitespace();
    const quote = this.src[this.pos];
    if (quote !== '"' && quote !== "'") this.fail('unquoted attribute value');
    const end = this.src.indexOf(quote, this.pos + 1);
    if (end === -1) this.fail('unclosed attribute value');
    const from = this.pos + 1;
    let value = this.src.slice(from, end);
    if (ATTR_SPECIAL.test(value)) {
      const lt = value.indexOf('<');
      if (lt !== -1) this.fail('"<" is not allowed in an attribute value', from + lt);
      // Attribute-value normalization: a literal tab or newline reads as a space, a character
      // reference to one (&#10;) as itself, so normalize before decoding.
      value = value.replace(ATTR_WHITESPACE, ' ');
      if (value.includes('&')) value = this.decode(value, from);
    }
    if (name === '__proto__') Object.defineProperty(attrs, name, { value, enumerable: true, writable: true, configurable: true });
    else attrs[name] = value;
    this.pos = end + 1;
  }

  private decode(raw: string, offset: number): string {
    let out = '';
    let last = 0;
    for (let amp = raw.indexOf('&'); amp !== -1; amp = raw.indexOf('&', last)) {
      ENTITY.lastIndex = amp;
      const m = ENTITY.exec(raw);
      if (!m) this.fail('malformed entity reference', offset + amp);
      out += raw.slice(last, amp);
      if (m[3] !== undefined) {
        const text = PREDEFINED[m[3]];
        if (text === undefined) this.fail(`undefined entity: &${m[3]};`, offset + amp);
        out += text;
      } else {
        const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2], 10);
        if (!isXmlChar(code)) this.fail('malformed character entity', offset + amp);
        out += String.fromCodePoint(code);
      }
      last = ENTITY.lastIndex;
    }
    return out + raw.slice(last);
  }
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
  );
}

function isAsciiNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
}

function isAsciiNameChar(c: number): boolean {
  return isAsciiNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}
