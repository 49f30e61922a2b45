/**
 * The gateway's own short texts in the specialist's loop, in the five languages of the programmes: what the
 * requester is told (accepted, reassigned, waiting, a question from the expert, the opinion), what the expert is told
 * (a reminder, the requester's answer, a reply refused). No patient data: request ids and codes only.
 */
import type { NoticeLanguage } from '../policy/notice-texts.ts';

export type LoopText =
  | 'acceptedSubject'
  | 'accepted'
  | 'reassignedSubject'
  | 'reassigned'
  | 'waiting'
  | 'questionSubject'
  | 'question'
  | 'opinionSubject'
  | 'opinion'
  | 'correctionSubject'
  | 'correction'
  | 'reminderSubject'
  | 'reminder'
  | 'answerSubject'
  | 'answer'
  | 'replyRefusedSubject'
  | 'replyRefused'
  | 'withdrawnSubject'
  | 'withdrawn'
  | 'cancelledSubject'
  | 'cancelled';

const TEXTS: Record<NoticeLanguage, Record<LoopText, string>> = {
  fr: {
    acceptedSubject: 'Téléexpertise {id} : demande acceptée',
    accepted: 'Votre demande de téléexpertise {ref} a été acceptée par l’expert. Vous recevrez son avis par ce même canal.',
    reassignedSubject: 'Téléexpertise {id} : demande réattribuée',
    reassigned: 'Votre demande de téléexpertise {ref} a été confiée à un autre expert ({why}).',
    waiting: 'Votre demande de téléexpertise {ref} attend qu’un expert soit disponible ({why}). Elle n’est pas perdue.',
    questionSubject: 'Téléexpertise {id} : question de l’expert',
    question: 'L’expert demande un complément d’information sur votre demande {ref}. Répondez à ce message ; le délai de réponse est suspendu jusque-là.',
    opinionSubject: 'Téléexpertise {id} : avis de l’expert',
    opinion: 'Voici l’avis de l’expert sur votre demande {ref}, avec le compte rendu à verser au dossier du patient.',
    correctionSubject: 'Téléexpertise {id} : avis corrigé (version {version})',
    correction: 'L’expert a corrigé ou complété son avis sur votre demande {ref} (version {version}). La version précédente reste valable pour l’historique.',
    reminderSubject: 'Rappel : téléexpertise {id} à rendre avant le {due}',
    reminder: 'Rappel : la demande de téléexpertise {id} attend votre réponse avant le {due}.',
    answerSubject: 'Téléexpertise {id} : réponse du requérant',
    answer: 'Le requérant a répondu à votre question sur la demande {id} ; sa réponse suit. Le délai de réponse reprend.',
    replyRefusedSubject: 'Téléexpertise {id} : réponse non prise en compte',
    replyRefused: 'Votre réponse à la demande {id} n’a pas été prise en compte ({code}).',
    withdrawnSubject: 'Téléexpertise {id} : demande retirée',
    withdrawn: 'La demande de téléexpertise {id} vous a été retirée ({why}) ; elle est confiée à un autre expert.',
    cancelledSubject: 'Téléexpertise {id} : demande annulée',
    cancelled: 'La demande de téléexpertise {id} a été annulée par le requérant : vous n’avez plus à y répondre.',
  },
  'pt-BR': {
    acceptedSubject: 'Teleconsultoria {id}: pedido aceito',
    accepted: 'Seu pedido de teleconsultoria {ref} foi aceito pelo especialista. Você receberá o parecer por este mesmo canal.',
    reassignedSubject: 'Teleconsultoria {id}: pedido redistribuído',
    reassigned: 'Seu pedido de teleconsultoria {ref} foi encaminhado a outro especialista ({why}).',
    waiting: 'Seu pedido de teleconsultoria {ref} aguarda um especialista disponível ({why}). Ele não foi perdido.',
    questionSubject: 'Teleconsultoria {id}: pergunta do especialista',
    question: 'O especialista pede uma informação complementar sobre o seu pedido {ref}. Responda a esta mensagem; o prazo fica suspenso até lá.',
    opinionSubject: 'Teleconsultoria {id}: parecer do especialista',
    opinion: 'Segue o parecer do especialista sobre o seu pedido {ref}, com o registro para o prontuário do paciente.',
    correctionSubject: 'Teleconsultoria {id}: parecer corrigido (versão {version})',
    correction: 'O especialista corrigiu ou complementou o parecer sobre o seu pedido {ref} (versão {version}). A versão anterior permanece no histórico.',
    reminderSubject: 'Lembrete: teleconsultoria {id} a responder até {due}',
    reminder: 'Lembrete: o pedido de teleconsultoria {id} aguarda a sua resposta até {due}.',
    answerSubject: 'Teleconsultoria {id}: resposta do solicitante',
    answer: 'O solicitante respondeu à sua pergunta sobre o pedido {id}; a resposta segue. O prazo volta a correr.',
    replyRefusedSubject: 'Teleconsultoria {id}: resposta não considerada',
    replyRefused: 'Sua resposta ao pedido {id} não foi considerada ({code}).',
    withdrawnSubject: 'Teleconsultoria {id}: pedido retirado',
    withdrawn: 'O pedido de teleconsultoria {id} foi retirado de você ({why}) e encaminhado a outro especialista.',
    cancelledSubject: 'Teleconsultoria {id}: pedido cancelado',
    cancelled: 'O pedido de teleconsultoria {id} foi cancelado pelo solicitante: não é mais necessário respondê-lo.',
  },
  ru: {
    acceptedSubject: 'Телеконсультация {id}: запрос принят',
    accepted: 'Ваш запрос на телеконсультацию {ref} принят специалистом. Заключение придёт по этому же каналу.',
    reassignedSubject: 'Телеконсультация {id}: запрос передан другому специалисту',
    reassigned: 'Ваш запрос на телеконсультацию {ref} передан другому специалисту ({why}).',
    waiting: 'Ваш запрос на телеконсультацию {ref} ожидает свободного специалиста ({why}). Он не потерян.',
    questionSubject: 'Телеконсультация {id}: вопрос специалиста',
    question: 'Специалист запрашивает дополнительную информацию по вашему запросу {ref}. Ответьте на это письмо; срок ответа приостановлен.',
    opinionSubject: 'Телеконсультация {id}: заключение специалиста',
    opinion: 'Заключение специалиста по вашему запросу {ref} и запись для медицинской карты пациента.',
    correctionSubject: 'Телеконсультация {id}: исправленное заключение (версия {version})',
    correction: 'Специалист исправил или дополнил заключение по вашему запросу {ref} (версия {version}). Предыдущая версия сохранена в истории.',
    reminderSubject: 'Напоминание: телеконсультация {id}, ответ до {due}',
    reminder: 'Напоминание: запрос на телеконсультацию {id} ожидает вашего ответа до {due}.',
    answerSubject: 'Телеконсультация {id}: ответ запрашивающего врача',
    answer: 'Запрашивающий врач ответил на ваш вопрос по запросу {id}; ответ ниже. Срок ответа возобновлён.',
    replyRefusedSubject: 'Телеконсультация {id}: ответ не принят',
    replyRefused: 'Ваш ответ по запросу {id} не принят ({code}).',
    withdrawnSubject: 'Телеконсультация {id}: запрос отозван',
    withdrawn: 'Запрос на телеконсультацию {id} у вас отозван ({why}) и передан другому специалисту.',
    cancelledSubject: 'Телеконсультация {id}: запрос отменён',
    cancelled: 'Запрос на телеконсультацию {id} отменён запросившим его врачом: отвечать на него больше не нужно.',
  },
  vi: {
    acceptedSubject: 'Hội chẩn từ xa {id}: yêu cầu đã được chấp nhận',
    accepted: 'Yêu cầu hội chẩn từ xa {ref} của bạn đã được chuyên gia chấp nhận. Ý kiến sẽ được gửi qua cùng kênh này.',
    reassignedSubject: 'Hội chẩn từ xa {id}: yêu cầu được chuyển',
    reassigned: 'Yêu cầu hội chẩn từ xa {ref} của bạn đã được chuyển cho chuyên gia khác ({why}).',
    waiting: 'Yêu cầu hội chẩn từ xa {ref} của bạn đang chờ chuyên gia ({why}). Yêu cầu không bị mất.',
    questionSubject: 'Hội chẩn từ xa {id}: câu hỏi của chuyên gia',
    question: 'Chuyên gia cần thêm thông tin về yêu cầu {ref} của bạn. Hãy trả lời thư này; thời hạn trả lời tạm dừng cho đến khi đó.',
    opinionSubject: 'Hội chẩn từ xa {id}: ý kiến của chuyên gia',
    opinion: 'Đây là ý kiến của chuyên gia về yêu cầu {ref} của bạn, kèm biên bản để lưu vào hồ sơ bệnh nhân.',
    correctionSubject: 'Hội chẩn từ xa {id}: ý kiến đã đính chính (phiên bản {version})',
    correction: 'Chuyên gia đã đính chính hoặc bổ sung ý kiến về yêu cầu {ref} của bạn (phiên bản {version}). Phiên bản trước vẫn được lưu.',
    reminderSubject: 'Nhắc nhở: hội chẩn từ xa {id} cần trả lời trước {due}',
    reminder: 'Nhắc nhở: yêu cầu hội chẩn từ xa {id} đang chờ câu trả lời của bạn trước {due}.',
    answerSubject: 'Hội chẩn từ xa {id}: trả lời của người yêu cầu',
    answer: 'Người yêu cầu đã trả lời câu hỏi của bạn về yêu cầu {id}; nội dung ở dưới. Thời hạn tiếp tục được tính.',
    replyRefusedSubject: 'Hội chẩn từ xa {id}: trả lời không được chấp nhận',
    replyRefused: 'Trả lời của bạn cho yêu cầu {id} không được chấp nhận ({code}).',
    withdrawnSubject: 'Hội chẩn từ xa {id}: yêu cầu được rút lại',
    withdrawn: 'Yêu cầu hội chẩn từ xa {id} đã được rút khỏi bạn ({why}) và chuyển cho chuyên gia khác.',
    cancelledSubject: 'Hội chẩn từ xa {id}: yêu cầu đã bị hủy',
    cancelled: 'Yêu cầu hội chẩn từ xa {id} đã bị người gửi hủy: bạn không cần trả lời nữa.',
  },
  en: {
    acceptedSubject: 'Tele-expertise {id}: request accepted',
    accepted: 'Your tele-expertise request {ref} was accepted by the expert. The opinion will come back the same way.',
    reassignedSubject: 'Tele-expertise {id}: request reassigned',
    reassigned: 'Your tele-expertise request {ref} was passed to another expert ({why}).',
    waiting: 'Your tele-expertise request {ref} is waiting for an expert to be available ({why}). It is not lost.',
    questionSubject: 'Tele-expertise {id}: a question from the expert',
    question: 'The expert asks for more information about your request {ref}. Reply to this message; the answer deadline is paused until then.',
    opinionSubject: "Tele-expertise {id}: the expert's opinion",
    opinion: "Here is the expert's opinion on your request {ref}, with the record for the patient's file.",
    correctionSubject: 'Tele-expertise {id}: opinion corrected (version {version})',
    correction: 'The expert corrected or completed the opinion on your request {ref} (version {version}). The earlier version stays on record.',
    reminderSubject: 'Reminder: tele-expertise {id} due by {due}',
    reminder: 'Reminder: the tele-expertise request {id} waits for your answer by {due}.',
    answerSubject: "Tele-expertise {id}: the requester's answer",
    answer: 'The requester answered your question about request {id}; the answer follows. The deadline runs again.',
    replyRefusedSubject: 'Tele-expertise {id}: reply not taken',
    replyRefused: 'Your reply about request {id} was not taken ({code}).',
    withdrawnSubject: 'Tele-expertise {id}: request withdrawn',
    withdrawn: 'The tele-expertise request {id} was withdrawn from you ({why}) and passed to another expert.',
    cancelledSubject: 'Tele-expertise {id}: request cancelled',
    cancelled: 'The tele-expertise request {id} was cancelled by its requester: you need not answer it any more.',
  },
};

/** A text with its {placeholders} filled (line breaks in values flattened). */
export function loopText(language: NoticeLanguage, key: LoopText, values: Record<string, string | number> = {}): string {
  return TEXTS[language][key].replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? '').replace(/[\r\n]+/g, ' '));
}
