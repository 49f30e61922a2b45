/**
 * The peers' mail servers, played by the demo: one SMTP server on loopback (STARTTLS with a development
 * certificate) that takes whatever the gateway sends and files it by recipient, as the doctors' and specialists'
 * secure-mail providers would. Not a gateway: it checks nothing.
 */
import { SMTPServer } from 'smtp-server';

export interface DeliveredMail {
  from: string;
  to: string[];
  raw: Buffer;
}

export interface DemoMailboxes {
  port: number;
  /** every mail received, oldest first */
  mails: DeliveredMail[];
  /** the mails for an address received from index `since` on */
  for(address: string, since?: number): DeliveredMail[];
  close(): Promise<void>;
}

export async function startDemoMailboxes(tls: { key: Buffer; cert: Buffer }): Promise<DemoMailboxes> {
  const mails: DeliveredMail[] = [];
  const server = new SMTPServer({
    name: 'mailboxes.demo.localhost',
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    minVersion: 'TLSv1.2',
    key: tls.key,
    cert: tls.cert,
    closeTimeout: 500,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw: Buffer.concat(chunks),
        });
        callback(null, 'Delivered to the demo mailbox');
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.server.address();
      if (a === null || typeof a === 'string') reject(new Error('no TCP address'));
      else resolve(a.port);
    });
  });
  return {
    port,
    mails,
    for: (address, since = 0) => mails.slice(since).filter((m) => m.to.includes(address.toLowerCase())),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
