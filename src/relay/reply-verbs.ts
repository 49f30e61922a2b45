/**
 * The verbs an expert writes on the first line of a plain mail reply, in the five languages of the rule packs, and
 * how a line is matched against them: case-, accent- and apostrophe-insensitive (Vietnamese without its marks,
 * French without its accents, Russian Ё as Е), the longest phrase first, the verb standing alone on the line or
 * followed by a separator (`:`, `-`, an en or em dash) and its text. Pure.
 */
import type { NoticeLanguage } from '../policy/notice-texts.ts';

export type ReplyVerb = 'accept' | 'decline' | 'ask' | 'opinion' | 'correction';
export type ReplyLanguage = NoticeLanguage;

export const REPLY_VERB_ORDER: readonly ReplyVerb[] = ['accept', 'decline', 'ask', 'opinion', 'correction'];

/**
 * The words of each verb, per language; the first of each list is the one the help text shows. Every language's
 * words are understood whatever the pack's language.
 */
export const REPLY_VERBS: Readonly<Record<ReplyLanguage, Readonly<Record<ReplyVerb, readonly string[]>>>> = {
  fr: {
    accept: ["J'ACCEPTE", 'ACCEPTÉ', 'ACCEPTÉE', 'ACCEPTE', 'ACCEPTATION', "D'ACCORD"],
    decline: ['REFUS', 'JE REFUSE', 'REFUSÉ', 'REFUSÉE', 'REFUSE', 'JE DÉCLINE', 'DÉCLINÉ'],
    ask: ['QUESTION', "DEMANDE D'INFORMATION", "DEMANDE D'INFORMATIONS", 'DEMANDE DE PRÉCISIONS'],
    opinion: ['AVIS', 'RÉPONSE', 'COMPTE RENDU', 'COMPTE-RENDU', 'CONCLUSION'],
    correction: ['CORRECTION', 'COMPLÉMENT', "COMPLÉMENT D'AVIS", 'AVIS CORRIGÉ', 'RECTIFICATIF', 'ERRATUM'],
  },
  'pt-BR': {
    accept: ['ACEITO', 'ACEITA', 'ACEITE', 'DE ACORDO'],
    decline: ['RECUSO', 'RECUSA', 'RECUSADO', 'RECUSADA', 'DECLINO'],
    ask: ['PERGUNTA', 'DÚVIDA', 'PEDIDO DE INFORMAÇÃO', 'PEDIDO DE INFORMAÇÕES', 'SOLICITAÇÃO DE INFORMAÇÃO', 'SOLICITAÇÃO DE INFORMAÇÕES'],
    opinion: ['PARECER', 'RESPOSTA', 'LAUDO'],
    correction: ['CORREÇÃO', 'COMPLEMENTO', 'RETIFICAÇÃO', 'ADENDO', 'PARECER CORRIGIDO'],
  },
  ru: {
    accept: ['ПРИНЯТО', 'ПРИНИМАЮ', 'ПРИНЯТА', 'СОГЛАСЕН', 'СОГЛАСНА'],
    decline: ['ОТКАЗ', 'ОТКАЗЫВАЮ', 'ОТКЛОНЕНО', 'ОТКЛОНЯЮ'],
    ask: ['ВОПРОС', 'ЗАПРОС ИНФОРМАЦИИ', 'ЗАПРОС ДОПОЛНИТЕЛЬНОЙ ИНФОРМАЦИИ'],
    opinion: ['ЗАКЛЮЧЕНИЕ', 'ОТВЕТ', 'МНЕНИЕ'],
    correction: ['ИСПРАВЛЕНИЕ', 'ДОПОЛНЕНИЕ', 'ПОПРАВКА', 'ИСПРАВЛЕННОЕ ЗАКЛЮЧЕНИЕ'],
  },
  vi: {
    accept: ['CHẤP NHẬN', 'ĐỒNG Ý', 'NHẬN CA'],
    decline: ['TỪ CHỐI'],
    ask: ['CÂU HỎI', 'HỎI THÊM', 'YÊU CẦU THÔNG TIN', 'YÊU CẦU BỔ SUNG THÔNG TIN'],
    opinion: ['Ý KIẾN', 'KẾT LUẬN', 'TRẢ LỜI', 'Ý KIẾN CHUYÊN MÔN'],
    correction: ['ĐÍNH CHÍNH', 'BỔ SUNG', 'SỬA ĐỔI', 'Ý KIẾN BỔ SUNG'],
  },
  en: {
    accept: ['ACCEPT', 'ACCEPTED', 'I ACCEPT'],
    decline: ['DECLINE', 'DECLINED', 'I DECLINE', 'REFUSE', 'REFUSED', 'REJECT', 'REJECTED'],
    ask: ['QUESTION', 'ASK', 'INFORMATION REQUEST', 'REQUEST FOR INFORMATION', 'MORE INFORMATION NEEDED'],
    opinion: ['OPINION', 'ANSWER', 'REPORT'],
    correction: ['CORRECTION', 'CORRECTED OPINION', 'AMENDMENT', 'ADDENDUM', 'COMPLEMENT'],
  },
};

const APOSTROPHES = /[\u2018\u2019\u02bc\u0060\u00b4\u2032]/g;

/** One grapheme (a base and its combining marks) folded: marks dropped, Đ as D, apostrophes as ', upper case. */
function foldGrapheme(g: string): string {
  return g
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[Đđ]/g, 'D')
    .replace(APOSTROPHES, "'")
    .toUpperCase();
}

/** A text folded for comparison: no marks, upper case, one space for every run of white space, trimmed. */
export function foldText(text: string): string {
  return foldGrapheme(text).replace(/\s+/g, ' ').trim();
}

interface Phrase {
  folded: string;
  verb: ReplyVerb;
}

/** Every phrase of every language, folded, longest first (so that ACCEPTED wins over ACCEPT, AVIS CORRIGÉ over AVIS). */
const PHRASES: readonly Phrase[] = (() => {
  const seen = new Map<string, ReplyVerb>();
  for (const words of Object.values(REPLY_VERBS)) {
    for (const verb of REPLY_VERB_ORDER) {
      for (const w of words[verb]) {
        const folded = foldText(w);
        const before = seen.get(folded);
        if (before && before !== verb) throw new Error(`reply verb '${w}' means both ${before} and ${verb}`);
        seen.set(folded, verb);
      }
    }
  }
  return [...seen].map(([folded, verb]) => ({ folded, verb })).sort((a, b) => b.folded.length - a.folded.length);
})();

export interface VerbLine {
  verb: ReplyVerb;
  /** what follows the separator on the same line, trimmed ('' when nothing) */
  rest: string;
}

const DECORATION = /^[\s*_]+/;
const SEPARATOR = /^[:\-\u2013\u2014\uff1a]/;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * The verb of a line, or undefined: the line (after any `*` or `_` emphasis) starts with a verb phrase, followed by
 * the end of the line (a final `.`, `!` or `?` allowed) or by a separator and the text. "Avis favorable" is no verb:
 * text after a verb needs its separator, so that an opinion's first words are never taken for a verb.
 */
export function matchVerbLine(line: string): VerbLine | undefined {
  const lead = DECORATION.exec(line)?.[0].length ?? 0;
  const body = line.slice(lead);
  // the folded line, and for each folded character the end of the original grapheme it came from
  let folded = '';
  const ends: number[] = [];
  for (const m of body.matchAll(/\P{M}\p{M}*/gu)) {
    let f = foldGrapheme(m[0]);
    if (/^\s+$/.test(f)) f = folded === '' || folded.endsWith(' ') ? '' : ' ';
    for (const c of f) {
      folded += c;
      ends.push(m.index + m[0].length);
    }
  }
  for (const p of PHRASES) {
    if (!folded.startsWith(p.folded)) continue;
    const next = folded.charAt(p.folded.length);
    if (next !== '' && WORD_CHAR.test(next)) continue;
    const after = body.slice(ends[p.folded.length - 1]).replace(/^[*_]+/, '').trim();
    if (after === '' || /^[.!?]+$/.test(after)) return { verb: p.verb, rest: '' };
    if (SEPARATOR.test(after)) return { verb: p.verb, rest: after.slice(1).trim() };
    return undefined;
  }
  return undefined;
}
