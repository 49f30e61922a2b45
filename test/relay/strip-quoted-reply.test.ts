import { describe, expect, it } from 'vitest';
import { parseExpertReply } from '../../src/relay/parse-expert-reply.ts';
import type { ReplyLanguage } from '../../src/relay/reply-verbs.ts';
import { stripQuotedReply } from '../../src/relay/strip-quoted-reply.ts';
import { GATEWAY_REPLY_ADDRESS, replyMail } from './reply-mail.ts';

const GW = `txgate <${GATEWAY_REPLY_ADDRESS}>`;

/** What each mail program writes above the quoted original, per language. */
const STYLES: Record<ReplyLanguage, Record<'gmail' | 'gmailWrapped' | 'thunderbird' | 'outlook' | 'outlookHeaders' | 'thunderbirdForward', string>> = {
  en: {
    gmail: `On Mon, Feb 2, 2026 at 10:00 AM ${GW} wrote:\n\n> Tele-expertise request 7f3a\n> Patient: DUPONT Marie\n>\n`,
    gmailWrapped: `On Mon, Feb 2, 2026 at 10:00 AM txgate <\n${GATEWAY_REPLY_ADDRESS}> wrote:\n\n> Tele-expertise request 7f3a\n`,
    thunderbird: 'On 02/02/2026 10:00, txgate wrote:\n> Tele-expertise request 7f3a\n> Patient: DUPONT Marie\n',
    outlook: `-----Original Message-----\nFrom: ${GW}\nSent: Monday, February 2, 2026 10:00 AM\nTo: Dr Dupré\nSubject: Tele-expertise request\n\nPatient: DUPONT Marie\n`,
    outlookHeaders: `________________________________\nFrom: ${GW}\nSent: Monday, February 2, 2026 10:00\nTo: Dr Dupré\nSubject: Request\n\nPatient: DUPONT Marie\n`,
    thunderbirdForward: '-------- Original Message --------\nSubject: Request\nDate: Mon, 2 Feb 2026 10:00:00 +0100\n\nPatient: DUPONT Marie\n',
  },
  fr: {
    gmail: `Le lun. 2 févr. 2026 à 10:00, ${GW} a écrit :\n\n> Demande de téléexpertise 7f3a\n> Patient : DUPONT Marie\n`,
    gmailWrapped: `Le lun. 2 févr. 2026 à 10:00, txgate <${GATEWAY_REPLY_ADDRESS}> a\nécrit :\n\n> Demande de téléexpertise 7f3a\n`,
    thunderbird: 'Le 02/02/2026 à 10:00, txgate a écrit :\n> Demande de téléexpertise 7f3a\n',
    outlook: `-----Message d'origine-----\nDe : ${GW}\nEnvoyé : lundi 2 février 2026 10:00\nÀ : Dr Dupré\nObjet : Demande\n\nPatient : DUPONT Marie\n`,
    outlookHeaders: `De : ${GW}\nEnvoyé : lundi 2 février 2026 10:00\nÀ : Dr Dupré\nObjet : Demande\n\nPatient : DUPONT Marie\n`,
    thunderbirdForward: '-------- Message original --------\nSujet : Demande\nDate : Mon, 2 Feb 2026 10:00:00 +0100\n\nPatient : DUPONT Marie\n',
  },
  'pt-BR': {
    gmail: `Em seg., 2 de fev. de 2026 às 10:00, ${GW} escreveu:\n\n> Solicitação de teleconsultoria 7f3a\n> Paciente: SILVA Maria\n`,
    gmailWrapped: `Em seg., 2 de fev. de 2026 às 10:00, txgate <${GATEWAY_REPLY_ADDRESS}>\nescreveu:\n\n> Solicitação 7f3a\n`,
    thunderbird: 'Em 02/02/2026 10:00, txgate escreveu:\n> Solicitação de teleconsultoria 7f3a\n',
    outlook: `-----Mensagem original-----\nDe: ${GW}\nEnviada em: segunda-feira, 2 de fevereiro de 2026 10:00\nPara: Dra. Souza\nAssunto: Solicitação\n\nPaciente: SILVA Maria\n`,
    outlookHeaders: `De: ${GW}\nEnviado: segunda-feira, 2 de fevereiro de 2026 10:00\nPara: Dra. Souza\nAssunto: Solicitação\n\nPaciente: SILVA Maria\n`,
    thunderbirdForward: '-------- Mensagem encaminhada --------\nAssunto: Solicitação\nData: Mon, 2 Feb 2026 10:00:00 -0300\n\nPaciente: SILVA Maria\n',
  },
  ru: {
    gmail: `пн, 2 февр. 2026 г. в 10:00, ${GW}:\n\n> Запрос на консультацию 7f3a\n> Пациент: ИВАНОВ Иван\n`,
    gmailWrapped: `пн, 2 февр. 2026 г. в 10:00, txgate <\n${GATEWAY_REPLY_ADDRESS}>:\n\n> Запрос 7f3a\n`,
    thunderbird: '02.02.2026 10:00, txgate пишет:\n> Запрос на консультацию 7f3a\n',
    outlook: `-----Исходное сообщение-----\nОт: ${GW}\nОтправлено: 2 февраля 2026 г. 10:00\nКому: Петров\nТема: Запрос\n\nПациент: ИВАНОВ Иван\n`,
    outlookHeaders: `От: ${GW}\nОтправлено: 2 февраля 2026 г. 10:00\nКому: Петров\nТема: Запрос\n\nПациент: ИВАНОВ Иван\n`,
    thunderbirdForward: '-------- Пересылаемое сообщение --------\nТема: Запрос\nДата: Mon, 2 Feb 2026 10:00:00 +0300\n\nПациент: ИВАНОВ Иван\n',
  },
  vi: {
    gmail: `Vào Th 2, 2 thg 2, 2026 vào lúc 10:00 ${GW} đã viết:\n\n> Yêu cầu hội chẩn 7f3a\n> Người bệnh: NGUYỄN Văn A\n`,
    gmailWrapped: `Vào Th 2, 2 thg 2, 2026 vào lúc 10:00 txgate <${GATEWAY_REPLY_ADDRESS}>\nđã viết:\n\n> Yêu cầu 7f3a\n`,
    thunderbird: 'Vào 02/02/2026 10:00, txgate đã viết:\n> Yêu cầu hội chẩn 7f3a\n',
    outlook: `-----Thư gốc-----\nTừ: ${GW}\nĐã gửi: Thứ Hai, 2 tháng 2, 2026 10:00\nĐến: BS. Trần\nChủ đề: Yêu cầu\n\nNgười bệnh: NGUYỄN Văn A\n`,
    outlookHeaders: `Từ: ${GW}\nĐã gửi: Thứ Hai, 2 tháng 2, 2026 10:00\nĐến: BS. Trần\nChủ đề: Yêu cầu\n\nNgười bệnh: NGUYỄN Văn A\n`,
    thunderbirdForward: '-------- Thư chuyển tiếp --------\nChủ đề: Yêu cầu\nNgày: Mon, 2 Feb 2026 10:00:00 +0700\n\nNgười bệnh: NGUYỄN Văn A\n',
  },
};

const REPLY: Record<ReplyLanguage, [string, string]> = {
  en: ['OPINION:', 'Tension-type headache.\nNo imaging needed.'],
  fr: ['AVIS :', 'Céphalée de tension.\nPas d’imagerie.'],
  'pt-BR': ['PARECER:', 'Cefaleia tensional.\nSem exames de imagem.'],
  ru: ['ЗАКЛЮЧЕНИЕ:', 'Головная боль напряжения.\nВизуализация не нужна.'],
  vi: ['Ý KIẾN:', 'Đau đầu do căng thẳng.\nKhông cần chụp.'],
};

const rows = (Object.keys(STYLES) as ReplyLanguage[]).flatMap((language) =>
  Object.entries(STYLES[language]).map(([style, quoted]) => ({ language, style, quoted, verbLine: REPLY[language][0], text: REPLY[language][1] })),
);

describe('quoted text in replies', () => {
  it.each(rows)('$language, $style: the quoted original is dropped (top-posted reply)', ({ quoted, verbLine, text }) => {
    const r = parseExpertReply(replyMail(`${verbLine}\n${text}\n\n${quoted}`));
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.value.verb).toBe('opinion');
    expect(r.value.text).toBe(text);
  });

  it.each(rows.filter((r) => r.style === 'gmail' || r.style === 'thunderbird'))(
    '$language, $style: a reply written under the quoted original keeps its text (the attribution and > lines go)',
    ({ quoted, verbLine, text }) => {
      const r = parseExpertReply(replyMail(`${quoted}\n${verbLine}\n${text}\n`));
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      expect(r.value).toMatchObject({ verb: 'opinion', text });
    },
  );

  it('drops > lines interleaved with the answer', () => {
    expect(stripQuotedReply('AVIS:\n> Patient ?\nOui.\n> Dose ?\n  > 5 mg ?\nNon.')).toBe('AVIS:\nOui.\nNon.');
  });

  it('keeps what merely looks like an attribution: "X wrote:" not followed by quoted lines, a dashed title', () => {
    const text = 'AVIS:\nLe patient a écrit :\nje dors mal.\n---- Conclusion ----\nRien à signaler.';
    expect(stripQuotedReply(text)).toBe(text);
  });

  it('cuts at a dated attribution followed by unquoted text (HTML converted to text), and turns CRLF into LF', () => {
    expect(stripQuotedReply('ACCEPT\r\n\r\nOn 02/02/2026 10:00, txgate wrote:\r\nPatient: DUPONT\r\n')).toBe('ACCEPT\n');
  });

  it('cuts at an Outlook header block only when a Sent/Date/To/Subject line follows the From line', () => {
    expect(stripQuotedReply('AVIS: ok\nDe : 2 à 3 mg par jour\nensuite 1 mg.')).toBe('AVIS: ok\nDe : 2 à 3 mg par jour\nensuite 1 mg.');
    expect(stripQuotedReply('AVIS: ok\nFrom: txgate\nDate: today\nbody')).toBe('AVIS: ok');
  });
});
