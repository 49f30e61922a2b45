/**
 * An answer read from FHIR: a Task update (and the opinion's document Bundle when there is one) to the Answer.
 * The reverse of buildFhirAnswer; also what an expert's system sends over the FHIR API.
 */
import { AnswerSchema, type Answer, type AnswerInput } from '../../domain/answer.ts';
import { fail, ok, type Problem, type Result } from '../../errors/result.ts';
import { getNumber, getObject, getObjects, getString, isObject, type JsonObject } from './fhir-json.ts';
import { ANSWER_ID_SYSTEM, ANSWER_KIND_SYSTEM, OPINION_VERSION_EXTENSION } from './fhir-codes.ts';
import { TASK_STATUS_OF_ANSWER } from './build-fhir-answer.ts';
import { indexBundle, resolveReference } from './index-bundle.ts';
import { decodeStrictBase64 } from '../strict-base64.ts';
import { parseCodings } from './parse-fhir-datatypes.ts';
import { parsePractitionerReference } from './parse-fhir-practitioner.ts';

const KIND_OF_STATUS: Record<string, Answer['kind']> = {
  accepted: 'accepted',
  rejected: 'declined',
  'on-hold': 'information-requested',
  completed: 'finalized',
  cancelled: 'cancelled',
};

export function parseFhirAnswer(task: unknown, document?: unknown): Result<Answer> {
  const problems: Problem[] = [];
  if (!isObject(task) || task.resourceType !== 'Task') return fail({ code: 'FHIR_NOT_TASK', path: 'Task', message: 'an answer is a Task' });
  const index = indexBundle({ entry: [{ resource: task }] }, problems);
  const taskEntry = index.entries[0]!;
  const status = getString(task, 'status');
  const kindCode = parseCodings(getObject(task, 'businessStatus')).find((c) => c.system === ANSWER_KIND_SYSTEM)?.code;
  const kind = (Object.keys(TASK_STATUS_OF_ANSWER) as Answer['kind'][]).find((k) => k === kindCode && TASK_STATUS_OF_ANSWER[k] === status) ?? KIND_OF_STATUS[status ?? ''];
  if (!kind) problems.push({ code: 'FHIR_INVALID', path: 'Task.status', message: 'the Task status is not an answer (accepted, rejected, on-hold, completed, cancelled)' });
  const at = getString(task, 'lastModified');
  if (at === undefined) problems.push({ code: 'FHIR_MISSING', path: 'Task.lastModified', message: 'when the expert answered' });
  const id = getObjects(task, 'identifier').map(({ value }) => value).find((i) => getString(i, 'system') === ANSWER_ID_SYSTEM);
  const expert = parsePractitionerReference(index, task.owner, taskEntry, 'Task.owner', problems);
  if (!expert) problems.push({ code: 'FHIR_MISSING', path: 'Task.owner', message: 'the expert who answers' });
  const reason = getString(getObject(task, 'statusReason'), 'text');
  const outputText = getObjects(task, 'output').map(({ value }) => getString(value, 'valueString')).find((s) => s !== undefined);
  const opinion = document === undefined ? (outputText ? { text: outputText } : undefined) : parseOpinionDocument(document, problems);
  if (problems.length > 0) return fail(...problems);
  const input: AnswerInput = {
    kind: kind!,
    at: at!,
    expert: expert!,
    id: getString(id, 'value') ?? getString(task, 'id') ?? '',
    ...(reason ? { reason } : {}),
    ...(opinion ? { opinion } : {}),
  };
  const checked = AnswerSchema.safeParse(input);
  if (!checked.success) return fail(...checked.error.issues.map((i) => ({ code: 'FHIR_INVALID', path: ['Task', ...i.path.map(String)].join('.'), message: i.message })));
  return ok(checked.data);
}

export function unescapeXhtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The opinion of a document Bundle: the text of the Composition's first section, and its documents. */
function parseOpinionDocument(document: unknown, problems: Problem[]): AnswerInput['opinion'] {
  if (!isObject(document) || document.resourceType !== 'Bundle' || document.type !== 'document') {
    problems.push({ code: 'FHIR_NOT_BUNDLE', path: 'Bundle', message: 'the opinion is a document Bundle' });
    return undefined;
  }
  const index = indexBundle(document, problems);
  const composition = index.entries[0];
  if (composition?.resourceType !== 'Composition') {
    problems.push({ code: 'FHIR_MISSING', path: 'Bundle.entry[0].resource', message: 'a document Bundle starts with its Composition' });
    return undefined;
  }
  const section = getObjects(composition.resource, 'section')[0];
  const div = getString(getObject(section?.value, 'text'), 'div');
  if (!section || div === undefined) {
    problems.push({ code: 'FHIR_MISSING', path: `${composition.path}.section[0].text`, message: 'the opinion text' });
    return undefined;
  }
  const pre = /<pre>([\s\S]*)<\/pre>/.exec(div);
  const text = pre ? unescapeXhtml(pre[1]!) : unescapeXhtml(div.replace(/<[^>]*>/g, '')).trim();
  const version = getObjects(composition.resource, 'extension')
    .map(({ value }) => value)
    .filter((e) => getString(e, 'url') === OPINION_VERSION_EXTENSION)
    .map((e) => getNumber(e, 'valueInteger'))
    .find((v) => v !== undefined);
  const documents = getObjects(section.value, 'entry').flatMap(({ value, index: k }) => {
    const path = `${composition.path}.section[0].entry[${k}]`;
    const ref = resolveReference(index, value, composition, path, ['DocumentReference'], problems);
    if (ref?.kind !== 'resource') return [];
    const attachment: JsonObject | undefined = getObject(getObjects(ref.target.resource, 'content')[0]?.value, 'attachment');
    const binary = resolveReference(index, { reference: getString(attachment, 'url') }, ref.target, `${ref.target.path}.content[0].attachment.url`, ['Binary'], problems);
    if (binary?.kind !== 'resource') return [];
    const data = getString(binary.target.resource, 'data') ?? '';
    if (!decodeStrictBase64(data)) {
      problems.push({ code: 'FHIR_INVALID', path: `${binary.target.path}.data`, message: 'data is not base64' });
      return [];
    }
    const contentType = getString(attachment, 'contentType') ?? getString(binary.target.resource, 'contentType') ?? 'application/octet-stream';
    const name = getString(attachment, 'title');
    return [{ contentType, data, ...(name ? { name } : {}) }];
  });
  return { text, documents, ...(version !== undefined ? { version } : {}) };
}
