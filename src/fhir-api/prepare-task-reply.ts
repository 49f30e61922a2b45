/**
 * The expert's change of a Task (PUT or PATCH) as the resources the relay stage reads (parseFhirApiReply): the
 * changed Task, with an opinion given as a document Bundle in an output attachment taken out as that Bundle, and an
 * output pointing to a contained DocumentReference given as its attachment; a completed Task completed again is marked
 * as a correction. Pure.
 */
import type { Problem } from '../errors/result.ts';
import { getObject, getObjects, getString, isObject, type JsonObject } from '../payload/fhir/fhir-json.ts';
import { decodeStrictBase64 } from '../payload/strict-base64.ts';
import { ANSWER_KIND_SYSTEM } from '../payload/fhir/fhir-codes.ts';
import { parseIJson } from '../payload/fhir/parse-i-json.ts';

export type TaskReply = { ok: true; resources: JsonObject[]; status: string } | { ok: false; problems: Problem[] };

/** Task statuses an expert may set, and what they mean (src/relay/read-structured-reply.ts). */
export const EXPERT_TASK_STATUSES = ['accepted', 'in-progress', 'rejected', 'on-hold', 'completed'];

function documentBundleOf(attachment: JsonObject | undefined): JsonObject | undefined {
  const type = getString(attachment, 'contentType') ?? '';
  if (!/json/i.test(type)) return undefined;
  const bytes = decodeStrictBase64(getString(attachment, 'data') ?? '');
  if (!bytes) return undefined;
  const read = parseIJson(bytes);
  const json = read.ok ? read.value : undefined;
  return isObject(json) && json.resourceType === 'Bundle' && json.type === 'document' ? json : undefined;
}

export function prepareTaskReply(current: JsonObject, next: unknown): TaskReply {
  if (!isObject(next) || next.resourceType !== 'Task') return { ok: false, problems: [{ code: 'FHIR_INVALID_RESOURCE', path: 'Task', message: 'not a Task' }] };
  if (next.id !== current.id) return { ok: false, problems: [{ code: 'FHIR_INVALID_RESOURCE', path: 'Task.id', message: 'the id is not the Task’s' }] };
  const status = getString(next, 'status') ?? '';
  if (!EXPERT_TASK_STATUSES.includes(status)) {
    return { ok: false, problems: [{ code: 'FHIR_INVALID_TRANSITION', path: 'Task.status', message: 'an expert sets accepted (or in-progress), rejected, on-hold or completed' }] };
  }
  const contained = new Map<string, JsonObject>(getObjects(next, 'contained').flatMap(({ value }) => (typeof value.id === 'string' ? [[`#${value.id}`, value] as [string, JsonObject]] : [])));
  const documents: JsonObject[] = [];
  const outputs = getObjects(next, 'output').flatMap(({ value }) => {
    const bundle = documentBundleOf(getObject(value, 'valueAttachment'));
    if (bundle) {
      documents.push(bundle);
      return [];
    }
    const ref = getString(getObject(value, 'valueReference'), 'reference');
    const target = ref ? contained.get(ref) : undefined;
    if (target?.resourceType === 'DocumentReference') {
      return getObjects(target, 'content').flatMap(({ value: c }) => {
        const a = getObject(c, 'attachment');
        const inner = documentBundleOf(a);
        if (inner) {
          documents.push(inner);
          return [];
        }
        return a ? [{ type: value.type, valueAttachment: a }] : [];
      });
    }
    // the outputs the gateway put there (earlier opinions) are not the expert's new words
    if (ref?.startsWith('Bundle/')) return [];
    return [value];
  });
  const { output: _given, ...rest } = next;
  // a completed Task completed again is a correction of the opinion (read so by the relay: businessStatus corrected)
  const corrected = getString(current, 'status') === 'completed' && status === 'completed' ? { businessStatus: { coding: [{ system: ANSWER_KIND_SYSTEM, code: 'corrected' }], text: 'corrected' } } : {};
  const task: JsonObject = { ...rest, ...(outputs.length ? { output: outputs } : {}), ...corrected };
  return { ok: true, resources: [task, ...documents], status };
}
