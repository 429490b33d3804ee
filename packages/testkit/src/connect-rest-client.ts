import { TestkitError } from './errors.ts';

export type ConnectState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';

export interface ConnectorStatus {
  name: string;
  connector: { state: ConnectState; worker_id?: string; trace?: string };
  tasks: Array<{ id: number; state: ConnectState; worker_id?: string; trace?: string }>;
}

export interface ConnectorPlugin {
  class: string;
  type: string;
  version?: string;
}

/** Kafka Connect's REST API, for whoever knows its URL (the process that started Connect, or a test worker). */
export interface ConnectRestClient {
  readonly url: string;
  listPlugins(): Promise<ConnectorPlugin[]>;
  /** Creates the connector, or updates its config when it exists (PUT /connectors/<name>/config). */
  createConnector(name: string, config: Readonly<Record<string, string>>): Promise<void>;
  /** Resolves when the connector and all its tasks are RUNNING; throws with Connect's trace on FAILED. */
  waitForConnectorRunning(name: string, timeoutMs?: number): Promise<ConnectorStatus>;
  /** null when there is no such connector. */
  connectorStatus(name: string): Promise<ConnectorStatus | null>;
  /**
   * Deletes the connector and resolves once Connect no longer knows it (its task stopped and let go of its
   * replication slot); a missing connector is fine.
   */
  deleteConnector(name: string, timeoutMs?: number): Promise<void>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseStatus(body: unknown): ConnectorStatus {
  if (
    !isRecord(body) ||
    typeof body.name !== 'string' ||
    !isRecord(body.connector) ||
    !Array.isArray(body.tasks)
  ) {
    throw new TestkitError(
      'TESTKIT_CONNECTOR_FAILED',
      'kafka-connect',
      `unexpected status body: ${JSON.stringify(body)}`,
    );
  }
  return body as unknown as ConnectorStatus;
}

function parsePlugins(body: unknown): ConnectorPlugin[] {
  if (!Array.isArray(body) || !body.every((p) => isRecord(p) && typeof p.class === 'string')) {
    throw new TestkitError(
      'TESTKIT_CONNECTOR_FAILED',
      'kafka-connect',
      `unexpected /connector-plugins body: ${JSON.stringify(body)}`,
    );
  }
  return body as ConnectorPlugin[];
}

/** Connect answers errors as `{error_code, message}`; the message is what a person needs. */
async function reason(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body) && typeof body.message === 'string') return `${res.status} ${body.message}`;
  } catch {
    // Not JSON: use it as it is.
  }
  return `${res.status} ${text}`;
}

async function call(url: string, init?: RequestInit): Promise<Response> {
  return fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    signal: AbortSignal.timeout(30_000),
  });
}

export function connectRestClient(url: string): ConnectRestClient {
  const connector = (name: string) => `${url}/connectors/${encodeURIComponent(name)}`;
  const connectorStatus = async (name: string): Promise<ConnectorStatus | null> => {
    const res = await call(`${connector(name)}/status`);
    if (res.status === 404) return null;
    if (!res.ok)
      throw new TestkitError(
        'TESTKIT_CONNECTOR_FAILED',
        'kafka-connect',
        `GET status of ${name}: ${await reason(res)}`,
      );
    return parseStatus(await res.json());
  };
  return {
    url,
    async listPlugins() {
      const res = await call(`${url}/connector-plugins`);
      if (!res.ok) throw new Error(`GET /connector-plugins: ${res.status}`);
      return parsePlugins(await res.json());
    },
    async createConnector(name, config) {
      const res = await call(`${connector(name)}/config`, { method: 'PUT', body: JSON.stringify(config) });
      if (!res.ok)
        throw new TestkitError(
          'TESTKIT_CONNECTOR_FAILED',
          'kafka-connect',
          `creating connector ${name}: ${await reason(res)}`,
        );
    },
    connectorStatus,
    async waitForConnectorRunning(name, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const status = await connectorStatus(name);
        const failed = status && [status.connector, ...status.tasks].find((s) => s.state === 'FAILED');
        if (failed)
          throw new TestkitError(
            'TESTKIT_CONNECTOR_FAILED',
            'kafka-connect',
            `connector ${name} FAILED:\n${failed.trace ?? '(no trace)'}`,
          );
        if (
          status?.connector.state === 'RUNNING' &&
          status.tasks.length > 0 &&
          status.tasks.every((t) => t.state === 'RUNNING')
        )
          return status;
        if (Date.now() > end) {
          throw new TestkitError(
            'TESTKIT_CONNECTOR_FAILED',
            'kafka-connect',
            `connector ${name} not RUNNING after ${timeoutMs} ms: ${JSON.stringify(status)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async deleteConnector(name, timeoutMs = 30_000) {
      const res = await call(connector(name), { method: 'DELETE' });
      if (!res.ok && res.status !== 404)
        throw new TestkitError(
          'TESTKIT_CONNECTOR_FAILED',
          'kafka-connect',
          `deleting connector ${name}: ${await reason(res)}`,
        );
      const end = Date.now() + timeoutMs;
      while ((await connectorStatus(name)) !== null) {
        if (Date.now() > end)
          throw new TestkitError(
            'TESTKIT_CONNECTOR_FAILED',
            'kafka-connect',
            `connector ${name} still exists ${timeoutMs} ms after DELETE`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
