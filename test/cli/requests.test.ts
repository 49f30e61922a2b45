/**
 * `txgate requests list` and `txgate requests show`, the operator's view of the database, run as the real
 * command (`node bin/txgate`) on the SQLite file a gateway run left: states, refusal codes, history and what was
 * sent about each message, and never patient data. Variants marked (runCli) go through the same entry point in
 * this process, to keep the file fast.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { startGateway, type Gateway } from '../../src/gateway/start-gateway.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import { listOutbox } from '../../src/store/outbox.ts';
import { eventually } from '../helpers/eventually.ts';
import { testGatewayConfig } from '../helpers/gateway-config.ts';
import { CERTS } from '../helpers/paths.ts';
import { sendSmtp } from '../helpers/send-smtp.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { party, sampleInner, type Party } from '../helpers/test-pki.ts';
import { runTxgate, type Run } from '../helpers/run-txgate.ts';

const GW = 'gateway@txgate.localhost';
/** What the sample request says about the patient: never to be shown by an operator command. */
const PATIENT_DATA = ['Jeanne', 'Dupont', '12/04/1956', 'souffle systolique', 'avis cardiologique'];

/** The environment without TXGATE_ variables, so that the caller's settings do not leak into the commands. */
const txgate = runTxgate;

/** The same command line through runCli in this process (what bin/txgate calls), output collected. */
async function inProcess(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const collect = (add: (s: string) => void) => ({ write: (chunk: string | Buffer) => (add(chunk.toString()), true) }) as unknown as NodeJS.WritableStream;
  const saved = process.env.TXGATE_CONFIG;
  delete process.env.TXGATE_CONFIG;
  try {
    const status = await runCli(args, { stdin: process.stdin, stdout: collect((s) => (stdout += s)), stderr: collect((s) => (stderr += s)) });
    return { status, stdout, stderr };
  } finally {
    if (saved !== undefined) process.env.TXGATE_CONFIG = saved;
  }
}

function expectNoPatientData(text: string): void {
  for (const word of PATIENT_DATA) expect(text).not.toContain(word);
}

function idOf(response: string): string {
  return /queued as (\S+)/.exec(response)![1]!;
}

let sink: SmtpSink | undefined;
let gw: Gateway | undefined;
let dbFile: string;
let configFile: string;
let receivedId: string;
let rejectedId: string;
/** what each command of this file printed, all run once the gateway has stopped */
let runs: Record<string, Run>;

beforeAll(async () => {
  sink = await startSmtpSink();
  const { config, dir } = testGatewayConfig(sink.port);
  // the revoked doctor's certificate is in the directory, so the refusal is answered with a failed MDN
  copyFileSync(join(CERTS, 'revoked.crt.pem'), join(dir, 'certificates', 'revoked.crt.pem'));
  dbFile = config.database.path;
  configFile = join(dir, 'txgate.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  gw = await startGateway(config, { log: silentLogger });
  const seal = (p: Party) => sealMessage(sampleInner(p.cert.sanEmails[0]), { signerKey: p.key, signerCert: p.cert, recipients: [party('gateway').cert] });
  const good = await sendSmtp(gw.smtpPort!, { from: 'dr.martin@hopital-a.test', to: [GW] }, seal(party('doctor')));
  const bad = await sendSmtp(gw.smtpPort!, { from: 'dr.revoked@hopital-a.test', to: [GW] }, seal(party('revoked')));
  expect(good.ok && bad.ok).toBe(true);
  receivedId = idOf(good.response);
  rejectedId = idOf(bad.response);
  await gw.drain();
  for (const id of [receivedId, rejectedId]) await eventually(() => expect(listOutbox(gw!.db, { sourceMessage: id })).toMatchObject([{ state: 'sent' }]));
  await gw.stop();
  gw = undefined;

  // the real command, one Node process each (they run at once: each spends a second or so loading the sources)
  const calls: Record<string, string[]> = {
    list: ['requests', 'list', '--db', dbFile],
    show: ['requests', 'show', receivedId, '--db', dbFile],
    showUnknown: ['requests', 'show', 'msg-unknown', '--db', dbFile],
    showNoId: ['requests', 'show', '--db', dbFile],
  };
  // the other variants through the same entry point (runCli), in this process
  const inProcessCalls: Record<string, string[]> = {
    listJson: ['requests', 'list', '--db', dbFile, '--json'],
    listRejected: ['requests', 'list', '--db', dbFile, '--state', 'rejected'],
    listByConfig: ['requests', 'list', '--config', configFile, '--limit', '1', '--json'],
    listNoDb: ['requests', 'list', '--db', join(dir, 'nothing-here.db')],
    listHelp: ['requests', 'list', '--help'],
    showJson: ['requests', 'show', receivedId, '--db', dbFile, '--json'],
    showRejected: ['requests', 'show', rejectedId, '--db', dbFile, '--json'],
    showTwoIds: ['requests', 'show', receivedId, rejectedId, '--db', dbFile],
    showHelp: ['requests', 'show', '--help'],
  };
  const spawned = Promise.all(Object.values(calls).map(txgate));
  const local: Run[] = [];
  for (const args of Object.values(inProcessCalls)) local.push(await inProcess(args));
  const results = [...(await spawned), ...local];
  runs = Object.fromEntries([...Object.keys(calls), ...Object.keys(inProcessCalls)].map((k, i) => [k, results[i]!]));
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

describe('txgate requests list', () => {
  it('lists both messages with their states and codes, and no patient data', () => {
    const r = runs.list!;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header!.split(/\s+/)).toEqual(['ID', 'RECEIVED', 'STATE', 'CODE', 'SIZE']);
    expect(rows).toHaveLength(2);
    const received = rows.find((l) => l.startsWith(receivedId))!;
    const rejected = rows.find((l) => l.startsWith(rejectedId))!;
    // a form request, refused under the default French pack
    expect(received.split(/\s+/)).toMatchObject([receivedId, /^\d{4}-\d\d-\d\dT/, 'refused', /^POLICY_[A-Z_]+$/, /^\d+$/]);
    expect(rejected.split(/\s+/)).toMatchObject([rejectedId, /^\d{4}-\d\d-\d\dT/, 'rejected', 'SMIME_CERT_REVOKED', /^\d+$/]);
    expectNoPatientData(r.stdout);
    expect(r.stdout).not.toContain('@');
  });

  it('--json prints one JSON object per line (runCli)', () => {
    const r = runs.listJson!;
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const byId = Object.fromEntries(objects.map((o) => [o.id, o]));
    expect(byId[receivedId]).toEqual({ id: receivedId, receivedAt: expect.stringMatching(/Z$/), state: 'refused', code: expect.stringMatching(/^POLICY_/), attempts: 0, size: expect.any(Number), channel: 'smtp' });
    expect(byId[rejectedId]).toMatchObject({ state: 'rejected', code: 'SMIME_CERT_REVOKED', channel: 'smtp' });
    expectNoPatientData(r.stdout);
  });

  it('--state rejected lists only the rejected one (runCli)', () => {
    const r = runs.listRejected!;
    expect(r.status).toBe(0);
    const rows = r.stdout.trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.split(/\s+/)).toMatchObject([rejectedId, /Z$/, 'rejected', 'SMIME_CERT_REVOKED', /^\d+$/]);
  });

  it('finds the database through --config, and --limit keeps the newest (runCli)', () => {
    const r = runs.listByConfig!;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const objects = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects).toHaveLength(1);
    expect(objects[0]!.id).toBe(rejectedId);
  });

  it('refuses a --db that does not exist (exit 2) rather than creating one (runCli)', () => {
    const r = runs.listNoDb!;
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no database at');
    expect(r.stdout).toBe('');
  });

  it('--help describes the options (runCli)', () => {
    const r = runs.listHelp!;
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: txgate requests list \[options\]/);
    for (const o of ['--db FILE', '--config FILE', '--state STATE', '--limit N', '--json']) expect(r.stdout).toContain(o);
  });
});

describe('txgate requests show', () => {
  it('shows the history (accepted → received → parsed → refused), the request and its reasons, the processed MDN sent, and no patient data', () => {
    const r = runs.show!;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${receivedId} {2}refused {2}POLICY_[A-Z_]+$`));
    expect(lines.find((l) => l.startsWith('request '))).toMatch(/^request req-\S+ {2}refused \(form\) under fr-teleexpertise \S+/);
    expect(lines.filter((l) => l.startsWith('  refused: POLICY_')).length).toBeGreaterThan(0);
    expect(r.stdout).toContain('over smtp (TLS)');
    const history = lines.slice(lines.indexOf('history:') + 1, lines.indexOf('sent about it:'));
    expect(history).toHaveLength(4);
    expect(history[0]).toMatch(/^ {2}\S+Z {2}- +→ accepted /);
    expect(history[1]).toMatch(/^ {2}\S+Z {2}accepted +→ received +opened: signed by dr\.martin@hopital-a\.test/);
    const sent = lines.slice(lines.indexOf('sent about it:') + 1).filter(Boolean);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^ {2}\S+ {2}mdn-processed +sent +attempts 1/);
    expectNoPatientData(r.stdout);
  });

  it('--json gives the same as one object (runCli)', () => {
    const r = runs.showJson!;
    expect(r.status).toBe(0);
    const view = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(view).toMatchObject({
      id: receivedId,
      state: 'refused',
      code: expect.stringMatching(/^POLICY_/),
      tls: true,
      envelope: { from: 'dr.martin@hopital-a.test', to: [GW] },
      history: [
        { from: null, to: 'accepted' },
        { from: 'accepted', to: 'received' },
        { from: 'received', to: 'parsed' },
        { from: 'parsed', to: 'refused' },
      ],
      request: { state: 'refused', dialect: 'form', pack: { name: 'fr-teleexpertise' }, reasons: expect.arrayContaining([expect.objectContaining({ code: 'POLICY_CONSENT_MISSING' })]) },
      outbox: [{ kind: 'mdn-processed', state: 'sent', to: ['dr.martin@hopital-a.test'], attempts: 1, lastError: null, sentAt: expect.stringMatching(/Z$/) }],
    });
    expectNoPatientData(r.stdout);
  });

  it('shows a refusal with its code and the failed MDN sent about it (runCli)', () => {
    const r = runs.showRejected!;
    expect(r.status).toBe(0);
    const view = JSON.parse(r.stdout) as { history: { to: string; detail: string }[] };
    expect(view).toMatchObject({ id: rejectedId, state: 'rejected', code: 'SMIME_CERT_REVOKED', outbox: [{ kind: 'mdn-failed', state: 'sent' }] });
    expect(view.history.map((h) => h.to)).toEqual(['accepted', 'rejected']);
    expect(view.history[1]!.detail).toContain('SMIME_CERT_REVOKED');
    expectNoPatientData(r.stdout);
  });

  it('exits 1 for an unknown ID', () => {
    const r = runs.showUnknown!;
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('txgate requests show: no message msg-unknown\n');
  });

  it('exits 2 without an ID, or with two (runCli)', () => {
    for (const r of [runs.showNoId!, runs.showTwoIds!]) {
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('give one ID');
    }
  });

  it('--help works (runCli)', () => {
    const r = runs.showHelp!;
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: txgate requests show \[options\] ID/);
    for (const o of ['--db FILE', '--config FILE', '--json']) expect(r.stdout).toContain(o);
  });
});
