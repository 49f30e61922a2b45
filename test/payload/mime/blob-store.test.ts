import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blobPath, readBlob, storeBlob } from '../../../src/payload/blob-store.ts';
import { sha256Hex } from '../../../src/payload/mime/payload-document.ts';

const dir = mkdtempSync(join(tmpdir(), 'txgate-blobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the content-addressed blob store', () => {
  it('stores bytes under their SHA-256 in two levels of folders, read-only, and reads them back', async () => {
    const bytes = Buffer.from('%PDF-1.4 a document');
    const sha = sha256Hex(bytes);
    const stored = await storeBlob(dir, bytes);
    expect(stored).toEqual({ ok: true, value: { sha256: sha, size: bytes.length, path: join(dir, sha.slice(0, 2), sha.slice(2, 4), sha), created: true } });
    expect(statSync(blobPath(dir, sha)).mode & 0o777).toBe(0o440);
    expect(readdirSync(join(dir, sha.slice(0, 2), sha.slice(2, 4)))).toEqual([sha]);
    const back = await readBlob(dir, sha);
    expect(back.ok && back.value.equals(bytes)).toBe(true);
  });

  it('writes once: the same bytes again are not rewritten', async () => {
    const bytes = Buffer.from('same');
    const first = await storeBlob(dir, bytes);
    const again = await storeBlob(dir, bytes);
    expect(first.ok && first.value.created).toBe(true);
    expect(again.ok && again.value.created).toBe(false);
    const [a, b] = await Promise.all([storeBlob(dir, Buffer.from('race')), storeBlob(dir, Buffer.from('race'))]);
    expect(a.ok && b.ok).toBe(true);
  });

  it('refuses a blob over the limit', async () => {
    expect(await storeBlob(dir, Buffer.alloc(11), { maxBytes: 10 })).toEqual({ ok: false, problems: [{ code: 'BLOB_TOO_LARGE', path: 'blob', message: expect.any(String) }] });
  });

  it('finds a damaged blob, a missing one and a bad name', async () => {
    const bytes = Buffer.from('to be damaged');
    const sha = sha256Hex(bytes);
    await storeBlob(dir, bytes);
    const path = blobPath(dir, sha);
    chmodSync(path, 0o640);
    writeFileSync(path, 'to be DAMAGED');
    expect((await readBlob(dir, sha)).ok ? '' : ((await readBlob(dir, sha)) as { problems: Array<{ code: string }> }).problems[0]!.code).toBe('BLOB_CORRUPT');
    expect(await readBlob(dir, 'a'.repeat(64))).toEqual({ ok: false, problems: [{ code: 'BLOB_NOT_FOUND', path: `blob.${'a'.repeat(64)}`, message: 'no such blob' }] });
    expect(await readBlob(dir, '../../etc/passwd')).toEqual({ ok: false, problems: [{ code: 'BLOB_BAD_NAME', path: 'blob', message: expect.any(String) }] });
  });
});
