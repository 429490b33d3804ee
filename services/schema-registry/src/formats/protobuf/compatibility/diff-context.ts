import type { MessageElement } from '../proto-ast.ts';
import type { TypeInfo, TypeTable } from '../type-table.ts';
import { COMPATIBLE_CHANGES } from './difference.ts';
import type { Difference, DifferenceType } from './difference.ts';

/** One side of a comparison: its types and the package names resolve against. */
export interface DiffSide {
  table: TypeTable;
  packageName: string;
}

/** Result of comparing two named message types, shared by every sub-comparison of one diff. */
export interface MessageComparison {
  differences: Difference[];
  compatible: boolean;
}

/**
 * Where a diff is (Confluent's `diff.Context`): the path reported with each difference, the enclosing
 * message names used to resolve type names, and the messages being compared (so recursive types stop).
 * `original` is the writer's schema, `update` the reader's.
 */
export class DiffContext {
  readonly original: DiffSide;
  readonly update: DiffSide;
  readonly differences: Difference[] = [];
  readonly #path: string[];
  readonly #names: string[];
  readonly #inProgress: Set<MessageElement>;
  readonly #memo: Map<string, MessageComparison>;

  constructor(
    original: DiffSide,
    update: DiffSide,
    state?: {
      path: string[];
      names: string[];
      inProgress: Set<MessageElement>;
      memo: Map<string, MessageComparison>;
    },
  ) {
    this.original = original;
    this.update = update;
    this.#path = state?.path ?? [];
    this.#names = state?.names ?? [];
    this.#inProgress = state?.inProgress ?? new Set();
    this.#memo = state?.memo ?? new Map<string, MessageComparison>();
  }

  /** A context for comparing a referenced message on its own, named by its name without package. */
  subcontext(original: DiffSide, update: DiffSide, localName: string): DiffContext {
    const parts = localName.split('.');
    return new DiffContext(original, update, {
      path: [...parts],
      names: [...parts],
      inProgress: new Set(this.#inProgress),
      memo: this.#memo,
    });
  }

  get memo(): Map<string, MessageComparison> {
    return this.#memo;
  }

  withPath<T>(segment: string, run: () => T): T {
    this.#path.push(segment);
    try {
      return run();
    } finally {
      this.#path.pop();
    }
  }

  withName<T>(name: string, run: () => T): T {
    this.#names.push(name);
    try {
      return this.withPath(name, run);
    } finally {
      this.#names.pop();
    }
  }

  /** Runs `run` unless `message` is already being compared further up (a recursive type). */
  withSchema(message: MessageElement, run: () => void): void {
    if (this.#inProgress.has(message)) return;
    this.#inProgress.add(message);
    try {
      run();
    } finally {
      this.#inProgress.delete(message);
    }
  }

  side(isOriginal: boolean): DiffSide {
    return isOriginal ? this.original : this.update;
  }

  /** Confluent's `Context.resolve`: the package and enclosing messages, innermost first. */
  resolve(name: string, isOriginal: boolean): string | null {
    const side = this.side(isOriginal);
    return side.table.resolve(name, [side.packageName, ...this.#names]);
  }

  getType(name: string, isOriginal: boolean): TypeInfo | null {
    const fullName = this.resolve(name, isOriginal);
    return fullName === null ? null : (this.side(isOriginal).table.types.get(fullName) ?? null);
  }

  /** The enclosing message, for messages: `shop.Customer`. */
  scopeName(isOriginal: boolean): string {
    const pkg = this.side(isOriginal).packageName;
    return [pkg, ...this.#names].filter((s) => s.length > 0).join('.');
  }

  add(type: DifferenceType, message: string): void {
    this.differences.push({ type, path: `#/${this.#path.join('/')}`, message });
  }

  addAll(differences: readonly Difference[]): void {
    this.differences.push(...differences);
  }

  isCompatible(): boolean {
    return this.differences.every((d) => COMPATIBLE_CHANGES.has(d.type));
  }
}
