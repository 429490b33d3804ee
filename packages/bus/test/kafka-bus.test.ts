import { KafkaBus } from '../src/index.ts';
import { useTestContext } from '@data-spine/testkit';
import { describeBusContract } from './bus-contract.ts';

describeBusContract('kafka', async () => {
  const ctx = await useTestContext('bus');
  const brokers = [ctx.kafkaBootstrap()];
  const opened: KafkaBus[] = [];
  const open = () => {
    const bus = new KafkaBus({ clientId: `bus-test-${ctx.id}-${opened.length}`, brokers });
    opened.push(bus);
    return bus;
  };
  return {
    bus: open(),
    // A new client: what a restarted process sees. Committed offsets live in Kafka, not in the client.
    reopen: async () => open(),
    close: async () => {
      await Promise.all(opened.map((b) => b.close()));
      await ctx[Symbol.asyncDispose]();
    },
  };
});
