import { getMessage } from '../../store/messages.ts';
import { listOutbox } from '../../store/outbox.ts';
import { findRequestByMessage, listOpinions, listRoutingDecisions } from '../../store/requests.ts';
import { openDatabase } from '../../store/open-database.ts';
import { flag, type Command } from '../command.ts';
import { DATABASE_OPTIONS, databasePathFrom } from '../database-path.ts';

export const requestsShowCommand: Command = {
  path: ['requests', 'show'],
  summary: 'show one message: its state, history and what the gateway sent about it',
  positionals: 'ID',
  options: {
    ...DATABASE_OPTIONS,
    json: { type: 'boolean', description: 'as one JSON object' },
  },
  async run(values, positionals, io) {
    const id = positionals[0];
    if (!id || positionals.length > 1) {
      io.stderr.write('txgate requests show: give one ID\n');
      return 2;
    }
    const db = openDatabase(databasePathFrom(values));
    try {
      const m = getMessage(db, id);
      if (!m) {
        io.stderr.write(`txgate requests show: no message ${id}\n`);
        return 1;
      }
      const outbox = listOutbox(db, { sourceMessage: id }).map((o) => ({
        id: o.id,
        kind: o.kind,
        messageId: o.messageId,
        to: o.envelopeTo,
        state: o.state,
        attempts: o.attempts,
        lastError: o.lastErrorCode ?? null,
        tracking: o.tracking ?? null,
        sentAt: o.sentAt?.toISOString() ?? null,
      }));
      const request = findRequestByMessage(db, id);
      const verdict = request?.verdict as { admitted?: boolean; pack?: { name: string; version: string }; reasons?: { code: string; path: string }[]; acts?: unknown[] } | undefined;
      // the request read from it, without its patient data: ids, state, the verdict's codes, deadline and acts
      const requestView = request
        ? {
            id: request.id,
            state: request.state,
            dialect: request.dialect,
            senderRef: request.senderRef ?? null,
            requester: request.requester ?? null,
            pack: verdict?.pack ?? null,
            reasons: verdict?.reasons?.map((r) => ({ code: r.code, path: r.path })) ?? [],
            deadline: request.deadline ?? null,
            acts: verdict?.acts ?? [],
            expert: request.expert ?? null,
            assignedAt: request.assignedAt?.toISOString() ?? null,
            dueAt: request.dueAt?.toISOString() ?? null,
            pausedAt: request.pausedAt?.toISOString() ?? null,
            routing: listRoutingDecisions(db, request.id).map((d) => ({ at: d.at.toISOString(), outcome: d.outcome, expert: d.expert ?? null, reason: d.reason })),
            opinions: listOpinions(db, request.id).map((o) => ({ version: o.version, at: o.at.toISOString(), expert: o.expert ?? null })),
          }
        : null;
      const view = {
        id: m.id,
        channel: m.channel,
        receivedAt: m.receivedAt.toISOString(),
        state: m.state,
        code: m.refusalCode ?? null,
        attempts: m.attempts,
        lastError: m.lastError ?? null,
        envelope: { from: m.envelopeFrom, to: m.envelopeTo },
        messageId: m.messageId ?? null,
        size: m.size,
        tls: m.tls,
        summary: m.summary ?? null,
        history: m.history.map((h) => ({ at: h.at.toISOString(), from: h.fromState ?? null, to: h.toState, detail: h.detail ?? null })),
        request: requestView,
        outbox,
      };
      if (flag(values, 'json')) {
        io.stdout.write(`${JSON.stringify(view)}\n`);
        return 0;
      }
      io.stdout.write(`${m.id}  ${m.state}${m.refusalCode ? `  ${m.refusalCode}` : ''}\n`);
      io.stdout.write(`received ${view.receivedAt} over ${m.channel}${m.tls ? ' (TLS)' : ''}, ${m.size} bytes, from ${m.envelopeFrom || '<>'} to ${m.envelopeTo.join(', ')}\n`);
      if (m.messageId) io.stdout.write(`Message-ID ${m.messageId}\n`);
      if (m.lastError) io.stdout.write(`last error: ${m.lastError}\n`);
      if (requestView) {
        io.stdout.write(`request ${requestView.id}  ${requestView.state} (${requestView.dialect})${requestView.pack ? ` under ${requestView.pack.name} ${requestView.pack.version}` : ''}${requestView.deadline ? `, answer due ${requestView.deadline}` : ''}\n`);
        for (const r of requestView.reasons) io.stdout.write(`  refused: ${r.code} (${r.path})\n`);
        if (requestView.expert) io.stdout.write(`  expert ${requestView.expert} since ${requestView.assignedAt}, answer due ${requestView.dueAt}${requestView.pausedAt ? `, clock paused since ${requestView.pausedAt}` : ''}\n`);
        for (const d of requestView.routing) io.stdout.write(`  ${d.at}  routing ${d.outcome}${d.expert ? ` ${d.expert}` : ''}: ${d.reason}\n`);
        for (const o of requestView.opinions) io.stdout.write(`  ${o.at}  opinion version ${o.version}${o.expert ? ` by ${o.expert}` : ''}\n`);
      }
      io.stdout.write('history:\n');
      for (const h of view.history) io.stdout.write(`  ${h.at}  ${(h.from ?? '-').padEnd(12)} → ${h.to.padEnd(13)} ${h.detail ?? ''}\n`);
      if (outbox.length) {
        io.stdout.write('sent about it:\n');
        for (const o of outbox) io.stdout.write(`  ${o.id}  ${o.kind.padEnd(14)} ${o.state.padEnd(8)} attempts ${o.attempts}${o.lastError ? `  ${o.lastError}` : ''}${o.tracking ? `  tracking ${o.tracking}` : ''}\n`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
