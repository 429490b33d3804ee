import type { Delivery, Transport } from './transport.ts';

export interface ConsoleTransportOptions {
  /** Where lines go; process.stdout by default. Anything with `write(string)`. */
  stream?: { write(chunk: string): unknown };
  /** Indented JSON instead of one line per event. */
  pretty?: boolean;
}

/** Writes each event to a stream (stdout by default): for local runs and debugging, not for services. */
export class ConsoleTransport implements Transport {
  readonly kind = 'console';
  readonly #stream: { write(chunk: string): unknown };
  readonly #pretty: boolean;

  constructor(options: ConsoleTransportOptions = {}) {
    this.#stream = options.stream ?? process.stdout;
    this.#pretty = options.pretty ?? false;
  }

  async send(delivery: Delivery): Promise<void> {
    this.#stream.write(`${this.#pretty ? JSON.stringify(delivery.event, null, 2) : delivery.body}\n`);
  }

  async close(): Promise<void> {}
}
