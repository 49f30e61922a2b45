import { describe, expect, it } from 'vitest';
import { buildReplyHelp, parseExpertReply, REPLY_VERBS, type ReplyLanguage } from '../../src/relay/parse-expert-reply.ts';
import { REPLY_VERB_ORDER } from '../../src/relay/reply-verbs.ts';
import { replyMail } from './reply-mail.ts';

const LANGUAGES = Object.keys(REPLY_VERBS) as ReplyLanguage[];

describe('buildReplyHelp', () => {
  it.each(LANGUAGES)('%s: names the first word of every verb, each on its own line', (language) => {
    const help = buildReplyHelp(language);
    for (const verb of REPLY_VERB_ORDER) {
      const word = REPLY_VERBS[language][verb][0]!;
      expect(help.split('\n').some((line) => line.trim().startsWith(word))).toBe(true);
    }
    expect(help.endsWith('\n')).toBe(true);
  });

  it.each(LANGUAGES)('%s: each verb line of the help, written as shown with a text, is read back as that verb', (language) => {
    const lines = buildReplyHelp(language)
      .split('\n')
      .filter((l) => l.startsWith('  '));
    expect(lines).toHaveLength(REPLY_VERB_ORDER.length);
    lines.forEach((line, k) => {
      const word = REPLY_VERBS[language][REPLY_VERB_ORDER[k]!][0]!;
      const r = parseExpertReply(replyMail(`${word}: texte 123`));
      expect(r.ok && r.value.verb).toBe(REPLY_VERB_ORDER[k]);
      expect(line.trim().startsWith(word)).toBe(true);
    });
  });

  it('is written in the language asked for', () => {
    expect(buildReplyHelp('fr')).toContain('première ligne');
    expect(buildReplyHelp('pt-BR')).toContain('primeira linha');
    expect(buildReplyHelp('ru')).toContain('первой строке');
    expect(buildReplyHelp('vi')).toContain('dòng đầu tiên');
    expect(buildReplyHelp('en')).toContain('first line');
  });
});
