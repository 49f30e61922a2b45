import { CLAIM_STATES, listClaims, type ClaimRow } from '../../store/claims.ts';
import { openDatabase } from '../../store/open-database.ts';
import { flag, type Command } from '../command.ts';
import { DATABASE_OPTIONS, databasePathFrom } from '../database-path.ts';

export const claimsListCommand: Command = {
  path: ['claims', 'list'],
  summary: 'list the claims to the insurer, newest first',
  options: {
    status: { type: 'string', value: 'STATE', description: `only claims in this state (${CLAIM_STATES.join(', ')})` },
    limit: { type: 'string', value: 'N', description: 'at most N claims (default 100)' },
    ...DATABASE_OPTIONS,
    json: { type: 'boolean', description: 'one JSON object per line' },
  },
  async run(values, _positionals, io) {
    const status = typeof values.status === 'string' ? values.status : undefined;
    if (status !== undefined && !(CLAIM_STATES as readonly string[]).includes(status)) {
      io.stderr.write(`txgate claims list: --status is one of ${CLAIM_STATES.join(', ')}\n`);
      return 2;
    }
    const limit = typeof values.limit === 'string' ? Number(values.limit) : 100;
    if (!Number.isInteger(limit) || limit < 1) {
      io.stderr.write('txgate claims list: --limit is a positive integer\n');
      return 2;
    }
    const db = openDatabase(databasePathFrom(values));
    try {
      const rows = listClaims(db, { ...(status ? { state: status } : {}), limit });
      for (const c of rows) {
        if (flag(values, 'json')) io.stdout.write(`${JSON.stringify(claimView(c))}\n`);
        else io.stdout.write(`${c.id}  ${c.state.padEnd(9)} ${c.actCode.padEnd(5)} ${c.request}  ${c.outcome ?? '-'}  attempts ${c.attempts}${c.lastError ? `  ${c.lastError.split('\n')[0]}` : ''}\n`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};

/** A claim as the claims commands print it (without its bundle and response). */
export function claimView(c: ClaimRow) {
  return {
    id: c.id,
    request: c.request,
    act: c.actCode,
    identifier: c.idempotencyKey,
    state: c.state,
    outcome: c.outcome ?? null,
    attempts: c.attempts,
    lastError: c.lastError ?? null,
    createdAt: c.createdAt.toISOString(),
    submittedAt: c.submittedAt?.toISOString() ?? null,
  };
}
