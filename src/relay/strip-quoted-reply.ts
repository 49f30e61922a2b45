/**
 * What the expert wrote in a reply, without what their mail program quoted: lines starting with `>` go; an
 * attribution line ("On … wrote:", "Le … a écrit :", "Em … escreveu:", "… пишет:", "Vào … đã viết:", or Gmail's
 * "date, Name <address>:" in any language, on one line or wrapped over two) goes, and when no `>` lines follow it
 * (Outlook, HTML converted to text) everything after it goes too; a separator ("-----Original Message-----",
 * "-------- Message original --------", "-----Исходное сообщение-----", a line of underscores) or an Outlook header
 * block (From:/De :/От:/Từ: followed by Sent:/Envoyé :/Enviado:/Отправлено:/Đã gửi:…) ends the text. Line ends
 * become \n; the lines the expert wrote are kept as written. Pure.
 */
import { foldText } from './reply-verbs.ts';

const QUOTED = /^\s*>/;

/**
 * Attribution lines, folded (upper case, no accents). A full one (it opens with On/Le/Em/Vào, or is Gmail's
 * "date, Name <address>:", and carries a date) ends the text when no quoted lines follow; a bare "X wrote:" only goes
 * when quoted lines follow it, so that "Le patient a écrit :" in an opinion stays. Cyrillic has no \b in JS.
 */
const FULL_ATTRIBUTIONS: readonly RegExp[] = [
  /^ON .* WROTE ?:$/,
  /^LE .* A ECRIT ?:$/,
  /^EM .* ESCREVEU ?:$/,
  /^.*(ПИШЕТ|НАПИСАЛ|НАПИСАЛА) ?:$/,
  /^VAO .* DA VIET ?:$/,
  /^.*<\s*[^<>\s@]+@[^<>\s]+\s*> ?:$/,
];
const BARE_ATTRIBUTION = /(^|\s)(WROTE|A ECRIT|ESCREVEU|ПИШЕТ|НАПИСАЛ|НАПИСАЛА|DA VIET) ?:$/;

/** Words of a dashed separator line ("-----Original Message-----"), folded. */
const SEPARATOR_WORDS = /ORIGINAL|ORIGINE|FORWARDED|TRANSFERE|ENCAMINHADA|ИСХОДНОЕ|ПЕРЕСЫЛАЕМОЕ|GOC|CHUYEN TIEP/;
const DASHED = /^-{2,}\s*([^-].*?)\s*-{2,}$/;
const UNDERSCORES = /^_{8,}$/;

const HEADER_FROM = /^(FROM|DE|ОТ|TU) ?:/;
const HEADER_NEXT = /^(SENT|DATE|TO|SUBJECT|ENVOYE|ENVOYE LE|A|OBJET|ENVIADO|ENVIADA|ENVIADO EM|ENVIADA EM|DATA|PARA|ASSUNTO|ОТПРАВЛЕНО|ДАТА|КОМУ|ТЕМА|DA GUI|NGAY GUI|DEN|CHU DE) ?:/;

type Attribution = 'full' | 'bare' | undefined;

function attributionOf(line: string): Attribution {
  const f = foldText(line);
  if (f === '') return undefined;
  if (/\d/.test(f) && FULL_ATTRIBUTIONS.some((r) => r.test(f))) return 'full';
  return BARE_ATTRIBUTION.test(f) ? 'bare' : undefined;
}

function isSeparator(line: string): boolean {
  const t = line.trim();
  if (UNDERSCORES.test(t)) return true;
  const m = DASHED.exec(t);
  return m !== null && SEPARATOR_WORDS.test(foldText(m[1]!));
}

function isHeaderBlock(lines: readonly string[], i: number): boolean {
  if (!HEADER_FROM.test(foldText(lines[i]!))) return false;
  for (let k = i + 1; k <= i + 4 && k < lines.length; k++) if (HEADER_NEXT.test(foldText(lines[k]!))) return true;
  return false;
}

/** The attribution starting at line i: how many lines (1 or 2, Gmail wraps long ones) and how sure, or undefined. */
function attributionAt(lines: readonly string[], i: number): { span: number; kind: 'full' | 'bare' } | undefined {
  const line = lines[i]!;
  if (line.trim() === '' || QUOTED.test(line)) return undefined;
  const one = attributionOf(line);
  if (one) return { span: 1, kind: one };
  const next = lines[i + 1];
  if (next === undefined || next.trim() === '' || QUOTED.test(next)) return undefined;
  const two = attributionOf(`${line} ${next}`);
  return two ? { span: 2, kind: two } : undefined;
}

export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (QUOTED.test(line)) continue;
    if (isSeparator(line) || isHeaderBlock(lines, i)) break;
    const attribution = attributionAt(lines, i);
    if (attribution) {
      let k = i + attribution.span;
      while (k < lines.length && lines[k]!.trim() === '') k++;
      if (k < lines.length && QUOTED.test(lines[k]!)) {
        i += attribution.span - 1;
        continue;
      }
      if (attribution.kind === 'full') break;
    }
    kept.push(line);
  }
  return kept.join('\n');
}
