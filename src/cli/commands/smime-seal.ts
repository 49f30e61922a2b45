import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Asn1Error } from '../../asn1/der-reader.ts';
import { GatewayError } from '../../errors/gateway-error.ts';
import { MimeError } from '../../mime/parse-entity.ts';
import { parseCertificate, pemBlocks, type Certificate } from '../../pki/certificate.ts';
import { KEY_TRANSPORTS, SEAL_CIPHERS, type ContentCipher, type KeyTransport } from '../../smime/algorithms.ts';
import { keyMatchesCertificate } from '../../smime/build-signed-data.ts';
import { sealMessage } from '../../smime/seal-message.ts';
import { flag, readAll, str, strs, UsageError, type Command, type OptionValues } from '../command.ts';

function readText(path: string, option: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (err) {
    throw new UsageError(`--${option}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Every certificate of a PEM file; at least one unless `allowEmpty`. */
export function readCertificates(path: string, option: string, allowEmpty = false): Certificate[] {
  const blocks = pemBlocks(readText(path, option));
  if (blocks.length === 0 && !allowEmpty) throw new UsageError(`--${option}: no PEM certificate in ${path}`);
  try {
    return blocks.map(parseCertificate);
  } catch (err) {
    throw new UsageError(`--${option}: unreadable certificate in ${path}: ${(err as Error).message}`);
  }
}

/** A private key from a PEM file (PKCS#8 or PKCS#1). */
export function readPrivateKey(path: string, option: string): KeyObject {
  const text = readText(path, option);
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch (err) {
    throw new UsageError(`--${option}: unreadable private key in ${path}: ${(err as Error).message}`);
  }
}

function choose<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, option: string): T {
  if (value === undefined) return fallback;
  const found = allowed.find((a) => a === value.toLowerCase());
  if (!found) throw new UsageError(`--${option}: unknown value '${value}' (one of ${allowed.join(', ')})`);
  return found;
}

function readOptions(values: OptionValues) {
  const signerKey = readPrivateKey(str(values, 'sign-key')!, 'sign-key');
  const certs = readCertificates(str(values, 'sign-cert')!, 'sign-cert');
  const signerCert = certs[0]!;
  if (!keyMatchesCertificate(signerKey, signerCert)) throw new UsageError('--sign-key is not the RSA key of the --sign-cert certificate');
  const chainPath = str(values, 'chain');
  const chain = [...certs.slice(1), ...(chainPath ? readCertificates(chainPath, 'chain', true) : [])];
  const recipients = strs(values, 'to').flatMap((p) => readCertificates(p, 'to'));
  const cipher: ContentCipher = choose(str(values, 'cipher'), SEAL_CIPHERS, 'aes-256-cbc', 'cipher');
  const keyTransport: KeyTransport = choose(str(values, 'key-transport'), KEY_TRANSPORTS, 'rsa-oaep-sha256', 'key-transport');
  return {
    signerKey,
    signerCert,
    chain,
    recipients,
    cipher,
    keyTransport,
    scheme: flag(values, 'pss') ? ('rsa-pss' as const) : ('rsa-pkcs1' as const),
    opaque: flag(values, 'opaque'),
    wrap: !flag(values, 'no-wrap'),
  };
}

export const smimeSealCommand: Command = {
  path: ['smime', 'seal'],
  summary: 'Sign then encrypt a message for its recipients (S/MIME, Direct wrapping)',
  details: `Reads an RFC 5322 message on standard input and writes the sealed message on standard output.
By default the whole message is wrapped as message/rfc822 (Direct, RFC 5751 §3.1), signed
(multipart/signed, SHA-256, RSA PKCS#1 v1.5) and encrypted (AES-256-CBC, RSAES-OAEP-SHA-256).
Exit codes: 0 sealed; 1 refused (JSON {"ok":false,"code","message"} on standard error,
e.g. SMIME_WEAK_ALGORITHM for a recipient key under 2048 bits); 2 usage error.`,
  options: {
    'sign-key': { type: 'string', value: 'FILE', description: "the signer's private key (PEM, PKCS#8 or PKCS#1)", required: true },
    'sign-cert': { type: 'string', value: 'FILE', description: "the signer's certificate (PEM; certificates after the first are chain)", required: true },
    chain: { type: 'string', value: 'FILE', description: 'intermediate certificates to include (PEM, several allowed)' },
    to: { type: 'string', value: 'FILE', multiple: true, description: "a recipient's certificate (PEM)", required: true },
    cipher: { type: 'string', value: 'NAME', description: `content cipher: ${SEAL_CIPHERS.join(', ')} (default aes-256-cbc)` },
    'key-transport': { type: 'string', value: 'NAME', description: `key transport: ${KEY_TRANSPORTS.join(', ')} (default rsa-oaep-sha256)` },
    pss: { type: 'boolean', description: 'sign with RSASSA-PSS instead of PKCS#1 v1.5' },
    opaque: { type: 'boolean', description: 'opaque signature (application/pkcs7-mime) instead of multipart/signed' },
    'no-wrap': { type: 'boolean', description: 'sign the body and Content-* headers only, not the whole message as message/rfc822' },
  },
  async run(values, _positionals, io) {
    const options = readOptions(values);
    const inner = await readAll(io.stdin);
    if (inner.length === 0) throw new UsageError('no message on standard input');
    try {
      io.stdout.write(sealMessage(inner, options));
      return 0;
    } catch (err) {
      if (err instanceof GatewayError || err instanceof MimeError || err instanceof Asn1Error) {
        io.stderr.write(`${JSON.stringify({ ok: false, code: err.code, message: err.message })}\n`);
        return 1;
      }
      throw err;
    }
  },
};
