import { openDatabase } from '../../store/open-database.ts';
import { listMessages } from '../../store/messages.ts';
import { flag, str, UsageError, type Command } from '../command.ts';
import { DATABASE_OPTIONS, databasePathFrom } from '../database-path.ts';

export const requestsListCommand: Command = {
  path: ['requests', 'list'],
  summary: 'list received messages and requests with their states (no patient data)',
  options: {
    ...DATABASE_OPTIONS,
    state: { type: 'string', value: 'STATE', description: 'only this state (accepted, received, rejected, notification, quarantined)' },
    limit: { type: 'string', value: 'N', description: 'how many, newest first (default 50)' },
    json: { type: 'boolean', description: 'one JSON object per line' },
  },
  async run(values, _p, io) {
    const limitText = str(values, 'limit');
    const limit = limitText === undefined ? 50 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit wants a positive whole number');
    const db = openDatabase(databasePathFrom(values));
    try {
      const state = str(values, 'state');
      const rows = listMessages(db, { ...(state ? { state } : {}), limit });
      if (flag(values, 'json')) {
        for (const r of rows) io.stdout.write(`${JSON.stringify({ id: r.id, receivedAt: r.receivedAt.toISOString(), state: r.state, code: r.refusalCode ?? null, attempts: r.attempts, size: r.size, channel: r.channel })}\n`);
      } else {
        io.stdout.write(`${'ID'.padEnd(28)}${'RECEIVED'.padEnd(26)}${'STATE'.padEnd(14)}${'CODE'.padEnd(26)}SIZE\n`);
        for (const r of rows) io.stdout.write(`${r.id.padEnd(28)}${r.receivedAt.toISOString().padEnd(26)}${r.state.padEnd(14)}${(r.refusalCode ?? '').padEnd(26)}${r.size}\n`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
