import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { searchTaskIds, storeFhirRequest, type TaskSearch } from '../../src/store/fhir-tasks.ts';
import { claimMessage, completeMessageStep, storeInboundMessage, type AcceptInput } from '../../src/store/messages.ts';
import { openDatabase, type Db } from '../../src/store/open-database.ts';
import { insertRequest } from '../../src/store/requests.ts';

const T = new Date('2026-02-03T10:00:00Z');
const GP = 'dr.gp@cabinet.test';
const at = (minutes: number) => new Date(T.getTime() + minutes * 60_000);

function accepted(id: string, requester: string, minutes: number): AcceptInput {
  return {
    id: `msg-${id}`,
    channel: 'fhir',
    envelopeFrom: requester,
    envelopeTo: ['gateway@txgate.test'],
    messageId: undefined,
    dedupKey: `fhir ${requester} ${id}`,
    remoteAddress: '127.0.0.1',
    tls: true,
    clientCert: undefined,
    raw: Buffer.from('{}'),
    state: 'accepted',
    at: at(minutes),
  };
}

function posted(db: Db, id: string, requester: string, minutes: number): void {
  storeFhirRequest(db, accepted(id, requester, minutes), id, requester);
}

/** The message's step: refused before a request exists, or read as a request. */
function step(db: Db, id: string, minutes: number, outcome: 'refused' | 'parsed'): void {
  const work = claimMessage(db, ['accepted'], at(minutes), 60_000, 'w', 5)!;
  expect(work.id).toBe(`msg-${id}`);
  completeMessageStep(db, work.id, 'w', 'accepted', {
    state: outcome,
    detail: outcome,
    ...(outcome === 'refused' ? { refusalCode: 'SIGNATURE_CERT_REVOKED' } : { request: { id, message: work.id, channel: 'fhir', dialect: 'fhir-r4', requester: GP, state: 'parsed', canonical: {} } }),
  }, at(minutes));
}

const search = (db: Db, s: Partial<TaskSearch> = {}) => searchTaskIds(db, { visibleTo: [GP], offset: 0, limit: 10, ...s });

describe('searchTaskIds', () => {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'txgate-store-tasks-')), 'txgate.db'));
  posted(db, 'req-waiting', GP, 0);
  step(db, 'req-waiting', 0.5, 'refused');
  posted(db, 'req-read', GP, 1);
  step(db, 'req-read', 1.5, 'parsed');
  // not read yet; the address written in other case
  posted(db, 'req-new', 'DR.GP@cabinet.test', 3);
  posted(db, 'req-other', 'dr.other@cabinet.test', 4);
  storeInboundMessage(db, { ...accepted('mail', GP, 5), channel: 'smtp', messageId: '<mail@cabinet.test>' });
  insertRequest(db, { id: 'req-mail', message: 'msg-mail', channel: 'smtp', dialect: '360x', requester: GP, state: 'routed', canonical: {} }, at(5));

  it('finds the requests a requester sent, read or not yet read, refused before their reading too, newest change first', () => {
    expect(search(db)).toEqual({ ids: ['req-mail', 'req-new', 'req-read', 'req-waiting'], total: 4 });
    // the address matches without regard to case
    expect(search(db, { visibleTo: ['dr.gp@cabinet.test'] }).total).toBe(4);
  });

  it('filters the requests not read yet by their message state, and leaves them out of a search by owner', () => {
    expect(search(db, { states: [], messageStates: ['accepted', 'received', 'parsed'] }).ids).toEqual(['req-new']);
    expect(search(db, { states: [], messageStates: ['refused'] }).ids).toEqual(['req-waiting']);
    expect(search(db, { states: ['routed'], messageStates: [] }).ids).toEqual(['req-mail']);
    expect(search(db, { expertAddress: ['cardio@chu.test'] }).ids).toEqual([]);
  });

  it('pages through both kinds with one total', () => {
    const pages = [0, 2].map((offset) => search(db, { offset, limit: 2 }));
    expect(pages.map((p) => p.total)).toEqual([4, 4]);
    expect(pages.flatMap((p) => p.ids)).toEqual(['req-mail', 'req-new', 'req-read', 'req-waiting']);
  });

  it('shows no one the requests of others', () => {
    expect(search(db, { visibleTo: ['dr.other@cabinet.test'] }).ids).toEqual(['req-other']);
    expect(search(db, { visibleTo: [] }).ids).toEqual([]);
    expect(search(db, { requester: ['dr.other@cabinet.test'] }).ids).toEqual([]);
  });

  it('bounds by the time of the last change', () => {
    expect(search(db, { updatedAfter: at(2.5), updatedBefore: at(3.5) }).ids).toEqual(['req-new']);
  });
});
