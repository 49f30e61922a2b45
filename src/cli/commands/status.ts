import { readFileSync } from 'node:fs';
import { formatProblems, loadConfig } from '../../config/load-config.ts';
import { parseCertificates } from '../../pki/certificate.ts';
import { loadTrustStore } from '../../pki/trust-store.ts';
import { openDatabase } from '../../store/open-database.ts';
import { readStatusSummary } from '../../store/status-summary.ts';
import { flag, str, UsageError, type Command } from '../command.ts';

const DAY_MS = 86_400_000;

export const statusCommand: Command = {
  path: ['status'],
  summary: "one screen: queues, the outbox, requests, deadlines at risk, stuck rows, certificates about to expire",
  options: {
    config: { type: 'string', value: 'FILE', description: 'the configuration file (default: $TXGATE_CONFIG)' },
    'risk-hours': { type: 'string', value: 'N', description: 'an answer due within N hours is at risk (default 24)' },
    json: { type: 'boolean', description: 'as one JSON object' },
  },
  async run(values, _p, io) {
    const file = str(values, 'config') ?? process.env.TXGATE_CONFIG;
    if (!file) throw new UsageError('give --config FILE');
    const loaded = loadConfig(file);
    if (!loaded.ok) throw new UsageError(formatProblems(loaded.problems));
    const config = loaded.value;
    const hoursText = str(values, 'risk-hours');
    const hours = hoursText === undefined ? 24 : Number(hoursText);
    if (!Number.isFinite(hours) || hours <= 0) throw new UsageError('--risk-hours wants a positive number');
    const now = new Date();
    const soon = new Date(now.getTime() + 30 * DAY_MS);
    // the gateway's own certificates and the trust anchors, with their expiry
    const own = [
      ...config.smime.keys.map((k, i) => ({ what: `smime.keys.${i}`, notAfter: parseCertificates(readFileSync(k.cert))[0]!.notAfter })),
      { what: 'tls.cert', notAfter: parseCertificates(readFileSync(config.tls.cert))[0]!.notAfter },
      ...loadTrustStore(config.smime.trust, []).anchors.map((a) => ({ what: `anchor ${a.cert.subject}`, notAfter: a.cert.notAfter })),
    ];
    const db = openDatabase(config.database.path);
    try {
      const s = readStatusSummary(db, { now, riskBefore: new Date(now.getTime() + hours * 3_600_000), certificatesBefore: soon });
      const expiring = own.filter((c) => c.notAfter < soon);
      if (flag(values, 'json')) {
        io.stdout.write(`${JSON.stringify({ ...s, gatewayCertificates: own, expiringGatewayCertificates: expiring })}\n`);
        return 0;
      }
      const line = (label: string, value: string) => io.stdout.write(`${label.padEnd(22)}${value}\n`);
      const counts = (r: Record<string, number>) => Object.entries(r).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
      line('messages', counts(s.messages));
      line('requests', counts(s.requests));
      line(
        'outbox',
        `${s.outbox.pending} pending${s.outbox.oldestPendingAt ? ` (oldest ${Math.round((now.getTime() - s.outbox.oldestPendingAt.getTime()) / 60_000)} min)` : ''}, ${s.outbox.failed} failed, ${s.outbox.awaitingMdn} awaiting MDN, ${s.outbox.mdnTimedOut} MDN timed out`,
      );
      line(`deadlines < ${hours} h`, s.deadlinesAtRisk.length ? '' : 'none');
      for (const d of s.deadlinesAtRisk) io.stdout.write(`  ${d.request}  ${d.state.padEnd(22)} due ${d.dueAt.toISOString()}${d.dueAt < now ? ' OVERDUE' : ''}  ${d.expert ?? ''}\n`);
      line('stuck', s.stuck.length ? '' : 'none');
      for (const m of s.stuck) io.stdout.write(`  ${m.message}  ${m.state.padEnd(12)} attempts ${m.attempts}  ${m.lastError ?? ''}\n`);
      line('certificates < 30 d', expiring.length + s.expiringCertificates.length ? '' : 'none');
      for (const c of expiring) io.stdout.write(`  ${c.what}  expires ${c.notAfter.toISOString()}\n`);
      for (const c of s.expiringCertificates) io.stdout.write(`  directory ${c.practitioner}  expires ${c.notAfter.toISOString()}\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};
