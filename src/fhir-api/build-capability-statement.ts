/**
 * The FHIR API's R4 CapabilityStatement (GET [base]/metadata), true to what the server does and nothing more:
 * `transaction` at the server level (a signed request Bundle), Task (read, update, patch, search), ServiceRequest
 * (read, search), Communication (read, create, search), Binary and Bundle (read). No vread, history, delete or
 * conditional interactions; JSON only. Pure: everything that varies comes in `o`.
 */

export interface CapabilityStatementOptions {
  /** the server's base URL, e.g. https://txgate.example.org/fhir */
  baseUrl: string;
  /** txgate's version */
  version: string;
  /** FHIR dateTime of the statement (e.g. when the server started) */
  date: string;
  clientCertificateRequired: boolean;
  signatureRequired: boolean;
  maxPageSize: number;
}

const SEARCH_PARAMETER = 'http://hl7.org/fhir/SearchParameter/';

const PRACTITIONER_REFERENCE =
  "the practitioner: an identifier as system|value, or the practitioner's secure mail address (mailto:…)";

function searchParam(name: string, type: string, definition: string | undefined, documentation: string): Record<string, unknown> {
  return { name, ...(definition ? { definition: `${SEARCH_PARAMETER}${definition}` } : {}), type, documentation };
}

/** `_count` is a result parameter: R4 defines no SearchParameter resource for it, hence no definition. */
function countParam(maxPageSize: number): Record<string, unknown> {
  return searchParam('_count', 'number', undefined, `page size, at most ${maxPageSize}; the next pages are linked from the searchset Bundle`);
}

function interactions(...codes: string[]): Record<string, unknown>[] {
  return codes.map((code) => ({ code }));
}

export function buildCapabilityStatement(o: CapabilityStatementOptions): Record<string, unknown> {
  const signed = o.signatureRequired
    ? 'The Bundle must be signed as Da Vinci CDex defines it: Bundle.signature holds a detached JWS (RS256 or PS256) ' +
      'over the RFC 8785 (JCS) canonical form of the Bundle without id, meta and signature, with the signer certificate ' +
      'chain in x5c; an unsigned or badly signed Bundle is refused.'
    : 'When the Bundle is signed (Bundle.signature: a detached JWS, RS256 or PS256, over the RFC 8785 (JCS) canonical ' +
      'form of the Bundle without id, meta and signature, as Da Vinci CDex defines it), the signature is verified and ' +
      'a bad one is refused.';
  const clientCert = o.clientCertificateRequired
    ? 'Mutual TLS: every request carries a TLS client certificate'
    : 'Mutual TLS: a request may carry a TLS client certificate; only requests with one see or change anything';
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: o.date,
    kind: 'instance',
    software: { name: 'txgate', version: o.version },
    implementation: { description: 'txgate tele-expertise gateway: FHIR R4 REST API', url: o.baseUrl },
    fhirVersion: '4.0.1',
    format: ['json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Tele-expertise requests and their answers. Bodies are application/fhir+json or application/json ' +
          '(application/json-patch+json for PATCH). Refusals are OperationOutcomes whose issues carry a stable code ' +
          '(system urn:txgate:refusal-code).',
        security: {
          cors: false,
          service: [
            {
              coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'Certificates' }],
            },
          ],
          description:
            `${clientCert}; the certificate identifies the practitioner through the directory. Each practitioner sees ` +
            'only the requests they are part of (as requester or as assigned expert).',
        },
        resource: [
          {
            type: 'Task',
            documentation:
              'The request (one Task per request, created by the transaction). The assigned expert answers by changing ' +
              'its status and adding the opinion as output, by PUT or PATCH; an If-Match, ' +
              'when given, must name the current version.',
            interaction: interactions('read', 'update', 'patch', 'search-type'),
            versioning: 'versioned',
            readHistory: false,
            updateCreate: false,
            conditionalUpdate: false,
            searchParam: [
              searchParam('requester', 'reference', 'Task-requester', `the requester: ${PRACTITIONER_REFERENCE}`),
              searchParam('owner', 'reference', 'Task-owner', `the assigned expert: ${PRACTITIONER_REFERENCE}`),
              searchParam('status', 'token', 'Task-status', 'the Task status'),
              searchParam('_lastUpdated', 'date', 'Resource-lastUpdated', 'when the Task last changed, with the R4 prefixes'),
              countParam(o.maxPageSize),
            ],
          },
          {
            type: 'ServiceRequest',
            documentation: 'What was asked, as received.',
            interaction: interactions('read', 'search-type'),
            searchParam: [
              searchParam('patient', 'reference', 'clinical-patient', 'the patient, as patient:identifier=system|value'),
              countParam(o.maxPageSize),
            ],
          },
          {
            type: 'Communication',
            documentation: 'The messages of the loop about a request (questions, answers, notes) between the requester and the expert.',
            interaction: interactions('read', 'create', 'search-type'),
            searchParam: [
              searchParam('part-of', 'reference', 'Communication-part-of', 'the request: Task/[id]'),
              searchParam('based-on', 'reference', 'Communication-based-on', 'the request: ServiceRequest/[id] or Task/[id]'),
              countParam(o.maxPageSize),
            ],
          },
          { type: 'Binary', documentation: 'The documents of a request and of its opinion.', interaction: interactions('read') },
          { type: 'Bundle', documentation: 'The opinion documents (document Bundles, signed).', interaction: interactions('read') },
        ],
        interaction: [
          {
            code: 'transaction',
            documentation:
              'POST [base] with a Bundle of type transaction or collection carrying the request: ServiceRequest, Task, ' +
              'Patient, PractitionerRole (and Practitioner, Organization), Consent (and Coverage, DocumentReference, ' +
              `Binary). ${signed}`,
          },
        ],
      },
    ],
  };
}
