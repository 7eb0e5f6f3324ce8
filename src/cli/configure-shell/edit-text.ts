import { cloneXml, element, serializeXml, type XmlElement } from '../../cib/xml.js';
import { configurationOf } from '../../crm/load.js';
import { listObjects, showConfiguration, showObject } from '../../crm/show.js';
import { sectionOf } from '../../crm/load.js';

/**
 * What the administrator edits, and how the edited text becomes a whole configuration again.
 * Passwords are shown in clear: the text is committed back, and a `******` would be saved as is.
 */

/** The objects named that the configuration does not have; empty when all are there. */
export function missingObjects(cib: XmlElement, ids: readonly string[]): string[] {
  const objects = listObjects(configurationOf(cib));
  return ids.filter((id) => !objects.some((o) => o.id === id));
}

/** The configuration, or only the objects named, in the crm language. */
export function textForEditing(cib: XmlElement, ids: readonly string[]): string {
  return showConfiguration(configurationOf(cib), [...ids], { obscure: false });
}

/**
 * The whole configuration to `load replace` after an edit: the edited text followed by every
 * object that was not being edited. The edited text goes first so that the line numbers in
 * syntax and commit errors are those of the file the administrator saw.
 */
export function replacementText(cib: XmlElement, ids: readonly string[], edited: string): string {
  if (ids.length === 0) return edited;
  const config = configurationOf(cib);
  const others = listObjects(config).filter((o) => !ids.includes(o.id)).map((o) => o.id);
  const rest = others.length === 0 ? '' : showConfiguration(config, others, { obscure: false });
  return (edited.endsWith('\n') || edited === '' ? edited : `${edited}\n`) + rest;
}

/**
 * `load replace` rebuilds every section in crmsh's listing order, and puts the edited objects
 * first; the order of resources in the CIB breaks placement ties, so an edit must not reshuffle
 * what it did not touch. Objects the base had go back to their places, new ones after them.
 * Changes `next` (a CIB just built by the load) in place.
 */
export function keepOrder(base: XmlElement, next: XmlElement): void {
  const before = configurationOf(cloneXml(base));
  for (const section of configurationOf(next).children) {
    const old = before.children.find((c) => c.name === section.name);
    if (old === undefined) continue;
    const place = new Map(old.children.map((c, i) => [keyOf(c), i]));
    const at = (c: XmlElement): number => place.get(keyOf(c)) ?? Number.MAX_SAFE_INTEGER;
    // Array.prototype.sort is stable: new objects keep the order the load gave them.
    section.children = [...section.children].sort((a, b) => at(a) - at(b));
  }
}

/** Whether the two CIBs' configurations differ. */
export function configurationChanged(base: XmlElement, next: XmlElement): boolean {
  return serializeXml(configurationOf(cloneXml(base))) !== serializeXml(configurationOf(cloneXml(next)));
}

function keyOf(el: XmlElement): string {
  return `${el.name}\u0000${el.attrs.id ?? el.attrs.uname ?? ''}`;
}

/**
 * The crm text does not show everything the XML holds (explicit operation and set ids among
 * others), so a load rebuilds some objects differently from what they were. An object whose text
 * the edit left as it was, its members too, keeps its XML exactly. Changes `next` in place.
 */
export function keepUntouched(base: XmlElement, next: XmlElement): void {
  const before = configurationOf(cloneXml(base));
  const after = configurationOf(next);
  const was = texts(before);
  const is = texts(after);
  for (const section of after.children) {
    // The topology is one object in the language but many elements in the XML: left as loaded.
    if (section.name === 'fencing-topology') continue;
    const old = before.children.find((c) => c.name === section.name);
    if (old === undefined) continue;
    section.children = section.children.map((el) => {
      const prior = old.children.find((c) => keyOf(c) === keyOf(el));
      if (prior === undefined) return el;
      const ids = objectIdsIn(section.name, el);
      const same = ids.length > 0 && ids.every((id) => was.get(id) !== undefined && was.get(id) === is.get(id)) && sameIds(objectIdsIn(section.name, prior), ids);
      return same ? cloneXml(prior) : el;
    });
  }
}

function texts(config: XmlElement): Map<string, string> {
  const nodeNames = (sectionOf(config, 'nodes', false)?.children ?? []).flatMap((n) => (n.name === 'node' ? [n.attrs.uname ?? n.attrs.id] : []));
  return new Map(listObjects(config).map((o) => [`${o.type}\u0000${o.id}`, showObject(o, { obscure: false, nodeNames })]));
}

/** The keys (as `texts` makes them) of the object `el` and of the resources nested in it. */
function objectIdsIn(section: string, el: XmlElement): string[] {
  const holder = element('configuration', {}, [element(section, {}, [el])]);
  return listObjects(holder).map((o) => `${o.type}\u0000${o.id}`);
}

function sameIds(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
