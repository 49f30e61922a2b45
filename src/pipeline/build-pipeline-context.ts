/** The pipeline context from the configuration: reads keys, anchors, CRLs and certificates from disk. */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/config-schema.ts';
import { loadCertificateFolder } from '../directory/certificate-folder.ts';
import type { Logger } from '../log/logger.ts';
import { domainOf } from '../mime/addresses.ts';
import { parseCertificates } from '../pki/certificate.ts';
import { loadTrustStore } from '../pki/trust-store.ts';
import { makeGatewayKey } from '../smime/gateway-key.ts';
import type { Db } from '../store/open-database.ts';
import { storeBlobSync } from '../payload/blob-store.ts';
import { loadRulePack } from '../policy/load-rule-pack.ts';
import { findOutboxByMessageId } from '../store/outbox.ts';
import { countQuotaPlaces } from '../store/quota.ts';
import { excludedExperts, findEarlierAnswered, findRequestByMessage, findRequestsBySenderRef, getRequest, listOpinions, listRoutingDecisions } from '../store/requests.ts';
import { expertCandidate, findPractitionerFor, getPractitioner, hubsOf, listExpertCandidates } from '../store/directory.ts';
import { getMessage, getMessageContent } from '../store/messages.ts';
import { toPractitionerFacts } from '../directory/practitioner-facts.ts';
import { buildDirectoryCertificates } from '../directory/directory-certificates.ts';
import { randomInt } from 'node:crypto';
import type { DirectoryPerson } from './pipeline-context.ts';
import type { PractitionerRecord } from '../store/directory.ts';
import { newId } from './new-id.ts';
import type { PipelineContext } from './pipeline-context.ts';

export function buildPipelineContext(config: Config, db: Db, now: () => Date, log: Logger): PipelineContext {
  const keys = config.smime.keys.map((k) => {
    const certs = parseCertificates(readFileSync(k.cert));
    return { gk: makeGatewayKey(createPrivateKey(readFileSync(k.key)), certs[0]!), chain: certs.slice(1) };
  });
  const trust = loadTrustStore(config.smime.trust, config.smime.crls);
  const folder = loadCertificateFolder(config.certificates.dir);
  for (const p of folder.problems) log.warn('certificates: unreadable file skipped', { problem: p });
  const seal = config.smime.seal;
  const stored = buildDirectoryCertificates(db);
  const pack = loadRulePack(config.policy.pack);
  if (!pack.ok) throw new Error(`policy.pack: ${pack.problems.map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`).join('; ')}`);
  return {
    domain: config.domain,
    gatewayAddress: config.gatewayAddress,
    keys: keys.map((k) => k.gk),
    signer: { key: keys[0]!.gk.key, cert: keys[0]!.gk.cert, chain: keys[0]!.chain },
    trust,
    open: { requireCrl: config.smime.requireCrl, refuseSha1Certificates: config.smime.refuseSha1Certificates, cacheSigners: config.smime.cacheSigners },
    directory: folder.directory,
    sealFor(address) {
      const d = seal.byDomain[domainOf(address)] ?? {};
      return { cipher: d.cipher ?? seal.cipher, keyTransport: d.keyTransport ?? seal.keyTransport };
    },
    now,
    newId: (prefix) => newId(prefix, now().getTime()),
    findOutboxByMessageId: (id) => findOutboxByMessageId(db, id),
    pack: pack.value,
    ...(config.billing.enabled ? { billing: { insurer: { name: config.billing.insurer.name, identifier: config.billing.insurer.identifier } } } : {}),
    storeDocument: (bytes) => storeBlobSync(config.blobs.dir, bytes, { maxBytes: config.blobs.maxBytes }),
    findRequestByMessage: (message) => findRequestByMessage(db, message),
    findRequestsBySenderRef: (ref) => findRequestsBySenderRef(db, ref),
    countQuotaPlaces: (range) => countQuotaPlaces(db, range),
    practitionerFacts: (p) => {
      const record = findPractitionerFor(db, { identifiers: p.identifiers, address: p.address });
      return record ? toPractitionerFacts(record) : undefined;
    },
    practitioner: (p) => personOf(findPractitionerFor(db, { identifiers: p.identifiers, address: p.address })),
    expertCandidates: ({ specialtyCodes, ids, day }) => {
      const at = now();
      const found = specialtyCodes.length ? listExpertCandidates(db, { specialtyCodes, day, at }) : [];
      const seen = new Set(found.map((c) => c.id));
      for (const id of ids) {
        if (seen.has(id)) continue;
        const c = expertCandidate(db, id, day, at);
        if (c) {
          found.push(c);
          seen.add(id);
        }
      }
      // an expert without a secure-mail address cannot be sent anything
      return found.flatMap((c) => (c.address ? [{ ...c, address: c.address }] : []));
    },
    hubsOf: (id) => hubsOf(db, id),
    addressesOf: (id) => getPractitioner(db, id)?.addresses ?? [],
    // the directory's certificates (one that names the address or its domain, can encrypt, is valid), else the folder's
    encryptionCert: (address, at) => stored.findEncryptionCert(address, at) ?? folder.directory.findEncryptionCert(address, at),
    findRequest: (id) => getRequest(db, id),
    excludedExperts: (id) => excludedExperts(db, id),
    routingDecisions: (id) => listRoutingDecisions(db, id),
    findEarlierAnswered: (ref, before) => findEarlierAnswered(db, ref, before),
    requestContent: (message) => getMessageContent(db, message)?.content,
    messageSummary: (id) => {
      const m = getMessage(db, id);
      return m ? { envelopeFrom: m.envelopeFrom, envelopeTo: m.envelopeTo, messageId: m.messageId, summary: m.summary } : undefined;
    },
    latestOpinionVersion: (id) => listOpinions(db, id).reduce((n, o) => Math.max(n, o.version), 0),
    random: () => randomInt(0, 2 ** 31) / 2 ** 31,
  };
}

function personOf(r: PractitionerRecord | undefined): DirectoryPerson | undefined {
  if (!r) return undefined;
  return { id: r.id, identifiers: r.identifiers, addresses: r.addresses, specialties: r.specialties, ...(r.profession ? { profession: r.profession } : {}), ...(r.name ? { name: r.name } : {}) };
}
