import type { FastifyInstance } from 'fastify';
import { buildApp, DEFAULT_FORMATS, loadRegistryConfig } from '@data-spine/schema-registry';
import { createLogger, hashSecret, MemoryCredentialStore } from '@data-spine/service-kit';

export const ADMIN = { key: 'spine-admin', secret: 'test-secret-0123456789abcdef' };
export const ADMIN_CREDENTIAL = `${ADMIN.key}:${ADMIN.secret}`;
export const adminHeader = `Bearer ${ADMIN_CREDENTIAL}`;

export function adminStore(): MemoryCredentialStore {
  const store = new MemoryCredentialStore();
  store.put({ key: ADMIN.key, secretHash: hashSecret(ADMIN.secret), roles: ['admin'], scopes: ['*'] });
  return store;
}

/** The real schema registry app on a free port, or on `port` (real HTTP). */
export async function startRegistry(
  databaseUrl: string,
  port = 0,
): Promise<{ url: string; app: FastifyInstance }> {
  const app = await buildApp(
    loadRegistryConfig({ SPINE_DATABASE_URL: databaseUrl, SPINE_LOG_LEVEL: 'silent' }),
    {
      formats: DEFAULT_FORMATS,
      logger: createLogger({ service: 'schema-registry', level: 'silent' }),
      credentials: adminStore(),
    },
  );
  const url = await app.listen({ host: '127.0.0.1', port });
  return { url, app };
}

/** Registers a JSON Schema contract for a table topic (`<topic>-value`). */
export async function registerContract(
  registryUrl: string,
  topic: string,
  schema: Record<string, unknown>,
): Promise<number> {
  const res = await fetch(`${registryUrl}/subjects/${encodeURIComponent(`${topic}-value`)}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: adminHeader },
    body: JSON.stringify({ schemaType: 'JSON', schema: JSON.stringify(schema) }),
  });
  const body = (await res.json()) as { id?: number };
  if (!res.ok) throw new Error(`register ${topic}: ${res.status} ${JSON.stringify(body)}`);
  return body.id as number;
}

const str = (doc: string, tags: string[] = []) => ({
  type: ['null', 'string'],
  description: doc,
  ...(tags.length ? { 'confluent:tags': tags } : {}),
});

/** The demo's customer contract (DESIGN.md): name and email tagged PII. */
export const CUSTOMER_CONTRACT = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Customer',
  type: 'object',
  'data-spine:classification': 'confidential',
  properties: {
    id: { type: 'string', description: 'Primary key.' },
    name: str('Legal name.', ['PII']),
    email: str('Billing contact email.', ['PII']),
    status: str('trial, active or churned.'),
    created_at: str('When the customer first entered the system.'),
    annual_revenue: str('ARR in USD, as a decimal string.'),
    industry: str('Industry.'),
  },
};

/** A ticket with a card number (PCI) and a large body (TOASTed). */
export const TICKET_CONTRACT = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'SupportTicket',
  type: 'object',
  'data-spine:classification': 'confidential',
  properties: {
    id: { type: 'integer', description: 'Primary key.' },
    subject: str('Subject line.'),
    body: str('The ticket text.'),
    card_number: str('A card number pasted into the ticket.', ['PCI']),
  },
};
