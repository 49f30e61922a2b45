/**
 * The short text that tells an expert how to answer by mail, in the pack's language: one line per verb (its
 * word and what it does), then the rules (the verb on the first line, a reason or question required, quoted text
 * ignored, English words always understood). Sent with each forwarded request and with the REPLY_NO_VERB answer. Pure.
 */
import { REPLY_VERB_ORDER, REPLY_VERBS, type ReplyLanguage, type ReplyVerb } from './reply-verbs.ts';

interface HelpTexts {
  intro: string;
  /** what each verb does; `{w}` is the verb's word */
  verbs: Record<ReplyVerb, string>;
  rules: string[];
}

const HELP: Record<ReplyLanguage, HelpTexts> = {
  fr: {
    intro: 'Pour répondre, répondez à ce message (signé et chiffré) en écrivant sur la première ligne l’un de ces mots :',
    verbs: {
      accept: '{w} — vous acceptez la demande.',
      decline: '{w} : motif — vous déclinez la demande ; le motif est obligatoire.',
      ask: '{w} : votre question — elle est transmise au requérant ; le délai est suspendu jusqu’à sa réponse.',
      opinion: '{w} : votre avis — le texte de l’avis, et/ou le compte rendu en pièce jointe.',
      correction: '{w} : texte — corrige ou complète un avis déjà transmis (la version précédente est conservée).',
    },
    rules: [
      'Le texte peut suivre le mot après « : » ou « - », ou commencer à la ligne suivante.',
      'Le message cité en dessous est ignoré. Les mots anglais (ACCEPT, DECLINE, QUESTION, OPINION, CORRECTION) sont aussi compris.',
    ],
  },
  'pt-BR': {
    intro: 'Para responder, responda a esta mensagem (assinada e cifrada) escrevendo na primeira linha uma destas palavras:',
    verbs: {
      accept: '{w} — você aceita a solicitação.',
      decline: '{w}: motivo — você recusa a solicitação; o motivo é obrigatório.',
      ask: '{w}: sua pergunta — ela é enviada ao solicitante; o prazo fica suspenso até a resposta.',
      opinion: '{w}: seu parecer — o texto do parecer e/ou o laudo em anexo.',
      correction: '{w}: texto — corrige ou complementa um parecer já enviado (a versão anterior é mantida).',
    },
    rules: [
      'O texto pode vir após a palavra, depois de ":" ou "-", ou começar na linha seguinte.',
      'A mensagem citada abaixo é ignorada. As palavras em inglês (ACCEPT, DECLINE, QUESTION, OPINION, CORRECTION) também são aceitas.',
    ],
  },
  ru: {
    intro: 'Чтобы ответить, ответьте на это письмо (подписанное и зашифрованное), написав в первой строке одно из слов:',
    verbs: {
      accept: '{w} — вы принимаете запрос.',
      decline: '{w}: причина — вы отказываетесь от запроса; причина обязательна.',
      ask: '{w}: ваш вопрос — он передаётся направившему врачу; срок приостанавливается до ответа.',
      opinion: '{w}: ваше заключение — текст заключения и/или документ во вложении.',
      correction: '{w}: текст — исправляет или дополняет уже отправленное заключение (прежняя версия сохраняется).',
    },
    rules: [
      'Текст можно написать после слова через «:» или «-» либо со следующей строки.',
      'Цитируемое письмо ниже не учитывается. Английские слова (ACCEPT, DECLINE, QUESTION, OPINION, CORRECTION) также понимаются.',
    ],
  },
  vi: {
    intro: 'Để trả lời, hãy trả lời thư này (đã ký và mã hóa) và viết ở dòng đầu tiên một trong các từ sau:',
    verbs: {
      accept: '{w} — bạn chấp nhận yêu cầu.',
      decline: '{w}: lý do — bạn từ chối yêu cầu; bắt buộc ghi lý do.',
      ask: '{w}: câu hỏi của bạn — được gửi đến người yêu cầu; thời hạn tạm dừng cho đến khi có trả lời.',
      opinion: '{w}: ý kiến của bạn — nội dung ý kiến và/hoặc báo cáo đính kèm.',
      correction: '{w}: nội dung — sửa hoặc bổ sung ý kiến đã gửi (phiên bản trước được lưu lại).',
    },
    rules: [
      'Nội dung có thể viết sau từ khóa, sau dấu ":" hoặc "-", hoặc bắt đầu từ dòng tiếp theo.',
      'Phần thư được trích dẫn bên dưới sẽ bị bỏ qua. Các từ tiếng Anh (ACCEPT, DECLINE, QUESTION, OPINION, CORRECTION) cũng được hiểu.',
    ],
  },
  en: {
    intro: 'To answer, reply to this message (signed and encrypted) with one of these words on the first line:',
    verbs: {
      accept: '{w} — you accept the request.',
      decline: '{w}: reason — you decline the request; the reason is required.',
      ask: '{w}: your question — it goes to the requester; the deadline is paused until they answer.',
      opinion: '{w}: your opinion — the opinion text, and/or the report attached.',
      correction: '{w}: text — corrects or completes an opinion already sent (the earlier version is kept).',
    },
    rules: ['The text may follow the word after ":" or "-", or start on the next line.', 'The quoted message below is ignored.'],
  },
};

export function buildReplyHelp(language: ReplyLanguage): string {
  const t = HELP[language];
  const words = REPLY_VERBS[language];
  const lines = [t.intro, '', ...REPLY_VERB_ORDER.map((verb) => `  ${t.verbs[verb].replace('{w}', words[verb][0]!)}`), '', ...t.rules];
  return `${lines.join('\n')}\n`;
}
