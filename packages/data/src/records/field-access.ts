/**
 * Reads fields from a raw source object by any of several names, case-insensitively,
 * and remembers which keys were used so the rest can be kept as `meta`.
 * Failures are returned as reasons (strings), never thrown: a bad record is expected
 * input and goes to quarantine.
 */
export class FieldReader {
  private readonly keysByLowerName = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(readonly value: Record<string, unknown>) {
    for (const key of Object.keys(value)) {
      const lower = key.toLowerCase();
      if (!this.keysByLowerName.has(lower)) this.keysByLowerName.set(lower, key);
    }
  }

  /** The first present key among `names`, or undefined. */
  key(...names: string[]): string | undefined {
    for (const name of names) {
      if (Object.hasOwn(this.value, name)) return name;
      const key = this.keysByLowerName.get(name.toLowerCase());
      if (key !== undefined) return key;
    }
    return undefined;
  }

  has(...names: string[]): boolean {
    return this.key(...names) !== undefined;
  }

  /** Raw value of the first present key (marked used), or undefined. */
  take(...names: string[]): unknown {
    const key = this.key(...names);
    if (key === undefined) return undefined;
    this.used.add(key);
    return this.value[key];
  }

  /** A required string field; a reason when missing or of another type. */
  string(names: string[], options: { optional?: boolean } = {}): string | Reason {
    const key = this.key(...names);
    if (key === undefined) return options.optional ? '' : new Reason(`missing field "${names[0]}"`);
    this.used.add(key);
    const value = this.value[key];
    if (typeof value === 'string') return value;
    if (value === null && options.optional) return '';
    if (typeof value === 'number' && options.optional) return String(value);
    return new Reason(`field "${key}": expected a string, found ${describeType(value)}`);
  }

  markUsed(key: string): void {
    this.used.add(key);
  }

  /** JSON text of the fields no kind field used, or null when none are left. */
  meta(): string | null {
    const rest: Record<string, unknown> = {};
    let any = false;
    for (const [key, value] of Object.entries(this.value)) {
      if (this.used.has(key)) continue;
      rest[key] = value;
      any = true;
    }
    return any ? JSON.stringify(rest) : null;
  }
}

/** Why a record was rejected; a class so it cannot be confused with a field value. */
export class Reason {
  constructor(readonly message: string) {}
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
