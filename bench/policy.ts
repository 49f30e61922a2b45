/**
 * Policy decisions per second with 1,000,000 requests and their quota places stored (250,000 patients, 4 requests each over two
 * years), on one core: a French request (a GP asking a cardiology pool, consent complete) decided as the decide
 * stage does it: the quota key, the places taken in the window read by the (pack, key, day) index, then every
 * check of the fr-teleexpertise pack (consent, urgency, pair, documents, requester, deadline, tariffs).
 *
 * Baseline, in the same run: that same indexed SELECT alone (the one read a decision cannot do without).
 * ratio = median decision time ÷ median SELECT time (target ≤ 3). Also shown: admissions with the place taken
 * (a write transaction each: count and insert, as the decide stage's step does), for information.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CanonicalRequest } from '../src/domain/canonical-request.ts';
import { CanonicalRequestSchema } from '../src/domain/canonical-request.ts';
import { decideRequest } from '../src/policy/decide-request.ts';
import { loadRulePack } from '../src/policy/load-rule-pack.ts';
import { dayNumber, localDate } from '../src/policy/local-date.ts';
import { quotaKey } from '../src/policy/quota-key.ts';
import { quotaWindow } from '../src/policy/quota-window.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { countQuotaPlaces, takeQuotaPlace } from '../src/store/quota.ts';
import { interleaved, opsPerSecond, report, round } from './lib/measure.ts';

const PATIENTS = 250_000;
const PER_PATIENT = 4;
const INS_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';
const PROFESSION = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
const SPECIALTY = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';

/** A 13-digit NIR-like number with its key (97 − n mod 97), unique per patient. */
function ins(n: number): string {
  const body = `1${String(n).padStart(12, '0')}`;
  const key = 97 - Number(BigInt(body) % 97n);
  return `${body}${String(key).padStart(2, '0')}`;
}

function requestFor(patient: number): CanonicalRequest {
  return CanonicalRequestSchema.parse({
    ids: {},
    channel: 'smtp',
    dialect: 'form',
    requester: { identifiers: [], profession: { system: PROFESSION, code: '10' }, specialty: { system: SPECIALTY, code: 'SM54' }, address: 'dr.martin@hopital-a.test' },
    requested: { specialty: { system: SPECIALTY, code: 'SM04' }, address: 'cardiologie@txgate.localhost' },
    patient: { identifiers: [{ system: INS_SYSTEM, value: ins(patient), type: 'INS' }] },
    reason: { text: 'palpitations' },
    question: 'ECG anormal ?',
    consent: { granted: true, date: '2026-03-01', covers: { reason: true, requestedIdentity: true, requestedSpecialty: true, modeOfReturn: true }, modeOfReturn: 'phone-call', source: 'form' },
    attachments: [],
  });
}

export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 3);
  const pack = loadRulePack('fr-teleexpertise');
  if (!pack.ok) throw new Error(JSON.stringify(pack.problems));
  const p = pack.value;
  const dir = mkdtempSync(join(tmpdir(), 'txgate-bench-policy-'));
  const db = openDatabase(join(dir, 'txgate.db'));
  try {
    // 1,000,000 places: each patient's 4 requests spread over 2025 and 2026
    const fill = Date.now();
    const insert = db.prepare('INSERT INTO quota_places (request, pack, key, day, taken_at) VALUES (?, ?, ?, ?, ?)');
    // the requests themselves (small rows: the decision reads only the places); their messages are not stored,
    // so foreign keys are off in this database
    const insertRequest = db.prepare("INSERT INTO requests (id, message, channel, dialect, requester, state, canonical, created_at, updated_at) VALUES (?, ?, 'smtp', 'form', 'dr.martin@hopital-a.test', 'admitted', '{}', 0, 0)");
    db.pragma('foreign_keys = OFF');
    const firstDay = dayNumber('2025-01-01');
    const sample = requestFor(0);
    const keyOf = (n: number) => quotaKey({ ...sample, patient: { ...sample.patient, identifiers: [{ system: INS_SYSTEM, value: ins(n), type: 'INS' }] } }, p)!;
    db.pragma('synchronous = OFF');
    db.transaction(() => {
      for (let n = 0; n < PATIENTS; n++) {
        const key = keyOf(n);
        for (let k = 0; k < PER_PATIENT; k++) {
          const id = `req-${n}-${k}`;
          insertRequest.run(id, `msg-${n}-${k}`);
          insert.run(id, p.name, key, firstDay + ((n * 7 + k * 181) % 730), 0);
        }
      }
    })();
    db.pragma('synchronous = NORMAL');
    db.exec('ANALYZE');
    const fillSeconds = (Date.now() - fill) / 1000;
    const stored = (db.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n;
    const plan = (db.prepare('EXPLAIN QUERY PLAN SELECT COUNT(*) AS n FROM quota_places WHERE pack = ? AND key = ? AND day BETWEEN ? AND ?').all(p.name, 'k', 0, 1) as { detail: string }[])
      .map((r) => r.detail)
      .join('; ');
    if (!/USING (COVERING )?INDEX quota_places_key/.test(plan)) throw new Error(`the quota query does not use its index: ${plan}`);

    // requests for patients spread over the table; decided on 2026-03-03 (calendar year 2026)
    const at = new Date('2026-03-03T10:00:00Z');
    const requests = Array.from({ length: 1024 }, (_, i) => requestFor((i * 2654435761) % PATIENTS));
    const window = quotaWindow(localDate(at, p.timeZone), p.quota!.window);
    const keys = requests.map((r) => quotaKey(r, p)!);
    const check = decideRequest(requests[0]!, p, { at, quotaUsed: 0 });
    if (!check.admitted) throw new Error(`the sample request is refused: ${JSON.stringify(check.reasons)}`);

    let i = 0;
    let sink = 0;
    const decide = () => {
      const request = requests[i++ & 1023]!;
      const key = quotaKey(request, p)!;
      const used = countQuotaPlaces(db, { pack: p.name, key, ...quotaWindow(localDate(at, p.timeZone), p.quota!.window) });
      const verdict = decideRequest(request, p, { at, quotaUsed: used });
      sink += verdict.reasons.length;
    };
    const select = () => {
      sink += countQuotaPlaces(db, { pack: p.name, key: keys[i++ & 1023]!, ...window });
    };
    let admitted = 0;
    const take = db.transaction((request: CanonicalRequest, n: number) => takeQuotaPlace(db, { pack: p.name, key: quotaKey(request, p)!, ...window, day: dayNumber('2026-03-03'), limit: p.quota!.limit, request: `bench-${n}` }, at));
    const admit = () => {
      const n = i++;
      const request = requests[n & 1023]!;
      if (take.immediate(request, n)) admitted++;
    };
    const ms = seconds * 1000;
    opsPerSecond(decide, 300, 0);
    opsPerSecond(select, 300, 0);
    const m = interleaved({ decide: () => opsPerSecond(decide, ms, 100), select: () => opsPerSecond(select, ms, 100) });
    const admits = opsPerSecond(admit, Math.min(ms, 2000), 100);
    const ratio = m.select / m.decide;
    report(
      'policy',
      [
        ['requests and quota places stored', `${stored} (${PATIENTS} patients × ${PER_PATIENT}), filled in ${round(fillSeconds, 1)} s`],
        ['query plan', plan],
        ['rounds (medians reported)', 3],
        ['decisions/s (key, indexed count, every fr check)', round(m.decide, 0)],
        ['median decision time µs', round(1e6 / m.decide, 2)],
        ['bare indexed SELECT/s (the same count)', round(m.select, 0)],
        ['median SELECT time µs', round(1e6 / m.select, 2)],
        ['ratio decision ÷ SELECT time', round(ratio, 2)],
        ['target', '≤ 3'],
        ['admissions/s with the place taken (write transaction each)', `${round(admits, 0)} (${admitted} taken)`],
        ['(checksum)', sink % 1000],
      ],
      { stored, decisionsPerSec: round(m.decide, 0), selectsPerSec: round(m.select, 0), decisionMicros: round(1e6 / m.decide, 2), selectMicros: round(1e6 / m.select, 2), admissionsPerSec: round(admits, 0), ratio: round(ratio, 2) },
    );
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
