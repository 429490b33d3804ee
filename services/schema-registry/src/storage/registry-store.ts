import pg from 'pg';
import type { SchemaReference, SchemaType } from '../formats/schema-format.ts';
import { ID_LOCK_SHARED } from './imported-ids.ts';
import { MIGRATIONS } from './migrations.ts';

export interface StoredSchema {
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
}

export interface SubjectVersion {
  subject: string;
  version: number;
  schemaId: number;
  deleted: boolean;
  semver: string | null;
  metadata: Record<string, unknown> | null;
}

export interface NewSchema {
  schemaType: SchemaType;
  schema: string;
  canonical: string;
  identity: string;
  references: SchemaReference[];
}

/** What a subject's transaction reads first, right after taking the subject's lock. */
export interface LockedSubject {
  /** The subject's versions, soft-deleted ones included, by version. */
  versions: SubjectVersion[];
  /** The id already stored for the identity passed to `withSubjectLock`, if any. */
  identityId: number | undefined;
}

export interface AuditEntry {
  principal: string | null;
  action: string;
  subject?: string;
  version?: number;
  schemaId?: number;
  result: 'ok' | 'refused' | 'failed';
  detail?: Record<string, unknown>;
}

export interface SubjectConfig {
  compatibility: string | null;
  mode: string | null;
  /** Lint severity overrides, rule id -> error | warning | off. */
  lint: Record<string, 'error' | 'warning' | 'off'> | null;
}

/** One setting of `registry_config`. */
export type ConfigChange =
  | { field: 'compatibility' | 'mode'; value: string | null }
  | { field: 'lint'; value: Record<string, string> | null };

/**
 * How long reads of versions and config may be served from memory. Writes of this process drop their
 * entries at once; another registry process's writes are seen within this bound.
 */
const READ_CACHE_MS = 1_000;
const READ_CACHE_MAX = 10_000;

/** At most `limit` callers run at once; the others wait in order. */
class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];
  constructor(limit: number) {
    this.#free = limit;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((r) => this.#waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const toVersion = (r: {
  subject: string;
  version: number;
  schema_id: number;
  deleted: boolean;
  semver: string | null;
  metadata: Record<string, unknown> | null;
}): SubjectVersion => ({
  subject: r.subject,
  version: r.version,
  schemaId: r.schema_id,
  deleted: r.deleted,
  semver: r.semver,
  metadata: r.metadata,
});

const VERSION_COLUMNS = 'subject, version, schema_id, deleted, semver, metadata';

/**
 * A `like` pattern matching names that start with `prefix`: `%`, `_` and the escape character itself are
 * literal in a subject prefix (a prefix `shop_` must not match `shopX`). Used with `escape '\'`.
 */
export function prefixPattern(prefix: string): string {
  return prefix.replace(/[\\%_]/g, '\\$&') + '%';
}

/**
 * Postgres persistence of schemas, subject versions, config and the audit trail. Schemas are immutable once
 * stored, so reads by id are cached in memory for the life of the process.
 */
export class RegistryStore {
  readonly #pool: pg.Pool;
  readonly #byId = new Map<number, StoredSchema>();
  readonly #subjectQueues = new Map<string, Promise<void>>();
  readonly #idByIdentity = new Map<string, number>();
  readonly #versionsCache = new Map<string, { value: SubjectVersion[]; until: number }>();
  readonly #configCache = new Map<string, { value: SubjectConfig | undefined; until: number }>();
  /** What a subject transaction's writes teach the caches, applied once it has committed. */
  readonly #afterCommit = new WeakMap<pg.PoolClient, Array<() => void>>();

  /**
   * Transactions holding a subject lock also read through the pool (references, schemas by id); keeping
   * two connections out of their reach means those reads always get one, so the pool cannot deadlock.
   */
  readonly #lockSlots: Semaphore;

  constructor(databaseUrl: string, poolSize = 20) {
    this.#pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
    // An idle client's error (the server restarting, a DBA ending sessions) must not crash the process:
    // the pool drops that client, and the next query opens another.
    this.#pool.on('error', () => {});
    this.#lockSlots = new Semaphore(Math.max(1, poolSize - 2));
  }

  /** The pool, for stores of the registry's other tables (API keys). */
  get db(): Queryable {
    return this.#pool;
  }

  async migrate(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      // Several registries may start at once against one database.
      await client.query('select pg_advisory_lock(hashtext($1))', ['registry-migrations']);
      for (const sql of MIGRATIONS) await client.query(sql);
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', ['registry-migrations']).catch(() => {});
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.#pool.query('select 1');
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async schemaById(id: number): Promise<StoredSchema | undefined> {
    const cached = this.#byId.get(id);
    if (cached) return cached;
    const { rows } = await this.#pool.query<{
      id: number;
      schema_type: SchemaType;
      schema_text: string;
      refs: SchemaReference[];
    }>('select id, schema_type, schema_text, refs from registry_schema where id = $1', [id]);
    const row = rows[0];
    if (!row) return undefined;
    const stored: StoredSchema = {
      id: row.id,
      schemaType: row.schema_type,
      schema: row.schema_text,
      references: row.refs,
    };
    this.#byId.set(id, stored);
    return stored;
  }

  /** Identity -> id never changes once stored, so found ids are remembered. */
  async schemaIdByIdentity(identity: string): Promise<number | undefined> {
    const known = this.#idByIdentity.get(identity);
    if (known !== undefined) return known;
    const { rows } = await this.#pool.query<{ id: number }>(
      'select id from registry_schema where identity = $1',
      [identity],
    );
    if (rows[0]) this.#idByIdentity.set(identity, rows[0].id);
    return rows[0]?.id;
  }

  /**
   * Stores a schema once (concurrent callers with the same identity get the one id), appends the subject's
   * version and its audit record: one statement, inside the subject's transaction.
   */
  async appendVersion(
    db: pg.PoolClient,
    s: NewSchema,
    explicitId: number | undefined,
    v: Omit<SubjectVersion, 'deleted' | 'schemaId'>,
    audit: Omit<AuditEntry, 'version' | 'schemaId' | 'subject'>,
  ): Promise<number> {
    const { rows } = await db.query<{ id: number }>({
      name: 'registry-append-version',
      // The shared id lock keeps an IMPORT (which moves the sequence) from running between this nextval
      // and the commit; registrations do not wait for one another on it.
      text: `with id_lock as (select ${ID_LOCK_SHARED}),
       inserted as (
         insert into registry_schema (id, schema_type, schema_text, canonical, identity, refs)
         select coalesce($1::integer, nextval('registry_schema_id_seq')::integer), $2, $3, $4, $5, $6
         from id_lock
         on conflict (identity) do nothing returning id),
       chosen as (
         select id from inserted union all
         select id from registry_schema where identity = $5 and not exists (select 1 from inserted)),
       version as (
         insert into registry_subject_version (subject, version, schema_id, semver, metadata)
         select $7, $8, id, $9, $10 from chosen returning schema_id),
       audited as (
         insert into registry_audit (principal, action, subject, version, schema_id, result, detail)
         select $11, $12, $7, $8, schema_id, $13, $14 from version)
       select schema_id as id from version`,
      values: [
        explicitId ?? null,
        s.schemaType,
        s.schema,
        s.canonical,
        s.identity,
        JSON.stringify(s.references),
        v.subject,
        v.version,
        v.semver,
        v.metadata ? JSON.stringify(v.metadata) : null,
        audit.principal,
        audit.action,
        audit.result,
        audit.detail ? JSON.stringify(audit.detail) : null,
      ],
    });
    let id = rows[0]?.id;
    if (id === undefined) {
      // Another subject's transaction inserted the same schema and committed while this statement waited
      // on the unique index: the row is newer than this statement's snapshot. A new statement sees it.
      const again = await db.query<{ id: number }>(
        `with chosen as (select id from registry_schema where identity = $1),
         version as (
           insert into registry_subject_version (subject, version, schema_id, semver, metadata)
           select $2, $3, id, $4, $5 from chosen returning schema_id),
         audited as (
           insert into registry_audit (principal, action, subject, version, schema_id, result, detail)
           select $6, $7, $2, $3, schema_id, $8, $9 from version)
         select schema_id as id from version`,
        [
          s.identity,
          v.subject,
          v.version,
          v.semver,
          v.metadata ? JSON.stringify(v.metadata) : null,
          audit.principal,
          audit.action,
          audit.result,
          audit.detail ? JSON.stringify(audit.detail) : null,
        ],
      );
      id = again.rows[0]?.id;
    }
    if (id === undefined) throw new Error('schema vanished between insert and select');
    const stored: StoredSchema = { id, schemaType: s.schemaType, schema: s.schema, references: s.references };
    this.#onCommit(db, () => {
      this.#idByIdentity.set(s.identity, stored.id);
      // The text as registered is the text stored: reads by id need not ask the table for it.
      if (!this.#byId.has(stored.id)) this.#byId.set(stored.id, stored);
    });
    return id;
  }

  /** Subjects, in code-point order as Confluent sorts them (not the database's collation); `limit` null is all. */
  async subjects(options: {
    prefix?: string;
    deleted?: boolean;
    offset?: number;
    limit?: number | null;
  }): Promise<string[]> {
    const { rows } = await this.#pool.query<{ subject: string }>(
      `select subject from registry_subject_version
       where ($1::text is null or subject like $1 escape '\\') and ($2 or not deleted)
       group by subject order by subject collate "C" offset $3 limit $4`,
      [
        options.prefix === undefined ? null : prefixPattern(options.prefix),
        options.deleted ?? false,
        options.offset ?? 0,
        options.limit ?? null,
      ],
    );
    return rows.map((r) => r.subject);
  }

  /**
   * A subject's versions, possibly from a cache kept for READ_CACHE_MS and dropped by this process's own
   * writes. Decisions that must be exact (registration, deletes) read them in `withSubjectLock` instead.
   */
  async versions(subject: string): Promise<SubjectVersion[]> {
    const hit = this.#versionsCache.get(subject);
    if (hit && hit.until > Date.now()) return hit.value;
    const { rows } = await this.#pool.query<Parameters<typeof toVersion>[0]>({
      name: 'registry-versions',
      text: `select ${VERSION_COLUMNS} from registry_subject_version where subject = $1 order by version`,
      values: [subject],
    });
    const value = rows.map(toVersion);
    this.#remember(this.#versionsCache, subject, value);
    return value;
  }

  #remember<V>(cache: Map<string, { value: V; until: number }>, key: string, value: V): void {
    if (cache.size >= READ_CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(key, { value, until: Date.now() + READ_CACHE_MS });
  }

  async versionsOfSchema(schemaId: number): Promise<SubjectVersion[]> {
    const { rows } = await this.#pool.query<Parameters<typeof toVersion>[0]>(
      `select ${VERSION_COLUMNS} from registry_subject_version where schema_id = $1 order by subject, version`,
      [schemaId],
    );
    return rows.map(toVersion);
  }

  /** Versions whose schema references `subject`/`version`. */
  async referencedBy(subject: string, version: number): Promise<number[]> {
    const { rows } = await this.#pool.query<{ id: number }>(
      `select distinct v.schema_id as id from registry_subject_version v join registry_schema s on s.id = v.schema_id
       where not v.deleted and exists (
         select 1 from jsonb_array_elements(s.refs) r where r->>'subject' = $1 and (r->>'version')::int = $2)
       order by 1`,
      [subject, version],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Runs `fn` in a transaction holding the subject's lock: versions of one subject are assigned one at a
   * time, while other subjects proceed in parallel. `fn` gets the subject's versions and the id stored for
   * `identity` (when given), read after the lock was granted.
   */
  async withSubjectLock<T>(
    subject: string,
    fn: (db: pg.PoolClient, locked: LockedSubject) => Promise<T>,
    identity?: string,
  ): Promise<T> {
    // Writers of one subject queue here first, so waiting writers do not each hold a pooled connection
    // while the lock holder needs one more (fifty concurrent writers would otherwise exhaust the pool and
    // deadlock it). The advisory lock still serializes writers across registry processes.
    const previous = this.#subjectQueues.get(subject) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    this.#subjectQueues.set(subject, tail);
    await previous;
    try {
      return await this.#lockSlots.run(() => this.#locked(subject, identity, fn));
    } finally {
      // After the commit (or rollback): a read cached meanwhile may predate it.
      this.#versionsCache.delete(subject);
      release();
      if (this.#subjectQueues.get(subject) === tail) this.#subjectQueues.delete(subject);
    }
  }

  async #locked<T>(
    subject: string,
    identity: string | undefined,
    fn: (db: pg.PoolClient, locked: LockedSubject) => Promise<T>,
  ): Promise<T> {
    const client = await this.#pool.connect();
    const pending: Array<() => void> = [];
    this.#afterCommit.set(client, pending);
    try {
      // One round trip: a simple query takes no parameters, hence the escaped literals. Each statement of
      // it gets its own snapshot (read committed), so the reads after the lock see every version committed
      // by the writer that held it before.
      const literal = (v: string) => client.escapeLiteral(v);
      const statements = [
        'begin',
        `select pg_advisory_xact_lock(hashtext(${literal(`subject:${subject}`)}))`,
        `select ${VERSION_COLUMNS} from registry_subject_version where subject = ${literal(subject)} order by version`,
        ...(identity === undefined
          ? []
          : [`select id from registry_schema where identity = ${literal(identity)}`]),
      ];
      const results: unknown = await client.query(statements.join('; '));
      if (!Array.isArray(results) || results.length !== statements.length)
        throw new Error('the subject lock query answered an unexpected number of result sets');
      const [, , versionRows, identityRows] = results as pg.QueryResult[];
      const locked: LockedSubject = {
        versions: (versionRows?.rows as Array<Parameters<typeof toVersion>[0]>).map(toVersion),
        identityId: (identityRows?.rows[0] as { id: number } | undefined)?.id,
      };
      const result = await fn(client, locked);
      await client.query('commit');
      for (const apply of pending) apply();
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      this.#afterCommit.delete(client);
      client.release();
    }
  }

  /** Runs `apply` once the subject transaction on `db` has committed (never, if it rolls back). */
  #onCommit(db: pg.PoolClient, apply: () => void): void {
    const pending = this.#afterCommit.get(db);
    if (!pending) throw new Error('a subject write outside withSubjectLock');
    pending.push(apply);
  }

  async insertVersion(db: Queryable, v: Omit<SubjectVersion, 'deleted'>): Promise<void> {
    await db.query(
      'insert into registry_subject_version (subject, version, schema_id, semver, metadata) values ($1, $2, $3, $4, $5)',
      [v.subject, v.version, v.schemaId, v.semver, v.metadata ? JSON.stringify(v.metadata) : null],
    );
  }

  async softDelete(db: Queryable, subject: string, version?: number): Promise<void> {
    await db.query(
      'update registry_subject_version set deleted = true where subject = $1 and ($2::int is null or version = $2)',
      [subject, version ?? null],
    );
  }

  async hardDelete(db: Queryable, subject: string, version?: number): Promise<void> {
    await db.query(
      'delete from registry_subject_version where subject = $1 and ($2::int is null or version = $2)',
      [subject, version ?? null],
    );
  }

  /** A subject's (or, for `''`, the global) config; cached like `versions`. */
  async config(subject: string): Promise<SubjectConfig | undefined> {
    const hit = this.#configCache.get(subject);
    if (hit && hit.until > Date.now()) return hit.value;
    const { rows } = await this.#pool.query<SubjectConfig>({
      name: 'registry-config',
      text: 'select compatibility, mode, lint from registry_config where subject = $1',
      values: [subject],
    });
    this.#remember(this.#configCache, subject, rows[0]);
    return rows[0];
  }

  /**
   * Sets (or, with `null`, removes) one setting of a subject's config (`''`: the global one) and records
   * who changed it from what to what in `registry_audit`: one statement, so both happen or neither.
   */
  async setConfig(
    subject: string,
    change: ConfigChange,
    audit: { principal: string | null; action: string; detail?: Record<string, unknown> },
  ): Promise<void> {
    const { field, value } = change;
    const param = field === 'lint' ? '$2::jsonb' : '$2::text';
    await this.#pool.query(
      `with previous as (select ${field} as value from registry_config where subject = $1::text),
       written as (
         insert into registry_config (subject, ${field}) values ($1::text, ${param})
         on conflict (subject) do update set ${field} = excluded.${field} returning subject)
       insert into registry_audit (principal, action, subject, result, detail)
       select $3, $4, nullif($1::text, ''), 'ok', coalesce($5::jsonb, '{}'::jsonb) || jsonb_build_object(
         'from', (select to_jsonb(value) from previous), 'to', to_jsonb(${param}))
       from written`,
      [
        subject,
        value === null || typeof value === 'string' ? value : JSON.stringify(value),
        audit.principal,
        audit.action,
        audit.detail ? JSON.stringify(audit.detail) : null,
      ],
    );
    this.#configCache.delete(subject);
  }

  /** Whether a subject (or, for `null`, any subject) has a version not soft deleted; never cached. */
  async hasLiveVersions(subject: string | null): Promise<boolean> {
    const { rows } = await this.#pool.query<{ found: boolean }>(
      `select exists (select 1 from registry_subject_version
                      where not deleted and ($1::text is null or subject = $1)) as found`,
      [subject],
    );
    return rows[0]?.found ?? false;
  }

  async audit(entry: AuditEntry, db: Queryable = this.#pool): Promise<void> {
    await db.query(
      'insert into registry_audit (principal, action, subject, version, schema_id, result, detail) values ($1, $2, $3, $4, $5, $6, $7)',
      [
        entry.principal,
        entry.action,
        entry.subject ?? null,
        entry.version ?? null,
        entry.schemaId ?? null,
        entry.result,
        entry.detail ? JSON.stringify(entry.detail) : null,
      ],
    );
  }

  /** Versions with their schemas, by subject and version; `latestOnly`: each subject's latest only. */
  async schemas(options: {
    subjectPrefix?: string;
    deleted?: boolean;
    latestOnly?: boolean;
    offset: number;
    limit: number;
  }): Promise<Array<SubjectVersion & StoredSchema>> {
    const { rows } = await this.#pool.query<
      Parameters<typeof toVersion>[0] & {
        schema_type: SchemaType;
        schema_text: string;
        refs: SchemaReference[];
      }
    >(
      `with listed as (
         select v.*, row_number() over (partition by v.subject order by v.version desc) as from_latest
         from registry_subject_version v
         where ($1::text is null or v.subject like $1 escape '\\') and ($2 or not v.deleted))
       select v.subject, v.version, v.schema_id, v.deleted, v.semver, v.metadata, s.schema_type, s.schema_text, s.refs
       from listed v join registry_schema s on s.id = v.schema_id
       where not $5 or v.from_latest = 1
       order by v.subject collate "C", v.version offset $3 limit $4`,
      [
        options.subjectPrefix === undefined ? null : prefixPattern(options.subjectPrefix),
        options.deleted ?? false,
        options.offset,
        options.limit,
        options.latestOnly ?? false,
      ],
    );
    return rows.map((r) => ({
      ...toVersion(r),
      id: r.schema_id,
      schemaType: r.schema_type,
      schema: r.schema_text,
      references: r.refs,
    }));
  }
}
