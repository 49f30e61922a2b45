import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExpertReply } from '../../src/relay/parse-expert-reply.ts';
import { matchVerbLine, REPLY_VERB_ORDER, REPLY_VERBS, type ReplyLanguage, type ReplyVerb } from '../../src/relay/reply-verbs.ts';
import { ROOT } from '../helpers/paths.ts';
import { replyMail, unaccented } from './reply-mail.ts';

const LANGUAGES = Object.keys(REPLY_VERBS) as ReplyLanguage[];

/** A text in each language, for the verbs that need one. */
const TEXT: Record<ReplyLanguage, string> = {
  fr: 'Hors de mon champ ; voir avec la neurologie.\nCordialement',
  'pt-BR': 'Fora da minha especialidade; encaminhar à neurologia.\nAtenciosamente',
  ru: 'Не мой профиль; направьте к неврологу.\nС уважением',
  vi: 'Không đúng chuyên khoa; chuyển khoa thần kinh.\nTrân trọng',
  en: 'Outside my specialty; please ask neurology.\nRegards',
};

function verbOf(body: string): { verb?: ReplyVerb; text?: string; codes: string[] } {
  const r = parseExpertReply(replyMail(body));
  return r.ok ? { verb: r.value.verb, ...(r.value.text !== undefined ? { text: r.value.text } : {}), codes: [] } : { codes: r.problems.map((p) => p.code) };
}

describe('the verb on the first line of a plain reply', () => {
  // the words the brief names, written here independently of REPLY_VERBS
  it.each([
    ['accept', 'ACCEPT'],
    ['accept', "J'ACCEPTE"],
    ['accept', 'j’accepte'],
    ['accept', 'ACCEPTÉ'],
    ['accept', 'Accepte'],
    ['accept', 'ACEITO'],
    ['accept', 'ПРИНЯТО'],
    ['accept', 'принято'],
    ['accept', 'CHẤP NHẬN'],
    ['accept', 'chap nhan'],
    ['decline', 'DECLINE'],
    ['decline', 'REFUS'],
    ['decline', 'RECUSO'],
    ['decline', 'ОТКАЗ'],
    ['decline', 'TỪ CHỐI'],
    ['decline', 'tu choi'],
    ['ask', 'QUESTION'],
    ['ask', "DEMANDE D'INFORMATION"],
    ['ask', 'demande d’information'],
    ['ask', 'PERGUNTA'],
    ['ask', 'ВОПРОС'],
    ['ask', 'CÂU HỎI'],
    ['ask', 'cau hoi'],
    ['opinion', 'OPINION'],
    ['opinion', 'AVIS'],
    ['opinion', 'PARECER'],
    ['opinion', 'ЗАКЛЮЧЕНИЕ'],
    ['opinion', 'Ý KIẾN'],
    ['opinion', 'y kien'],
    ['correction', 'CORRECTION'],
    ['correction', 'COMPLÉMENT'],
    ['correction', 'complement'],
    ['correction', 'CORREÇÃO'],
    ['correction', 'correcao'],
    ['correction', 'ИСПРАВЛЕНИЕ'],
    ['correction', 'ĐÍNH CHÍNH'],
    ['correction', 'dinh chinh'],
  ] as const)('the brief\'s words: %s is said by "%s"', (verb, word) => {
    expect(verbOf(`${word}: Texte du message.`)).toEqual({ verb, text: 'Texte du message.', codes: [] });
  });

  const rows = LANGUAGES.flatMap((language) =>
    REPLY_VERB_ORDER.flatMap((verb) =>
      REPLY_VERBS[language][verb].flatMap((word) => {
        const text = TEXT[language];
        const forms: Array<[string, string]> = [
          ['as listed, ":"', `${word}: ${text}`],
          ['lower case, "-"', `${word.toLowerCase()} - ${text}`],
          ['without accents, " : "', `${unaccented(word)} : ${text}`],
          ['mixed case, text on the next lines', `${word.charAt(0)}${word.slice(1).toLowerCase()}\n${text}`],
          ['after emphasis and leading blank lines', `\n\n  *${word}* — ${text}`],
        ];
        return forms.map(([form, body]) => ({ language, verb, word, form, body, text }));
      }),
    ),
  );

  it.each(rows)('$language $verb "$word" ($form)', ({ verb, body, text }) => {
    expect(verbOf(body)).toEqual({ verb, text, codes: [] });
  });

  it('reads the words of every language whatever the pack: each phrase has one meaning', () => {
    const meaning = new Map<string, ReplyVerb>();
    for (const language of LANGUAGES) {
      for (const verb of REPLY_VERB_ORDER) {
        for (const word of REPLY_VERBS[language][verb]) {
          const key = unaccented(word).toUpperCase();
          expect(meaning.get(key) ?? verb, `${word} (${language})`).toBe(verb);
          meaning.set(key, verb);
        }
      }
    }
  });

  it.each([
    ['a longer phrase wins over its first word (AVIS CORRIGÉ is a correction, not an opinion)', 'Avis corrigé : nouvelle dose', { verb: 'correction', rest: 'nouvelle dose' }],
    ['ACCEPTED is not ACCEPT followed by D', 'Accepted', { verb: 'accept', rest: '' }],
    ['a final full stop or exclamation mark is allowed', "J'accepte !", { verb: 'accept', rest: '' }],
    ['a full-width colon is a separator', 'QUESTION： any MRI?', { verb: 'ask', rest: 'any MRI?' }],
    ['decomposed accents (NFD) as some clients send them', 'Re\u0301ponse: ok', { verb: 'opinion', rest: 'ok' }],
    ['Cyrillic in lower case', 'вопрос - есть ли МРТ?', { verb: 'ask', rest: 'есть ли МРТ?' }],
  ])('%s', (_rule, line, expected) => {
    expect(matchVerbLine(line)).toEqual(expected);
  });

  it.each([
    ['text after a verb without a separator is not a verb (the opinion starts with "Avis")', 'Avis favorable pour la chirurgie'],
    ['a verb inside a word is not a verb', 'Acceptance criteria were met'],
    ['a verb later in the line is not a verb', 'Je vous donne mon avis: ok'],
    ['an empty line', '   '],
  ])('%s', (_rule, line) => {
    expect(matchVerbLine(line)).toBeUndefined();
  });

  it('docs/expert-replies.md lists every word of every verb in every language, in the order of REPLY_VERBS', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'expert-replies.md'), 'utf8');
    const header = doc.split('\n').find((l) => l.startsWith('| verb | fr |'))!;
    const columns = header.split('|').map((c) => c.trim());
    for (const verb of REPLY_VERB_ORDER) {
      const cells = doc
        .split('\n')
        .find((l) => l.startsWith(`| ${verb} |`))!
        .split('|')
        .map((c) => c.trim());
      for (const language of LANGUAGES) expect(cells[columns.indexOf(language)], `${verb} ${language}`).toBe(REPLY_VERBS[language][verb].join(', '));
    }
  });
});
