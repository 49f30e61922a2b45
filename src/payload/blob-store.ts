/**
 * Content-addressed files: a document is stored under the SHA-256 of its bytes, in two levels of folders
 * (`ab/cd/abcd…`), written once (a name that exists is never rewritten), through a temporary file, fsync and
 * an atomic rename, so that a name always holds its whole content. Reading re-checks the hash.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Result } from '../errors/result.ts';
import { sha256Hex } from './mime/payload-document.ts';

export interface BlobLimits {
  /** largest blob accepted, in bytes */
  maxBytes: number;
}

export const DEFAULT_BLOB_LIMITS: BlobLimits = { maxBytes: 50 * 1024 * 1024 };

export interface StoredBlob {
  sha256: string;
  size: number;
  /** the file's path */
  path: string;
  /** false when the same content was already there */
  created: boolean;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The path of a blob: DIR/ab/cd/abcd… */
export function blobPath(dir: string, sha256: string): string {
  return join(dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

/** Stores bytes under their SHA-256 (BLOB_TOO_LARGE over the limit; BLOB_CORRUPT when the name holds other bytes). */
export async function storeBlob(dir: string, bytes: Buffer, limits: BlobLimits = DEFAULT_BLOB_LIMITS): Promise<Result<StoredBlob>> {
  if (bytes.length > limits.maxBytes) {
    return fail({ code: 'BLOB_TOO_LARGE', path: 'blob', message: `blob of ${bytes.length} bytes is over the limit of ${limits.maxBytes}` });
  }
  const sha256 = sha256Hex(bytes);
  const path = blobPath(dir, sha256);
  const existing = await stat(path).catch(() => undefined);
  if (existing) {
    if (!existing.isFile() || existing.size !== bytes.length) {
      return fail({ code: 'BLOB_CORRUPT', path: `blob.${sha256}`, message: 'a blob of this name exists with another size' });
    }
    return ok({ sha256, size: bytes.length, path, created: false });
  }
  const folder = join(dir, sha256.slice(0, 2), sha256.slice(2, 4));
  await mkdir(folder, { recursive: true, mode: 0o750 });
  const tmp = join(folder, `.tmp-${sha256.slice(0, 16)}-${randomBytes(8).toString('hex')}`);
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o440);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  // two writers of the same content may race here: both files hold the same bytes, so either rename is right
  await rename(tmp, path);
  await syncFolder(folder);
  return ok({ sha256, size: bytes.length, path, created: true });
}

/** Reads a blob back and checks its hash (BLOB_BAD_NAME, BLOB_NOT_FOUND, BLOB_CORRUPT). */
export async function readBlob(dir: string, sha256: string): Promise<Result<Buffer>> {
  if (!SHA256_HEX.test(sha256)) return fail({ code: 'BLOB_BAD_NAME', path: 'blob', message: 'not a SHA-256 in lower-case hex' });
  let bytes: Buffer;
  try {
    bytes = await readFile(blobPath(dir, sha256));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fail({ code: 'BLOB_NOT_FOUND', path: `blob.${sha256}`, message: 'no such blob' });
    throw err;
  }
  if (sha256Hex(bytes) !== sha256) return fail({ code: 'BLOB_CORRUPT', path: `blob.${sha256}`, message: 'the blob does not hash to its name' });
  return ok(bytes);
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** storeBlob, synchronously (for the pipeline's stages, which run as one synchronous step). */
export function storeBlobSync(dir: string, bytes: Buffer, limits: BlobLimits = DEFAULT_BLOB_LIMITS): Result<StoredBlob> {
  if (bytes.length > limits.maxBytes) {
    return fail({ code: 'BLOB_TOO_LARGE', path: 'blob', message: `blob of ${bytes.length} bytes is over the limit of ${limits.maxBytes}` });
  }
  const sha256 = sha256Hex(bytes);
  const path = blobPath(dir, sha256);
  const existing = (() => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  })();
  if (existing) {
    if (!existing.isFile() || existing.size !== bytes.length) {
      return fail({ code: 'BLOB_CORRUPT', path: `blob.${sha256}`, message: 'a blob of this name exists with another size' });
    }
    return ok({ sha256, size: bytes.length, path, created: false });
  }
  const folder = join(dir, sha256.slice(0, 2), sha256.slice(2, 4));
  mkdirSync(folder, { recursive: true, mode: 0o750 });
  const tmp = join(folder, `.tmp-${sha256.slice(0, 16)}-${randomBytes(8).toString('hex')}`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o440);
  try {
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  const dirFd = openSync(folder, constants.O_RDONLY);
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  return ok({ sha256, size: bytes.length, path, created: true });
}
