import { Asn1Error, contentOf, expectChildren, expectTag, oidOf, readRoot, Tag, type DerNode } from '../asn1/der-reader.ts';

/** Visits X.509 Extensions (certificate or CRL): id, criticality, and the decoded extnValue. Duplicates are malformed. */
export function forEachExtension(exts: DerNode[], visit: (id: string, critical: boolean, value: DerNode) => void): void {
  const seen = new Set<string>();
  for (const ext of exts) {
    const f = expectChildren(ext, Tag.SEQUENCE, 'Extension', 2, 3);
    const id = oidOf(f[0]!);
    if (seen.has(id)) throw new Asn1Error('duplicate extension');
    seen.add(id);
    let critical = false;
    let valueNode = f[1]!;
    if (f.length === 3) {
      critical = contentOf(expectTag(f[1], Tag.BOOLEAN, 'Extension critical')).at(0) !== 0;
      valueNode = f[2]!;
    }
    visit(id, critical, readRoot(contentOf(expectTag(valueNode, Tag.OCTET_STRING, 'Extension value'))));
  }
}
