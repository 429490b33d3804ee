/** A member's uninterrupted ownership of one partition: from the assignment that gave it until a revoke. */
export interface PartitionLease {
  readonly topic: string;
  readonly partition: number;
  /** Aborted when the partition is revoked (or the member leaves or is fenced). */
  readonly signal: AbortSignal;
  /** The group generation that assigned it: records fetched in an older one belong to an earlier owner. */
  readonly generation: number | null;
  /** The next offset this lease has not handled yet: a refetch after a rejoin repeats those below it. */
  next: bigint | null;
}

export interface GroupAssignment {
  topic: string;
  partitions: readonly number[];
}

interface Lease extends PartitionLease {
  readonly abort: AbortController;
}

const keyOf = (topic: string, partition: number) => `${topic}#${partition}`;

/**
 * Which partitions this group member owns, as leases. A lease survives a rebalance that gives the member
 * its partition again in the very next generation (nobody else can have owned it in between); any other
 * change ends it: a partition assigned elsewhere, a new member id (the member was fenced and rejoined), or a
 * skipped generation (other members may have owned it in the one we missed). While a rebalance is under way
 * the new owners are unknown, so nothing may be committed until the assignment arrives (`settled`).
 */
export class PartitionLeases {
  readonly #leases = new Map<string, Lease>();
  #rebalancing = false;
  #memberId: string | null = null;
  #generation: number | null = null;
  #waiters: Array<() => void> = [];

  /** A rebalance began: commits wait for the assignment it ends with. */
  rebalancing(): void {
    this.#rebalancing = true;
  }

  get isRebalancing(): boolean {
    return this.#rebalancing;
  }

  /** The assignment a (re)join ended with; returns the leases it revoked. */
  assign(
    assignments: readonly GroupAssignment[],
    member: { memberId: string | null; generation: number | null },
  ): PartitionLease[] {
    const continuous =
      member.memberId !== null &&
      member.memberId === this.#memberId &&
      (member.generation === null ||
        this.#generation === null ||
        member.generation === this.#generation ||
        member.generation === this.#generation + 1);
    const wanted = new Set<string>();
    for (const a of assignments) for (const p of a.partitions) wanted.add(keyOf(a.topic, p));
    const revoked: PartitionLease[] = [];
    for (const [key, lease] of this.#leases)
      if (!continuous || !wanted.has(key)) {
        this.#leases.delete(key);
        lease.abort.abort(new Error(`partition ${key} revoked`));
        revoked.push(lease);
      }
    for (const a of assignments)
      for (const partition of a.partitions) {
        const key = keyOf(a.topic, partition);
        if (this.#leases.has(key)) continue;
        const abort = new AbortController();
        this.#leases.set(key, {
          topic: a.topic,
          partition,
          abort,
          signal: abort.signal,
          generation: member.generation,
          next: null,
        });
      }
    this.#memberId = member.memberId;
    this.#generation = member.generation;
    this.#rebalancing = false;
    this.#wake();
    return revoked;
  }

  /** The member left the group: every lease ends. */
  revokeAll(): PartitionLease[] {
    const revoked = [...this.#leases.values()];
    for (const lease of revoked)
      lease.abort.abort(new Error(`partition ${lease.topic}#${lease.partition} revoked`));
    this.#leases.clear();
    this.#memberId = null;
    this.#generation = null;
    this.#wake();
    return revoked;
  }

  lease(topic: string, partition: number): PartitionLease | undefined {
    return this.#leases.get(keyOf(topic, partition));
  }

  /** Whether `lease` is still the member's current lease of its partition. */
  holds(lease: PartitionLease): boolean {
    return !lease.signal.aborted && this.#leases.get(keyOf(lease.topic, lease.partition)) === lease;
  }

  /** Resolves at the next change of assignment, on abort, or after `timeoutMs`, whichever comes first. */
  changed(signal: AbortSignal, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
