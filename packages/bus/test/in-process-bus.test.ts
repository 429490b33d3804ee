import { InProcessBus } from '../src/index.ts';
import { describeBusContract } from './bus-contract.ts';

describeBusContract('in-process', async () => {
  const bus = new InProcessBus({ defaultPartitions: 1 });
  // The in-process bus lives as long as its process: "reopening" is a new client of the same log.
  return { bus, reopen: async () => bus, close: () => bus.close() };
});
