/** The unwrap stage run in a stage thread: the same outcome as in the main thread, bytes as Buffers, reload reaching the thread. */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.ts';
import { startStageThreads, type StageThreads } from '../../src/pipeline/stage-threads.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import type { MessageWork } from '../../src/store/messages.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { CERTS } from '../helpers/paths.ts';
import { party, sampleInner } from '../helpers/test-pki.ts';

let threads: StageThreads | undefined;
afterEach(async () => {
  await threads?.stop();
  threads = undefined;
});

function work(id: string, raw: Buffer): MessageWork {
  const at = new Date();
  return {
    id,
    channel: 'smtp',
    receivedAt: at,
    envelopeFrom: 'dr.martin@hopital-a.test',
    envelopeTo: ['gateway@txgate.localhost'],
    messageId: undefined,
    remoteAddress: '127.0.0.1',
    tls: true,
    size: raw.length,
    state: 'accepted',
    attempts: 1,
    refusalCode: undefined,
    lastError: undefined,
    summary: undefined,
    updatedAt: at,
    raw,
    content: undefined,
  };
}

function setUp() {
  const { config, dir } = testGatewayConfig(25);
  openDatabase(config.database.path).close();
  threads = startStageThreads(config, 2, silentLogger);
  return { threads, dir };
}

const sealFrom = (name: string) => {
  const p = party(name);
  return sealMessage(sampleInner(p.cert.sanEmails[0]), { signerKey: p.key, signerCert: p.cert, recipients: [party('gateway').cert] });
};

describe('stage threads', () => {
  it('open a request and seal its processed MDN, handing back Buffers', async () => {
    const { threads: t } = setUp();
    const r = await t.run('unwrap', work('msg-1', sealFrom('doctor')), new Date());
    expect(r).toMatchObject({ state: 'received', outbox: [{ kind: 'mdn-processed', sourceMessage: 'msg-1', idempotencyKey: 'mdn:processed:msg-1' }] });
    expect(Buffer.isBuffer(r.content)).toBe(true);
    expect(Buffer.isBuffer(r.outbox![0]!.raw)).toBe(true);
    expect(r.outbox![0]!.raw.toString('latin1')).toContain('Message-ID: <mdn-processed-msg-1@txgate.localhost>');
  });

  it('rebuild their context on reload: a certificate added to the folder is used at once', async () => {
    const { threads: t, dir } = setUp();
    const before = await t.run('unwrap', work('msg-2', sealFrom('revoked')), new Date());
    expect(before).toMatchObject({ state: 'rejected', refusalCode: 'SMIME_CERT_REVOKED', outbox: [] });
    copyFileSync(join(CERTS, 'revoked.crt.pem'), join(dir, 'certificates', 'revoked.crt.pem'));
    t.reload();
    const after = await t.run('unwrap', work('msg-3', sealFrom('revoked')), new Date());
    expect(after).toMatchObject({ state: 'rejected', refusalCode: 'SMIME_CERT_REVOKED', outbox: [{ kind: 'mdn-failed' }] });
  });

  it('hand back what a stage throws as a failure', async () => {
    const { threads: t } = setUp();
    await expect(t.run('no-such-stage', work('msg-4', Buffer.from('x')), new Date())).rejects.toThrow('no stage no-such-stage');
  });
});
