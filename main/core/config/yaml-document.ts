// What the config loader needs of a parsed devmesh.yaml document, beside the schema: where a syntax error
// really began, where an alias points nowhere, scalars kept as written, and the file's own key order.
import { isMap, isScalar, isSeq, visit, type Document, type YAMLError } from 'yaml';
import type { YamlLocator } from './yaml-locator.js';

// The parser notices an unclosed quote or bracket where the file (or the next key) ends; the user needs
// the line where it was opened.
export function syntaxErrorOffset(text: string, err: YAMLError): number {
  const at = err.pos[0];
  if (err.code === 'MISSING_CHAR' && err.message.includes('quote')) {
    const open = text.lastIndexOf(err.message.includes('"') ? '"' : "'", at - 1);
    return open >= 0 ? open : at;
  }
  const flow = /^Flow (sequence|map)/.exec(err.message);
  if (err.code === 'BAD_INDENT' && flow) {
    const [opener, closer] = flow[1] === 'sequence' ? ['[', ']'] : ['{', '}'];
    let depth = 0;
    for (let i = at - 1; i >= 0; i--) {
      if (text[i] === closer) depth++;
      else if (text[i] === opener && depth-- === 0) return i;
    }
  }
  return at;
}

export function unresolvedAliasLine(doc: Document, locator: YamlLocator): number | null {
  let line: number | null = null;
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) !== undefined || !node.range) return undefined;
      line = locator.lineOfOffset(node.range[0]);
      return visit.BREAK;
    },
  });
  return line;
}

// YAML reads `version: 1.0` as the number 1 and `LEVEL: 1.50` as 1.5: where the file means text (versions,
// ranges, env values), keep what was written.
export function keepScalarsAsWritten(doc: Document): void {
  const services = isMap(doc.contents) ? doc.contents.get('services', true) : undefined;
  if (!isMap(services)) return;
  const restore = (node: unknown): void => {
    if (
      isScalar(node) &&
      (typeof node.value === 'number' || typeof node.value === 'boolean') &&
      node.source !== undefined
    ) {
      node.value = node.source;
    }
  };
  for (const pair of services.items) {
    const service = pair.value;
    if (!isMap(service)) continue;
    restore(service.get('version', true));
    for (const key of ['env', 'depends_on']) {
      const node = service.get(key, true);
      if (isMap(node)) {
        for (const item of node.items) {
          // `auth: { version: 2 }`, the object form of a dependency
          if (key === 'depends_on' && isMap(item.value)) restore(item.value.get('version', true));
          else restore(item.value);
        }
      } else if (isSeq(node)) {
        for (const item of node.items) restore(item);
      }
    }
  }
}

// Top-level `x-…` keys hold YAML anchors to reuse (`x-node: &node {…}`), as in docker compose.
export function withoutExtensionKeys(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([key]) => !key.startsWith('x-')));
}

export function mapAt(raw: unknown, key: string): Record<string, unknown> | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const value = (raw as Record<string, unknown>)[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

// JS objects list integer-like keys first; the file's order is what "stable order" promises.
export function inFileOrder(map: Record<string, unknown> | null, fileOrder: string[] | null): string[] {
  if (!map) return [];
  const keys = Object.keys(map);
  const ordered = (fileOrder ?? []).filter((key) => Object.hasOwn(map, key));
  return [...new Set([...ordered, ...keys])];
}
