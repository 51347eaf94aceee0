/**
 * User field mapping: `instruction=prompt,output=response` renames source field
 * `prompt` to `instruction` and `response` to `output` before kind detection.
 */
import { dataErrors } from '../errors.js';

export type FieldMap = ReadonlyMap<string, string>;

/** Parses `target=source` entries (already split on commas by the CLI). */
export function parseFieldMap(entries: readonly string[]): FieldMap {
  const map = new Map<string, string>();
  for (const entry of entries) {
    const match = /^\s*([^=\s]+)\s*=\s*([^=]+?)\s*$/.exec(entry);
    if (!match) throw dataErrors.fieldMap(entry);
    map.set(match[1], match[2]);
  }
  return map;
}

export function applyFieldMap(value: unknown, map: FieldMap): unknown {
  if (map.size === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [target, source] of map) {
    if (!Object.hasOwn(out, source)) continue;
    const moved = out[source];
    delete out[source];
    out[target] = moved;
  }
  return out;
}
