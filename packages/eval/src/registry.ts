/**
 * String-keyed registries (retrievers, inferencers, evaluators, postprocessors,
 * dataset loaders, models). Unlike OpenCompass's, registering a key twice throws:
 * a silent override makes a config mean different things depending on import order.
 */
import { EvalError } from './errors.js';

export class NamedRegistry<T> {
  private readonly entries = new Map<string, T>();

  constructor(readonly kind: string) {}

  register(key: string, value: T): T {
    if (this.entries.has(key)) {
      throw new EvalError(
        'eval-registry-duplicate',
        `${this.kind} "${key}" is already registered`,
        `pick another name for your ${this.kind}; registered: ${this.keys().join(', ')}`,
      );
    }
    this.entries.set(key, value);
    return value;
  }

  get(key: string): T {
    const value = this.entries.get(key);
    if (value === undefined) {
      throw new EvalError('eval-registry-unknown', `unknown ${this.kind} "${key}"`, `use one of: ${this.keys().join(', ')}`);
    }
    return value;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): string[] {
    return [...this.entries.keys()].sort();
  }

  values(): T[] {
    return this.keys().map((key) => this.entries.get(key)!);
  }
}
