/**
 * Which specialty pool a request asks: the pool address it was sent to (cardiologie@DOMAIN → cardiology, from the
 * pack's routing.pools), else the specialty the request names (a FHIR performer type, a form's specialty word).
 */
import type { CanonicalRequest } from '../domain/canonical-request.ts';
import { findEntryId } from '../policy/check-pair.ts';
import type { RulePack } from '../policy/rule-pack-schema.ts';

/** The local part of an address (`Name <local@domain>` or `local@domain`), lower-cased; undefined without one. */
function localPartOf(address: string): string | undefined {
  const bracketed = /<([^<>]*)>/.exec(address);
  const bare = (bracketed ? bracketed[1]! : address).trim();
  const at = bare.lastIndexOf('@');
  const local = at < 0 ? bare : bare.slice(0, at);
  return local.length > 0 ? local.toLowerCase() : undefined;
}

/** The pack specialty id (or "any") of a pool address, by its local part compared without case; undefined if not a pool. */
export function poolSpecialtyOf(address: string, pack: RulePack): string | undefined {
  const local = localPartOf(address);
  if (local === undefined || !Object.hasOwn(pack.routing.pools, local)) return undefined;
  return pack.routing.pools[local];
}

/** The pool of a request: its address when that is a pool address, else its requested specialty through the pack vocabulary. */
export function resolvePoolSpecialty(request: CanonicalRequest, pack: RulePack): string | undefined {
  const { address, specialty } = request.requested;
  const fromAddress = address === undefined ? undefined : poolSpecialtyOf(address, pack);
  return fromAddress ?? findEntryId(pack.specialties, specialty);
}
