import { describe, expect, it } from 'vitest';
import type { AuditEntry, ChainedRecord } from './audit-record.ts';
import { GENESIS_HASH, recordHash } from './audit-record.ts';
import { signCheckpoint } from './checkpoint.ts';
import { generateSigningKey, publicKeyFrom } from './signing-key.ts';
import { verifyAuditLines } from './verify-audit.ts';

const key = generateSigningKey();

function entry(i: number): AuditEntry {
  return {
    type: 'decision',
    decision_id: `d-${i}`,
    timestamp: new Date(1_800_000_000_000 + i).toISOString(),
    path: 'data_spine/residency/route',
    input: { route: { sink: { id: 'analytics-us' } }, fields: [{ name: 'email', tags: ['pii'] }] },
    input_hash: `sha256:${i}`,
    result: {
      decision: i % 3 === 0 ? 'deny' : 'allow',
      enforced: true,
      fields: [],
      reason_codes: [],
      shadow_decision: null,
    },
    result_hash: `sha256:r${i}`,
    bundles: { residency: { revision: 'v1', digest: 'sha256:x' } },
    requested_by: 'anonymous',
    req_id: `r${i}`,
  };
}

/** An export as GET /v1/audit writes it: records, a checkpoint every `every`, a head. */
function exportOf(n: number, every = 4): string[] {
  const lines: string[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const rec: ChainedRecord = { ...entry(seq), seq, prev_hash: prev };
    const { hash } = recordHash(rec);
    lines.push(JSON.stringify({ ...rec, hash }));
    prev = hash;
    if (seq % every === 0)
      lines.push(
        JSON.stringify(
          signCheckpoint(key, { type: 'checkpoint', seq, hash, timestamp: new Date().toISOString() }),
        ),
      );
  }
  lines.push(
    JSON.stringify(
      signCheckpoint(key, { type: 'head', seq: n, hash: prev, timestamp: new Date().toISOString() }),
    ),
  );
  return lines;
}

const seqAt = (lines: string[], seq: number) =>
  lines.findIndex(
    (l) =>
      (JSON.parse(l) as { seq: number; type: string }).type === 'decision' &&
      (JSON.parse(l) as { seq: number }).seq === seq,
  );
const first = (lines: string[]) =>
  verifyAuditLines(lines.join('\n'), { publicKey: key.publicKey }).problems[0];

describe('verify-audit', () => {
  it('accepts an untouched export, with a pinned key', () => {
    const r = verifyAuditLines(exportOf(20).join('\n'), { publicKey: key.publicKey });
    expect(r).toMatchObject({
      ok: true,
      records: 20,
      checkpoints: 5,
      head: true,
      firstSeq: 1,
      lastSeq: 20,
      problems: [],
    });
  });

  it('names an edited record (hash left as it was)', () => {
    const lines = exportOf(20);
    const i = seqAt(lines, 7);
    lines[i] = (lines[i] as string).replace('"decision":"allow"', '"decision":"deny"');
    expect(first(lines)).toMatchObject({ kind: 'altered', seq: 7 });
  });

  it('names an edited record whose hash was recomputed (the next prev_hash breaks)', () => {
    const lines = exportOf(20);
    const i = seqAt(lines, 9);
    const rec = JSON.parse(lines[i] as string) as ChainedRecord & { hash?: string };
    delete rec.hash;
    rec.result.decision = 'allow';
    rec.requested_by = 'someone-else';
    lines[i] = JSON.stringify({ ...rec, hash: recordHash(rec).hash });
    expect(first(lines)).toMatchObject({ kind: 'altered', seq: 9 });
  });

  it('catches a rewritten chain through the signed checkpoints', () => {
    const lines = exportOf(8, 4).filter((l) => !l.includes('"type":"head"'));
    // Rewrite everything from seq 2 on, consistently, and re-sign nothing.
    let prev = (JSON.parse(lines[seqAt(lines, 1)] as string) as { hash: string }).hash;
    for (let seq = 2; seq <= 8; seq++) {
      const i = seqAt(lines, seq);
      const rec = JSON.parse(lines[i] as string) as ChainedRecord & { hash?: string };
      delete rec.hash;
      rec.requested_by = 'forger';
      rec.prev_hash = prev;
      prev = recordHash(rec).hash;
      lines[i] = JSON.stringify({ ...rec, hash: prev });
    }
    lines.push(
      JSON.stringify(
        signCheckpoint(generateSigningKey(), {
          type: 'head',
          seq: 8,
          hash: prev,
          timestamp: new Date().toISOString(),
        }),
      ),
    );
    const r = verifyAuditLines(lines.join('\n'), { publicKey: key.publicKey });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ kind: 'altered', seq: 4 });
    expect(r.problems.some((p) => p.kind === 'checkpoint' && p.message.includes('head'))).toBe(true);
  });

  it('names a deleted record', () => {
    const lines = exportOf(20);
    lines.splice(seqAt(lines, 11), 1);
    expect(first(lines)).toMatchObject({ kind: 'removed', seq: 11 });
  });

  it('names reordered records', () => {
    const lines = exportOf(20);
    const a = seqAt(lines, 5);
    const b = seqAt(lines, 6);
    [lines[a], lines[b]] = [lines[b] as string, lines[a] as string];
    expect(first(lines)).toMatchObject({ kind: 'reordered', seq: 5 });
  });

  it('detects truncation, with or without the head line', () => {
    const lines = exportOf(20);
    const head = lines[lines.length - 1] as string;
    const cut = lines.slice(0, seqAt(lines, 17));
    expect(first(cut)).toMatchObject({ kind: 'truncated', seq: 16 });
    expect(first([...cut, head])).toMatchObject({ kind: 'truncated', seq: 17 });
  });

  it('refuses a checkpoint signed by another key when the key is pinned', () => {
    const lines = exportOf(8);
    const other = generateSigningKey();
    expect(verifyAuditLines(lines.join('\n'), { publicKey: other.publicKey }).problems[0]).toMatchObject({
      kind: 'checkpoint',
    });
    expect(verifyAuditLines(lines.join('\n'), { publicKey: publicKeyFrom(key.publicKeyBase64) }).ok).toBe(
      true,
    );
  });

  it('reports lines that are not JSON', () => {
    const lines = exportOf(3);
    lines.splice(1, 0, 'not json');
    expect(first(lines)).toMatchObject({ kind: 'malformed', line: 2 });
  });
});
