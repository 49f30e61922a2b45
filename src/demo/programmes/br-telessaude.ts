/**
 * The Brazilian programme (br-telessaude, Telessaúde teleconsultoria assíncrona, Mato Grosso do Sul): a family
 * doctor of a primary-care unit (UBS) in Campo Grande asks the cardiology pool of a regional hospital, by the plain
 * form in Portuguese with the patient's CNS. Practitioners are named by CPF and CNS, their professions and
 * specialties by CBO, with their council registration (CRM, COREN + state) and IBGE municipality, as the pack's
 * requester and pair rules read them. A nurse of the same UBS (enfermeira, CBO 223505, COREN) asks the pool by
 * FHIR: nurses are of the pack's primary-care team, which may ask any teleconsultant. The pack bills nothing (SUS)
 * and sets no yearly limit; what it refuses: an urgent request, a profession outside the programme (a nursing
 * technician), a requester outside its municipalities.
 */
import { IDENTIFIER_SYSTEMS } from '../../domain/canonical-request.ts';
import { localDate } from '../../policy/local-date.ts';
import type { DemoDirectoryRow, DemoForm, DemoProgramme } from '../demo-programme.ts';
import { cnsWithCheckDigit, cpfWithCheckDigits } from '../synthetic-identifiers.ts';

/** The pack's time zone: the consent is dated on the local day of the request (never after it). */
const TIME_ZONE = 'America/Campo_Grande';
const CBO = 'https://terminologia.saude.gov.br/fhir/CodeSystem/BRCBO';
/** IBGE municipality codes: Campo Grande (in the pack's list), São Paulo (not) */
const CAMPO_GRANDE = '5002704';
const SAO_PAULO = '3550308';

/** The plain form a family doctor writes from a webmail (src/payload/form, Portuguese labels). */
export function buildPortugueseForm(f: DemoForm): string {
  const [y, m, d] = localDate(f.at, TIME_ZONE).split('-');
  return [
    'Prezados,',
    '',
    `Paciente: ${f.patient.name}`,
    `CNS: ${f.patient.identifier}`,
    `Nascimento: ${f.patient.born}`,
    `Pergunta: ${f.question}`,
    `Consentimento: sim, em ${d}/${m}/${y} — motivo, identidade e especialidade do teleconsultor, retorno`,
    'Retorno: mensagem',
    ...(f.urgent ? ['Urgente: sim'] : []),
    '',
    'Atenciosamente,',
  ].join('\n');
}

const person = (o: { cpf: string; cns: string; family: string; given: string; prefix?: string; cbo: string; specialty?: string; council: string; municipality: string; organization: string; capacity?: number }): DemoDirectoryRow => ({
  identifiers: `CPF|${cpfWithCheckDigits(o.cpf)};CNS|${cnsWithCheckDigit(o.cns)}`,
  family: o.family,
  given: o.given,
  ...(o.prefix ? { prefix: o.prefix } : {}),
  profession: `${CBO}|${o.cbo}`,
  ...(o.specialty ? { specialties: `${CBO}|${o.specialty}` } : {}),
  council: o.council,
  municipality: o.municipality,
  organization: o.organization,
  ...(o.capacity ? { capacity: String(o.capacity) } : {}),
  programmes: 'br-telessaude',
});

const UBS = 'UBS Vila Nasser';
const HOSPITAL = 'Hospital Regional de Mato Grosso do Sul';

export const BR_TELESSAUDE: DemoProgramme = {
  pack: 'br-telessaude',
  languageName: 'Portuguese',
  subject: 'Pedido de teleconsultoria',
  insurerName: 'SUS (development insurer: the programme bills nothing)',
  directoryDescription: '6 professionals (CPF, CNS, CBO, council, IBGE municipality)',
  requester: {
    name: 'dra-souza',
    short: 'Dra Souza',
    role: 'family doctor, UBS in Campo Grande',
    cn: 'Dra Ana Souza',
    organization: UBS,
    address: 'ana.souza@ubs-vila-nasser.test',
    // CBO 225142: médico da estratégia de saúde da família (a doctor; family medicine)
    directory: person({ cpf: '529982247', cns: '70100000000001', family: 'Souza', given: 'Ana', prefix: 'Dra', cbo: '225142', specialty: '225142', council: 'CRM|12345|MS', municipality: CAMPO_GRANDE, organization: UBS }),
  },
  pool: 'cardiologia',
  experts: [
    {
      name: 'dr-oliveira',
      short: 'Dr Oliveira',
      role: 'cardiologist',
      cn: 'Dr Carlos Oliveira',
      organization: HOSPITAL,
      address: 'carlos.oliveira@hrms.test',
      // CBO 225120: médico cardiologista
      directory: person({ cpf: '111444777', cns: '70200000000002', family: 'Oliveira', given: 'Carlos', prefix: 'Dr', cbo: '225120', specialty: '225120', council: 'CRM|23456|MS', municipality: CAMPO_GRANDE, organization: HOSPITAL, capacity: 5 }),
    },
    {
      name: 'dra-santos',
      short: 'Dra Santos',
      role: 'cardiologist',
      cn: 'Dra Beatriz Santos',
      organization: HOSPITAL,
      address: 'beatriz.santos@hrms.test',
      directory: person({ cpf: '246813579', cns: '70300000000003', family: 'Santos', given: 'Beatriz', prefix: 'Dra', cbo: '225120', specialty: '225120', council: 'CRM|34567|MS', municipality: CAMPO_GRANDE, organization: HOSPITAL, capacity: 5 }),
    },
  ],
  expertRole: 'cardiologist',
  others: [
    {
      name: 'joana-lima',
      short: 'Joana Lima',
      role: 'nursing technician',
      cn: 'Joana Lima',
      organization: UBS,
      address: 'joana.lima@ubs-vila-nasser.test',
      // CBO 322205: técnico de enfermagem (family 3222: not one of the pack's professions)
      directory: person({ cpf: '135792468', cns: '70400000000004', family: 'Lima', given: 'Joana', cbo: '322205', council: 'COREN|654321|MS', municipality: CAMPO_GRANDE, organization: UBS }),
    },
    {
      name: 'dr-costa',
      short: 'Dr Costa',
      role: 'family doctor in São Paulo',
      cn: 'Dr Rafael Costa',
      organization: 'UBS Sé',
      address: 'rafael.costa@ubs-se.test',
      directory: person({ cpf: '987654321', cns: '70500000000005', family: 'Costa', given: 'Rafael', prefix: 'Dr', cbo: '225142', specialty: '225142', council: 'CRM|98765|SP', municipality: SAO_PAULO, organization: 'UBS Sé' }),
    },
  ],
  fhir: {
    requester: {
      name: 'enf-ribeiro',
      short: 'Enf. Ribeiro',
      role: 'nurse, UBS in Campo Grande',
      cn: 'Paula Ribeiro',
      organization: UBS,
      address: 'paula.ribeiro@ubs-vila-nasser.test',
      // CBO 223505: enfermeiro (family 2235, a profession of the primary-care team)
      directory: person({ cpf: '321654987', cns: '70600000000006', family: 'Ribeiro', given: 'Paula', cbo: '223505', council: 'COREN|234567|MS', municipality: CAMPO_GRANDE, organization: UBS }),
    },
    patient: { name: 'Rita Exemplo (sintética)', family: 'Exemplo', given: 'Rita', gender: 'female', identifier: cnsWithCheckDigit('70087654321099'), born: '09/09/1953' },
    patientSystem: IDENTIFIER_SYSTEMS.CNS,
    question: 'Hipertensa, PA 170/100 em três medidas apesar de losartana 50 mg 2x/dia; ECG anexo. Qual a conduta?',
    attachment: { contentType: 'application/pdf', name: 'ecg-ubs.pdf', data: Buffer.from('%PDF-1.4\n% ECG da UBS (sintético)\n%%EOF\n'), loinc: { code: '11524-6', display: 'EKG study' } },
    modeOfReturn: 'secure-mail',
    opinion: 'PARECER: hipertensão resistente provável. Acrescentar anlodipino 5 mg/dia e reavaliar em 30 dias.',
    opinionText: 'hipertensão resistente provável',
    acts: [],
  },
  outsider: { name: 'outsider', cn: 'Dr Fora', address: 'dr.fora@elsewhere.test' },
  patients: {
    main: { name: 'Maria Exemplo (sintética)', identifier: cnsWithCheckDigit('70000000000012'), born: '12/04/1956' },
    other: { name: 'João Exemplo (sintético)', identifier: cnsWithCheckDigit('70512345678901'), born: '03/04/1964' },
  },
  buildForm: buildPortugueseForm,
  request: {
    question: 'Sopro sistólico 2/6 descoberto hoje, assintomática. Ecocardiograma necessário?',
    attachment: { contentType: 'application/pdf', name: 'ecg.pdf', data: Buffer.from('%PDF-1.4\n% ECG de demonstração (sintético)\n%%EOF\n') },
  },
  expert: {
    accept: 'ACEITO',
    opinion: 'PARECER: sopro funcional provável. Ecocardiograma em até 3 meses, sem urgência.',
    opinionText: 'sopro funcional provável',
    report: { contentType: 'application/pdf', name: 'laudo.pdf', data: Buffer.from('%PDF-1.4\n% laudo de demonstração\n%%EOF\n') },
  },
  acceptedText: 'foi aceito',
  billing: { step: 'the insurer is sent no claim: br-telessaude bills no act (SUS)', acts: [] },
  refusedCases: [
    { name: 'an urgent request (asynchronous teleconsultoria is not for emergencies)', expected: 'POLICY_URGENT_NOT_ALLOWED', from: 'dra-souza', to: 'cardiologia', patient: 'other', questions: ['Dor torácica há uma hora.'], urgent: true },
    {
      name: 'a nursing technician (CBO 3222: not a profession of the programme) asks the cardiology pool',
      expected: 'POLICY_PAIR_NOT_ELIGIBLE, POLICY_REQUESTER_NOT_ELIGIBLE',
      from: 'joana-lima',
      to: 'cardiologia',
      patient: 'other',
      questions: ['Pressão arterial 160/100 em duas medidas.'],
    },
    { name: "a family doctor in São Paulo (outside the programme's municipalities)", expected: 'POLICY_REQUESTER_NOT_ELIGIBLE', from: 'dr-costa', to: 'cardiologia', patient: 'other', questions: ['Palpitações.'] },
    { name: 'a request signed under an unknown authority', expected: 'SMIME_UNTRUSTED_SIGNER', from: 'outsider', to: 'cardiologia', patient: 'main', questions: ['Teste.'] },
  ],
};
