/** Pooled outbound connections over real loopback SMTP: reuse, a refusal that keeps the session, a peer that hangs up. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { sendRaw } from '../../src/delivery/send-raw.ts';
import type { SmtpRoute } from '../../src/delivery/smtp-route.ts';
import { createTransportPool, type TransportPool } from '../../src/delivery/transport-pool.ts';
import { CERTS } from '../helpers/paths.ts';

const CA = readFileSync(join(CERTS, 'ca.crt.pem'), 'utf8');
const OPTS = { timeoutMs: 5_000, name: 'txgate.localhost' };
const raw = (i: number) => Buffer.from(`Message-ID: <pool-${i}@txgate.localhost>\r\nSubject: x\r\n\r\nbody ${i}\r\n.\r\n..\r\n`);

interface Peer {
  port: number;
  connections: number;
  received: Buffer[];
  /** ends every open session from the server side */
  hangUp(): void;
  close(): Promise<void>;
}

/** A loopback SMTP peer (STARTTLS) that counts its connections; `refuse` decides a 550 per message. */
async function startPeer(refuse: (raw: Buffer) => boolean = () => false): Promise<Peer> {
  const sockets = new Set<{ destroy(): void }>();
  const peer = { connections: 0, received: [] as Buffer[] };
  const server = new SMTPServer({
    key: readFileSync(join(CERTS, 'gateway.key.pem')),
    cert: readFileSync(join(CERTS, 'gateway.crt.pem')),
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    onConnect(session, callback) {
      peer.connections++;
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const data = Buffer.concat(chunks);
        if (refuse(data)) return callback(Object.assign(new Error('5.7.1 Refused'), { responseCode: 550 }));
        peer.received.push(data);
        callback(null, 'Queued');
      });
    },
  });
  server.on('error', () => undefined);
  server.server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port)));
  return {
    port,
    get connections() {
      return peer.connections;
    },
    received: peer.received,
    hangUp() {
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const routeTo = (port: number): SmtpRoute => ({ host: '127.0.0.1', port, secure: false, requireTls: true, ca: [CA], clientCert: null, servername: 'localhost' });

let peer: Peer | undefined;
let pool: TransportPool | undefined;
afterEach(async () => {
  pool?.close();
  await peer?.close();
  pool = undefined;
  peer = undefined;
});

describe('transport pool', () => {
  it('carries many messages over at most maxConnections connections, each message once and intact', async () => {
    peer = await startPeer();
    pool = createTransportPool(2);
    const route = routeTo(peer.port);
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => sendRaw(route, { from: 'gateway@txgate.localhost', to: ['dr.martin@hopital-a.test'] }, raw(i), { ...OPTS, pool })));
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(peer.connections).toBeLessThanOrEqual(2);
    expect(peer.received.map((r) => r.toString()).sort()).toEqual(Array.from({ length: 12 }, (_, i) => raw(i).toString()).sort());
  });

  it('keeps the connection after a refused message (RSET), and the next message goes over it', async () => {
    peer = await startPeer((data) => data.includes('pool-1@'));
    pool = createTransportPool(1);
    const route = routeTo(peer.port);
    const send = (i: number) => sendRaw(route, { from: 'gateway@txgate.localhost', to: ['dr.martin@hopital-a.test'] }, raw(i), { ...OPTS, pool });
    expect((await send(0)).status).toBe('sent');
    expect(await send(1)).toMatchObject({ status: 'permanent', code: 'SMTP_5XX', smtpCode: 550 });
    expect((await send(2)).status).toBe('sent');
    expect(peer.connections).toBe(1);
    expect(peer.received).toHaveLength(2);
  });

  it('replaces a pooled connection the peer has closed, within the same attempt', async () => {
    peer = await startPeer();
    pool = createTransportPool(1);
    const route = routeTo(peer.port);
    const send = (i: number) => sendRaw(route, { from: 'gateway@txgate.localhost', to: ['dr.martin@hopital-a.test'] }, raw(i), { ...OPTS, pool });
    expect((await send(0)).status).toBe('sent');
    peer.hangUp();
    expect((await send(1)).status).toBe('sent');
    expect(peer.connections).toBe(2);
    expect(peer.received).toHaveLength(2);
  });

  it('fails the sends waiting for a connection once closed', async () => {
    peer = await startPeer();
    pool = createTransportPool(1);
    pool.close();
    const outcome = await sendRaw(routeTo(peer.port), { from: 'gateway@txgate.localhost', to: ['dr.martin@hopital-a.test'] }, raw(0), { ...OPTS, pool });
    expect(outcome).toMatchObject({ status: 'temporary', code: 'SMTP_CONNECTION' });
    expect(peer.received).toHaveLength(0);
  });
});
