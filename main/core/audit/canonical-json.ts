// Canonical JSON for hashing: object keys sorted (UTF-16 code-unit order, as RFC 8785), no whitespace,
// numbers as ECMAScript prints them (so -0 is 0). The same value always gives the same bytes, whatever
// order its keys were built in. Values JSON cannot hold faithfully (NaN, Infinity, bigint, functions,
// undefined outside an object, cycles) are refused rather than silently changed.
import { DevMeshError } from '../../../shared/errors.js';

const MAX_DEPTH = 64;

export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

function encode(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw refuse(`nesting deeper than ${MAX_DEPTH} (or a cycle)`);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw refuse(`the number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => encode(v, depth + 1)).join(',')}]`;
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return encode((toJSON as () => unknown).call(value), depth + 1);
      const obj = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(obj).sort()) {
        if (obj[key] === undefined) continue; // as JSON.stringify: an absent key
        parts.push(`${JSON.stringify(key)}:${encode(obj[key], depth + 1)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw refuse(`a value of type ${typeof value}`);
  }
}

function refuse(what: string): DevMeshError {
  return new DevMeshError(
    'BAD_REQUEST',
    `audit data must be plain JSON: ${what} cannot be hashed canonically; convert it to a string or a finite number first`,
  );
}
