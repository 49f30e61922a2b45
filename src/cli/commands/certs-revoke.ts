import { readFileSync } from 'node:fs';
import { toPem, pemBlocks } from '../../pki/certificate.ts';
import { buildCrl, CRL_PEM_LABEL, parseCrl, parseSerialHex, verifyCrl, type RevokedSerial } from '../../pki/crl.ts';
import { spkiOf } from '../../pki/key-identifier.ts';
import {
  addDays,
  intOption,
  nowToTheSecond,
  readOneCertificate,
  readPrivateKeyFile,
  requiredOption,
  runReportingFailure,
  writeOutput,
} from '../cert-files.ts';
import { str, strs, UsageError, type Command } from '../command.ts';

export const certsRevokeCommand: Command = {
  path: ['certs', 'revoke'],
  summary: "revoke certificates: write the CA's new CRL",
  details: `Writes a v2 CRL signed by the CA listing the given serials (hex), plus every entry of
--crl (an earlier CRL of the same CA), with its CRL number incremented.
Exit codes: 0 written, 1 failure, 2 usage error.`,
  options: {
    'ca-cert': { type: 'string', value: 'FILE', description: 'the CA certificate', required: true },
    'ca-key': { type: 'string', value: 'FILE', description: "the CA's private key", required: true },
    serial: { type: 'string', value: 'HEX', multiple: true, description: 'serial number to revoke', required: true },
    crl: { type: 'string', value: 'FILE', description: 'the current CRL, whose entries are kept' },
    out: { type: 'string', value: 'FILE', description: 'the new CRL (PEM)', required: true },
    days: { type: 'string', value: 'N', description: 'days until nextUpdate (default 30)' },
  },
  async run(values, _positionals, io) {
    const serials = strs(values, 'serial').map((s) => {
      try {
        return parseSerialHex(s);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    });
    const days = intOption(values, 'days', 30);
    const caCertPath = requiredOption(values, 'ca-cert');
    const caKeyPath = requiredOption(values, 'ca-key');
    const out = requiredOption(values, 'out');
    const previousPath = str(values, 'crl');
    return runReportingFailure('certs revoke', io, () => {
      const caCert = readOneCertificate(caCertPath);
      const caKey = readPrivateKeyFile(caKeyPath);
      if (!spkiOf(caKey).equals(caCert.spki)) throw new Error(`${caKeyPath} is not the key of ${caCertPath}`);
      const now = nowToTheSecond();
      const revoked: RevokedSerial[] = [];
      let crlNumber = 1n;
      if (previousPath !== undefined) {
        const data = readFileSync(previousPath);
        const der = pemBlocks(data.toString('latin1'), [CRL_PEM_LABEL])[0] ?? data;
        const previous = parseCrl(der);
        if (!verifyCrl(previous, caCert)) throw new Error(`${previousPath} is not a CRL of ${caCertPath}`);
        for (const e of previous.entries) revoked.push({ serial: e.serialHex, date: e.revocationDate, ...(e.reason === undefined ? {} : { reason: e.reason }) });
        crlNumber = (previous.crlNumber ?? 0n) + 1n;
      }
      const known = new Set(revoked.map((r) => parseSerialHex(String(r.serial)).toString('hex')));
      let added = 0;
      for (const serial of serials) {
        if (known.has(serial.toString('hex'))) continue;
        known.add(serial.toString('hex'));
        revoked.push({ serial, date: now });
        added++;
      }
      const der = buildCrl({ issuerCert: caCert, issuerKey: caKey, revoked, thisUpdate: now, nextUpdate: addDays(now, days), crlNumber });
      writeOutput(out, toPem(der, CRL_PEM_LABEL));
      io.stdout.write(`wrote ${out}: CRL number ${crlNumber}, ${revoked.length} revoked (${added} new)\n`);
      return 0;
    });
  },
};
