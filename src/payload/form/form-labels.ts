/**
 * The labels of the plain mail form, in the five languages txgate's programmes speak (French, Portuguese,
 * Russian, Vietnamese, English), and the words read in its values (yes/no, what a consent covers, the modes of
 * return, sexes). Data only: a rule pack may add labels later.
 */
import type { ModeOfReturnSchema } from '../../domain/canonical-request.ts';
import type { z } from 'zod';

export const FORM_LANGUAGES = ['fr', 'en', 'pt', 'ru', 'vi'] as const;
export type FormLanguage = (typeof FORM_LANGUAGES)[number];

export type FormField =
  | 'patient'
  | 'ins'
  | 'nir'
  | 'cns'
  | 'birthDate'
  | 'sex'
  | 'question'
  | 'specialty'
  | 'consent'
  | 'modeOfReturn'
  | 'urgent'
  | 'deadline'
  | 'rpps';

/** Labels shared by every language (identifier names). */
export const COMMON_LABELS: Partial<Record<FormField, string[]>> = {
  ins: ['INS'],
  nir: ['NIR'],
  cns: ['CNS'],
  rpps: ['RPPS'],
};

export const FORM_LABELS: Record<FormLanguage, Partial<Record<FormField, string[]>>> = {
  fr: {
    patient: ['Patient', 'Patiente'],
    birthDate: ['Né le', 'Née le', 'Né(e) le', 'Date de naissance'],
    sex: ['Sexe'],
    question: ['Question'],
    specialty: ['Spécialité'],
    consent: ['Consentement'],
    modeOfReturn: ['Retour', 'Mode de retour'],
    urgent: ['Urgent', 'Urgence'],
    deadline: ['Échéance', 'Date limite'],
  },
  en: {
    patient: ['Patient'],
    birthDate: ['Born', 'Date of birth', 'Birth date'],
    sex: ['Sex'],
    question: ['Question'],
    specialty: ['Specialty', 'Speciality'],
    consent: ['Consent'],
    modeOfReturn: ['Return', 'Mode of return'],
    urgent: ['Urgent'],
    deadline: ['Deadline'],
  },
  pt: {
    patient: ['Paciente'],
    birthDate: ['Nascimento', 'Data de nascimento'],
    sex: ['Sexo'],
    question: ['Pergunta'],
    specialty: ['Especialidade'],
    consent: ['Consentimento'],
    modeOfReturn: ['Retorno'],
    urgent: ['Urgente'],
    deadline: ['Prazo'],
  },
  ru: {
    patient: ['Пациент', 'Пациентка'],
    birthDate: ['Дата рождения'],
    sex: ['Пол'],
    question: ['Вопрос'],
    specialty: ['Специальность'],
    consent: ['Согласие'],
    modeOfReturn: ['Возврат'],
    urgent: ['Срочно'],
    deadline: ['Срок'],
  },
  vi: {
    patient: ['Bệnh nhân'],
    birthDate: ['Ngày sinh'],
    sex: ['Giới tính'],
    question: ['Câu hỏi'],
    specialty: ['Chuyên khoa'],
    consent: ['Đồng ý'],
    modeOfReturn: ['Phản hồi'],
    urgent: ['Khẩn cấp', 'Khẩn'],
    deadline: ['Hạn chót', 'Thời hạn'],
  },
};

/** Labels that name a woman patient (the sex when no Sex field says otherwise). */
export const FEMININE_PATIENT_LABELS = ['Patiente', 'Пациентка'];

export const YES_WORDS = ['yes', 'y', 'oui', 'sim', 'да', 'có', 'co', 'x', 'true', 'ok'];
export const NO_WORDS = ['no', 'n', 'non', 'não', 'nao', 'нет', 'không', 'khong', 'false'];

/** Words meaning "all of it" in a consent. */
export const ALL_WORDS = ['all', 'tout', 'toutes', 'tous', 'todos', 'tudo', 'все', 'всё', 'tất cả'];

/** Words naming what a consent covers (whole words of the lower-cased value; a trailing * marks a stem). */
export const COVERAGE_WORDS = {
  reason: ['reason', 'motif', 'raison', 'motivo', 'причин*', 'lý do'],
  requestedIdentity: ['identity', 'identité', 'identite', 'identidade', 'личност*', 'фио', 'danh tính'],
  requestedSpecialty: ['specialty', 'speciality', 'spécialité', 'specialite', 'especialidade', 'специальност*', 'chuyên khoa'],
  modeOfReturn: ['return', 'retour', 'retorno', 'возврат', 'phản hồi'],
} as const;

type ModeOfReturn = z.infer<typeof ModeOfReturnSchema>;

/** Words naming a mode of return, in the order they are tried (the more specific first; * marks a stem). */
export const MODE_OF_RETURN_WORDS: Array<[ModeOfReturn, string[]]> = [
  ['mon-espace-sante', ['mon espace santé', 'mon espace sante', 'espace santé']],
  ['secure-mail', ['secure mail', 'e-mail', 'email', 'courriel', 'messagerie', 'mensagem', 'почт*', 'thư điện tử']],
  ['phone-call', ['phone', 'téléphone', 'telephone', 'telefone', 'ligação', 'телефон', 'звонок', 'điện thoại']],
  ['synthesis-consultation', ['consultation', 'synthèse', 'synthese', 'consulta', 'консультац*', 'приём', 'tư vấn', 'khám']],
  ['paper-letter', ['letter', 'courrier', 'lettre', 'papier', 'paper', 'carta', 'письм*', 'thư']],
];

export const SEX_WORDS: Array<['male' | 'female' | 'other' | 'unknown', string[]]> = [
  ['female', ['f', 'female', 'woman', 'femme', 'féminin', 'feminino', 'feminina', 'mulher', 'ж', 'жен', 'женский', 'nữ']],
  ['male', ['m', 'male', 'man', 'homme', 'masculin', 'masculino', 'homem', 'м', 'муж', 'мужской', 'nam']],
  ['other', ['other', 'autre', 'outro', 'другой', 'khác']],
  ['unknown', ['unknown', 'inconnu', 'desconhecido', 'неизвестно', 'không rõ']],
];

/** Languages whose names are written family name first. */
export const FAMILY_NAME_FIRST: FormLanguage[] = ['ru', 'vi'];
