/**
 * The blank form sent back to a professional whose mail could not be read as a request: a short explanation, then
 * the labels of the form in their language, to copy into a new secure mail. Pure. Sent back as it is, it reads as
 * a form without a patient or a question (FORM_MISSING), never as a request.
 */
import { FORM_LABELS, type FormField, type FormLanguage } from './form-labels.ts';

export interface BlankForm {
  language: FormLanguage;
  subject: string;
  text: string;
}

const TEXTS: Record<FormLanguage, { subject: string; intro: string[]; ids: string[] }> = {
  fr: {
    subject: 'Demande de téléexpertise : formulaire à compléter',
    intro: [
      "Votre message n'a pas pu être lu comme une demande de téléexpertise.",
      'Copiez le formulaire ci-dessous dans un nouveau message sécurisé, complétez une ligne par rubrique',
      '(« Rubrique: valeur ») et joignez vos documents (PDF, images, ECG…).',
      'Les dates s’écrivent JJ/MM/AAAA. Pour le consentement, écrivez oui ou non, puis ce dont le patient a été informé',
      '(motif, identité et spécialité du médecin requis, mode de retour).',
      'Le retour se fait par consultation de synthèse, téléphone, Mon espace santé ou courrier.',
    ],
    ids: ['INS'],
  },
  en: {
    subject: 'Tele-expertise request: form to fill in',
    intro: [
      'Your message could not be read as a tele-expertise request.',
      'Copy the form below into a new secure mail, fill in one line per field ("Field: value")',
      'and attach your documents (PDF, images, ECG…).',
      'Dates are written DD/MM/YYYY. For the consent, write yes or no, then what the patient was informed of',
      "(reason, the expert's identity and specialty, mode of return).",
      'The opinion returns to the patient by synthesis consultation, phone, letter or secure mail.',
    ],
    ids: ['INS', 'CNS'],
  },
  pt: {
    subject: 'Pedido de teleconsultoria: formulário a preencher',
    intro: [
      'Sua mensagem não pôde ser lida como um pedido de teleconsultoria.',
      'Copie o formulário abaixo em uma nova mensagem segura, preencha uma linha por campo',
      '("Campo: valor") e anexe seus documentos (PDF, imagens, ECG…).',
      'As datas são escritas DD/MM/AAAA. Para o consentimento, escreva sim ou não, e o que o paciente foi informado',
      '(motivo, identidade e especialidade do especialista, retorno).',
      'O retorno ao paciente é por consulta, telefone, carta ou mensagem segura.',
    ],
    ids: ['CNS'],
  },
  ru: {
    subject: 'Запрос телеконсультации: форма для заполнения',
    intro: [
      'Ваше сообщение не удалось прочитать как запрос телеконсультации.',
      'Скопируйте форму ниже в новое защищённое письмо, заполните по одной строке на поле',
      '(«Поле: значение») и приложите документы (PDF, изображения, ЭКГ…).',
      'Даты пишутся ДД.ММ.ГГГГ. Для согласия напишите да или нет, затем о чём пациент был информирован',
      '(причина, ФИО и специальность консультанта, возврат).',
      'Возврат пациенту через консультацию, телефон, письмо или защищённую почту.',
    ],
    ids: [],
  },
  vi: {
    subject: 'Yêu cầu hội chẩn từ xa: mẫu cần điền',
    intro: [
      'Không thể đọc tin nhắn của bạn như một yêu cầu hội chẩn từ xa.',
      'Sao chép mẫu dưới đây vào một thư bảo mật mới, điền mỗi mục một dòng ("Mục: giá trị")',
      'và đính kèm tài liệu (PDF, hình ảnh, điện tâm đồ…).',
      'Ngày viết theo DD/MM/YYYY. Về sự đồng ý, ghi có hoặc không, và bệnh nhân đã được thông báo về điều gì',
      '(lý do, danh tính và chuyên khoa của bác sĩ, phản hồi).',
      'Phản hồi cho bệnh nhân qua tư vấn, điện thoại, thư hoặc thư điện tử.',
    ],
    ids: [],
  },
};

const ORDER: FormField[] = ['patient', 'birthDate', 'question', 'specialty', 'consent', 'modeOfReturn', 'urgent', 'deadline'];

export function buildBlankForm(language: FormLanguage): BlankForm {
  const t = TEXTS[language];
  const labels = FORM_LABELS[language];
  const label = (f: FormField) => labels[f]?.[0] ?? f;
  const lines = [label('patient'), ...t.ids, ...ORDER.slice(1).map(label)].map((l) => `${l}: `);
  return { language, subject: t.subject, text: `${t.intro.join('\n')}\n\n${lines.join('\n')}\n` };
}
