/**
 * The required-documents check: per case category (and "*" for every request), the attachments must include
 * each required kind: an attachment whose `kind` is it, or whose file name matches one of the pack's patterns
 * for it (most mail attachments carry no kind). Names and patterns are compared without accents or case.
 */
import type { Attachment, CanonicalRequest } from '../domain/canonical-request.ts';
import type { RulePack } from './rule-pack-schema.ts';
import type { VerdictReason } from './verdict.ts';

/** Lower case, accents removed (é → e), so that "Échographie" and "echographie" read the same. */
export function foldName(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC').toLowerCase();
}

const compiled = new WeakMap<RulePack, Map<string, RegExp[]>>();

function patternsOf(pack: RulePack, kind: string): RegExp[] {
  let byKind = compiled.get(pack);
  if (!byKind) {
    byKind = new Map();
    for (const [k, sources] of Object.entries(pack.documents.namePatterns)) byKind.set(k, sources.map((s) => new RegExp(foldName(s), 'iu')));
    compiled.set(pack, byKind);
  }
  return byKind.get(kind) ?? [];
}

/** Whether an attachment is a document of this kind. */
export function attachmentIsKind(attachment: Attachment, kind: string, pack: RulePack): boolean {
  if (attachment.kind !== undefined && foldName(attachment.kind) === kind) return true;
  if (attachment.name === undefined) return false;
  const name = foldName(attachment.name);
  return patternsOf(pack, kind).some((re) => re.test(name));
}

/** The documents the request's category requires, each kind once. */
export function requiredDocuments(request: CanonicalRequest, pack: RulePack): { kind: string; label: string }[] {
  const category = request.category?.trim().toLowerCase();
  const lists = Object.entries(pack.documents.required)
    .filter(([key]) => key === '*' || (category !== undefined && key.toLowerCase() === category))
    .sort(([a], [b]) => (a === '*' ? -1 : b === '*' ? 1 : 0))
    .flatMap(([, docs]) => docs);
  const seen = new Set<string>();
  return lists.filter((d) => !seen.has(d.kind) && Boolean(seen.add(d.kind)));
}

export function checkDocuments(request: CanonicalRequest, pack: RulePack): VerdictReason[] {
  const missing = requiredDocuments(request, pack).filter((doc) => !request.attachments.some((a) => attachmentIsKind(a, doc.kind, pack)));
  if (missing.length === 0) return [];
  const documents = missing.map((d) => d.label);
  // the pack's own word for the category, never the request's text
  const category = request.category?.trim().toLowerCase();
  const key = Object.keys(pack.documents.required).find((k) => k !== '*' && k.toLowerCase() === category);
  const what = key !== undefined ? `a ${key} case` : 'every request';
  return [{ code: 'POLICY_DOCUMENTS_MISSING', path: 'attachments', message: `${what} needs: ${documents.join(', ')}`, params: { documents } }];
}
