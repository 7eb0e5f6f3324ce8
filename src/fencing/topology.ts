import type { XmlElement } from '../cib/xml.js';

/** One fencing-level: try these devices together (all must succeed) for the matching targets. */
export interface FencingLevel {
  id: string;
  index: number;
  devices: string[];
  target: { kind: 'node'; name: string } | { kind: 'pattern'; regex: RegExp } | { kind: 'attribute'; name: string; value: string };
}

export function fencingLevels(cib: XmlElement): { levels: FencingLevel[]; problems: string[] } {
  const topology = cib.children.find((c) => c.name === 'configuration')?.children.find((c) => c.name === 'fencing-topology');
  const levels: FencingLevel[] = [];
  const problems: string[] = [];
  for (const level of topology?.children ?? []) {
    if (level.name !== 'fencing-level') continue;
    const id = level.attrs.id ?? '(no id)';
    const index = Number.parseInt(level.attrs.index ?? '', 10);
    const devices = (level.attrs.devices ?? '').split(',').map((d) => d.trim()).filter(Boolean);
    if (!Number.isInteger(index) || index < 1) {
      problems.push(`fencing-level ${id}: index '${level.attrs.index ?? ''}' must be a positive integer`);
      continue;
    }
    if (devices.length === 0) {
      problems.push(`fencing-level ${id}: no devices`);
      continue;
    }
    let target: FencingLevel['target'] | null = null;
    if (level.attrs.target !== undefined) target = { kind: 'node', name: level.attrs.target };
    else if (level.attrs['target-pattern'] !== undefined) {
      try {
        target = { kind: 'pattern', regex: new RegExp(level.attrs['target-pattern']) };
      } catch {
        problems.push(`fencing-level ${id}: target-pattern is not a valid regular expression`);
      }
    } else if (level.attrs['target-attribute'] !== undefined) {
      target = { kind: 'attribute', name: level.attrs['target-attribute'], value: level.attrs['target-value'] ?? '' };
    } else problems.push(`fencing-level ${id}: no target, target-pattern or target-attribute`);
    if (target) levels.push({ id, index, devices, target });
  }
  return { levels, problems };
}

export function levelMatches(level: FencingLevel, node: string, nodeAttrs: Record<string, string>): boolean {
  switch (level.target.kind) {
    case 'node':
      return level.target.name === node;
    case 'pattern':
      return level.target.regex.test(node);
    case 'attribute':
      return nodeAttrs[level.target.name] === level.target.value;
  }
}
