import type { SchemaNode } from '../schema-model.ts';
import type { DifferenceType } from './difference-type.ts';
import { isCompatibleChange } from './difference-type.ts';

/**
 * Where a comparison is (its JSON path) and what it found, as Confluent's `diff/Context`. Beyond it:
 * a pair of schemas is compared once and its findings reused wherever the pair recurs (Confluent
 * compares the same pair again for every combination of `oneOf` branches, which made recursive schemas
 * take hours there), a pair met again while it is still being compared is a cycle and is cut, and the
 * work and the depth are bounded.
 */

export interface Difference {
  readonly type: DifferenceType;
  /** Segments from wherever the comparison started (escaped into a pointer at the end). */
  readonly segments: readonly string[];
}

/** Raised when two schemas are too deep or too entangled to compare within bounds. */
export class ComparisonLimitError extends Error {
  readonly limit: 'depth' | 'steps';
  constructor(limit: 'depth' | 'steps') {
    super(
      limit === 'depth' ? 'the schemas nest too deeply to compare' : 'the schemas are too complex to compare',
    );
    this.limit = limit;
  }
}

export const MAX_COMPARISON_DEPTH = 256;
export const MAX_COMPARISON_STEPS = 200_000;

interface Shared {
  readonly memo: Map<string, readonly Difference[]>;
  readonly inProgress: Set<string>;
  /** Confluent's `enterSchema`: an original schema already being compared on this path is not entered again. */
  readonly originals: Set<SchemaNode>;
  steps: number;
  depth: number;
}

/** Whether anything under a pair's comparison was cut by a cycle (then its findings depend on the path). */
interface Frame {
  cut: boolean;
}

export class DiffContext {
  readonly differences: Difference[] = [];
  readonly #shared: Shared;
  readonly #frame: Frame;
  readonly #segments: string[];

  private constructor(shared: Shared, frame: Frame, segments: string[]) {
    this.#shared = shared;
    this.#frame = frame;
    this.#segments = segments;
  }

  static start(): DiffContext {
    return new DiffContext(
      { memo: new Map(), inProgress: new Set(), originals: new Set(), steps: 0, depth: 0 },
      { cut: false },
      [],
    );
  }

  /** Confluent's `getSubcontext()`: same place, findings kept apart until the caller adds them. */
  sub(): DiffContext {
    return new DiffContext(this.#shared, this.#frame, [...this.#segments]);
  }

  /** Runs `fn` with `segments` appended to the path. */
  at(segments: readonly string[], fn: () => void): void {
    this.#segments.push(...segments);
    try {
      fn();
    } finally {
      this.#segments.length -= segments.length;
    }
  }

  add(type: DifferenceType, ...segments: readonly string[]): void {
    this.differences.push({ type, segments: [...this.#segments, ...segments] });
  }

  addAll(from: DiffContext | readonly Difference[]): void {
    this.differences.push(...(from instanceof DiffContext ? from.differences : from));
  }

  isCompatible(): boolean {
    return this.differences.every((d) => isCompatibleChange(d.type));
  }

  /** Enters `original` unless it is already being compared further up (then the comparison is cut). */
  enterOriginal(original: SchemaNode, fn: () => void): void {
    if (this.#shared.originals.has(original)) {
      this.#frame.cut = true;
      return;
    }
    this.#shared.originals.add(original);
    try {
      fn();
    } finally {
      this.#shared.originals.delete(original);
    }
  }

  /**
   * Compares one pair through `body`, which records its findings relative to the pair; they are placed
   * at the current path. Memoized per pair unless a cycle cut the comparison.
   */
  pair(key: string, body: (inner: DiffContext) => void): void {
    const shared = this.#shared;
    const known = shared.memo.get(key);
    if (known) {
      this.#place(known);
      return;
    }
    if (shared.inProgress.has(key)) {
      this.#frame.cut = true;
      return;
    }
    if (++shared.steps > MAX_COMPARISON_STEPS) throw new ComparisonLimitError('steps');
    if (++shared.depth > MAX_COMPARISON_DEPTH) throw new ComparisonLimitError('depth');
    const inner = new DiffContext(shared, { cut: false }, []);
    shared.inProgress.add(key);
    try {
      body(inner);
    } finally {
      shared.inProgress.delete(key);
      shared.depth--;
    }
    if (inner.#frame.cut) this.#frame.cut = true;
    else shared.memo.set(key, inner.differences);
    this.#place(inner.differences);
  }

  #place(relative: readonly Difference[]): void {
    for (const d of relative)
      this.differences.push({ type: d.type, segments: [...this.#segments, ...d.segments] });
  }
}

/** Compares two (possibly absent) schemas at the context's current path; passed to the per-kind rules. */
export type Compare = (
  ctx: DiffContext,
  original: SchemaNode | undefined,
  update: SchemaNode | undefined,
) => void;
