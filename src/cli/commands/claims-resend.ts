import { resendClaim } from '../../store/claims.ts';
import { openDatabase } from '../../store/open-database.ts';
import type { Command } from '../command.ts';
import { DATABASE_OPTIONS, databasePathFrom } from '../database-path.ts';

export const claimsResendCommand: Command = {
  path: ['claims', 'resend'],
  summary: 'send a claim in error (or invalid) again: the same bundle, so the same identifier',
  positionals: 'ID',
  options: {
    ...DATABASE_OPTIONS,
  },
  async run(values, positionals, io) {
    const id = positionals[0];
    if (!id || positionals.length > 1) {
      io.stderr.write('txgate claims resend: give one ID\n');
      return 2;
    }
    const db = openDatabase(databasePathFrom(values));
    try {
      const r = resendClaim(db, id, new Date());
      if (r === 'not-found') {
        io.stderr.write(`txgate claims resend: no claim ${id}\n`);
        return 1;
      }
      if (r !== 'resent') {
        io.stderr.write(`txgate claims resend: ${id} is ${r.state}: only a claim in error or invalid is resent\n`);
        return 1;
      }
      io.stdout.write(`${id} pending: the gateway sends it again\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};
