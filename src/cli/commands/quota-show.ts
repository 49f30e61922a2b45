import { formatProblems, loadConfig } from '../../config/load-config.ts';
import { normalizeSystem } from '../../domain/identifier-systems.ts';
import { loadRulePack } from '../../policy/load-rule-pack.ts';
import { dateOfDay, localDate } from '../../policy/local-date.ts';
import { quotaWindow } from '../../policy/quota-window.ts';
import { openDatabase } from '../../store/open-database.ts';
import { listQuotaPlaces } from '../../store/quota.ts';
import { flag, str, UsageError, type Command } from '../command.ts';

export const quotaShowCommand: Command = {
  path: ['quota', 'show'],
  summary: "show how many requests a patient has used in the programme's current quota window",
  options: {
    patient: { type: 'string', value: 'SYSTEM|VALUE', description: 'the patient identifier: its system and value, separated by |' },
    pack: { type: 'string', value: 'NAME|FILE', description: "the rule pack (default: the configuration's policy.pack)" },
    config: { type: 'string', value: 'FILE', description: 'the configuration file (default: $TXGATE_CONFIG)' },
    at: { type: 'string', value: 'ISO-8601', description: 'the day to look from (default: now)' },
    json: { type: 'boolean', description: 'as one JSON object' },
  },
  async run(values, _p, io) {
    const patient = str(values, 'patient');
    if (!patient || !/^[^|]+\|[^|]+$/.test(patient)) throw new UsageError('give --patient SYSTEM|VALUE (for example "urn:oid:1.2.250.1.213.1.4.8|284037512345640")');
    const atText = str(values, 'at');
    const at = atText ? new Date(atText) : new Date();
    if (Number.isNaN(at.getTime())) throw new UsageError('--at wants an ISO 8601 date or date-time');
    const file = str(values, 'config') ?? process.env.TXGATE_CONFIG;
    if (!file) throw new UsageError('give --config FILE');
    const config = loadConfig(file);
    if (!config.ok) throw new UsageError(formatProblems(config.problems));
    const pack = loadRulePack(str(values, 'pack') ?? config.value.policy.pack);
    if (!pack.ok) throw new UsageError(pack.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
    const quota = pack.value.quota;
    if (!quota) {
      io.stdout.write(flag(values, 'json') ? `${JSON.stringify({ pack: pack.value.name, quota: null })}\n` : `${pack.value.name} has no quota\n`);
      return 0;
    }
    const window = quotaWindow(localDate(at, pack.value.timeZone), quota.window);
    const db = openDatabase(config.value.database.path);
    try {
      // the key as the decide stage makes it for a patient (src/policy/quota-key.ts)
      const [system, value] = patient.split('|') as [string, string];
      const places = listQuotaPlaces(db, { pack: pack.value.name, key: `${normalizeSystem(system)}|${value.replace(/\s+/g, '')}`, ...window });
      const view = {
        pack: pack.value.name,
        window: { kind: quota.window, from: dateOfDay(window.firstDay), to: dateOfDay(window.lastDay) },
        limit: quota.limit,
        used: places.length,
        remaining: Math.max(0, quota.limit - places.length),
        requests: places.map((p) => ({ request: p.request, day: dateOfDay(p.day) })),
      };
      if (flag(values, 'json')) io.stdout.write(`${JSON.stringify(view)}\n`);
      else {
        io.stdout.write(`${view.pack}: ${view.used} of ${view.limit} used, ${view.remaining} remaining (${view.window.kind} ${view.window.from} – ${view.window.to})\n`);
        for (const r of view.requests) io.stdout.write(`  ${r.day}  ${r.request}\n`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
