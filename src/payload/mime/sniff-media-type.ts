/**
 * What the bytes of a document are, from their first bytes (magic numbers), whatever the sender declared.
 * Only the types a tele-expertise request carries are told apart: PDF, JPEG, PNG, DICOM, XML (and CDA), ZIP.
 */
export interface SniffedType {
  mediaType: string;
  /** what the document is, when the bytes say it (cda for an HL7 CDA ClinicalDocument) */
  kind?: string;
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** how far into an XML document the root element is looked for */
const XML_LOOKAHEAD = 4096;

export function sniffMediaType(bytes: Buffer): SniffedType | undefined {
  if (startsWith(bytes, Buffer.from('%PDF-', 'latin1'))) return { mediaType: 'application/pdf' };
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { mediaType: 'image/jpeg' };
  if (startsWith(bytes, PNG)) return { mediaType: 'image/png' };
  if (bytes.length >= 132 && bytes.toString('latin1', 128, 132) === 'DICM') return { mediaType: 'application/dicom' };
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))) {
    return { mediaType: 'application/zip' };
  }
  return sniffXml(bytes);
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}

/** XML: an optional UTF-8 BOM and white space, then `<?xml` or an element; a ClinicalDocument root makes it a CDA. */
function sniffXml(bytes: Buffer): SniffedType | undefined {
  let head = bytes.subarray(0, XML_LOOKAHEAD).toString('utf8');
  if (head.charCodeAt(0) === 0xfeff) head = head.slice(1);
  head = head.trimStart();
  if (!/^<(\?xml[\s?]|[A-Za-z_][\w.:-]*[\s/>]|!--)/.test(head)) return undefined;
  // the first element that is not a declaration, processing instruction or comment
  const root = /<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]/.exec(head.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''));
  if (root?.[2] === 'ClinicalDocument') return { mediaType: 'text/xml', kind: 'cda' };
  return { mediaType: 'text/xml' };
}
