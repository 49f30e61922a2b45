import { GatewayError } from '../../errors/gateway-error.ts';
import { loadTrustStore, type TrustSourceSpec } from '../../pki/trust-store.ts';
import { loadGatewayKey } from '../../smime/gateway-key.ts';
import { openMessage } from '../../smime/open-message.ts';
import { flag, readAll, str, strs, UsageError, type Command } from '../command.ts';

/** Parses `--trust-domain DOMAIN[,DOMAIN]=PATH`. */
function scopedTrust(spec: string): TrustSourceSpec {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--trust-domain wants DOMAIN=PATH, got '${spec}'`);
  return { path: spec.slice(eq + 1), domains: spec.slice(0, eq).split(',').map((d) => d.trim()).filter(Boolean) };
}

export const smimeOpenCommand: Command = {
  path: ['smime', 'open'],
  summary: 'decrypt and verify a secure message read from standard input',
  details: `Reads the raw RFC 5322 message on standard input and prints one JSON object.
Exit 0 when opened: {"ok":true,"signer":{..},"encryption":{..},"signature":{..},"wrapped":..,
  "headers":{"from","to","messageId"},"content":"<inner MIME bytes, base64>"}
Exit 1 when refused: {"ok":false,"code":"SMIME_...","message":"..."}. Exit 2 on a usage error.`,
  options: {
    key: { type: 'string', multiple: true, value: 'KEY.pem', description: "a gateway private key (pair each --key with a --cert)", required: true },
    cert: { type: 'string', multiple: true, value: 'CERT.pem', description: "the certificate of the --key at the same position", required: true },
    trust: { type: 'string', multiple: true, value: 'PEM|DIR|P7B', description: 'trust anchors: PEM file, folder, or certs-only PKCS#7 bundle' },
    'trust-domain': { type: 'string', multiple: true, value: 'DOMAIN=PATH', description: 'trust anchors valid only for senders of DOMAIN (comma-separated list)' },
    crl: { type: 'string', multiple: true, value: 'FILE', description: 'a CRL (PEM or DER) checked for every certificate its issuer signed' },
    'require-crl': { type: 'boolean', description: 'refuse a signer whose issuers have no current CRL' },
    'refuse-sha1-certs': { type: 'boolean', description: 'refuse certificates signed with SHA-1 (accepted by default)' },
    at: { type: 'string', value: 'ISO-8601', description: 'the instant treated as now for validity and revocation (default: now)' },
  },
  async run(values, _positionals, io) {
    const keys = strs(values, 'key');
    const certs = strs(values, 'cert');
    if (keys.length !== certs.length) throw new UsageError('give one --cert for each --key');
    const sources: TrustSourceSpec[] = [...strs(values, 'trust').map((path) => ({ path })), ...strs(values, 'trust-domain').map(scopedTrust)];
    if (sources.length === 0) throw new UsageError('give at least one --trust or --trust-domain');
    const atText = str(values, 'at');
    const at = atText === undefined ? new Date() : new Date(atText);
    if (Number.isNaN(at.getTime())) throw new UsageError(`--at is not an ISO-8601 instant: '${atText}'`);
    let gatewayKeys;
    let trust;
    try {
      gatewayKeys = keys.map((k, i) => loadGatewayKey(k, certs[i]!));
      trust = loadTrustStore(sources, strs(values, 'crl'));
    } catch (err) {
      throw new UsageError(`cannot load keys or trust: ${(err as Error).message}`);
    }
    const raw = await readAll(io.stdin);
    try {
      const opened = openMessage(raw, {
        keys: gatewayKeys,
        trust,
        at,
        requireCrl: flag(values, 'require-crl'),
        refuseSha1Certificates: flag(values, 'refuse-sha1-certs'),
      });
      const { content, signerCert: _cert, ...rest } = opened;
      io.stdout.write(`${JSON.stringify({ ok: true, ...rest, content: content.toString('base64') })}\n`);
      return 0;
    } catch (err) {
      if (err instanceof GatewayError) {
        io.stdout.write(`${JSON.stringify({ ok: false, code: err.code, message: err.message })}\n`);
        if (process.env.TXGATE_DEBUG && err.detail) io.stderr.write(`detail: ${err.detail}\n`);
        return 1;
      }
      throw err;
    }
  },
};
