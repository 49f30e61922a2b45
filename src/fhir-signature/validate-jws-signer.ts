/**
 * Is the certificate that signed a FHIR Bundle one we trust, at `at`? The checks of an S/MIME signer
 * (src/pki/validate-signer.ts): a path to an anchor (depth at most 5, every certificate signature, CA constraints),
 * validity of every certificate at `at`, revocation from the store's CRLs, and the signer's key usage; but no e-mail
 * address binding (who signed is checked against Signature.who and the expected signer instead) and no
 * emailProtection requirement. Every failing check is listed.
 */
import { OID } from '../asn1/oids.ts';
import type { Problem } from '../errors/result.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { KeyUsageBit, type Certificate } from '../pki/certificate.ts';
import type { TrustStore } from '../pki/trust-store.ts';
import { buildPath, currentCrl, findCaProblem, MAX_CHAIN_DEPTH } from '../pki/validate-signer.ts';
import { signatureProblem } from './signature-refusal.ts';

export interface JwsSignerPolicy {
  at: Date;
  /** a certificate whose issuer has no current CRL is refused */
  requireCrl?: boolean;
  /** anchors limited to domains vouch only for this domain (the expected signer's e-mail domain); '' = unscoped anchors only */
  domain: string;
}

/** Extended key usages that allow signing documents: none present, or one of these. */
export const SIGNING_EXTENDED_KEY_USAGES: readonly string[] = [
  OID.anyExtendedKeyUsage,
  OID.emailProtection,
  '1.3.6.1.5.5.7.3.36', // id-kp-documentSigning (RFC 9336)
];

const PATH = 'signature.data';

function pathOrProblem(signer: Certificate, pool: Certificate[], store: TrustStore, policy: JwsSignerPolicy): Certificate[] | Problem {
  try {
    return buildPath(signer, pool, store, policy.domain, { at: policy.at, address: '' });
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'SMIME_WEAK_ALGORITHM') return signatureProblem('FHIR_SIGNATURE_ALGORITHM', PATH, err.detail);
    if (err instanceof GatewayError) return signatureProblem('FHIR_SIGNATURE_CERT_UNTRUSTED', PATH, err.detail);
    throw err;
  }
}

function caProblems(path: Certificate[]): Problem[] {
  const why = findCaProblem(path);
  return why ? [signatureProblem('FHIR_SIGNATURE_CERT_UNTRUSTED', PATH, why)] : [];
}

function validityProblems(certs: Certificate[], at: Date): Problem[] {
  const t = at.getTime();
  const bad = certs.find((c) => t < c.notBefore.getTime() || t > c.notAfter.getTime());
  return bad ? [signatureProblem('FHIR_SIGNATURE_CERT_EXPIRED', PATH, `${bad.subject} valid ${bad.notBefore.toISOString()} to ${bad.notAfter.toISOString()}`)] : [];
}

function revocationProblems(path: Certificate[], store: TrustStore, policy: JwsSignerPolicy): Problem[] {
  const out: Problem[] = [];
  for (let i = 0; i < path.length - 1; i++) {
    const cert = path[i]!;
    const crl = currentCrl(store, path[i + 1]!, policy.at);
    if (!crl) {
      if (policy.requireCrl) out.push(signatureProblem('FHIR_SIGNATURE_CERT_UNTRUSTED', PATH, 'revocation status unknown: no current CRL'));
      continue;
    }
    if (crl.revoked.has(cert.serialHex)) out.push(signatureProblem('FHIR_SIGNATURE_CERT_REVOKED', PATH, `serial ${cert.serialHex}`));
  }
  return out;
}

function usageProblems(cert: Certificate): Problem[] {
  const ku = cert.keyUsage;
  if (ku && !ku[KeyUsageBit.digitalSignature] && !ku[KeyUsageBit.nonRepudiation]) {
    return [signatureProblem('FHIR_SIGNATURE_CERT_USAGE', PATH, 'neither digitalSignature nor nonRepudiation key usage')];
  }
  if (cert.extKeyUsage && !cert.extKeyUsage.some((u) => SIGNING_EXTENDED_KEY_USAGES.includes(u))) {
    return [signatureProblem('FHIR_SIGNATURE_CERT_USAGE', PATH, 'no extended key usage that allows signing documents')];
  }
  return [];
}

/** Validates the JWS signer (x5c[0]) with the rest of x5c as the pool of intermediates. */
export function validateJwsSigner(signer: Certificate, pool: Certificate[], store: TrustStore, policy: JwsSignerPolicy): { path?: Certificate[]; problems: Problem[] } {
  if (pool.length >= MAX_CHAIN_DEPTH * 2) return { problems: [signatureProblem('FHIR_SIGNATURE_CERT_UNTRUSTED', PATH, 'too many certificates in x5c')] };
  const built = pathOrProblem(signer, pool, store, policy);
  if (!Array.isArray(built)) return { problems: [built, ...validityProblems([signer], policy.at), ...usageProblems(signer)] };
  return {
    path: built,
    problems: [...caProblems(built), ...validityProblems(built, policy.at), ...revocationProblems(built, store, policy), ...usageProblems(signer)],
  };
}
