import { getClaim } from '../../store/claims.ts';
import { claimView } from './claims-list.ts';
import { openDatabase } from '../../store/open-database.ts';
import { flag, type Command } from '../command.ts';
import { DATABASE_OPTIONS, databasePathFrom } from '../database-path.ts';

export const claimsShowCommand: Command = {
  path: ['claims', 'show'],
  summary: 'show one claim: its state, the bundle sent and the ClaimResponse',
  positionals: 'ID',
  options: {
    ...DATABASE_OPTIONS,
    json: { type: 'boolean', description: 'as one JSON object' },
  },
  async run(values, positionals, io) {
    const id = positionals[0];
    if (!id || positionals.length > 1) {
      io.stderr.write('txgate claims show: give one ID\n');
      return 2;
    }
    const db = openDatabase(databasePathFrom(values));
    try {
      const c = getClaim(db, id);
      if (!c) {
        io.stderr.write(`txgate claims show: no claim ${id}\n`);
        return 1;
      }
      const view = {
        ...claimView(c),
        bundle: c.bundle,
        response: c.response ?? null,
      };
      if (flag(values, 'json')) {
        io.stdout.write(`${JSON.stringify(view)}\n`);
        return 0;
      }
      io.stdout.write(`${c.id}  ${c.state}  ${c.actCode} of request ${c.request}  identifier ${c.idempotencyKey}\n`);
      io.stdout.write(`created ${view.createdAt}, attempts ${c.attempts}${view.submittedAt ? `, submitted ${view.submittedAt}` : ''}${c.outcome ? `, outcome ${c.outcome}` : ''}\n`);
      if (c.lastError) io.stdout.write(`last error:\n  ${c.lastError.split('\n').join('\n  ')}\n`);
      io.stdout.write(`bundle:\n${JSON.stringify(c.bundle, null, 2)}\n`);
      io.stdout.write(`response:\n${c.response === undefined ? '(none yet)' : JSON.stringify(c.response, null, 2)}\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};
