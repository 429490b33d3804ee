/**
 * A maximum-cardinality matching in a bipartite graph (Kuhn's augmenting paths), as Confluent's
 * `MaximumCardinalityMatch` pairs the subschemas of two combined schemas. Cheaper edges (fewer
 * differences) are tried first, so that among the largest matchings an exact pairing is preferred.
 */

export interface Edge<T> {
  readonly from: number;
  readonly to: number;
  readonly weight: number;
  readonly value: T;
}

export function maximumMatching<T>(
  leftCount: number,
  rightCount: number,
  edges: readonly Edge<T>[],
): Edge<T>[] {
  const adjacent: Edge<T>[][] = Array.from({ length: leftCount }, () => []);
  for (const edge of [...edges].sort((a, b) => a.weight - b.weight)) adjacent[edge.from]!.push(edge);
  const matchOfRight: (Edge<T> | undefined)[] = new Array<Edge<T> | undefined>(rightCount).fill(undefined);

  const augment = (left: number, visited: boolean[]): boolean => {
    for (const edge of adjacent[left]!) {
      if (visited[edge.to]) continue;
      visited[edge.to] = true;
      const holder = matchOfRight[edge.to];
      if (!holder || augment(holder.from, visited)) {
        matchOfRight[edge.to] = edge;
        return true;
      }
    }
    return false;
  };

  for (let left = 0; left < leftCount; left++) augment(left, new Array<boolean>(rightCount).fill(false));
  return matchOfRight.filter((e): e is Edge<T> => e !== undefined);
}
