/**
 * Identifier checks where the rules are known. Each returns undefined when valid, or the reason (no value
 * echoed: the caller names the path).
 */

/**
 * NIR / INS: 13 characters (sex, year, month, department — 2A/2B for Corsica —, commune, order) then a 2-digit
 * key = 97 − (number mod 97), where Corsica's 2A counts as 19 and 2B as 18 in the number.
 */
export function checkNir(value: string): string | undefined {
  const v = value.replace(/[\s.-]/g, '').toUpperCase();
  if (!/^[12378]\d{2}(0[1-9]|1[0-2]|[2-9]\d)(\d{2}|2A|2B)\d{6}\d{2}$/.test(v)) return 'not a NIR (15 characters: 13 then a 2-digit key)';
  const body = v.slice(0, 13);
  const key = Number(v.slice(13));
  const numeric = body.replace('2A', '19').replace('2B', '18');
  const n = BigInt(numeric);
  const expected = 97 - Number(n % 97n);
  return key === expected ? undefined : 'NIR key does not match';
}

/**
 * CNS (Brazil): 15 digits. Definitive numbers start with 1 or 2, provisional ones with 7, 8 or 9; all satisfy
 * Σ digit(i) × (15 − i) ≡ 0 (mod 11).
 */
export function checkCns(value: string): string | undefined {
  const v = value.replace(/[\s.-]/g, '');
  if (!/^[1-9]\d{14}$/.test(v)) return 'not a CNS (15 digits)';
  if (!/^[12789]/.test(v)) return 'CNS must start with 1, 2, 7, 8 or 9';
  let sum = 0;
  for (let i = 0; i < 15; i++) sum += Number(v[i]) * (15 - i);
  return sum % 11 === 0 ? undefined : 'CNS check digit does not match';
}

/** RPPS: 11 digits. (Its last digit is said to be a Luhn key: unconfirmed, so not checked.) */
export function checkRpps(value: string): string | undefined {
  return /^\d{11}$/.test(value) ? undefined : 'RPPS must be 11 digits';
}

/** ADELI: 9 characters (department 2 characters, 2A/2B allowed, then digits). */
export function checkAdeli(value: string): string | undefined {
  return /^(\d{2}|2A|2B)\d{7}$/i.test(value) ? undefined : 'ADELI must be 9 characters';
}

/** CPF (Brazil): 11 digits with two mod-11 check digits. */
export function checkCpf(value: string): string | undefined {
  const v = value.replace(/[\s.-]/g, '');
  if (!/^\d{11}$/.test(v) || /^(\d)\1{10}$/.test(v)) return 'not a CPF (11 digits)';
  const digit = (len: number) => {
    let sum = 0;
    for (let i = 0; i < len; i++) sum += Number(v[i]) * (len + 1 - i);
    const r = (sum * 10) % 11;
    return r === 10 ? 0 : r;
  };
  return digit(9) === Number(v[9]) && digit(10) === Number(v[10]) ? undefined : 'CPF check digits do not match';
}
