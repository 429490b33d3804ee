import type { Facets } from './lineage-event.ts';

/**
 * Merges an event's facets into what is known. A newer event replaces facets by key (and `_deleted: true`
 * removes one); an older event, arriving late, only fills in keys not known yet.
 */
export function mergeFacets(target: Facets, incoming: Facets, newer: boolean): void {
  for (const [key, value] of Object.entries(incoming)) {
    const deleted =
      typeof value === 'object' && value !== null && (value as { _deleted?: unknown })._deleted === true;
    if (deleted) {
      if (newer) delete target[key];
      continue;
    }
    if (newer || !(key in target)) target[key] = value;
  }
}
