import { startKafka } from './src/kafka.ts';
const t0 = performance.now();
const k = await startKafka();
console.log('kafka up in', Math.round(performance.now() - t0), 'ms at', k.bootstrap);
const t1 = performance.now();
await k.restart();
console.log('restart in', Math.round(performance.now() - t1), 'ms');
await k.stop();
console.log('stopped');
