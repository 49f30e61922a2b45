/**
 * File helpers shared by the `txgate certs` commands: read certificates and keys (PEM or DER),
 * write PEM, private keys with mode 0600, and turn failures into a one-line message and exit 1.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseCertificate, pemBlocks, toPem, type Certificate } from '../pki/certificate.ts';
import { UsageError, str, type CommandIo, type OptionValues } from './command.ts';

/** Runs a command body: a UsageError goes up (exit 2), any other failure prints one line and gives 1. */
export async function runReportingFailure(name: string, io: CommandIo, body: () => Promise<number> | number): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`txgate ${name}: ${message.split('\n')[0]}\n`);
    return 1;
  }
}

function readInput(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** All certificates of a file (PEM with one or more blocks, or one DER certificate). */
export function readCertificateFile(path: string): Certificate[] {
  const data = readInput(path);
  const text = data.toString('latin1');
  try {
    if (text.includes('-----BEGIN')) {
      const blocks = pemBlocks(text);
      if (blocks.length === 0) throw new Error('no CERTIFICATE block');
      return blocks.map(parseCertificate);
    }
    return [parseCertificate(data)];
  } catch (err) {
    throw new Error(`${path} is not a certificate file: ${(err as Error).message}`);
  }
}

/** The first (or only) certificate of a file. */
export function readOneCertificate(path: string): Certificate {
  return readCertificateFile(path)[0]!;
}

/** A private key from PEM (PKCS#8, PKCS#1, SEC1) or DER PKCS#8. */
export function readPrivateKeyFile(path: string): KeyObject {
  const data = readInput(path);
  try {
    return data.includes('-----BEGIN') ? createPrivateKey(data) : createPrivateKey({ key: data, format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw new Error(`${path} is not an unencrypted private key: ${(err as Error).message}`);
  }
}

/** Writes a file, creating its folder. */
export function writeOutput(path: string, data: string | Buffer, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  // an existing file keeps its mode on write: restrict it before the content goes in
  if (existsSync(path)) chmodSync(path, mode);
  writeFileSync(path, data, { mode });
  chmodSync(path, mode);
}

/** Writes a private key as unencrypted PKCS#8 PEM, readable by its owner only. */
export function writePrivateKey(path: string, key: KeyObject): void {
  writeOutput(path, key.export({ type: 'pkcs8', format: 'pem' }), 0o600);
}

/** Writes certificates as PEM. */
export function writeCertificates(path: string, ders: Buffer[]): void {
  writeOutput(path, ders.map((d) => toPem(d)).join(''));
}

/** A positive integer option, or its default; a UsageError otherwise. */
export function intOption(values: OptionValues, name: string, fallback: number, allowed?: number[]): number {
  const text = str(values, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${name} must be a positive integer`);
  const n = Number(text);
  if (allowed && !allowed.includes(n)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return n;
}

/** A required string option (parseCommandArgs checks presence; this narrows the type). */
export function requiredOption(values: OptionValues, name: string): string {
  const v = str(values, name);
  if (v === undefined || v === '') throw new UsageError(`missing required option --${name}`);
  return v;
}

/** `days` after `from`. */
export function addDays(from: Date, days: number): Date {
  return new Date(from.getTime() + days * 86_400_000);
}

/** Now, to the second (certificate times carry no fractions). */
export function nowToTheSecond(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

/** The notBefore of a new certificate: five minutes ago, so that peers whose clocks lag accept it at once. */
export function validFrom(): Date {
  return new Date(nowToTheSecond().getTime() - 5 * 60_000);
}
