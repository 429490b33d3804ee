import type { Subscription } from './bus.ts';

/**
 * The Subscription both buses hand out: `close()` aborts the loop and waits for it (the batch in flight
 * finishes and commits); a failed loop's rejection stays observable through `done` without being unhandled.
 */
export function subscriptionHandle(
  done: Promise<void>,
  abort: AbortController,
  registry: Set<Subscription>,
): Subscription {
  done.catch(() => {});
  const subscription: Subscription = {
    done,
    close: async () => {
      abort.abort();
      await done.catch(() => {});
      registry.delete(subscription);
    },
  };
  registry.add(subscription);
  return subscription;
}
