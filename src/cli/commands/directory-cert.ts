import { importCertificateFile } from '../../directory/import-certificates.ts';
import { openDatabase } from '../../store/open-database.ts';
import { flag, str, UsageError, type Command } from '../command.ts';
import { DATABASE_OPTIONS, databasePathFrom } from '../database-path.ts';

export const directoryCertCommand: Command = {
  path: ['directory', 'cert'],
  summary: "attach practitioners' S/MIME certificates (PEM, DER or PKCS#12) by the address in each certificate",
  details: `Each end-entity certificate of FILE goes to the practitioner whose secure-mail address is in its rfc822Name
(subjectAltName). A PKCS#12 file's private key is never kept. Exit codes: 0 every certificate attached, 1 the file
could not be read or a certificate names no known address, 2 usage.`,
  positionals: 'FILE',
  options: {
    password: { type: 'string', value: 'PW', description: 'the PKCS#12 password (default: empty)' },
    ...DATABASE_OPTIONS,
    json: { type: 'boolean', description: 'one JSON object per certificate' },
  },
  async run(values, positionals, io) {
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError('give one FILE');
    const db = openDatabase(databasePathFrom(values));
    try {
      const r = importCertificateFile(db, file, str(values, 'password'));
      if (!r.ok) {
        for (const p of r.problems) io.stderr.write(`txgate directory cert: ${p.path ? `${p.path}: ` : ''}${p.code} ${p.message}\n`);
        return 1;
      }
      for (const o of r.value.outcomes) {
        if (flag(values, 'json')) {
          io.stdout.write(`${JSON.stringify({ ...o, notAfter: o.notAfter.toISOString() })}\n`);
        } else if (o.attached) {
          io.stdout.write(`${o.sha256.slice(0, 16)}…  ${o.added ? 'attached' : 'already attached'} to ${o.practitioner} (${o.address}), valid until ${o.notAfter.toISOString().slice(0, 10)}  ${o.subject}\n`);
        } else {
          io.stdout.write(`${o.sha256.slice(0, 16)}…  not attached: no practitioner has ${o.addresses.length ? o.addresses.join(', ') : 'an address (no rfc822Name)'}  ${o.subject}\n`);
        }
      }
      if (r.value.certificates === 0) io.stderr.write('txgate directory cert: no end-entity certificate in the file\n');
      return r.value.certificates > 0 && r.value.outcomes.every((o) => o.attached) ? 0 : 1;
    } finally {
      db.close();
    }
  },
};
