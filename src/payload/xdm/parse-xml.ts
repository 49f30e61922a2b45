/**
 * A small, safe XML reading for XDS metadata and CDA headers, over fast-xml-parser 5 (well kept, no native code):
 * any DOCTYPE or ENTITY declaration is refused before parsing (no DTD, no external or internal entities, so no
 * XXE and no billion laughs), the parser runs with entity processing off, and only the five predefined entities
 * and character references are decoded here, by a bounded replace. The document must be well-formed
 * (XMLValidator), under a size and a nesting limit. Names lose their namespace prefix.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { fail, ok, type Result } from '../../errors/result.ts';

export interface XmlElement {
  /** local name (prefix dropped) */
  name: string;
  /** attributes by local name, entities decoded */
  attributes: Record<string, string>;
  children: XmlElement[];
  /** the element's own text (text and CDATA children joined), entities decoded */
  text: string;
}

export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 10 * 1024 * 1024, maxDepth: 200 };

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined entities and character references; anything else is left as written. */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return PREDEFINED[ref] ?? whole;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}

/** Parses an XML document; codes XML_DTD_REFUSED, XML_TOO_LARGE, XML_MALFORMED (path: `path`). */
export function parseXml(bytes: Buffer | string, path: string, limits: XmlLimits = DEFAULT_XML_LIMITS): Result<XmlElement> {
  const length = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  if (length > limits.maxBytes) return fail({ code: 'XML_TOO_LARGE', path, message: `XML over ${limits.maxBytes} bytes` });
  let text: string;
  try {
    text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail({ code: 'XML_MALFORMED', path, message: 'XML not in UTF-8' });
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return fail({ code: 'XML_DTD_REFUSED', path, message: 'DTDs and entity declarations are refused' });
  let valid: ReturnType<typeof XMLValidator.validate>;
  try {
    valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  } catch {
    return fail({ code: 'XML_MALFORMED', path, message: 'XML not well-formed' });
  }
  if (valid !== true) return fail({ code: 'XML_MALFORMED', path, message: `XML not well-formed (line ${valid.err.line})` });
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: '#cdata',
    maxNestedTags: limits.maxDepth,
  });
  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch {
    return fail({ code: 'XML_MALFORMED', path, message: 'XML not readable' });
  }
  const elements = toElements(nodes, 0, limits.maxDepth);
  if (elements === undefined) return fail({ code: 'XML_MALFORMED', path, message: 'XML nested too deep' });
  if (elements.elements.length !== 1) return fail({ code: 'XML_MALFORMED', path, message: 'an XML document has one root element' });
  return ok(elements.elements[0]!);
}

/** preserveOrder output (arrays of one-key objects, ':@' for attributes, '#text' for text) to elements. */
function toElements(nodes: unknown, depth: number, maxDepth: number): { elements: XmlElement[]; text: string } | undefined {
  if (depth > maxDepth) return undefined;
  const elements: XmlElement[] = [];
  let text = '';
  if (!Array.isArray(nodes)) return { elements, text };
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) continue;
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (key === ':@') continue;
      if (key === '#text') {
        text += decodeXmlText(String(value));
        continue;
      }
      if (key === '#cdata') {
        // CDATA text is literal: taken as written, no entity decoding
        if (Array.isArray(value)) for (const v of value) if (typeof v === 'object' && v !== null) text += String((v as Record<string, unknown>)['#text'] ?? '');
        continue;
      }
      const inner = toElements(value, depth + 1, maxDepth);
      if (!inner) return undefined;
      const attrs = record[':@'];
      const attributes: Record<string, string> = {};
      if (typeof attrs === 'object' && attrs !== null) {
        for (const [name, v] of Object.entries(attrs as Record<string, unknown>)) attributes[name.replace(/^.*:/, '')] = decodeXmlText(String(v));
      }
      elements.push({ name: key, attributes, children: inner.elements, text: inner.text });
    }
  }
  return { elements, text };
}

/** The child elements of a given local name. */
export function childrenNamed(e: XmlElement | undefined, name: string): XmlElement[] {
  return e ? e.children.filter((c) => c.name === name) : [];
}

export function childNamed(e: XmlElement | undefined, name: string): XmlElement | undefined {
  return e?.children.find((c) => c.name === name);
}

/** The first element of that name at any depth (breadth first), bounded by the tree. */
export function findElement(root: XmlElement, name: string): XmlElement | undefined {
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    const e = queue[i]!;
    if (e.name === name) return e;
    queue.push(...e.children);
  }
  return undefined;
}
