import type { Coding } from '../../domain/canonical-request.ts';
import { findPractitionerByAddress, findPractitionerByIdentifier, getPractitioner, type PractitionerRecord } from '../../store/directory.ts';
import { openDatabase } from '../../store/open-database.ts';
import { flag, UsageError, type Command } from '../command.ts';
import { DATABASE_OPTIONS, databasePathFrom } from '../database-path.ts';

export function codingText(c: Coding): string {
  return `${c.code} (${c.system})`;
}

export function nameText(p: Pick<PractitionerRecord, 'name'>): string {
  const n = p.name;
  return n ? [...n.prefix, ...n.given, n.family ?? ''].filter(Boolean).join(' ') : '';
}

export function recordJson(p: PractitionerRecord): unknown {
  return {
    ...p,
    certificates: p.certificates.map((c) => ({ sha256: c.sha256, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() })),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export const directoryShowCommand: Command = {
  path: ['directory', 'show'],
  summary: 'show one practitioner: identifiers, profession, specialties, addresses, certificates, absences, load',
  details: 'WHO is a practitioner id (pr-…), a secure-mail address, or an identifier written SYSTEM|VALUE. Exit 1 when unknown.',
  positionals: 'WHO',
  options: {
    ...DATABASE_OPTIONS,
    json: { type: 'boolean', description: 'as one JSON object' },
  },
  async run(values, positionals, io) {
    const who = positionals[0];
    if (!who || positionals.length > 1) throw new UsageError('give one ID, ADDRESS or SYSTEM|VALUE');
    const db = openDatabase(databasePathFrom(values));
    try {
      const bar = who.lastIndexOf('|');
      const p = who.includes('@') && bar < 0
        ? findPractitionerByAddress(db, who)
        : bar > 0
          ? findPractitionerByIdentifier(db, who.slice(0, bar), who.slice(bar + 1))
          : getPractitioner(db, who);
      if (!p) {
        io.stderr.write(`txgate directory show: no practitioner ${who}\n`);
        return 1;
      }
      if (flag(values, 'json')) {
        io.stdout.write(`${JSON.stringify(recordJson(p))}\n`);
        return 0;
      }
      const out: string[] = [`${p.id}  ${nameText(p) || '(no name)'}${p.active ? '' : '  (inactive)'}`];
      for (const i of p.identifiers) out.push(`  identifier    ${i.system}|${i.value}${i.type ? ` (${i.type})` : ''}`);
      if (p.profession) out.push(`  profession    ${codingText(p.profession)}`);
      for (const s of p.specialties) out.push(`  specialty     ${codingText(s)}`);
      if (p.council) out.push(`  council       ${p.council.name} ${p.council.number}${p.council.state ? ` ${p.council.state}` : ''}`);
      if (p.municipality) out.push(`  municipality  ${p.municipality}`);
      if (p.organization) out.push(`  organization  ${p.organization.name ?? ''}${p.organization.identifiers.map((i) => ` ${i.system}|${i.value}`).join('')}`);
      for (const a of p.addresses) out.push(`  address       ${a}`);
      out.push(`  load          ${p.openRequests} open${p.capacity !== undefined ? ` of ${p.capacity}` : ' (no limit)'}`);
      for (const a of p.absences) out.push(`  absent        ${a.firstDay} – ${a.lastDay}`);
      for (const m of p.programmes) out.push(`  programme     ${m}`);
      for (const s of p.spokes) out.push(`  hub for       ${s}`);
      for (const h of p.hubs) out.push(`  served by     ${h}`);
      for (const c of p.certificates) out.push(`  certificate   ${c.sha256.slice(0, 16)}…  ${c.notBefore.toISOString().slice(0, 10)} – ${c.notAfter.toISOString().slice(0, 10)}`);
      out.push(`  source        ${p.source}, updated ${p.updatedAt.toISOString()}`);
      io.stdout.write(`${out.join('\n')}\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};
