/**
 * The fixed, human texts of the refusal notices, by code and language. A text names the rule that refused the request,
 * never patient data: the only values inserted are the pack's own (limit, window, document labels), the consent items
 * a check found missing, and the sender's own referral id in the opening line.
 */

export const NOTICE_LANGUAGES = ['fr', 'pt-BR', 'ru', 'vi', 'en'] as const;
export type NoticeLanguage = (typeof NOTICE_LANGUAGES)[number];

export const POLICY_REFUSAL_CODES = [
  'POLICY_CONSENT_MISSING',
  'POLICY_CONSENT_INCOMPLETE',
  'POLICY_URGENT_NOT_ALLOWED',
  'POLICY_QUOTA_EXCEEDED',
  'POLICY_PAIR_NOT_ELIGIBLE',
  'POLICY_DOCUMENTS_MISSING',
  'POLICY_REQUESTER_NOT_ELIGIBLE',
  'POLICY_PATIENT_UNIDENTIFIED',
  'PAYLOAD_UNREADABLE',
] as const;
export type PolicyRefusalCode = (typeof POLICY_REFUSAL_CODES)[number];

export interface NoticeParams {
  limit?: number;
  window?: 'calendar-year' | 'rolling-365-days';
  documents?: string[];
  missing?: string[];
}

/** What a consent may fail to cover (`missing` items of POLICY_CONSENT_INCOMPLETE); 'date': dated after the request. */
export const CONSENT_ITEMS = ['reason', 'requestedIdentity', 'requestedSpecialty', 'modeOfReturn', 'date'] as const;
type ConsentItem = (typeof CONSENT_ITEMS)[number];
type CoverageItem = Exclude<ConsentItem, 'date'>;

type Texts = Record<Exclude<PolicyRefusalCode, 'POLICY_CONSENT_INCOMPLETE' | 'POLICY_QUOTA_EXCEEDED' | 'POLICY_DOCUMENTS_MISSING'>, string>;

interface Language {
  texts: Texts;
  coverage: Record<CoverageItem, string>;
  consentIncomplete: (notCovered: string | undefined, datedAfter: boolean) => string;
  quotaExceeded: (limit: number | undefined, window: NoticeParams['window']) => string;
  documentsMissing: (documents: string | undefined) => string;
  /** Joins items as a natural list ("A, B and C"). */
  and: string;
  generic: string;
  opening: (reference: string | undefined) => string;
  closing: string;
}

function joinList(items: readonly string[], and: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1]}`;
}

/** Plural of a count for languages with one/other forms (the French singular also covers 0). */
function countOf(n: number, one: string, other: string, zeroIsSingular = false): string {
  return `${n} ${n === 1 || (zeroIsSingular && n === 0) ? one : other}`;
}

/** Russian plural of a count: 1, 21 запрос; 2–4, 22 запроса; 0, 5–20 запросов. */
function russianCountOf(n: number, one: string, few: string, many: string): string {
  const lastTwo = Math.abs(n) % 100;
  const last = lastTwo % 10;
  if (lastTwo >= 11 && lastTwo <= 14) return `${n} ${many}`;
  if (last === 1) return `${n} ${one}`;
  if (last >= 2 && last <= 4) return `${n} ${few}`;
  return `${n} ${many}`;
}

const LANGUAGES: Record<NoticeLanguage, Language> = {
  fr: {
    texts: {
      POLICY_CONSENT_MISSING:
        "Le consentement préalable du patient à cette demande de téléexpertise est absent ou n'a pas été donné ; le programme l'exige avant toute demande.",
      POLICY_URGENT_NOT_ALLOWED:
        "La demande est signalée comme urgente ; dans ce programme, la téléexpertise ne s'applique pas aux situations urgentes, qui relèvent des circuits de prise en charge de l'urgence.",
      POLICY_PAIR_NOT_ELIGIBLE:
        "L'échange entre le professionnel requérant et le professionnel sollicité n'est pas éligible selon les règles du programme, compte tenu de leurs professions et spécialités.",
      POLICY_REQUESTER_NOT_ELIGIBLE:
        "Le professionnel requérant n'est pas habilité à adresser des demandes dans ce programme : seuls ses membres peuvent le faire (par exemple les professionnels des communes participantes, inscrits à leur ordre professionnel).",
      POLICY_PATIENT_UNIDENTIFIED:
        "La demande ne comporte aucun identifiant du patient reconnu par le programme ; le nombre de demandes par patient ne peut donc pas être vérifié.",
      PAYLOAD_UNREADABLE:
        "Le message n'a pas pu être lu comme une demande de téléexpertise ; merci de remplir le formulaire de demande ci-joint et de le renvoyer.",
    },
    coverage: {
      reason: 'le motif de la demande',
      requestedIdentity: "l'identité du professionnel sollicité",
      requestedSpecialty: 'la spécialité du professionnel sollicité',
      modeOfReturn: 'le mode de retour de la réponse',
    },
    consentIncomplete: (notCovered, datedAfter) => {
      const parts: string[] = [];
      if (notCovered !== undefined) parts.push(`il ne porte pas sur ${notCovered}`);
      if (datedAfter) parts.push('il est postérieur à la demande');
      if (parts.length === 0) parts.push("il ne couvre pas tout ce que le programme exige");
      return `Le consentement du patient est incomplet : ${parts.join(' ; ')}.`;
    },
    quotaExceeded: (limit, window) => {
      const count = limit === undefined ? 'demandes de téléexpertise' : `${countOf(limit, 'demande', 'demandes', true)} de téléexpertise`;
      const period =
        window === 'calendar-year' ? ' par année civile' : window === 'rolling-365-days' ? ' sur 365 jours glissants' : '';
      return `Le patient a déjà atteint la limite fixée par le programme (${count}${period}) ; aucune autre demande ne peut être acceptée sur cette période.`;
    },
    documentsMissing: (documents) =>
      documents === undefined
        ? 'Des documents requis pour ce type de cas sont manquants. Merci de les joindre à une nouvelle demande.'
        : `Des documents requis pour ce type de cas sont manquants : ${documents}. Merci de les joindre à une nouvelle demande.`,
    and: 'et',
    generic: 'La demande a été refusée en application des règles du programme',
    opening: (reference) =>
      reference === undefined
        ? "Votre demande de téléexpertise n'a pas pu être acceptée, pour les raisons suivantes :"
        : `Votre demande de téléexpertise (votre référence : ${reference}) n'a pas pu être acceptée, pour les raisons suivantes :`,
    closing:
      "Rien n'a été transmis à un spécialiste. Vous pouvez adresser une nouvelle demande lorsque les points ci-dessus auront été réglés.",
  },
  'pt-BR': {
    texts: {
      POLICY_CONSENT_MISSING:
        'O consentimento do paciente para esta solicitação de teleconsultoria está ausente ou não foi concedido; o programa exige o consentimento prévio do paciente.',
      POLICY_URGENT_NOT_ALLOWED:
        'A solicitação está marcada como urgente; neste programa, a teleconsultoria não se destina a casos de urgência, que devem seguir os fluxos habituais de atendimento de urgência.',
      POLICY_PAIR_NOT_ELIGIBLE:
        'A interação entre o profissional solicitante e o profissional solicitado não é elegível pelas regras do programa, considerando suas profissões e especialidades.',
      POLICY_REQUESTER_NOT_ELIGIBLE:
        'O profissional solicitante não está habilitado a enviar solicitações neste programa: somente seus participantes podem fazê-lo (por exemplo, profissionais dos municípios participantes com registro ativo no conselho profissional).',
      POLICY_PATIENT_UNIDENTIFIED:
        'A solicitação não contém um identificador do paciente utilizado por este programa; por isso, não é possível verificar o limite de solicitações por paciente.',
      PAYLOAD_UNREADABLE:
        'Não foi possível ler a mensagem como uma solicitação de teleconsultoria; preencha o formulário de solicitação em anexo e envie-o novamente.',
    },
    coverage: {
      reason: 'o motivo da solicitação',
      requestedIdentity: 'a identidade do profissional solicitado',
      requestedSpecialty: 'a especialidade do profissional solicitado',
      modeOfReturn: 'a forma de retorno da resposta',
    },
    consentIncomplete: (notCovered, datedAfter) => {
      const parts: string[] = [];
      if (notCovered !== undefined) parts.push(`não abrange ${notCovered}`);
      if (datedAfter) parts.push('tem data posterior à da solicitação');
      if (parts.length === 0) parts.push('não abrange tudo o que o programa exige');
      return `O consentimento do paciente está incompleto: ${parts.join('; ')}.`;
    },
    quotaExceeded: (limit, window) => {
      const count =
        limit === undefined ? 'solicitações de teleconsultoria' : `${countOf(limit, 'solicitação', 'solicitações')} de teleconsultoria`;
      const period =
        window === 'calendar-year' ? ' por ano civil' : window === 'rolling-365-days' ? ' em qualquer período de 365 dias' : '';
      return `O paciente já atingiu o limite do programa (${count}${period}); nenhuma outra solicitação pode ser aceita neste período.`;
    },
    documentsMissing: (documents) =>
      documents === undefined
        ? 'Faltam documentos obrigatórios para este tipo de caso. Anexe-os a uma nova solicitação.'
        : `Faltam documentos obrigatórios para este tipo de caso: ${documents}. Anexe-os a uma nova solicitação.`,
    and: 'e',
    generic: 'A solicitação foi recusada com base nas regras do programa',
    opening: (reference) =>
      reference === undefined
        ? 'Sua solicitação de teleconsultoria não pôde ser aceita pelos seguintes motivos:'
        : `Sua solicitação de teleconsultoria (sua referência: ${reference}) não pôde ser aceita pelos seguintes motivos:`,
    closing:
      'Nada foi encaminhado a um especialista. Você pode enviar uma nova solicitação depois que os pontos acima forem resolvidos.',
  },
  ru: {
    texts: {
      POLICY_CONSENT_MISSING:
        'Согласие пациента на этот запрос отсутствует или не было дано; программа требует предварительного согласия пациента.',
      POLICY_URGENT_NOT_ALLOWED:
        'Запрос помечен как срочный; в рамках этой программы телемедицинские консультации не предназначены для неотложных случаев, которые следует направлять по обычным каналам экстренной помощи.',
      POLICY_PAIR_NOT_ELIGIBLE:
        'Консультация между направляющим специалистом и запрошенным консультантом не предусмотрена правилами программы с учётом их профессий и специальностей.',
      POLICY_REQUESTER_NOT_ELIGIBLE:
        'Направляющий специалист не может подавать запросы в рамках этой программы: это вправе делать только её участники (например, специалисты медицинских организаций-участников с действующей профессиональной регистрацией).',
      POLICY_PATIENT_UNIDENTIFIED:
        'В запросе нет идентификатора пациента, используемого этой программой, поэтому невозможно проверить ограничение на число запросов по одному пациенту.',
      PAYLOAD_UNREADABLE:
        'Сообщение не удалось прочитать как запрос на консультацию; пожалуйста, заполните прилагаемую форму запроса и отправьте её повторно.',
    },
    coverage: {
      reason: 'цель запроса',
      requestedIdentity: 'личность врача-консультанта',
      requestedSpecialty: 'специальность врача-консультанта',
      modeOfReturn: 'способ получения ответа',
    },
    consentIncomplete: (notCovered, datedAfter) => {
      const parts: string[] = [];
      if (notCovered !== undefined) parts.push(`оно не охватывает ${notCovered}`);
      if (datedAfter) parts.push('оно датировано позже запроса');
      if (parts.length === 0) parts.push('оно не охватывает всё, что требует программа');
      return `Согласие пациента неполное: ${parts.join('; ')}.`;
    },
    quotaExceeded: (limit, window) => {
      const count = limit === undefined ? 'число запросов' : russianCountOf(limit, 'запрос', 'запроса', 'запросов');
      const period =
        window === 'calendar-year' ? ' за календарный год' : window === 'rolling-365-days' ? ' за любые 365 дней подряд' : '';
      return `Пациент уже достиг установленного программой лимита (${count}${period}); новые запросы по этому пациенту в этот период не принимаются.`;
    },
    documentsMissing: (documents) =>
      documents === undefined
        ? 'Отсутствуют документы, обязательные для этой категории случаев. Приложите их к новому запросу.'
        : `Отсутствуют документы, обязательные для этой категории случаев: ${documents}. Приложите их к новому запросу.`,
    and: 'и',
    generic: 'Запрос отклонён в соответствии с правилами программы',
    opening: (reference) =>
      reference === undefined
        ? 'Ваш запрос на консультацию не может быть принят по следующим причинам:'
        : `Ваш запрос на консультацию (номер вашего направления: ${reference}) не может быть принят по следующим причинам:`,
    closing:
      'Запрос не был передан ни одному специалисту. Вы можете направить новый запрос после устранения указанных причин.',
  },
  vi: {
    texts: {
      POLICY_CONSENT_MISSING:
        'Chưa có sự đồng ý của người bệnh đối với yêu cầu hội chẩn từ xa này, hoặc người bệnh không đồng ý; chương trình yêu cầu phải có sự đồng ý trước của người bệnh.',
      POLICY_URGENT_NOT_ALLOWED:
        'Yêu cầu được đánh dấu là khẩn cấp; trong chương trình này, hội chẩn từ xa không áp dụng cho các trường hợp khẩn cấp, cần được xử trí theo quy trình cấp cứu thông thường.',
      POLICY_PAIR_NOT_ELIGIBLE:
        'Theo quy định của chương trình, việc trao đổi giữa người gửi yêu cầu và chuyên gia được đề nghị tư vấn không thuộc diện được chấp nhận, xét theo nghề nghiệp và chuyên khoa của hai bên.',
      POLICY_REQUESTER_NOT_ELIGIBLE:
        'Người gửi yêu cầu không thuộc đối tượng được gửi yêu cầu trong chương trình này: chỉ thành viên của chương trình mới được gửi (ví dụ: người hành nghề tại các cơ sở, địa phương tham gia, có đăng ký hành nghề còn hiệu lực).',
      POLICY_PATIENT_UNIDENTIFIED:
        'Yêu cầu không có mã định danh người bệnh mà chương trình sử dụng, vì vậy không thể kiểm tra giới hạn số yêu cầu đối với mỗi người bệnh.',
      PAYLOAD_UNREADABLE:
        'Không thể đọc thư này như một yêu cầu hội chẩn từ xa; vui lòng điền vào mẫu yêu cầu đính kèm và gửi lại.',
    },
    coverage: {
      reason: 'lý do yêu cầu',
      requestedIdentity: 'danh tính của chuyên gia được đề nghị tư vấn',
      requestedSpecialty: 'chuyên khoa của chuyên gia được đề nghị tư vấn',
      modeOfReturn: 'hình thức phản hồi kết quả',
    },
    consentIncomplete: (notCovered, datedAfter) => {
      const parts: string[] = [];
      if (notCovered !== undefined) parts.push(`chưa bao gồm ${notCovered}`);
      if (datedAfter) parts.push('được ghi ngày sau ngày gửi yêu cầu');
      if (parts.length === 0) parts.push('chưa bao gồm đầy đủ các nội dung chương trình yêu cầu');
      return `Sự đồng ý của người bệnh chưa đầy đủ: ${parts.join('; ')}.`;
    },
    quotaExceeded: (limit, window) => {
      const count = limit === undefined ? 'số yêu cầu hội chẩn từ xa' : `${limit} yêu cầu hội chẩn từ xa`;
      const period =
        window === 'calendar-year' ? ' mỗi năm dương lịch' : window === 'rolling-365-days' ? ' trong 365 ngày liên tiếp' : '';
      return `Người bệnh đã đạt giới hạn của chương trình (${count}${period}); không thể tiếp nhận thêm yêu cầu trong khoảng thời gian này.`;
    },
    documentsMissing: (documents) =>
      documents === undefined
        ? 'Thiếu tài liệu bắt buộc đối với loại ca bệnh này. Vui lòng gửi kèm trong một yêu cầu mới.'
        : `Thiếu tài liệu bắt buộc đối với loại ca bệnh này: ${documents}. Vui lòng gửi kèm trong một yêu cầu mới.`,
    and: 'và',
    generic: 'Yêu cầu bị từ chối theo quy định của chương trình',
    opening: (reference) =>
      reference === undefined
        ? 'Yêu cầu hội chẩn từ xa của quý vị không được tiếp nhận vì các lý do sau:'
        : `Yêu cầu hội chẩn từ xa của quý vị (mã tham chiếu: ${reference}) không được tiếp nhận vì các lý do sau:`,
    closing:
      'Yêu cầu chưa được chuyển đến bất kỳ chuyên gia nào. Quý vị có thể gửi yêu cầu mới sau khi đã khắc phục các lý do nêu trên.',
  },
  en: {
    texts: {
      POLICY_CONSENT_MISSING:
        "The patient's consent to this tele-expertise request is missing or was not granted; the programme requires the patient's prior consent.",
      POLICY_URGENT_NOT_ALLOWED:
        'The request is marked as urgent; under this programme, tele-expertise is not for urgent cases, which must go through the usual emergency care pathways.',
      POLICY_PAIR_NOT_ELIGIBLE:
        "The exchange between the requesting professional and the requested professional is not eligible under the programme's rules, given their professions and specialties.",
      POLICY_REQUESTER_NOT_ELIGIBLE:
        'The requesting professional is not eligible to send requests under this programme: only its members may do so (for example, professionals of the participating municipalities registered with their professional council).',
      POLICY_PATIENT_UNIDENTIFIED:
        'The request carries no patient identifier used by this programme, so the limit on requests per patient cannot be checked.',
      PAYLOAD_UNREADABLE:
        'The message could not be read as a tele-expertise request; please fill in the attached request form and send it again.',
    },
    coverage: {
      reason: 'the reason for the request',
      requestedIdentity: 'the identity of the requested professional',
      requestedSpecialty: 'the specialty of the requested professional',
      modeOfReturn: 'the mode of return of the answer',
    },
    consentIncomplete: (notCovered, datedAfter) => {
      const parts: string[] = [];
      if (notCovered !== undefined) parts.push(`it does not cover ${notCovered}`);
      if (datedAfter) parts.push('it is dated after the request');
      if (parts.length === 0) parts.push('it does not cover everything the programme requires');
      return `The patient's consent is incomplete: ${parts.join('; ')}.`;
    },
    quotaExceeded: (limit, window) => {
      const count = limit === undefined ? 'tele-expertise requests' : countOf(limit, 'tele-expertise request', 'tele-expertise requests');
      const period =
        window === 'calendar-year' ? ' per calendar year' : window === 'rolling-365-days' ? ' in any period of 365 days' : '';
      return `The patient has already reached the programme's limit (${count}${period}); no further request can be accepted in this period.`;
    },
    documentsMissing: (documents) =>
      documents === undefined
        ? 'Documents required for this type of case are missing. Please attach them to a new request.'
        : `Documents required for this type of case are missing: ${documents}. Please attach them to a new request.`,
    and: 'and',
    generic: "The request was refused under the programme's rules",
    opening: (reference) =>
      reference === undefined
        ? 'Your tele-expertise request could not be accepted, for the following reasons:'
        : `Your tele-expertise request (your reference: ${reference}) could not be accepted, for the following reasons:`,
    closing: 'Nothing has been forwarded to a specialist. You may send a new request once the points above have been resolved.',
  },
};

function isRefusalCode(code: string): code is PolicyRefusalCode {
  return (POLICY_REFUSAL_CODES as readonly string[]).includes(code);
}

/** One line of text from a value the sender or the pack supplied: no line breaks or control characters, bounded. */
function oneLine(value: string, max = 200): string {
  const flat = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function labels(values: readonly string[] | undefined): string[] {
  return (values ?? []).map((value) => oneLine(value)).filter((value) => value !== '');
}

function textOf(code: PolicyRefusalCode, lang: Language, params: NoticeParams): string {
  switch (code) {
    case 'POLICY_CONSENT_INCOMPLETE': {
      const missing = labels(params.missing);
      const notCovered = missing
        .filter((item) => item !== 'date')
        .map((item) => (Object.hasOwn(lang.coverage, item) ? lang.coverage[item as CoverageItem] : item));
      return lang.consentIncomplete(notCovered.length > 0 ? joinList(notCovered, lang.and) : undefined, missing.includes('date'));
    }
    case 'POLICY_QUOTA_EXCEEDED': {
      const limit = params.limit !== undefined && Number.isInteger(params.limit) && params.limit >= 0 ? params.limit : undefined;
      return lang.quotaExceeded(limit, params.window);
    }
    case 'POLICY_DOCUMENTS_MISSING': {
      const documents = labels(params.documents);
      return lang.documentsMissing(documents.length > 0 ? documents.join(', ') : undefined);
    }
    default:
      return lang.texts[code];
  }
}

/** The text for one refusal code (unknown codes get a generic "refused under the programme's rules (CODE)" text). */
export function noticeText(code: string, language: NoticeLanguage, params?: NoticeParams): string {
  const lang = LANGUAGES[language];
  if (!isRefusalCode(code)) return `${lang.generic} (${oneLine(code, 80)}).`;
  return textOf(code, lang, params ?? {});
}

/**
 * A whole notice: an opening line (with the sender's referral id when given, which is the sender's own data), one line
 * per reason, each ending with its code in brackets, and a closing line saying that nothing was forwarded to a
 * specialist. Throws a RangeError when there is no reason (a refusal always has one).
 */
export function buildRefusalNotice(
  language: NoticeLanguage,
  reasons: { code: string; params?: NoticeParams }[],
  reference?: string,
): string {
  if (reasons.length === 0) throw new RangeError('buildRefusalNotice: a refusal notice needs at least one reason');
  const lang = LANGUAGES[language];
  const ref = reference === undefined ? undefined : oneLine(reference);
  const lines = [lang.opening(ref === '' ? undefined : ref)];
  for (const reason of reasons) {
    const code = oneLine(reason.code, 80);
    const text = isRefusalCode(code) ? textOf(code, lang, reason.params ?? {}) : `${lang.generic}.`;
    lines.push(`- ${text} [${code}]`);
  }
  lines.push(lang.closing);
  return lines.join('\n');
}
