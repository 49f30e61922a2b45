/**
 * The request as the expert receives it (pure): a readable summary in the programme's language (requester,
 * patient, question, reason, priority, deadline, consent, documents), how to answer, and the original payload and
 * documents attached. It goes out signed by the gateway and encrypted for the expert, its Reply-To the request's
 * own address on the gateway's domain.
 */
import type { CanonicalRequest, HumanNameSchema, Practitioner } from '../domain/canonical-request.ts';
import type { MailAttachment } from '../mime/build-mail.ts';
import type { NoticeLanguage } from '../policy/notice-texts.ts';
import type { z } from 'zod';

type Labels = Record<
  'subject' | 'intro' | 'requester' | 'patient' | 'born' | 'ids' | 'question' | 'reason' | 'priority' | 'due' | 'consent' | 'granted' | 'notGranted' | 'none' | 'documents' | 'urgent' | 'routine',
  string
>;

const LABELS: Record<NoticeLanguage, Labels> = {
  fr: {
    subject: 'Demande de téléexpertise',
    intro: 'Une demande de téléexpertise vous est adressée. Répondez à ce message (la première ligne dit votre réponse).',
    requester: 'Requérant',
    patient: 'Patient',
    born: 'Né(e) le',
    ids: 'Identifiants',
    question: 'Question',
    reason: 'Motif',
    priority: 'Priorité',
    due: 'Réponse attendue avant le',
    consent: 'Consentement',
    granted: 'recueilli',
    notGranted: 'non recueilli',
    none: '—',
    documents: 'Documents joints',
    urgent: 'urgente',
    routine: 'normale',
  },
  'pt-BR': {
    subject: 'Pedido de teleconsultoria',
    intro: 'Um pedido de teleconsultoria foi encaminhado a você. Responda a esta mensagem (a primeira linha diz a sua resposta).',
    requester: 'Solicitante',
    patient: 'Paciente',
    born: 'Nascimento',
    ids: 'Identificadores',
    question: 'Pergunta',
    reason: 'Motivo',
    priority: 'Prioridade',
    due: 'Resposta esperada até',
    consent: 'Consentimento',
    granted: 'obtido',
    notGranted: 'não obtido',
    none: '—',
    documents: 'Documentos anexos',
    urgent: 'urgente',
    routine: 'normal',
  },
  ru: {
    subject: 'Запрос на телеконсультацию',
    intro: 'Вам направлен запрос на телеконсультацию. Ответьте на это письмо (первая строка — ваш ответ).',
    requester: 'Запрашивающий врач',
    patient: 'Пациент',
    born: 'Дата рождения',
    ids: 'Идентификаторы',
    question: 'Вопрос',
    reason: 'Причина',
    priority: 'Срочность',
    due: 'Ответ ожидается до',
    consent: 'Согласие',
    granted: 'получено',
    notGranted: 'не получено',
    none: '—',
    documents: 'Приложенные документы',
    urgent: 'срочно',
    routine: 'планово',
  },
  vi: {
    subject: 'Yêu cầu hội chẩn từ xa',
    intro: 'Một yêu cầu hội chẩn từ xa được gửi đến bạn. Hãy trả lời thư này (dòng đầu tiên là câu trả lời của bạn).',
    requester: 'Người yêu cầu',
    patient: 'Bệnh nhân',
    born: 'Ngày sinh',
    ids: 'Mã định danh',
    question: 'Câu hỏi',
    reason: 'Lý do',
    priority: 'Mức độ ưu tiên',
    due: 'Hạn trả lời',
    consent: 'Đồng ý của bệnh nhân',
    granted: 'đã có',
    notGranted: 'chưa có',
    none: '—',
    documents: 'Tài liệu đính kèm',
    urgent: 'khẩn',
    routine: 'thường',
  },
  en: {
    subject: 'Tele-expertise request',
    intro: 'A tele-expertise request is addressed to you. Reply to this message (the first line says your answer).',
    requester: 'Requester',
    patient: 'Patient',
    born: 'Born',
    ids: 'Identifiers',
    question: 'Question',
    reason: 'Reason',
    priority: 'Priority',
    due: 'Answer expected by',
    consent: 'Consent',
    granted: 'given',
    notGranted: 'not given',
    none: '—',
    documents: 'Attached documents',
    urgent: 'urgent',
    routine: 'routine',
  },
};

function nameOf(name: z.output<typeof HumanNameSchema> | undefined): string {
  if (!name) return '';
  return [...name.prefix, ...name.given, name.family ?? ''].filter(Boolean).join(' ');
}

function practitionerLine(p: Practitioner): string {
  const ids = p.identifiers.map((i) => `${i.type ?? i.system} ${i.value}`).join(', ');
  return [nameOf(p.name), p.address ? `<${p.address}>` : '', ids ? `(${ids})` : ''].filter(Boolean).join(' ');
}

export interface ForwardInput {
  request: CanonicalRequest;
  requestId: string;
  language: NoticeLanguage;
  /** when the answer is due (local date) */
  due: string;
  /** how to answer (the verbs), from src/relay */
  help: string;
  /** the original payload part and documents of the request mail */
  attachments: MailAttachment[];
  /** a reassignment: why the request comes to this expert now */
  note?: string;
}

export function buildForwardText(f: ForwardInput): { subject: string; text: string } {
  const l = LABELS[f.language];
  const r = f.request;
  const patient = r.patient;
  const consent = r.consent ? `${r.consent.granted ? l.granted : l.notGranted}${r.consent.date ? ` (${r.consent.date.slice(0, 10)})` : ''}` : l.none;
  const lines = [
    l.intro,
    ...(f.note ? ['', f.note] : []),
    '',
    `${l.requester}: ${practitionerLine(r.requester)}`,
    `${l.patient}: ${patient.names.map(nameOf).filter(Boolean)[0] ?? l.none}${patient.sex ? ` (${patient.sex})` : ''}`,
    `${l.born}: ${patient.birthDate ?? l.none}`,
    `${l.ids}: ${patient.identifiers.map((i) => `${i.type ?? i.system} ${i.value}`).join(', ') || l.none}`,
    `${l.question}: ${r.question ?? l.none}`,
    `${l.reason}: ${[r.reason.text, ...r.reason.codes.map((c) => c.display ?? c.code)].filter(Boolean).join('; ') || l.none}`,
    `${l.priority}: ${r.priority === 'routine' ? l.routine : l.urgent}`,
    `${l.due}: ${f.due}`,
    `${l.consent}: ${consent}`,
    `${l.documents}: ${f.attachments.map((a) => a.name).join(', ') || l.none}`,
    ...(r.notes.length ? ['', ...r.notes] : []),
    '',
    '--',
    f.help,
  ];
  return { subject: `${l.subject} ${f.requestId}`, text: lines.join('\n') };
}
