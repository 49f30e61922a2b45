/**
 * Who is calling the FHIR API: the practitioner the TLS client certificate names, through the directory (the
 * certificate attached to them by `txgate directory cert`, else an address the certificate binds). Their addresses
 * are what requests are matched on (requester, assigned expert); their identifiers, and their organisation's,
 * are what a request's signature may name instead of the address. Pure: the directory is passed in.
 */
import { createHash } from 'node:crypto';
import type { Identifier } from '../domain/canonical-request.ts';
import type { Certificate } from '../pki/certificate.ts';

export interface DirectoryView {
  id: string;
  identifiers: Identifier[];
  addresses: string[];
  organizationIdentifiers: Identifier[];
}

export interface ClientIdentity {
  /** the address requests are sent from and assigned to (the directory's first, else the certificate's) */
  address: string;
  /** every address that is this practitioner (lower case) */
  addresses: string[];
  /** the practitioner's and their organisation's identifiers */
  identifiers: Identifier[];
  practitioner: string;
}

export interface DirectoryLookup {
  byCertificate(sha256: string): DirectoryView | undefined;
  byAddress(address: string): DirectoryView | undefined;
}

export type IdentifyOutcome = { ok: true; identity: ClientIdentity } | { ok: false; code: 'FHIR_CLIENT_CERT_REQUIRED' | 'FHIR_UNKNOWN_PRACTITIONER' };

export function identifyClient(cert: Certificate | undefined, directory: DirectoryLookup): IdentifyOutcome {
  if (!cert) return { ok: false, code: 'FHIR_CLIENT_CERT_REQUIRED' };
  const bound = [...cert.sanEmails, ...(cert.sanEmails.length === 0 ? cert.subjectEmails : [])];
  const sha256 = createHash('sha256').update(cert.der).digest('hex');
  const person = directory.byCertificate(sha256) ?? bound.map((a) => directory.byAddress(a)).find((p) => p !== undefined);
  if (!person) return { ok: false, code: 'FHIR_UNKNOWN_PRACTITIONER' };
  // an address the certificate binds that the directory gives to another practitioner is not this one's: it would
  // show them that practitioner's requests
  const own = bound.filter((a) => {
    const holder = directory.byAddress(a);
    return holder === undefined || holder.id === person.id;
  });
  // the certificate's own address first when the directory lists it: the practitioner acts under it
  const lower = person.addresses.map((a) => a.toLowerCase());
  const address = own.find((a) => lower.includes(a.toLowerCase())) ?? person.addresses[0] ?? own[0];
  if (!address) return { ok: false, code: 'FHIR_UNKNOWN_PRACTITIONER' };
  return {
    ok: true,
    identity: {
      address,
      addresses: [...new Set([...lower, ...own.map((a) => a.toLowerCase())])],
      identifiers: [...person.identifiers, ...person.organizationIdentifiers],
      practitioner: person.id,
    },
  };
}
