import type { XmlElement } from '../xml.js';

/** A CIB that is well-formed XML but not a CIB the model can hold; names the element and attribute. */
export class CibError extends Error {
  constructor(
    message: string,
    readonly element?: string,
    readonly attribute?: string,
  ) {
    super(message);
    this.name = 'CibError';
  }
}

export function describe(el: XmlElement): string {
  return el.attrs.id !== undefined ? `<${el.name} id="${el.attrs.id}">` : `<${el.name}>`;
}

export function missingAttribute(el: XmlElement, attr: string, parent?: XmlElement): CibError {
  const where = parent ? ` (in ${describe(parent)})` : '';
  return new CibError(`${describe(el)}${where} has no '${attr}' attribute`, el.name, attr);
}
