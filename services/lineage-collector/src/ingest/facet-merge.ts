import type { Facets } from './lineage-event.ts';

/**
 * Merges an event's facets into what is known. A newer event replaces facets by key (and `_deleted: true`
 * removes one); an older event, arriving late, only fills in keys not known yet. Says whether anything
 * changed (a facet object from a new event counts as a change even when equal).
 */
export function mergeFacets(target: Facets, incoming: Facets, newer: boolean): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(incoming)) {
    const deleted =
      typeof value === 'object' && value !== null && (value as { _deleted?: unknown })._deleted === true;
    if (deleted) {
      if (newer && key in target) {
        delete target[key];
        changed = true;
      }
      continue;
    }
    if ((newer || !(key in target)) && target[key] !== value) {
      target[key] = value;
      changed = true;
    }
  }
  return changed;
}
