/** Claims and completions of several messages at once: who shares a claim, what one commit writes, the bytes handed out. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimMessages, completeMessageSteps, getMessage, releaseStaleLeases, storeInboundMessages, type AcceptInput } from '../../src/store/messages.ts';
import { openDatabase, type Db } from '../../src/store/open-database.ts';
import { claimOutboxRows, listOutbox } from '../../src/store/outbox.ts';

let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

function open(): { db: Db; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'txgate-store-')), 'txgate.db');
  db = openDatabase(path);
  return { db, path };
}

let seq = 0;
function inbound(at: number): AcceptInput {
  seq++;
  return {
    id: `msg-${String(seq).padStart(4, '0')}`,
    channel: 'smtp',
    envelopeFrom: 'dr.martin@hopital-a.test',
    envelopeTo: ['gateway@txgate.localhost'],
    messageId: `<m-${seq}@hopital-a.test>`,
    dedupKey: `dr.martin@hopital-a.test <m-${seq}@hopital-a.test>`,
    remoteAddress: '127.0.0.1',
    tls: true,
    clientCert: undefined,
    raw: Buffer.from(`Message-ID: <m-${seq}@hopital-a.test>\r\n\r\nraw ${seq}\r\n`),
    state: 'accepted',
    at: new Date(at),
  };
}

const claim = (d: Db, limit: number, at = 10_000) => claimMessages(d, ['accepted'], new Date(at), 60_000, 'me', 5, limit);

describe('batched claims', () => {
  it('takes the due messages oldest first, each with its raw bytes, one attempt counted', () => {
    const { db: d } = open();
    const batch = [inbound(1000), inbound(2000), inbound(3000)];
    storeInboundMessages(d, batch);
    const claimed = claim(d, 8);
    expect(claimed.map((m) => m.id)).toEqual(batch.map((m) => m.id));
    expect(claimed.map((m) => m.raw.equals(batch[claimed.indexOf(m)]!.raw))).toEqual([true, true, true]);
    expect(claimed.map((m) => m.attempts)).toEqual([1, 1, 1]);
    expect(claim(d, 8)).toEqual([]);
  });

  it('claims a message tried before alone, so that it takes no other into quarantine', () => {
    const { db: d } = open();
    const [a, b] = [inbound(1000), inbound(2000)];
    storeInboundMessages(d, [a, b]);
    expect(claim(d, 8)).toHaveLength(2);
    // the process died during the step: at restart the leases are void, the attempts stay counted
    releaseStaleLeases(d);
    const c = inbound(3000);
    storeInboundMessages(d, [c]);
    expect(claim(d, 8).map((m) => m.id)).toEqual([a.id]);
    expect(claim(d, 8).map((m) => m.id)).toEqual([b.id]);
    expect(claim(d, 8).map((m) => m.id)).toEqual([c.id]);
  });

  it('reads the bytes from the database when they are not in memory (another connection, after a restart)', () => {
    const { db: d, path } = open();
    const m = inbound(1000);
    storeInboundMessages(d, [m]);
    const other = openDatabase(path);
    try {
      const [claimed] = claimMessages(other, ['accepted'], new Date(10_000), 60_000, 'me', 5, 8);
      expect(claimed?.raw.equals(m.raw)).toBe(true);
    } finally {
      other.close();
    }
  });
});

describe('batched completions', () => {
  it('writes every step and its outbox row in one call; a step whose lease is lost writes nothing', () => {
    const { db: d } = open();
    storeInboundMessages(d, [inbound(1000), inbound(2000)]);
    const [m1, m2] = claim(d, 8);
    // m2's lease taken over by another owner
    d.prepare("UPDATE messages SET lease_owner = 'other' WHERE id = ?").run(m2!.id);
    const mdn = (id: string) => ({ id: `out-${id}`, idempotencyKey: `mdn:processed:${id}`, kind: 'mdn-processed', sourceMessage: id, messageId: `<mdn-${id}@txgate.localhost>`, envelopeFrom: '', envelopeTo: ['dr.martin@hopital-a.test'], raw: Buffer.from(`sealed ${id}\r\n`) });
    const written = completeMessageSteps(
      d,
      'me',
      [m1!, m2!].map((m) => ({ id: m.id, fromState: 'accepted', result: { state: 'received', detail: 'opened', content: Buffer.from('inner'), outbox: [mdn(m.id)] } })),
      new Date(20_000),
    );
    expect(written).toEqual([true, false]);
    expect(getMessage(d, m1!.id)?.state).toBe('received');
    expect(getMessage(d, m2!.id)?.state).toBe('accepted');
    expect(listOutbox(d).map((o) => o.sourceMessage)).toEqual([m1!.id]);
    const [row] = claimOutboxRows(d, new Date(30_000), 60_000, 'me', 8);
    expect(row?.raw.toString()).toBe(`sealed ${m1!.id}\r\n`);
  });
});
