/**
 * The record for the patient file that travels with an opinion (France, CSP art. R.6316-4; Brazil, Portaria GM/MS
 * 3.691/2024): the report (the opinion text), the billable acts, the identities of the participants (requester,
 * expert, patient: names, identifiers, addresses), the date and time of the request and of the opinion, and the
 * technical incidents (reassignments, delivery retries…) given as input. A text for people, in the pack's language,
 * and the same facts as JSON for software. Pure: every date is given; times are shown in `timeZone` (the
 * programme's; UTC when absent), with the zone named; an unknown zone is a RangeError (packs are validated first).
 */
import type { Patient, Practitioner } from '../domain/canonical-request.ts';
import type { ReplyLanguage } from './reply-verbs.ts';

export interface PatientRecordAct {
  code: string;
  system: string;
  amount: { value: number; currency: string };
  billedBy: 'requester' | 'requested';
}

export interface PatientRecordInput {
  language: ReplyLanguage;
  requestId: string;
  senderRef?: string;
  requestedAt: Date;
  opinionAt: Date;
  opinionVersion: number;
  requester: Practitioner;
  expert: Practitioner;
  patient: Patient;
  opinion: string;
  acts: PatientRecordAct[];
  incidents: { at: Date; text: string }[];
  /** IANA time zone the text shows times in (the rule pack's `timeZone`); UTC when absent */
  timeZone?: string;
}

export const PATIENT_RECORD_FORMAT = 'txgate-patient-record/1';

export interface PatientRecord {
  text: string;
  json: PatientRecordJson;
}

export interface PatientRecordJson {
  format: typeof PATIENT_RECORD_FORMAT;
  language: ReplyLanguage;
  requestId: string;
  senderRef?: string;
  requestedAt: string;
  opinionAt: string;
  opinionVersion: number;
  requester: Practitioner;
  expert: Practitioner;
  patient: Patient;
  opinion: string;
  acts: PatientRecordAct[];
  incidents: { at: string; text: string }[];
  timeZone: string;
}

interface Labels {
  locale: string;
  title: string;
  request: string;
  senderRef: string;
  requestedAt: string;
  opinionAt: string;
  version: string;
  patient: string;
  requester: string;
  expert: string;
  name: string;
  identifiers: string;
  birthDate: string;
  sex: string;
  sexes: Record<NonNullable<Patient['sex']>, string>;
  address: string;
  organization: string;
  profession: string;
  specialty: string;
  council: string;
  report: string;
  acts: string;
  billedBy: Record<PatientRecordAct['billedBy'], string>;
  incidents: string;
  none: string;
  unknown: string;
}

const LABELS: Record<ReplyLanguage, Labels> = {
  fr: {
    locale: 'fr-FR',
    title: 'Compte rendu de téléexpertise à verser au dossier du patient',
    request: 'Demande',
    senderRef: 'référence du requérant',
    requestedAt: 'Date et heure de la demande',
    opinionAt: "Date et heure de l'avis",
    version: "Version de l'avis",
    patient: 'Patient',
    requester: 'Professionnel requérant',
    expert: 'Professionnel requis',
    name: 'Nom',
    identifiers: 'Identifiants',
    birthDate: 'Date de naissance',
    sex: 'Sexe',
    sexes: { male: 'masculin', female: 'féminin', other: 'autre', unknown: 'inconnu' },
    address: 'Messagerie sécurisée',
    organization: 'Structure',
    profession: 'Profession',
    specialty: 'Spécialité',
    council: 'Inscription ordinale',
    report: 'Avis (compte rendu)',
    acts: 'Actes',
    billedBy: { requester: 'facturé par le professionnel requérant', requested: 'facturé par le professionnel requis' },
    incidents: 'Incidents techniques',
    none: 'aucun',
    unknown: 'non renseigné',
  },
  'pt-BR': {
    locale: 'pt-BR',
    title: 'Registro de teleconsultoria para o prontuário do paciente',
    request: 'Solicitação',
    senderRef: 'referência do solicitante',
    requestedAt: 'Data e hora da solicitação',
    opinionAt: 'Data e hora do parecer',
    version: 'Versão do parecer',
    patient: 'Paciente',
    requester: 'Profissional solicitante',
    expert: 'Teleconsultor',
    name: 'Nome',
    identifiers: 'Identificadores',
    birthDate: 'Data de nascimento',
    sex: 'Sexo',
    sexes: { male: 'masculino', female: 'feminino', other: 'outro', unknown: 'desconhecido' },
    address: 'E-mail seguro',
    organization: 'Estabelecimento',
    profession: 'Profissão',
    specialty: 'Especialidade',
    council: 'Registro no conselho',
    report: 'Parecer',
    acts: 'Procedimentos',
    billedBy: { requester: 'faturado pelo solicitante', requested: 'faturado pelo teleconsultor' },
    incidents: 'Incidentes técnicos',
    none: 'nenhum',
    unknown: 'não informado',
  },
  ru: {
    locale: 'ru-RU',
    title: 'Сведения о телемедицинской консультации для медицинской карты пациента',
    request: 'Запрос',
    senderRef: 'номер направившей стороны',
    requestedAt: 'Дата и время запроса',
    opinionAt: 'Дата и время заключения',
    version: 'Версия заключения',
    patient: 'Пациент',
    requester: 'Направивший врач',
    expert: 'Консультант',
    name: 'ФИО',
    identifiers: 'Идентификаторы',
    birthDate: 'Дата рождения',
    sex: 'Пол',
    sexes: { male: 'мужской', female: 'женский', other: 'другой', unknown: 'неизвестен' },
    address: 'Защищённая почта',
    organization: 'Организация',
    profession: 'Профессия',
    specialty: 'Специальность',
    council: 'Регистрация',
    report: 'Заключение',
    acts: 'Услуги',
    billedBy: { requester: 'к оплате выставляет направивший врач', requested: 'к оплате выставляет консультант' },
    incidents: 'Технические инциденты',
    none: 'нет',
    unknown: 'не указано',
  },
  vi: {
    locale: 'vi-VN',
    title: 'Biên bản hội chẩn từ xa lưu vào hồ sơ bệnh án',
    request: 'Yêu cầu',
    senderRef: 'mã tham chiếu của người yêu cầu',
    requestedAt: 'Ngày giờ yêu cầu',
    opinionAt: 'Ngày giờ ý kiến',
    version: 'Phiên bản ý kiến',
    patient: 'Người bệnh',
    requester: 'Người yêu cầu',
    expert: 'Chuyên gia',
    name: 'Họ tên',
    identifiers: 'Mã định danh',
    birthDate: 'Ngày sinh',
    sex: 'Giới tính',
    sexes: { male: 'nam', female: 'nữ', other: 'khác', unknown: 'không rõ' },
    address: 'Thư điện tử bảo mật',
    organization: 'Cơ sở',
    profession: 'Nghề nghiệp',
    specialty: 'Chuyên khoa',
    council: 'Chứng chỉ hành nghề',
    report: 'Ý kiến chuyên môn',
    acts: 'Dịch vụ',
    billedBy: { requester: 'người yêu cầu lập hóa đơn', requested: 'chuyên gia lập hóa đơn' },
    incidents: 'Sự cố kỹ thuật',
    none: 'không có',
    unknown: 'không rõ',
  },
  en: {
    locale: 'en-GB',
    title: 'Tele-expertise record for the patient file',
    request: 'Request',
    senderRef: "requester's reference",
    requestedAt: 'Date and time of the request',
    opinionAt: 'Date and time of the opinion',
    version: 'Opinion version',
    patient: 'Patient',
    requester: 'Requesting professional',
    expert: 'Expert',
    name: 'Name',
    identifiers: 'Identifiers',
    birthDate: 'Date of birth',
    sex: 'Sex',
    sexes: { male: 'male', female: 'female', other: 'other', unknown: 'unknown' },
    address: 'Secure mail',
    organization: 'Organisation',
    profession: 'Profession',
    specialty: 'Specialty',
    council: 'Council registration',
    report: 'Opinion (report)',
    acts: 'Acts',
    billedBy: { requester: 'billed by the requester', requested: 'billed by the expert' },
    incidents: 'Technical incidents',
    none: 'none',
    unknown: 'not given',
  },
};

type Name = { family?: string | undefined; given: string[]; prefix: string[] };

function nameOf(n: Name | undefined): string | undefined {
  if (!n) return undefined;
  const s = [...n.prefix, ...n.given, n.family ?? ''].filter(Boolean).join(' ');
  return s || undefined;
}

function identifiersOf(ids: Practitioner['identifiers']): string | undefined {
  if (ids.length === 0) return undefined;
  return ids.map((i) => `${i.type ? `${i.type} ` : ''}${i.value} (${i.system})`).join('; ');
}

function codingOf(c: Practitioner['profession']): string | undefined {
  return c ? (c.display ? `${c.display} (${c.code}, ${c.system})` : `${c.code} (${c.system})`) : undefined;
}

/** The date and time in the language, in the zone, with the zone named (and the ISO instant for the unambiguous). */
function formatRecordTime(at: Date, l: Labels, timeZone: string): string {
  const local = new Intl.DateTimeFormat(l.locale, { dateStyle: 'long', timeStyle: 'short', timeZone }).format(at);
  return `${local} (${timeZone}; ${at.toISOString()})`;
}

function formatAmount(amount: PatientRecordAct['amount'], l: Labels): string {
  try {
    return new Intl.NumberFormat(l.locale, { style: 'currency', currency: amount.currency }).format(amount.value);
  } catch {
    return `${amount.value} ${amount.currency}`;
  }
}

function field(label: string, value: string | undefined, l: Labels): string {
  return `  ${label}: ${value ?? l.unknown}`;
}

function practitionerLines(title: string, p: Practitioner, l: Labels): string[] {
  const lines = [title, field(l.name, nameOf(p.name), l), field(l.identifiers, identifiersOf(p.identifiers), l)];
  if (p.profession) lines.push(field(l.profession, codingOf(p.profession), l));
  if (p.specialty) lines.push(field(l.specialty, codingOf(p.specialty), l));
  if (p.council) lines.push(field(l.council, [p.council.name, p.council.number, p.council.state].filter(Boolean).join(' '), l));
  lines.push(field(l.address, p.address, l));
  if (p.organization) {
    const org = [p.organization.name, identifiersOf(p.organization.identifiers)].filter(Boolean).join(', ');
    lines.push(field(l.organization, org || undefined, l));
  }
  return lines;
}

function patientLines(p: Patient, l: Labels): string[] {
  const names = p.names.map(nameOf).filter((n): n is string => n !== undefined);
  return [
    l.patient,
    field(l.name, names.length ? names.join(' / ') : undefined, l),
    field(l.identifiers, identifiersOf(p.identifiers), l),
    field(l.birthDate, p.birthDate, l),
    field(l.sex, p.sex ? l.sexes[p.sex] : undefined, l),
  ];
}

export function buildPatientRecord(input: PatientRecordInput): PatientRecord {
  const l = LABELS[input.language];
  const zone = input.timeZone ?? 'UTC';
  const time = (d: Date) => formatRecordTime(d, l, zone);
  const acts = input.acts.map((a) => `  - ${a.code} (${a.system}): ${formatAmount(a.amount, l)}, ${l.billedBy[a.billedBy]}`);
  const incidents = input.incidents.map((i) => `  - ${time(i.at)}: ${i.text}`);
  const lines = [
    l.title,
    '',
    `${l.request}: ${input.requestId}${input.senderRef ? ` (${l.senderRef}: ${input.senderRef})` : ''}`,
    `${l.requestedAt}: ${time(input.requestedAt)}`,
    `${l.opinionAt}: ${time(input.opinionAt)}`,
    `${l.version}: ${input.opinionVersion}`,
    '',
    ...patientLines(input.patient, l),
    '',
    ...practitionerLines(l.requester, input.requester, l),
    '',
    ...practitionerLines(l.expert, input.expert, l),
    '',
    `${l.report}:`,
    input.opinion.trim() === '' ? `  ${l.none}` : input.opinion.replace(/\r\n?/g, '\n').trimEnd(),
    '',
    `${l.acts}:`,
    ...(acts.length ? acts : [`  ${l.none}`]),
    '',
    `${l.incidents}:`,
    ...(incidents.length ? incidents : [`  ${l.none}`]),
  ];
  const json: PatientRecordJson = {
    format: PATIENT_RECORD_FORMAT,
    language: input.language,
    requestId: input.requestId,
    ...(input.senderRef !== undefined ? { senderRef: input.senderRef } : {}),
    requestedAt: input.requestedAt.toISOString(),
    opinionAt: input.opinionAt.toISOString(),
    opinionVersion: input.opinionVersion,
    requester: structuredClone(input.requester),
    expert: structuredClone(input.expert),
    patient: structuredClone(input.patient),
    opinion: input.opinion,
    acts: input.acts.map((a) => ({ code: a.code, system: a.system, amount: { value: a.amount.value, currency: a.amount.currency }, billedBy: a.billedBy })),
    incidents: input.incidents.map((i) => ({ at: i.at.toISOString(), text: i.text })),
    timeZone: zone,
  };
  return { text: `${lines.join('\n')}\n`, json };
}
