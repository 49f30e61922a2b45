/**
 * The demo's workspace, as an operator would set one up: a development PKI (a CA, the gateway, and the programme's
 * people, plus an outsider under another CA; everyone's certificate also serves for mutual TLS), a configuration
 * (SMTP, the FHIR API and the operator endpoint on free loopback ports, HTTPS with the gateway's certificate), and the
 * practitioner directory written as a CSV and imported with the people's certificates into the database.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCertificateFile } from '../directory/import-certificates.ts';
import { importDirectoryFile } from '../directory/import-directory-file.ts';
import type { DirectoryEntry } from '../directory/directory-entry.ts';
import { CSV_COLUMNS, parseDirectoryCsv } from '../directory/parse-directory-csv.ts';
import { fail, ok, type Result } from '../errors/result.ts';
import { createDevPki, writeDevPki, type DevParty } from '../pki/create-dev-pki.ts';
import { openDatabase } from '../store/open-database.ts';
import { demoPeople, type DemoDirectoryRow, type DemoPerson, type DemoProgramme } from './demo-programme.ts';

export interface DemoWorkspace {
  configFile: string;
  database: string;
  pkiDir: string;
  /** the programme's people and its outsider, by name, with their keys */
  parties: ReadonlyMap<string, DevParty>;
}

export interface DemoWorkspaceOptions {
  workspace: string;
  domain: string;
  /** the configuration's policy.pack */
  policyPack: string;
  now: Date;
}

/** One CSV field, quoted when it must be (RFC 4180). */
function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The directory CSV of the programme's people: every column of the format, their addresses added. */
export function buildDirectoryCsv(p: DemoProgramme): string {
  return buildPeopleCsv(demoPeople(p));
}

function buildPeopleCsv(people: readonly DemoPerson[]): string {
  const rows = people.map((person): DemoDirectoryRow => ({ ...person.directory, addresses: person.address }));
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvField(r[c] ?? '')).join(','))].join('\n') + '\n';
}

/** A person as the directory holds them once imported (identifiers completed, profession with its system…). */
export function readDirectoryEntry(person: DemoPerson): Result<DirectoryEntry> {
  const read = parseDirectoryCsv(buildPeopleCsv([person]));
  if (!read.ok) return read;
  const entry = read.value.entries[0]?.entry;
  if (!entry || read.value.problems.length > 0) {
    return fail(...read.value.problems.map((x) => ({ code: x.code, path: `directory row of ${person.name}`, message: x.message })), ...(entry ? [] : [{ code: 'DEMO_DIRECTORY', path: `directory row of ${person.name}`, message: 'not read' }]));
  }
  return ok(entry);
}

export function writeDemoWorkspace(p: DemoProgramme, o: DemoWorkspaceOptions): Result<DemoWorkspace> {
  const people = demoPeople(p);
  const pki = createDevPki({ domain: o.domain, people: people.map((x) => ({ name: x.name, cn: x.cn, address: x.address, o: x.organization })) });
  const outsider = createDevPki({ domain: 'elsewhere.test', people: [{ name: p.outsider.name, cn: p.outsider.cn, address: p.outsider.address }] }).people[0]!;
  const parties = new Map<string, DevParty>(people.map((x, i) => [x.name, pki.people[i]!]));
  parties.set(p.outsider.name, outsider);
  const pkiDir = join(o.workspace, 'pki');
  const files = writeDevPki(pki, pkiDir);
  mkdirSync(join(o.workspace, 'certificates'), { recursive: true });
  const directory = join(o.workspace, 'directory.csv');
  writeFileSync(directory, buildDirectoryCsv(p));
  const configFile = join(o.workspace, 'txgate.json');
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        domain: o.domain,
        database: { path: 'txgate.db' },
        smtp: { port: 0 },
        tls: { cert: files.gateway!.cert, key: files.gateway!.key },
        smime: { keys: [{ key: files.gateway!.key, cert: files.gateway!.cert }], trust: [{ path: files.ca!.cert }] },
        certificates: { dir: 'certificates' },
        blobs: { dir: 'blobs' },
        outbound: { smartHost: { host: '127.0.0.1', port: 25, requireTls: true, ca: [files.ca!.cert], servername: 'localhost' }, retry: { initialDelayMs: 200, maxDelayMs: 1000 } },
        pipeline: { pollMs: 20 },
        fhir: { port: 0 },
        ops: { port: 0 },
        policy: { pack: o.policyPack },
      },
      null,
      2,
    ),
  );
  const database = join(o.workspace, 'txgate.db');
  const db = openDatabase(database);
  try {
    const imported = importDirectoryFile(db, directory, { now: o.now });
    if (!imported.ok) return fail(...imported.problems.map((x) => ({ ...x, path: `directory: ${x.path}` })));
    // every row must be taken: a skipped row would make the story fail later, far from its cause
    const skipped = imported.value.problems;
    if (skipped.length > 0 || imported.value.entries !== people.length) {
      return fail(...skipped.map((x) => ({ code: x.code, path: `directory.csv line ${x.line}`, message: x.message })), ...(skipped.length ? [] : [{ code: 'DEMO_DIRECTORY', path: 'directory.csv', message: `${imported.value.entries} of ${people.length} people imported` }]));
    }
    for (const person of people) {
      const c = importCertificateFile(db, files[person.name]!.cert);
      if (!c.ok) return fail(...c.problems.map((x) => ({ ...x, path: `certificate ${person.name}: ${x.path}` })));
    }
  } finally {
    db.close();
  }
  return ok({ configFile, database, pkiDir, parties });
}
