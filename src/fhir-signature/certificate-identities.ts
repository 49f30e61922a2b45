/**
 * What a certificate says about who holds it, beyond the e-mail addresses and DNS names src/pki reads:
 * subjectAltName otherName entries (e.g. a US NPI under 2.16.840.1.113883.4.6) and URIs, and whether a FHIR
 * Identifier names the holder (CDex: one of the certificate's SANs SHALL match Signature.who.identifier).
 */
import { childrenOf, contentOf, expectChildren, findContext, oidOf, readRoot, stringOf, Tag } from '../asn1/der-reader.ts';
import { OID } from '../asn1/oids.ts';
import { sameAddress } from '../mime/addresses.ts';
import type { Certificate } from '../pki/certificate.ts';
import { forEachExtension } from '../pki/read-extensions.ts';

export interface FhirIdentifier {
  system?: string;
  value?: string;
}

export interface CertificateIdentities {
  /** SAN otherName: type-id OID and the value when it is a character string */
  otherNames: { oid: string; value: string }[];
  uris: string[];
}

/** FHIR identifier systems whose certificates carry the identifier as a SAN otherName of this type. */
export const OTHER_NAME_OID_BY_SYSTEM: Readonly<Record<string, string>> = {
  'http://hl7.org/fhir/sid/us-npi': '2.16.840.1.113883.4.6',
};

/** Reads otherName and URI entries of the subjectAltName. Unreadable entries are skipped. */
export function readCertificateIdentities(cert: Certificate): CertificateIdentities {
  const out: CertificateIdentities = { otherNames: [], uris: [] };
  const tbs = expectChildren(readRoot(cert.der), Tag.SEQUENCE, 'Certificate', 3)[0];
  const exts = findContext(childrenOf(tbs!), 3);
  if (!exts) return out;
  forEachExtension(childrenOf(childrenOf(exts)[0]!), (id, _critical, value) => {
    if (id !== OID.subjectAltName) return;
    for (const gn of childrenOf(value)) {
      if (gn.cls !== 2) continue;
      if (gn.num === 6) out.uris.push(contentOf(gn).toString('latin1'));
      if (gn.num === 0) {
        try {
          const [typeId, wrapped] = childrenOf(gn);
          const inner = wrapped ? childrenOf(wrapped)[0] : undefined;
          if (typeId && inner) out.otherNames.push({ oid: oidOf(typeId), value: stringOf(inner) });
        } catch {
          /* an otherName that is not a string: not an identifier we compare */
        }
      }
    }
  });
  return out;
}

/** The OID a certificate would use for this identifier system, if any (urn:oid:… systems, and the known ones). */
function otherNameOidOf(system: string): string | undefined {
  if (system.startsWith('urn:oid:')) return system.slice('urn:oid:'.length);
  return OTHER_NAME_OID_BY_SYSTEM[system];
}

/**
 * Does the certificate name the holder of this identifier? A SAN otherName of the system's OID with the same value;
 * a URI identifier (system urn:ietf:rfc:3986) equal to a SAN URI, or `mailto:` an address the certificate binds.
 */
export function certificateCarriesIdentifier(cert: Certificate, ids: CertificateIdentities, identifier: FhirIdentifier): boolean {
  const { system, value } = identifier;
  if (!system || !value) return false;
  if (system === 'urn:ietf:rfc:3986') {
    if (ids.uris.includes(value)) return true;
    if (value.toLowerCase().startsWith('mailto:')) return certificateBindsEmail(cert, value.slice('mailto:'.length));
    return false;
  }
  const oid = otherNameOidOf(system);
  return oid !== undefined && ids.otherNames.some((o) => o.oid === oid && o.value === value);
}

/** An address in the SAN, or (only when the SAN names no address) in the subject DN. */
export function certificateBindsEmail(cert: Certificate, address: string): boolean {
  if (cert.sanEmails.some((e) => sameAddress(e, address))) return true;
  return cert.sanEmails.length === 0 && cert.subjectEmails.some((e) => sameAddress(e, address));
}
