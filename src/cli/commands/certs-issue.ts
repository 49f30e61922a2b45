import { buildCertificate } from '../../pki/build-certificate.ts';
import { toPem } from '../../pki/certificate.ts';
import { generateRsaKey } from '../../pki/generate-rsa-key.ts';
import { spkiOf } from '../../pki/key-identifier.ts';
import { exportPkcs12 } from '../../pki/pkcs12.ts';
import {
  addDays,
  intOption,
  readOneCertificate,
  readPrivateKeyFile,
  requiredOption,
  runReportingFailure,
  validFrom,
  writeOutput,
  writePrivateKey,
} from '../cert-files.ts';
import { flag, str, strs, UsageError, type Command } from '../command.ts';

export const certsIssueCommand: Command = {
  path: ['certs', 'issue'],
  summary: "issue an S/MIME certificate for a person's address or a domain (Direct domain-bound)",
  details: `Generates a key and a certificate signed by the CA: --email ADDR binds the address
(subjectAltName rfc822Name), --domain DNS binds a whole mail domain (dNSName). --tls-server,
--tls-client and --dns add the usages and host names the gateway's TLS needs.
The certificate never outlives its CA. With --p12, also writes a PKCS#12 file (key, certificate, CA).
Exit codes: 0 issued, 1 failure, 2 usage error.`,
  options: {
    'ca-cert': { type: 'string', value: 'FILE', description: 'the CA certificate (PEM or DER)', required: true },
    'ca-key': { type: 'string', value: 'FILE', description: "the CA's private key", required: true },
    'out-cert': { type: 'string', value: 'FILE', description: 'where to write the certificate (PEM)', required: true },
    'out-key': { type: 'string', value: 'FILE', description: 'where to write the new private key (PKCS#8 PEM, mode 0600)', required: true },
    email: { type: 'string', value: 'ADDR', description: 'the mailbox address to bind' },
    domain: { type: 'string', value: 'DNS', description: 'the mail domain to bind (instead of --email)' },
    name: { type: 'string', value: 'CN', description: 'common name (default: the address or domain)' },
    org: { type: 'string', value: 'O', description: 'organization' },
    'tls-server': { type: 'boolean', description: 'add EKU serverAuth' },
    'tls-client': { type: 'boolean', description: 'add EKU clientAuth' },
    dns: { type: 'string', value: 'NAME', multiple: true, description: 'add a dNSName subjectAltName' },
    days: { type: 'string', value: 'N', description: 'validity in days (default 730)' },
    bits: { type: 'string', value: 'N', description: 'RSA key size (default 2048)' },
    p12: { type: 'string', value: 'FILE', description: 'also write a PKCS#12 file' },
    password: { type: 'string', value: 'PW', description: 'the PKCS#12 password (with --p12)' },
  },
  async run(values, _positionals, io) {
    const email = str(values, 'email');
    const domain = str(values, 'domain');
    if ((email === undefined) === (domain === undefined)) throw new UsageError('give exactly one of --email and --domain');
    const p12 = str(values, 'p12');
    const password = str(values, 'password');
    if ((p12 === undefined) !== (password === undefined)) throw new UsageError('--p12 and --password go together');
    const days = intOption(values, 'days', 730);
    const bits = intOption(values, 'bits', 2048, [2048, 3072, 4096]);
    const caCertPath = requiredOption(values, 'ca-cert');
    const caKeyPath = requiredOption(values, 'ca-key');
    const outCert = requiredOption(values, 'out-cert');
    const outKey = requiredOption(values, 'out-key');
    return runReportingFailure('certs issue', io, () => {
      const caCert = readOneCertificate(caCertPath);
      const caKey = readPrivateKeyFile(caKeyPath);
      if (!spkiOf(caKey).equals(caCert.spki)) throw new Error(`${caKeyPath} is not the key of ${caCertPath}`);
      const notBefore = validFrom();
      let notAfter = addDays(notBefore, days);
      if (notAfter.getTime() > caCert.notAfter.getTime()) {
        notAfter = caCert.notAfter;
        io.stderr.write(`txgate certs issue: validity cut to the CA's end, ${notAfter.toISOString()}\n`);
      }
      const key = generateRsaKey(bits);
      const org = str(values, 'org');
      const der = buildCertificate({
        subject: { cn: str(values, 'name') ?? email ?? domain ?? '', ...(org ? { o: org } : {}) },
        publicKey: key.publicKey,
        issuerKey: caKey,
        issuerCert: caCert,
        profile: email !== undefined ? 'smime-person' : 'smime-domain',
        ...(email !== undefined ? { email } : {}),
        ...(domain !== undefined ? { domain } : {}),
        tlsServer: flag(values, 'tls-server'),
        tlsClient: flag(values, 'tls-client'),
        dnsNames: strs(values, 'dns'),
        notBefore,
        notAfter,
      });
      writePrivateKey(outKey, key.privateKey);
      writeOutput(outCert, toPem(der));
      if (p12 !== undefined && password !== undefined) {
        const friendlyName = str(values, 'name') ?? email ?? domain;
        writeOutput(p12, exportPkcs12({ key: key.privateKey, cert: der, chain: [caCert.der], password, ...(friendlyName ? { friendlyName } : {}) }), 0o600);
      }
      io.stdout.write(`wrote ${outCert} and ${outKey}${p12 ? ` and ${p12}` : ''}\n`);
      return 0;
    });
  },
};
