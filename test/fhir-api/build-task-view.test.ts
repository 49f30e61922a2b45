import { describe, expect, it } from 'vitest';
import {
  buildTaskView,
  opinionBundleId,
  TASK_STATUS_OF_MESSAGE_STATE,
  TASK_STATUS_OF_REQUEST_STATE,
} from '../../src/fhir-api/build-task-view.ts';
import { fhirVersionIdOf } from '../../src/fhir-api/fhir-version-id.ts';
import { validateFhirResource } from '../../src/fhir-api/validate-fhir-resource.ts';
import { DUE_AT, EXPERT_ADDRESS, MINIMAL_REQUEST, messageSource, PATIENT_FAMILY, PATIENT_INS, REQUESTER_ADDRESS, taskSource, UPDATED_AT } from './sample-request.ts';

type Json = Record<string, any>;

const view = (...args: Parameters<typeof buildTaskView>) => buildTaskView(...args) as Json;

describe('buildTaskView: the Task status of each state', () => {
  it.each([
    ['accepted', undefined, 'requested'],
    ['received', undefined, 'requested'],
    ['parsed', undefined, 'requested'],
    ['rejected', 'SMIME_UNKNOWN_SIGNER', 'rejected'],
    ['unreadable', 'PAYLOAD_NOT_A_REQUEST', 'rejected'],
    ['refused', 'POLICY_QUOTA_EXCEEDED', 'rejected'],
    ['quarantined', undefined, 'rejected'],
  ])('before the request exists, the message state %s is %s', (state, refusal, status) => {
    const task = view(messageSource(state, refusal));
    expect(task.status).toBe(status);
    expect(task.businessStatus).toEqual({ coding: [{ system: 'urn:txgate:fhir:request-state', code: state }], text: state });
    if (refusal) expect(task.statusReason).toEqual({ coding: [{ system: 'urn:txgate:refusal-code', code: refusal }], text: `refused: ${refusal}` });
    else expect(task.statusReason).toBeUndefined();
    // nothing that needs the request
    for (const absent of ['focus', 'basedOn', 'for', 'priority', 'owner', 'restriction', 'output']) expect(task[absent]).toBeUndefined();
    expect(task.requester).toEqual({ identifier: { system: 'urn:ietf:rfc:3986', value: `mailto:${REQUESTER_ADDRESS}` } });
    expect(validateFhirResource(task)).toEqual([]);
  });

  it.each([
    ['parsed', 'received'],
    ['admitted', 'received'],
    ['routed', 'received'],
    ['waiting', 'received'],
    ['refused', 'rejected'],
    ['cancelled', 'cancelled'],
    ['accepted', 'accepted'],
    ['information-requested', 'on-hold'],
    ['answered', 'completed'],
  ])('with the request, the request state %s is %s', (state, status) => {
    const task = view(taskSource(state, state === 'refused' ? { refusalCodes: ['POLICY_QUOTA_EXCEEDED'] } : {}));
    expect(task.status).toBe(status);
    expect(task.businessStatus).toEqual({ coding: [{ system: 'urn:txgate:fhir:request-state', code: state }], text: state });
    expect(task.focus).toEqual({ reference: 'ServiceRequest/rq-000mabc12de34f56' });
    expect(task.basedOn).toEqual([{ reference: 'ServiceRequest/rq-000mabc12de34f56' }]);
    expect(validateFhirResource(task)).toEqual([]);
  });

  it('covers every state of the tables, and nothing else', () => {
    expect(Object.keys(TASK_STATUS_OF_MESSAGE_STATE).sort()).toEqual(['accepted', 'parsed', 'quarantined', 'received', 'refused', 'rejected', 'unreadable']);
    expect(Object.keys(TASK_STATUS_OF_REQUEST_STATE).sort()).toEqual(['accepted', 'admitted', 'answered', 'cancelled', 'information-requested', 'parsed', 'refused', 'routed', 'waiting']);
  });

  it('gives a state it does not know the status of its stage (requested before the request, received after) and still names it in businessStatus', () => {
    expect(view(messageSource('some-new-state')).status).toBe('requested');
    const task = view(taskSource('some-new-state'));
    expect(task.status).toBe('received');
    expect(task.businessStatus.text).toBe('some-new-state');
  });
});

describe('buildTaskView: the rest of the Task', () => {
  it('writes the identifiers, intent, code, priority, patient, dates, requester and owner', () => {
    const task = view(taskSource('accepted'));
    expect(task).toMatchObject({
      resourceType: 'Task',
      id: 'rq-000mabc12de34f56',
      identifier: [
        { system: 'urn:txgate:request-id', value: 'rq-000mabc12de34f56' },
        { use: 'usual', system: 'urn:oid:1.2.250.1.999.1', value: 'DEM-2025-0042', assigner: { display: 'Hôpital A' } },
      ],
      intent: 'order',
      code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' }] },
      priority: 'urgent',
      for: { type: 'Patient', identifier: { system: 'urn:oid:1.2.250.1.213.1.4.8', value: PATIENT_INS } },
      authoredOn: '2026-01-15T08:30:00.000Z',
      lastModified: '2026-01-15T09:45:00.000Z',
      requester: { identifier: { system: 'urn:ietf:rfc:3986', value: `mailto:${REQUESTER_ADDRESS}` }, display: 'Dr Claire Martin' },
      owner: { identifier: { system: 'urn:ietf:rfc:3986', value: `mailto:${EXPERT_ADDRESS}` }, display: 'Dr Paul Durand' },
    });
    expect(task.meta).toEqual({ versionId: fhirVersionIdOf(task), lastUpdated: UPDATED_AT.toISOString() });
  });

  it('lists every refusal code in statusReason, codes only', () => {
    const task = view(taskSource('refused', { refusalCodes: ['POLICY_QUOTA_EXCEEDED', 'POLICY_NO_CONSENT'], expertAddress: undefined, dueAt: undefined }));
    expect(task.statusReason).toEqual({
      coding: [
        { system: 'urn:txgate:refusal-code', code: 'POLICY_QUOTA_EXCEEDED' },
        { system: 'urn:txgate:refusal-code', code: 'POLICY_NO_CONSENT' },
      ],
      text: 'refused: POLICY_QUOTA_EXCEEDED, POLICY_NO_CONSENT',
    });
    expect(task.owner).toBeUndefined();
  });

  it('never writes the patient’s name (only their identifier, as a data field)', () => {
    for (const state of Object.keys(TASK_STATUS_OF_REQUEST_STATE)) {
      expect(JSON.stringify(view(taskSource(state, { refusalCodes: ['X'] })))).not.toContain(PATIENT_FAMILY);
    }
  });

  it.each([
    ['routed', 'routed', {}, DUE_AT.toISOString()],
    ['accepted', 'accepted', {}, DUE_AT.toISOString()],
    ['waiting for information (the clock paused)', 'information-requested', { pausedAt: new Date('2026-01-16T10:00:00Z') }, undefined],
    ['accepted with the clock paused', 'accepted', { pausedAt: new Date('2026-01-16T10:00:00Z') }, undefined],
    ['answered (no longer assigned)', 'answered', {}, undefined],
    ['waiting for an expert', 'waiting', { expertAddress: undefined }, undefined],
    ['routed without a deadline', 'routed', { dueAt: undefined }, undefined],
  ] as const)('restriction.period.end when %s: %s', (_label, state, over, end) => {
    const task = view(taskSource(state, over));
    expect(task.restriction?.period?.end).toBe(end);
    expect(validateFhirResource(task)).toEqual([]);
  });

  it('gives one output per opinion version, in version order, each the document Bundle', () => {
    const at = new Date('2026-01-17T10:00:00Z');
    const task = view(taskSource('answered', {}, [{ version: 2, at, documents: [] }, { version: 1, at, text: 'x', documents: [] }]));
    const consult = { coding: [{ system: 'http://loinc.org', code: '11488-4', display: 'Consult note' }] };
    expect(task.output).toEqual([
      { type: consult, valueReference: { reference: 'Bundle/rq-000mabc12de34f56-opinion-1' } },
      { type: consult, valueReference: { reference: 'Bundle/rq-000mabc12de34f56-opinion-2' } },
    ]);
    expect(opinionBundleId('rq-1', 3)).toBe('rq-1-opinion-3');
    expect(validateFhirResource(task)).toEqual([]);
  });

  it('builds a valid Task from a minimal request: no referral id, no patient identifier, no names', () => {
    const task = view({ ...taskSource('admitted', { canonical: MINIMAL_REQUEST, expertAddress: undefined, expert: undefined }), requester: '' });
    expect(task.identifier).toEqual([{ system: 'urn:txgate:request-id', value: 'rq-000mabc12de34f56' }]);
    expect(task.for).toBeUndefined();
    expect(task.requester).toBeUndefined();
    expect(task.priority).toBe('routine');
    expect(validateFhirResource(task)).toEqual([]);
  });

  it('is pure: the same source gives the same Task, and any change gives another version', () => {
    const a = view(taskSource('routed'));
    expect(view(taskSource('routed'))).toEqual(a);
    const versions = new Set([
      a.meta.versionId,
      view(taskSource('accepted')).meta.versionId,
      view({ ...taskSource('routed'), updatedAt: new Date('2026-01-15T09:46:00Z') }).meta.versionId,
      view(taskSource('routed', { expertAddress: 'other@chu-b.test' })).meta.versionId,
      view(taskSource('routed', {}, [{ version: 1, at: UPDATED_AT, documents: [] }])).meta.versionId,
    ]);
    expect(versions.size).toBe(5);
  });
});
