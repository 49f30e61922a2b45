/**
 * Every shell command the README shows, run as it is written. The blocks of "Running the gateway" are read from
 * README.md and run line by line, as real processes, in a fresh folder where bin/, fixtures/ and certs/ are those of
 * the clone (so `node bin/txgate …` and the sample paths work as in a clone): `init`, `config check`, `serve` with a
 * request sent by secure mail, `requests list` and `show`; then the example configuration for a real programme (the
 * files it names made for it), checked, the directory imported, an expert's certificate attached and `serve` started
 * from TXGATE_CONFIG. Of the command line reference: every command and option exists, each is run here or by the test
 * file named for it, and the variants no other test runs are run here (the demo with --dir, --keep and a pack file,
 * the curl it prints, claims, quota and status on its workspace; the directory by id, --limit and a PKCS#12;
 * smime open with every trust option; `npx txgate`).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.ts';
import type { Command } from '../../src/cli/command.ts';
import { runCli } from '../../src/cli/main.ts';
import { FR_TELEEXPERTISE } from '../../src/demo/programmes/fr-teleexpertise.ts';
import { IDENTIFIER_SYSTEMS } from '../../src/domain/canonical-request.ts';
import { parseCertificates, type Certificate } from '../../src/pki/certificate.ts';
import { sealMessage } from '../../src/smime/seal-message.ts';
import { getMessage } from '../../src/store/messages.ts';
import { openReadOnlyDatabase } from '../../src/store/open-database.ts';
import { eventually } from '../helpers/eventually.ts';
import { BIN, CERTS, ROOT } from '../helpers/paths.ts';
import { RawSmtp } from '../helpers/raw-smtp-client.ts';
import { runTxgate, type Run } from '../helpers/run-txgate.ts';
import { CA_FILE, CRL_FILE, cert, party, sampleInner } from '../helpers/test-pki.ts';
import { spawnWatched, type WatchedProcess } from '../helpers/watched-process.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const THIS_FILE = 'test/cli/readme-commands.test.ts';
/** What the sample request says about the patient: never shown by an operator command. */
const PATIENT_DATA = ['Jeanne', 'Dupont', '12/04/1956'];

/** The environment without TXGATE_ variables, so that the caller's settings do not leak into the commands. */
const BASE_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TXGATE_')));
/** serve's fixed ports (2525, 8443, 9464) may be taken on a test machine: the variables the README names pick free ones. */
const FREE_PORTS = { TXGATE_SMTP_PORT: '0', TXGATE_FHIR_PORT: '0', TXGATE_OPS_PORT: '0' };

// ---------------------------------------------------------------------------------------------------------------
// the README, read

/** A README section, from its `## ` heading to the next one. */
function readmeSection(heading: string): string {
  const start = README.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section '${heading}'`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The fenced blocks of a section whose info string is `lang` ('' for none), in order. */
function codeBlocks(section: string, lang: string): string[] {
  return [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === lang).map((m) => m[2]!);
}

/** One line of a sh block: its variables, and the words after `node`. */
interface ShellLine {
  text: string;
  env: Record<string, string>;
  args: string[];
}

function readShellLines(block: string): ShellLine[] {
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean)
    .map((text) => {
      const words = text.split(/\s+/);
      const env: Record<string, string> = {};
      while (/^[A-Z_]+=/.test(words[0]!)) {
        const w = words.shift()!;
        env[w.slice(0, w.indexOf('='))] = w.slice(w.indexOf('=') + 1);
      }
      if (words.shift() !== 'node') throw new Error(`not a node command: ${text}`);
      return { text, env, args: words };
    });
}

/** The command a command line names (the longest path of words), as 'requests show'. */
function commandOf(words: readonly string[]): Command | undefined {
  let best: Command | undefined;
  for (const c of commands) if (c.path.every((w, i) => words[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  return best;
}

const nameOf = (c: Command | undefined): string => c?.path.join(' ') ?? '(none)';

/** The commands of the README's command line reference: each `txgate …` line with its continuation lines. */
function referenceLines(): { text: string; words: string[]; options: string[] }[] {
  const out: { text: string; words: string[]; options: string[] }[] = [];
  for (const block of codeBlocks(readmeSection('Command line'), '')) {
    for (const line of block.split('\n')) {
      if (line.startsWith('txgate ')) out.push({ text: line, words: [], options: [] });
      else if (out.length > 0 && /^\s+[[(-]/.test(line)) out[out.length - 1]!.text += ` ${line.trim()}`;
    }
  }
  for (const r of out) {
    r.words = r.text.split(/\s+/).slice(1);
    r.options = [...new Set(r.text.match(/--[a-z][a-z0-9-]*/g) ?? [])];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// processes

const started: ChildProcess[] = [];

type Proc = WatchedProcess;

function start(command: string, args: string[], o: { cwd?: string; env?: Record<string, string>; input?: Buffer } = {}): Proc {
  const p = spawnWatched(command, args, { cwd: o.cwd ?? ROOT, env: { ...BASE_ENV, ...o.env }, ...(o.input ? { input: o.input } : {}) });
  started.push(p.proc);
  return p;
}

/** A command run to its end: its exit code and output. */
async function run(command: string, args: string[], o: { cwd?: string; env?: Record<string, string>; input?: Buffer } = {}): Promise<Run> {
  const p = start(command, args, o);
  const status = await p.exited;
  return { status, stdout: p.stdout, stderr: p.stderr };
}

/** A README line run as written, in `cwd`. */
function runLine(cwd: string, line: ShellLine, env: Record<string, string> = {}): Promise<Run> {
  return run(process.execPath, line.args, { cwd, env: { ...line.env, ...env } });
}

/** The same command line through runCli in this process (for the files a step needs, not for what it checks). */
async function inProcess(args: string[], input: Buffer = Buffer.alloc(0)): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const collect = (add: (s: string) => void) => {
    const s = new PassThrough();
    s.on('data', (c: Buffer) => add(c.toString()));
    return s;
  };
  const status = await runCli(args, { stdin: Readable.from([input]), stdout: collect((s) => (stdout += s)), stderr: collect((s) => (stderr += s)) });
  return { status, stdout, stderr };
}

/** Greets the SMTP port: once it answers 220, serve has installed its signal handlers. */
async function expectGreeting(port: number): Promise<void> {
  const probe = await RawSmtp.open(port);
  try {
    expect(await probe.read(10_000)).toMatch(/^220 /);
  } finally {
    probe.close();
  }
}

let tmp: string;
/** `txgate demo --dir DIR --keep --pack FILE`, started first: it plays its story while the other tests run */
let demo: { proc: Proc; dir: string };

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'txgate-readme-'));
  const packFile = join(tmp, 'fr-teleexpertise.json');
  copyFileSync(join(ROOT, 'src', 'policy', 'packs', 'fr-teleexpertise.json'), packFile);
  const dir = join(tmp, 'demo');
  demo = { proc: start(process.execPath, [BIN, 'demo', '--dir', dir, '--keep', '--pack', packFile]), dir };
});

afterAll(async () => {
  for (const p of started) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL');
      await new Promise((resolve) => p.once('close', resolve));
    }
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------

/**
 * Where each command of the reference is run with its options: the test files that run it (the real binary, or
 * runCli / runCommand, which parse the same options), this one included.
 */
const RUN_BY: Record<string, string[]> = {
  demo: ['test/e2e/demo.test.ts', 'test/e2e/demo-brazil.test.ts', THIS_FILE],
  init: ['test/cli/init.test.ts', THIS_FILE],
  'config check': ['test/cli/init.test.ts', THIS_FILE],
  serve: ['test/e2e/serve-lifecycle.test.ts', THIS_FILE],
  'requests list': ['test/cli/requests.test.ts', THIS_FILE],
  'requests show': ['test/cli/requests.test.ts', THIS_FILE],
  'claims list': ['test/cli/claims.test.ts', THIS_FILE],
  'claims show': ['test/cli/claims.test.ts', THIS_FILE],
  'claims resend': ['test/cli/claims.test.ts', THIS_FILE],
  status: ['test/cli/status.test.ts', THIS_FILE],
  'policy check': ['test/cli/policy-check.test.ts'],
  'quota show': ['test/cli/quota-show.test.ts', THIS_FILE],
  'directory import': ['test/cli/directory.test.ts', THIS_FILE],
  'directory show': ['test/cli/directory.test.ts', THIS_FILE],
  'directory search': ['test/cli/directory.test.ts', THIS_FILE],
  'directory cert': ['test/cli/directory.test.ts', THIS_FILE],
  'smime open': ['test/smime/open-refusals.test.ts', 'test/smime/interop-openssl-sender.test.ts', THIS_FILE],
  'smime seal': ['test/cli/smime-seal.test.ts'],
  'payload parse': ['test/cli/payload-parse.test.ts'],
  'certs init-ca': ['test/pki/certs-cli.test.ts'],
  'certs issue': ['test/pki/certs-cli.test.ts', THIS_FILE],
  'certs revoke': ['test/pki/certs-cli.test.ts'],
  'certs p12-export': ['test/pki/certs-cli.test.ts'],
  'certs p12-import': ['test/pki/certs-cli.test.ts'],
  'certs test-pki': ['test/pki/certs-cli.test.ts'],
};

/** Whether a test file's text runs the command: its words as an argument list, or its Command object. */
function mentionsCommand(text: string, c: Command): boolean {
  const camel = c.path.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('').replace(/-(\w)/g, (_m, ch: string) => ch.toUpperCase());
  return text.includes(c.path.map((w) => `'${w}'`).join(', ')) || text.includes(`${camel}Command`);
}

describe("the README's command line reference", () => {
  const lines = referenceLines();

  it('lists every command of the CLI', () => {
    expect(new Set(lines.map((l) => nameOf(commandOf(l.words))))).toEqual(new Set(commands.map((c) => nameOf(c))));
  });

  it.each(commands.map((c) => [nameOf(c), c] as const))('%s answers --help (exit 0) and exits 2 on a usage error (runCli)', async (_name, c) => {
    const help = await inProcess([...c.path, '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^Usage: txgate ${nameOf(c)} \\[options\\]`));
    const bad = await inProcess([...c.path, '--no-such-option']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`Run 'txgate ${nameOf(c)} --help'.`);
  });

  it.each(lines.map((l) => [l.text.split(/\s+/).slice(0, 3).join(' '), l] as const))('%s: every option it writes is one of the command', (_name, l) => {
    const c = commandOf(l.words);
    expect(c, l.text).toBeDefined();
    const known = new Set([...Object.keys(c!.options).map((o) => `--${o}`), '--help']);
    expect(l.options.filter((o) => !known.has(o)), l.text).toEqual([]);
  });

  it.each(lines.map((l) => [nameOf(commandOf(l.words)), l] as const))('%s is run, with each option the README gives it, by a test', (name, l) => {
    const files = RUN_BY[name];
    expect(files, `no test named for '${name}'`).toBeDefined();
    const texts = files!.map((f) => readFileSync(join(ROOT, f), 'utf8'));
    expect(texts.some((t) => mentionsCommand(t, commandOf(l.words)!)), `${name} in ${files!.join(', ')}`).toBe(true);
    const all = texts.join('\n');
    expect(l.options.filter((o) => !all.includes(`'${o}'`)), `options of '${name}' run by none of ${files!.join(', ')}`).toEqual([]);
  });
});

describe('npm and npx, as the README writes them', () => {
  it('npm start is the demo (which test/e2e/demo.test.ts runs), npm test the type check and vitest, and every bench named exists', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe('node bin/txgate demo');
    expect(scripts.test).toBe('tsc --noEmit -p . && vitest run');
    const benches = [...README.matchAll(/`npm run bench -- (\w+)`/g)].map((m) => m[1]!);
    expect(benches.length).toBeGreaterThan(0);
    const runner = readFileSync(join(ROOT, 'bench', 'run.ts'), 'utf8');
    for (const b of benches) expect(runner, `bench ${b}`).toMatch(new RegExp(`^\\s+${b}: \\(\\) => import\\('\\./${b}\\.ts'\\)`, 'm'));
  });

  it('npx txgate inside the project is the same command line (--offline: never fetched from the registry)', async () => {
    const r = await run('npx', ['--offline', 'txgate', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: txgate COMMAND \[options\]/);
  }, 30_000);
});

// ---------------------------------------------------------------------------------------------------------------

describe('Running the gateway, as the README writes it', () => {
  /** the folder the README's lines run in, as in a clone */
  let base: string;
  let gw: string;
  const section = readmeSection('Running the gateway');
  const [firstBlock, realBlock] = codeBlocks(section, 'sh').map(readShellLines);
  let expertId = '';

  beforeAll(() => {
    base = join(tmp, 'clone');
    mkdirSync(base);
    for (const d of ['bin', 'fixtures', 'certs']) symlinkSync(join(ROOT, d), join(base, d));
    gw = join(base, 'gw');
  });

  it('init, config check, serve (SMTP on 127.0.0.1 with STARTTLS, JSON log lines), requests list and show of a request sent by secure mail; SIGTERM exits 0', async () => {
    expect(firstBlock!.map((l) => nameOf(commandOf(l.args.slice(1))))).toEqual(['init', 'config check', 'serve', 'requests list', 'requests show']);
    const [init, check, serve, list, show] = firstBlock!;

    const i = await runLine(base, init!);
    expect(i.stderr).toBe('');
    expect(i.status).toBe(0);
    expect(existsSync(join(gw, 'txgate.json')) && existsSync(join(gw, 'pki', 'gateway.key.pem')) && existsSync(join(gw, 'certificates'))).toBe(true);

    const c = await runLine(base, check!);
    expect(c.status).toBe(0);
    expect(c.stdout.startsWith('ok\n')).toBe(true);
    const effective = JSON.parse(c.stdout.slice(3)) as { smtp: { host: string; port: number; requireTls: boolean } };
    expect(effective.smtp).toMatchObject({ host: '127.0.0.1', port: 2525, requireTls: true });

    const d = start(process.execPath, serve!.args, { cwd: base, env: { ...serve!.env, ...FREE_PORTS } });
    const smtp = await d.logLine('smtp intake listening');
    expect(smtp.host).toBe('127.0.0.1');
    const ops = await d.logLine('operator endpoint listening');
    await d.logLine('fhir api listening');

    // a GP whose certificate the workspace's CA issued sends a request, sealed for the gateway, over STARTTLS
    const drCert = join(tmp, 'dr.crt.pem');
    const drKey = join(tmp, 'dr.key.pem');
    const issued = await inProcess(['certs', 'issue', '--ca-cert', join(gw, 'pki', 'ca.crt.pem'), '--ca-key', join(gw, 'pki', 'ca.key.pem'), '--out-cert', drCert, '--out-key', drKey, '--email', 'dr.martin@hopital-a.test']);
    expect(issued.status).toBe(0);
    const sealed = sealMessage(sampleInner('dr.martin@hopital-a.test', 'gateway@txgate.localhost'), {
      signerKey: createPrivateKey(readFileSync(drKey)),
      signerCert: parseCertificates(readFileSync(drCert))[0]!,
      recipients: [parseCertificates(readFileSync(join(gw, 'pki', 'gateway.crt.pem')))[0]!],
    });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port as number, secure: false, requireTLS: true, tls: { ca: [readFileSync(join(gw, 'pki', 'ca.crt.pem'))], servername: 'localhost' } });
    const info = (await transport.sendMail({ envelope: { from: 'dr.martin@hopital-a.test', to: ['gateway@txgate.localhost'] }, raw: sealed })) as { response: string };
    transport.close();
    const id = /queued as (\S+)/.exec(info.response)![1]!;
    await eventually(() => {
      const db = openReadOnlyDatabase(join(gw, 'txgate.db'));
      try {
        expect(getMessage(db, id)?.state).toBe('refused'); // no directory, no consent: refused under the French pack
      } finally {
        db.close();
      }
    }, 20_000, 100);

    // what an operator watches, on the ops port
    const health = await fetch(`http://127.0.0.1:${ops.port as number}/healthz`);
    expect(health.status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${ops.port as number}/metrics`)).text()).toMatch(/^txgate_messages\{state="refused",code="POLICY_[A-Z_]+"\} 1$/m);

    const withId = (l: ShellLine): ShellLine => ({ ...l, args: l.args.map((a) => (a === 'ID' ? id : a)) });
    const [listed, shown] = await Promise.all([runLine(base, list!), runLine(base, withId(show!))]);
    expect(listed.status).toBe(0);
    const row = listed.stdout.split('\n').find((l) => l.startsWith(id));
    expect(row?.split(/\s+/)).toMatchObject([id, /^\d{4}-\d\d-\d\dT/, 'refused', /^POLICY_/, /^\d+$/]);
    expect(shown.stderr).toBe('');
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(id);
    expect(shown.stdout).toMatch(/refused/);
    for (const word of PATIENT_DATA) expect(listed.stdout + shown.stdout).not.toContain(word);

    d.proc.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    await d.logLine('stopped');
  }, 120_000);

  it('the example configuration for a real programme passes config check; the directory lines import the practitioners and attach the certificate; serve starts from TXGATE_CONFIG', async () => {
    expect(realBlock!.map((l) => nameOf(commandOf(l.args.slice(1))))).toEqual(['config check', 'directory import', 'directory import', 'directory cert', 'serve']);
    const [check, annuaire, csv, attach, serve] = realBlock!;
    const exampleText = codeBlocks(section, 'json')[0]!;
    const example = JSON.parse(exampleText) as unknown;

    // the files it names, made from init's development PKI (they stand for the operator's)
    const pki = (f: string) => join(gw, 'pki', f);
    const made: string[] = [];
    const file = (rel: string) => {
      made.push(rel);
      mkdirSync(join(gw, rel, rel.endsWith('/') ? '' : '..'), { recursive: true });
      return join(gw, rel);
    };
    copyFileSync(pki('gateway.crt.pem'), file('keys/tls.crt.pem'));
    copyFileSync(pki('gateway.key.pem'), file('keys/tls.key.pem'));
    const smime = await runTxgate(['certs', 'issue', '--ca-cert', pki('ca.crt.pem'), '--ca-key', pki('ca.key.pem'), '--out-cert', file('keys/smime.crt.pem'), '--out-key', file('keys/smime.key.pem'), '--email', 'gateway@telehealth.example', '--name', 'Telehealth gateway', '--bits', '2048']);
    expect(smime.stderr).toBe('');
    expect(smime.status).toBe(0);
    expect(parseCertificates(readFileSync(join(gw, 'keys/smime.crt.pem')))[0]!.sanEmails).toEqual(['gateway@telehealth.example']);
    copyFileSync(pki('ca.crt.pem'), join(file('trust/igc-sante/'), 'igc-sante-ca.pem'));
    expect(spawnSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', CA_FILE, '-outform', 'DER', '-out', file('trust/direct-bundle.p7b')]).status).toBe(0);
    expect((await inProcess(['certs', 'revoke', '--ca-cert', pki('ca.crt.pem'), '--ca-key', pki('ca.key.pem'), '--serial', '01', '--out', file('trust/igc-sante.crl.pem')])).status).toBe(0);
    const client = await inProcess(['certs', 'issue', '--ca-cert', pki('ca.crt.pem'), '--ca-key', pki('ca.key.pem'), '--out-cert', file('keys/insurer-client.crt.pem'), '--out-key', file('keys/insurer-client.key.pem'), '--domain', 'telehealth.example', '--tls-client']);
    expect(client.status).toBe(0);
    expect(new Set(filesNamedBy(example))).toEqual(new Set(made));
    writeFileSync(join(gw, 'txgate.json'), exampleText);

    const c = await runLine(base, check!);
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    expect(JSON.parse(c.stdout.slice(3))).toMatchObject({
      domain: 'telehealth.example',
      smime: {
        keys: [{ key: join(gw, 'keys/smime.key.pem') }],
        trust: [{ path: expect.stringContaining(join(gw, 'trust/igc-sante')) }, { path: join(gw, 'trust/direct-bundle.p7b'), domains: ['hospital.example'] }],
        crls: [join(gw, 'trust/igc-sante.crl.pem')],
      },
      policy: { pack: 'fr-teleexpertise' },
      billing: { enabled: true, insurer: { baseUrl: 'https://insurer.example/fhir', mode: 'submit', clientCert: { cert: join(gw, 'keys/insurer-client.crt.pem') } } },
    });

    // in order: the CSV adds to the people of the extract, the certificate goes to an address of the CSV
    const a = await runLine(base, annuaire!);
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(/\(annuaire\): 28 rows, 20 people: 20 created, 0 updated, 3 skipped/);
    const b = await runLine(base, csv!);
    expect(b.status).toBe(0);
    expect(b.stdout).toMatch(/\(csv\): 14 rows, 11 people: \d+ created, 4 updated, 3 skipped/);
    const e = await runLine(base, attach!);
    expect(e.stderr).toBe('');
    expect(e.status).toBe(0);
    const attached = /attached to (pr-\S+) \(cardio\.durand@chu-b\.test\)/.exec(e.stdout);
    expect(attached, e.stdout).not.toBeNull();
    expertId = attached![1]!;

    expect(serve!.env).toEqual({ TXGATE_CONFIG: 'gw/txgate.json' });
    const d = start(process.execPath, serve!.args, { cwd: base, env: { ...serve!.env, ...FREE_PORTS } });
    const smtp = await d.logLine('smtp intake listening');
    await d.logLine('fhir api listening');
    await expectGreeting(smtp.port as number);
    d.proc.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  }, 120_000);

  it('a PKCS#12 certificate attached with --password, the directory shown by practitioner id and a search cut by --limit (runCli), all through --config', async () => {
    expect(expertId).toMatch(/^pr-/);
    const config = join(gw, 'txgate.json');
    const p12 = join(tmp, 'nurse.p12');
    expect((await inProcess(['certs', 'p12-export', '--key', join(CERTS, 'nurse.key.pem'), '--cert', join(CERTS, 'nurse.crt.pem'), '--password', 'pw', '--out', p12])).status).toBe(0);
    const attached = await runTxgate(['directory', 'cert', p12, '--password', 'pw', '--config', config]);
    expect(attached.stderr).toBe('');
    expect(attached.status).toBe(0);
    expect(attached.stdout).toMatch(/attached to pr-\S+ \(ide\.bernard@cabinet-c\.test\)/);

    // the same entry point in this process (the real binary ran just above): the file stays within its time
    const shown = await inProcess(['directory', 'show', expertId, '--config', config, '--json']);
    const limited = await inProcess(['directory', 'search', '--specialty', 'SM04', '--limit', '1', '--config', config, '--json']);
    const all = await inProcess(['directory', 'search', '--specialty', 'SM04', '--config', config, '--json']);
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: expertId, addresses: expect.arrayContaining(['cardio.durand@chu-b.test']), certificates: [{ notAfter: '2045-01-01T00:00:00.000Z' }] });
    expect(limited.status).toBe(0);
    expect(limited.stdout.trim().split('\n')).toHaveLength(1);
    expect(all.stdout.trim().split('\n').length).toBeGreaterThan(1);
  }, 60_000);
});

/** The files an example configuration names (relative paths: settings cert, key and path, and the CRLs). */
function filesNamedBy(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return ['cert', 'key', 'path', 'crls'].includes(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => filesNamedBy(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => filesNamedBy(v, k));
  return [];
}

// ---------------------------------------------------------------------------------------------------------------

describe('txgate demo --dir DIR --keep --pack FILE (the story npm start prints), and the commands on its workspace', () => {
  it('plays every step, leaves the gateway running with the curl that reads the nurse’s Tasks; claims, quota (runCli) and status read the workspace; Ctrl-C exits 0', async () => {
    const { proc: d, dir } = demo;
    const curlLine = (await d.waitFor(/^Her Tasks, as her software sees them: (curl .*)$/m, 60_000))[1]!;
    expect(d.stdout).toMatch(/^programme: fr-teleexpertise /m);
    const [, done, total] = /^(\d+)\/(\d+) steps as expected/m.exec(d.stdout)!;
    expect(done).toBe(total);
    expect(d.stdout).toContain(`workspace  ${dir}\n`);
    expect(d.stdout).toContain('Ctrl-C to stop.');
    const config = join(dir, 'txgate.json');

    const [curl, claims, quota, status] = await Promise.all([
      run('curl', curlLine.split(' ').slice(1)),
      runTxgate(['claims', 'list', '--config', config, '--status', 'submitted', '--limit', '10', '--json']),
      inProcess(['quota', 'show', '--patient', `${IDENTIFIER_SYSTEMS.INS_NIR}|${FR_TELEEXPERTISE.patients.main.identifier}`, '--config', config]),
      runTxgate(['status', '--config', config]),
    ]);
    expect(curl.status).toBe(0);
    const tasks = JSON.parse(curl.stdout) as { resourceType: string; type: string; entry: { resource: { resourceType: string; status: string } }[] };
    expect(tasks).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(tasks.entry.map((e) => `${e.resource.resourceType} ${e.resource.status}`)).toEqual(['Task completed']);

    expect(claims.status).toBe(0);
    const rows = claims.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; act: string; state: string; outcome: string });
    expect(rows.map((r) => `${r.act} ${r.state} ${r.outcome}`).sort()).toEqual(['RQD submitted complete', 'RQD submitted complete', 'TE2 submitted complete', 'TE2 submitted complete']);

    // the fifth request for the patient was refused: the four places of the year are taken
    expect(quota.status).toBe(0);
    expect(quota.stdout).toMatch(/^fr-teleexpertise: 4 of 4 used, 0 remaining \(calendar-year \d{4}-01-01 – \d{4}-12-31\)\n/);
    expect(quota.stdout.trim().split('\n')).toHaveLength(5);

    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/^requests\s+.*answered 2/m);
    expect(status.stdout).toMatch(/^stuck\s+none$/m);

    const [shown, resent] = await Promise.all([inProcess(['claims', 'show', rows[0]!.id, '--config', config]), runTxgate(['claims', 'resend', rows[0]!.id, '--config', config])]);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^${rows[0]!.id}\\s+submitted\\s+${rows[0]!.act} of request`));
    expect(shown.stdout).toContain('"resourceType": "ClaimResponse"');
    for (const word of ['Jeanne', 'Exemple']) expect(quota.stdout + status.stdout).not.toContain(word);
    expect(resent.status).toBe(1);
    expect(resent.stderr).toBe(`txgate claims resend: ${rows[0]!.id} is submitted: only a claim in error or invalid is resent\n`);

    d.proc.kill('SIGINT');
    expect(await d.exited).toBe(0);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------------------

describe('txgate smime open with the options of the reference no other test runs', () => {
  const AT = '2026-06-01T00:00:00Z';
  const doctor = party('doctor');
  const gatewayCert = party('gateway').cert;
  const sealFrom = (p: { key: KeyObject; cert: Certificate }, chain: Certificate[] = []) =>
    sealMessage(sampleInner(p.cert.sanEmails[0]), { signerKey: p.key, signerCert: p.cert, chain, recipients: [gatewayCert] });
  let trustDir: string;
  let bundle: string;
  /** the options that open a message for the gateway's second key */
  let keys: string[];

  beforeAll(() => {
    trustDir = join(tmp, 'trust');
    mkdirSync(trustDir);
    copyFileSync(CA_FILE, join(trustDir, 'ca.crt.pem'));
    bundle = join(tmp, 'anchors.p7b');
    expect(spawnSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', CA_FILE, '-outform', 'DER', '-out', bundle]).status).toBe(0);
    keys = ['--key', join(CERTS, 'gateway-next.key.pem'), '--cert', join(CERTS, 'gateway-next.crt.pem'), '--key', join(CERTS, 'gateway.key.pem'), '--cert', join(CERTS, 'gateway.crt.pem')];
  });

  it('opens with two key pairs (the second decrypts), a trust folder, a PKCS#7 bundle scoped to a domain, a required CRL and SHA-1 certificates refused', async () => {
    const r = await run(
      process.execPath,
      [BIN, 'smime', 'open', ...keys, '--trust', trustDir, '--trust-domain', `hopital-a.test=${bundle}`, '--crl', CRL_FILE, '--require-crl', '--refuse-sha1-certs', '--at', AT],
      { input: sealFrom(doctor) },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const opened = JSON.parse(r.stdout) as { ok: boolean; signer: { email: string }; encryption: { recipientSerial: string } };
    expect(opened.ok).toBe(true);
    expect(opened.signer.email).toBe('dr.martin@hopital-a.test');
    expect(opened.encryption.recipientSerial.toLowerCase()).toBe(gatewayCert.serialHex.toLowerCase());
  }, 30_000);

  it.each([
    ['--trust-domain trusts its anchors only for senders of that domain', 'doctor', () => ['--trust-domain', `chu-b.test=${bundle}`], 'SMIME_UNTRUSTED_SIGNER'],
    ['--trust-domain with the sender’s domain in its list', 'doctor', () => ['--trust-domain', `chu-b.test,hopital-a.test=${trustDir}`], 'ok'],
    ['--require-crl with no CRL of the intermediate', 'via-intermediate', () => ['--trust', CA_FILE, '--crl', CRL_FILE, '--require-crl'], 'SMIME_UNTRUSTED_SIGNER'],
    ['the same without --require-crl', 'via-intermediate', () => ['--trust', CA_FILE, '--crl', CRL_FILE], 'ok'],
  ])('%s (runCli)', async (_name, signer, options, expected) => {
    const message = signer === 'doctor' ? sealFrom(doctor) : sealFrom(party(signer), [cert('intermediate')]);
    const r = await inProcess(['smime', 'open', ...keys, ...options(), '--at', AT], message);
    const out = JSON.parse(r.stdout) as { ok: boolean; code?: string };
    expect(out.ok ? 'ok' : out.code).toBe(expected);
    expect(r.status).toBe(expected === 'ok' ? 0 : 1);
  });

  it('--refuse-sha1-certs refuses a signer whose certificate is signed with SHA-1, accepted without it (runCli)', async () => {
    const dir = join(tmp, 'sha1');
    mkdirSync(dir);
    const ext = join(dir, 'ext.cnf');
    writeFileSync(ext, 'subjectAltName=email:dr.sha1cert@hopital-a.test\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\nbasicConstraints=CA:FALSE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
    const openssl = (...args: string[]) => expect(spawnSync('openssl', args, { cwd: dir }).status).toBe(0);
    openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-subj', '/CN=Dr Sha1 Cert', '-out', 'r.csr');
    openssl('x509', '-req', '-in', 'r.csr', '-CA', CA_FILE, '-CAkey', join(CERTS, 'ca.key.pem'), '-sha1', '-days', '30', '-extfile', ext, '-out', 'c.pem');
    const signer = { key: createPrivateKey(readFileSync(join(dir, 'k.pem'))), cert: parseCertificates(readFileSync(join(dir, 'c.pem')))[0]! };
    const message = sealFrom(signer);
    const refused = await inProcess(['smime', 'open', ...keys, '--trust', CA_FILE, '--refuse-sha1-certs'], message);
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, code: 'SMIME_WEAK_ALGORITHM' });
    const accepted = await inProcess(['smime', 'open', ...keys, '--trust', CA_FILE], message);
    expect(accepted.status).toBe(0);
  });
});
