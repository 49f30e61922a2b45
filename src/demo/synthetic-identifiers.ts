/**
 * Valid identifiers for the demo's synthetic patients and practitioners: the check digits computed from a body, so
 * that the parsers and the directory accept them (src/domain/check-identifiers.ts). Pure; no real person's number.
 */

/** A NIR (13 digits) with its key (97 − n mod 97): a valid INS for the demo's synthetic patients. */
export function nirWithKey(body: string): string {
  return `${body}${String(97 - Number(BigInt(body) % 97n)).padStart(2, '0')}`;
}

/**
 * A provisional CNS (Brazil): a 14-digit body starting with 7, 8 or 9 and the digit that makes
 * Σ digit(i) × (15 − i) ≡ 0 (mod 11). Throws for a body whose check would be 10 (choose another body).
 */
export function cnsWithCheckDigit(body: string): string {
  if (!/^[789]\d{13}$/.test(body)) throw new Error('a provisional CNS body is 14 digits starting with 7, 8 or 9');
  let sum = 0;
  for (let i = 0; i < 14; i++) sum += Number(body[i]) * (15 - i);
  const digit = (11 - (sum % 11)) % 11;
  if (digit === 10) throw new Error('no check digit fits this CNS body: choose another');
  return `${body}${digit}`;
}

/** A CPF (Brazil): a 9-digit body and its two mod-11 check digits. */
export function cpfWithCheckDigits(body: string): string {
  if (!/^\d{9}$/.test(body)) throw new Error('a CPF body is 9 digits');
  const digit = (v: string) => {
    let sum = 0;
    for (let i = 0; i < v.length; i++) sum += Number(v[i]) * (v.length + 1 - i);
    const r = (sum * 10) % 11;
    return r === 10 ? 0 : r;
  };
  const first = `${body}${digit(body)}`;
  return `${first}${digit(first)}`;
}
