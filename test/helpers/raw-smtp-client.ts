/**
 * A hand-driven SMTP client for tests that need to see each reply: reads one whole reply at a time (multi-line
 * replies joined with \n), STARTTLS (trusting the test CA, server name localhost), raw writes. A connection the
 * server closed answers 'CLOSED' to every later read.
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type PeerCertificate, type TLSSocket } from 'node:tls';
import { eventually } from './eventually.ts';
import { CA_FILE } from './test-pki.ts';

const CA = readFileSync(CA_FILE);

/** The bytes of a DATA phase for `raw`: lines starting with a dot doubled, then the final "." line. */
export function dataOf(raw: Buffer): Buffer {
  const stuffed = Buffer.from(raw.toString('latin1').replace(/(^|\r\n)\./g, '$1..'), 'latin1');
  return Buffer.concat([stuffed, Buffer.from(stuffed.subarray(-2).toString('latin1') === '\r\n' ? '.\r\n' : '\r\n.\r\n')]);
}

export class RawSmtp {
  private buffer = '';
  private lines: string[] = [];
  private readonly replies: string[] = [];
  private readonly waiters: ((r: string) => void)[] = [];
  private closed = false;
  /** every complete reply received, in order */
  readonly transcript: string[] = [];

  private constructor(private socket: Socket | TLSSocket) {
    this.attach(socket);
  }

  /** Connects to 127.0.0.1:port, in TLS from the first byte when `tls` is given (implicit TLS). */
  static open(port: number, tls?: ConnectionOptions): Promise<RawSmtp> {
    return new Promise((resolve, reject) => {
      const s = tls ? tlsConnect({ host: '127.0.0.1', port, ca: [CA], servername: 'localhost', ...tls }) : netConnect(port, '127.0.0.1');
      s.once(tls ? 'secureConnect' : 'connect', () => {
        s.off('error', reject);
        resolve(new RawSmtp(s));
      });
      s.once('error', reject);
    });
  }

  private readonly onData = (d: Buffer): void => {
    this.buffer += d.toString('latin1');
    for (let i = this.buffer.indexOf('\r\n'); i >= 0; i = this.buffer.indexOf('\r\n')) {
      const line = this.buffer.slice(0, i);
      this.buffer = this.buffer.slice(i + 2);
      this.lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        const r = this.lines.join('\n');
        this.lines = [];
        this.transcript.push(r);
        const w = this.waiters.shift();
        if (w) w(r);
        else this.replies.push(r);
      }
    }
  };

  private readonly onClose = (): void => {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w('CLOSED');
  };

  private attach(s: Socket | TLSSocket): void {
    s.on('data', this.onData);
    s.on('close', this.onClose);
    s.on('error', () => {});
  }

  /** The next reply (or 'CLOSED'). */
  read(timeoutMs = 5000): Promise<string> {
    const queued = this.replies.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve('CLOSED');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no SMTP reply within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  cmd(line: string): Promise<string> {
    this.write(`${line}\r\n`);
    return this.read();
  }

  /** STARTTLS then EHLO again; returns the EHLO reply (or the refusal that came instead). */
  async starttls(tls: ConnectionOptions = {}): Promise<string> {
    const r = await this.cmd('STARTTLS');
    if (!r.startsWith('220')) throw new Error(`STARTTLS refused: ${r}`);
    const plain = this.socket;
    plain.off('data', this.onData);
    plain.off('close', this.onClose);
    const secure = tlsConnect({ socket: plain, ca: [CA], servername: 'localhost', ...tls });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
    return this.cmd('EHLO client.hopital-a.test');
  }

  /** Greeting, EHLO, STARTTLS, EHLO: throws unless each is answered as a willing server does. */
  async hello(tls: ConnectionOptions = {}): Promise<void> {
    const expectReply = (r: string, code: string, what: string) => {
      if (!r.startsWith(code)) throw new Error(`${what}: expected ${code}, got ${r}`);
    };
    expectReply(await this.read(), '220 ', 'greeting');
    expectReply(await this.cmd('EHLO client.hopital-a.test'), '250', 'EHLO');
    expectReply(await this.starttls(tls), '250', 'EHLO after STARTTLS');
  }

  /** The server's certificate, once in TLS. */
  peerCertificate(): PeerCertificate | undefined {
    return 'getPeerCertificate' in this.socket ? this.socket.getPeerCertificate() : undefined;
  }

  /** Resolves once the server has closed the connection. */
  whenClosed(timeoutMs = 5000): Promise<void> {
    return eventually(() => {
      if (!this.closed) throw new Error(`the server has not closed the connection within ${timeoutMs} ms`);
    }, timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}
