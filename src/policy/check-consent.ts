/**
 * The consent check: present and granted when the pack requires it, dated no later than the request (by the
 * programme's local day), covering what the pack requires, with an accepted mode of return.
 */
import type { CanonicalRequest } from '../domain/canonical-request.ts';
import { localDate } from './local-date.ts';
import type { ConsentCover, RulePack } from './rule-pack-schema.ts';
import type { VerdictReason } from './verdict.ts';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ZONED = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/** The local day (YYYY-MM-DD, in timeZone) a consent date names, or undefined when it is not a real date. */
export function consentDay(date: string, timeZone: string): string | undefined {
  const dayPart = date.slice(0, 10);
  const asUtc = new Date(`${dayPart}T00:00:00Z`);
  if (Number.isNaN(asUtc.getTime()) || !asUtc.toISOString().startsWith(dayPart)) return undefined;
  if (DATE_ONLY.test(date)) return dayPart;
  const instant = new Date(date);
  if (Number.isNaN(instant.getTime())) return undefined;
  if (!ZONED.test(date)) return dayPart; // a local date-time already
  // a date-time with its offset is an instant: its day where the programme is (none outside years 1–9999)
  try {
    return localDate(instant, timeZone);
  } catch {
    return undefined;
  }
}

/** `requestDay`: the local day (YYYY-MM-DD, pack time zone) the request was received. */
export function checkConsent(request: CanonicalRequest, pack: RulePack, requestDay: string): VerdictReason[] {
  const rule = pack.consent;
  const consent = request.consent;
  if (!rule.required) return [];
  if (!consent) return [{ code: 'POLICY_CONSENT_MISSING', path: 'consent', message: 'the request carries no patient consent' }];
  if (!consent.granted) return [{ code: 'POLICY_CONSENT_MISSING', path: 'consent.granted', message: 'the patient did not consent' }];

  const missing: string[] = rule.covers.filter((cover: ConsentCover) => !consent.covers[cover]);
  let path = missing.length > 0 ? 'consent.covers' : undefined;
  if (consent.modeOfReturn !== undefined && rule.modesOfReturn !== undefined && !rule.modesOfReturn.includes(consent.modeOfReturn)) {
    if (!missing.includes('modeOfReturn')) missing.push('modeOfReturn');
    path ??= 'consent.modeOfReturn';
  }
  if (consent.date !== undefined) {
    const day = consentDay(consent.date, pack.timeZone);
    if (day === undefined || day > requestDay) {
      missing.push('date');
      path ??= 'consent.date';
    }
  }
  if (missing.length === 0) return [];
  return [
    {
      code: 'POLICY_CONSENT_INCOMPLETE',
      path: path ?? 'consent',
      message: `the consent does not cover: ${missing.join(', ')}${missing.includes('date') ? ' (a consent must be dated no later than the request)' : ''}`,
      params: { missing },
    },
  ];
}
