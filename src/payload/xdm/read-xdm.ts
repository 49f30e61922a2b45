/**
 * An IHE XDM package (ITI TF-1 §16, the MSSanté IHE_XDM.ZIP): the archive read within limits (read-zip), then each
 * `IHE_XDM/SUBSETnn/METADATA.XML` and the documents its entries name (URI relative to the subset folder), with
 * their declared type, bytes and SHA-256; declared SHA-1 hash and size checked; a CDA document's header read.
 */
import { createHash } from 'node:crypto';
import { fail, ok, type Problem, type Result } from '../../errors/result.ts';
import { sha256Hex } from '../mime/payload-document.ts';
import { parseCdaHeader, type CdaHeader } from './parse-cda-header.ts';
import { parseXdmMetadata, type XdmDocumentEntry, type XdmSubmissionSet } from './parse-xdm-metadata.ts';
import { DEFAULT_ZIP_LIMITS, readZip, type ZipEntry, type ZipLimits } from './read-zip.ts';
import { sniffMediaType } from '../mime/sniff-media-type.ts';

export interface XdmDocument {
  /** path in the archive */
  name: string;
  /** the declared type (ExtrinsicObject mimeType), else the sniffed one */
  contentType: string;
  bytes: Buffer;
  sha256: string;
  entry: XdmDocumentEntry;
  /** the subset folder it belongs to */
  subset: string;
  /** the header, when the document is a CDA */
  cda?: CdaHeader;
}

export interface XdmPackage {
  subsets: Array<{ folder: string; submissionSet?: XdmSubmissionSet }>;
  documents: XdmDocument[];
}

const METADATA = /^IHE_XDM\/([^/]+)\/METADATA\.XML$/i;

export function readXdm(zip: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Result<XdmPackage> {
  const read = readZip(zip, limits);
  if (!read.ok) return read;
  const files = new Map<string, ZipEntry>();
  for (const e of read.value) files.set(e.name.toUpperCase(), e);
  const problems: Problem[] = [];
  const pkg: XdmPackage = { subsets: [], documents: [] };
  const metadataFiles = read.value.filter((e) => METADATA.test(e.name));
  if (metadataFiles.length === 0) return fail({ code: 'XDM_NO_METADATA', path: 'IHE_XDM', message: 'no IHE_XDM/SUBSETnn/METADATA.XML in the archive' });
  for (const metadataFile of metadataFiles) {
    const folder = metadataFile.name.slice(0, metadataFile.name.lastIndexOf('/'));
    const metadata = parseXdmMetadata(metadataFile.bytes, metadataFile.name);
    if (!metadata.ok) {
      problems.push(...metadata.problems);
      continue;
    }
    pkg.subsets.push({ folder, ...(metadata.value.submissionSet ? { submissionSet: metadata.value.submissionSet } : {}) });
    metadata.value.documents.forEach((entry, k) => {
      const path = `${metadataFile.name}#ExtrinsicObject[${k}]`;
      if (!entry.uri) {
        problems.push({ code: 'XDM_METADATA_INVALID', path, message: 'a document entry without a URI slot' });
        return;
      }
      const name = `${folder}/${entry.uri}`;
      const file = entry.uri.includes('..') || entry.uri.startsWith('/') ? undefined : files.get(name.toUpperCase());
      if (!file) {
        problems.push({ code: 'XDM_DOCUMENT_MISSING', path: `${path}.URI`, message: 'the document named by the metadata is not in the archive' });
        return;
      }
      if (entry.size !== undefined && entry.size !== file.bytes.length) {
        problems.push({ code: 'XDM_HASH_MISMATCH', path: `${path}.size`, message: 'the declared size is not the size of the document' });
      }
      if (entry.hash !== undefined && createHash('sha1').update(file.bytes).digest('hex') !== entry.hash) {
        problems.push({ code: 'XDM_HASH_MISMATCH', path: `${path}.hash`, message: 'the declared SHA-1 is not that of the document' });
      }
      const sniffed = sniffMediaType(file.bytes);
      const doc: XdmDocument = {
        name: file.name,
        contentType: entry.mimeType ?? sniffed?.mediaType ?? 'application/octet-stream',
        bytes: file.bytes,
        sha256: sha256Hex(file.bytes),
        entry,
        subset: folder,
      };
      if (sniffed?.kind === 'cda') {
        const cda = parseCdaHeader(file.bytes, file.name);
        if (cda.ok) doc.cda = cda.value;
        else problems.push(...cda.problems);
      }
      pkg.documents.push(doc);
    });
  }
  return problems.length > 0 ? fail(...problems) : ok(pkg);
}
