import { describe, expect, it } from 'vitest';
import type { AuditEntry, ChainedRecord } from './audit-record.ts';
import { GENESIS_HASH, recordHash } from './audit-record.ts';
import { signCheckpoint } from './checkpoint.ts';
import { generateSigningKey, publicKeyFrom } from './signing-key.ts';
import type { SigningKey } from './signing-key.ts';
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

/** An export as GET /v1/audit writes it: records from `from`, a checkpoint every `every`, a head. */
function exportOf(n: number, every = 4, signer = key, from = 1): string[] {
  const lines: string[] = [];
  let prev = GENESIS_HASH;
  let firstPrevHash: string | null = null;
  let checkpoints = 0;
  for (let seq = 1; seq <= n; seq++) {
    const rec: ChainedRecord = { ...entry(seq), seq, prev_hash: prev };
    const { hash } = recordHash(rec);
    if (seq === from) firstPrevHash = prev;
    prev = hash;
    if (seq < from) continue;
    lines.push(JSON.stringify({ ...rec, hash }));
    if (seq % every === 0) {
      checkpoints++;
      lines.push(
        JSON.stringify(
          signCheckpoint(signer, { type: 'checkpoint', seq, hash, timestamp: new Date().toISOString() }),
        ),
      );
    }
  }
  lines.push(JSON.stringify(headOf(signer, { from, to: n, hash: prev, firstPrevHash, checkpoints })));
  return lines;
}

function headOf(
  signer: SigningKey,
  h: { from: number; to: number; hash: string; firstPrevHash: string | null; checkpoints: number },
) {
  return signCheckpoint(signer, {
    type: 'head',
    seq: h.to,
    hash: h.hash,
    timestamp: new Date().toISOString(),
    first_seq: h.from,
    first_prev_hash: h.firstPrevHash,
    checkpoints: h.checkpoints,
  });
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
      range: { firstSeq: 1, lastSeq: 20, checkpoints: 5 },
      problems: [],
    });
    // A partial export (from_seq=7): its first prev_hash is the one the head signs.
    expect(
      verifyAuditLines(exportOf(20, 4, key, 7).join('\n'), { publicKey: key.publicKey }).problems,
    ).toEqual([]);
  });

  it('names records deleted from the start', () => {
    const lines = exportOf(20);
    lines.splice(seqAt(lines, 1), 1);
    expect(first(lines)).toMatchObject({ kind: 'removed', seq: 1 });
    expect(first(lines)?.message).toContain('record seq 1 removed from the start');
    // Seq 1-4 and the checkpoint at 4.
    const more = exportOf(20);
    more.splice(0, 5);
    expect(first(more)).toMatchObject({ kind: 'removed', seq: 1 });
    expect(first(more)?.message).toContain('seq 1..4 removed from the start');
    // And from a partial export (from_seq=5).
    const partial = exportOf(20, 4, key, 5);
    partial.splice(0, 1);
    expect(first(partial)).toMatchObject({ kind: 'removed', seq: 5 });
  });

  it('names every record removed when only the head is left', () => {
    const lines = exportOf(8);
    expect(first(lines.slice(-1))).toMatchObject({ kind: 'removed', seq: 1 });
  });

  it('names checkpoints stripped, and refuses records no checkpoint covers', () => {
    const lines = exportOf(20);
    const one = lines.filter((l) => !l.includes('"seq":8,') || !l.includes('"checkpoint"'));
    expect(one).toHaveLength(lines.length - 1);
    expect(first(one)).toMatchObject({ kind: 'removed' });
    expect(first(one)?.message).toContain('1 checkpoint(s) removed');
    const none = lines.filter((l) => !l.includes('"type":"checkpoint"'));
    const r = verifyAuditLines(none.join('\n'), { publicKey: key.publicKey });
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['removed', 'unsigned']));
    expect(r.problems.find((p) => p.kind === 'unsigned')?.message).toContain('no checkpoint');
    // Stripped and re-headed with a count of 0 (as a forger with the key would): still no checkpoint.
    const reheaded = [
      ...none.slice(0, -1),
      JSON.stringify(
        headOf(key, {
          from: 1,
          to: 20,
          hash: (JSON.parse(none.at(-2) as string) as { hash: string }).hash,
          firstPrevHash: GENESIS_HASH,
          checkpoints: 0,
        }),
      ),
    ];
    expect(verifyAuditLines(reheaded.join('\n'), { publicKey: key.publicKey }).problems).toEqual([
      expect.objectContaining({ kind: 'unsigned' }),
    ]);
  });

  it('refuses a log re-signed with another key: pinned, or without any trusted key', () => {
    const forger = generateSigningKey();
    const forged = exportOf(20, 4, forger).join('\n');
    const pinned = verifyAuditLines(forged, { publicKey: key.publicKey });
    expect(pinned.ok).toBe(false);
    expect(pinned.problems[0]).toMatchObject({ kind: 'checkpoint' });
    // No key given: the file's own key verifies it, which proves nothing, so it fails.
    const unpinned = verifyAuditLines(forged);
    expect(unpinned.ok).toBe(false);
    expect(unpinned.problems).toEqual([expect.objectContaining({ kind: 'untrusted-key' })]);
    expect(unpinned.problems[0]?.message).toContain('no trusted key: signatures not verified');
    // Only when told to accept the file's key does it pass (and the report says the key was not pinned).
    expect(verifyAuditLines(forged, { allowUntrustedKey: true })).toMatchObject({
      ok: true,
      pinnedKey: false,
    });
  });

  it('refuses, even when untrusted keys are allowed, signatures by several keys', () => {
    const lines = exportOf(8);
    const other = generateSigningKey();
    const i = lines.findIndex((l) => l.includes('"type":"checkpoint"'));
    const c = JSON.parse(lines[i] as string) as { seq: number; hash: string; timestamp: string };
    lines[i] = JSON.stringify(
      signCheckpoint(other, { type: 'checkpoint', seq: c.seq, hash: c.hash, timestamp: c.timestamp }),
    );
    const r = verifyAuditLines(lines.join('\n'), { allowUntrustedKey: true });
    expect(r.ok).toBe(false);
    expect(r.problems[0]?.message).toContain('2 different keys');
  });

  it('names records added after the range the head signs', () => {
    const lines = exportOf(8);
    const extra = exportOf(9).filter((l) => l.includes('"seq":9,') && l.includes('"decision"'));
    const withExtra = [...lines.slice(0, -1), ...extra, lines.at(-1) as string];
    expect(first(withExtra)).toMatchObject({ kind: 'added', seq: 9 });
  });

  it('refuses a head that records no range (an export of an older gate)', () => {
    const lines = exportOf(8);
    const head = JSON.parse(lines.at(-1) as string) as { seq: number; hash: string };
    lines[lines.length - 1] = JSON.stringify(
      signCheckpoint(key, { type: 'checkpoint', seq: head.seq, hash: head.hash, timestamp: 't' }),
    ).replace('"type":"checkpoint"', '"type":"head"');
    const r = verifyAuditLines(lines.join('\n'), { publicKey: key.publicKey });
    expect(r.ok).toBe(false);
    expect(r.problems.some((p) => p.message.includes('does not record the range'))).toBe(true);
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
