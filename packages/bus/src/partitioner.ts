import { murmur2 } from '@platformatic/kafka';

/** Kafka's default partitioner for keyed records (the Java client's): positive murmur2 modulo partitions. */
export function partitionFor(key: Buffer | null, partitions: number, roundRobin: number): number {
  if (key === null) return roundRobin % partitions;
  return (murmur2(key) & 0x7fffffff) % partitions;
}

export function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value) : value;
}
