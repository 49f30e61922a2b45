import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../src/errors/result.ts';
import { buildZip } from '../../../src/payload/xdm/build-zip.ts';
import { DEFAULT_ZIP_LIMITS, readZip } from '../../../src/payload/xdm/read-zip.ts';
import { craftZip, deflatedEntry, storedEntry, zerosDeflated } from './craft-zip.ts';

function codes<T>(r: Result<T>): string[] {
  return r.ok ? [] : r.problems.map((p) => p.code);
}

const hasCli = (name: string) => spawnSync('which', [name]).status === 0;

describe('bounded ZIP reading', () => {
  it('reads back what buildZip wrote (stored and deflated, UTF-8 names, folders skipped)', () => {
    const files = [
      { name: 'IHE_XDM/', data: Buffer.alloc(0), method: 'store' as const },
      { name: 'IHE_XDM/SUBSET01/Compte-rendu é.pdf', data: Buffer.from('%PDF-1.4 '.repeat(500)) },
      { name: 'README.TXT', data: Buffer.from('hello'), method: 'store' as const },
    ];
    const r = readZip(buildZip(files));
    expect(r.ok && r.value.map((e) => [e.name, e.bytes.toString()])).toEqual([
      ['IHE_XDM/SUBSET01/Compte-rendu é.pdf', files[1]!.data.toString()],
      ['README.TXT', 'hello'],
    ]);
  });

  it('refuses a zip bomb: a highly compressible entry declared at 1 GB', () => {
    const zeros = zerosDeflated(1024);
    expect(zeros.size).toBe(1 << 30);
    const zip = craftZip([{ name: 'IHE_XDM/SUBSET01/DOC0001.PDF', method: 8, ...zeros }]);
    expect(zip.length).toBeLessThan(1_100_000);
    const r = readZip(zip);
    expect(r).toEqual({ ok: false, problems: [{ code: 'XDM_ZIP_BOMB', path: 'zip.entry[0]', message: expect.stringMatching(/declared over/) }] });
  });

  it('refuses a bomb that lies about its size: inflating stops at the declared size', () => {
    const zeros = zerosDeflated(64);
    const zip = craftZip([{ name: 'a.bin', method: 8, body: zeros.body, crc: 0, size: zeros.body.length }]);
    expect(codes(readZip(zip))).toEqual(['XDM_ZIP_BOMB']);
  });

  it('refuses an entry over the compression ratio, and archives over the total', () => {
    const zeros = zerosDeflated(10);
    expect(codes(readZip(craftZip([{ name: 'z.bin', method: 8, ...zeros }])))).toEqual(['XDM_ZIP_BOMB']);
    const three = buildZip([1, 2, 3].map((k) => ({ name: `f${k}`, data: Buffer.alloc(1000, k), method: 'store' as const })));
    expect(codes(readZip(three, { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: 2500 }))).toEqual(['XDM_ZIP_BOMB']);
    expect(readZip(three, { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: 3000 }).ok).toBe(true);
  });

  it('refuses path traversal: ../../etc/passwd, absolute names, backslashes, drive letters', () => {
    for (const name of ['../../etc/passwd', 'IHE_XDM/../../etc/passwd', '/etc/passwd', 'C:/Windows/win.ini', 'c:evil', 'IHE_XDM\\..\\x', 'IHE_XDM/./x', 'a//b', 'x\u0000y']) {
      const r = readZip(craftZip([storedEntry(name, Buffer.from('root:x:0:0'))]));
      expect(codes(r), name).toEqual(['XDM_PATH_TRAVERSAL']);
    }
  });

  it('refuses an archive of 10,000 entries', () => {
    const many = buildZip(Array.from({ length: 10_000 }, (_, k) => ({ name: `f${k}`, data: Buffer.alloc(0), method: 'store' as const })));
    expect(readZip(many)).toEqual({ ok: false, problems: [{ code: 'XDM_TOO_MANY_ENTRIES', path: 'zip', message: 'more than 1000 entries' }] });
  });

  it('refuses encrypted entries, symbolic links and special files', () => {
    expect(codes(readZip(craftZip([{ ...storedEntry('secret.pdf', Buffer.from('x')), flags: 0x0001 }])))).toEqual(['XDM_ENCRYPTED']);
    const link = { ...storedEntry('IHE_XDM/link', Buffer.from('/etc/passwd')), externalAttributes: (0o120777 << 16) >>> 0 };
    expect(codes(readZip(craftZip([link])))).toEqual(['XDM_SPECIAL_FILE']);
    const fifo = { ...storedEntry('fifo', Buffer.alloc(0)), externalAttributes: (0o010644 << 16) >>> 0 };
    expect(codes(readZip(craftZip([fifo])))).toEqual(['XDM_SPECIAL_FILE']);
  });

  it('parses the central directory strictly', () => {
    const good = craftZip([deflatedEntry('a.txt', Buffer.from('hello hello hello'))]);
    expect(readZip(good).ok).toBe(true);
    // bad CRC
    expect(codes(readZip(craftZip([{ ...deflatedEntry('a.txt', Buffer.from('hello')), crc: 1 }])))).toEqual(['XDM_MALFORMED']);
    // data after the end record, truncated archive, not a zip
    expect(codes(readZip(Buffer.concat([good, Buffer.from('junk')])))).toEqual(['XDM_MALFORMED']);
    expect(codes(readZip(good.subarray(0, good.length - 5)))).toEqual(['XDM_MALFORMED']);
    expect(codes(readZip(Buffer.from('not a zip at all, not at all')))).toEqual(['XDM_MALFORMED']);
    // an end record whose count disagrees with the directory
    const lying = Buffer.from(good);
    lying.writeUInt16LE(2, lying.length - 12);
    lying.writeUInt16LE(2, lying.length - 14);
    expect(codes(readZip(lying))).toEqual(['XDM_MALFORMED']);
    // two entries with the same name
    expect(codes(readZip(craftZip([storedEntry('a', Buffer.from('1')), storedEntry('A', Buffer.from('2'))])))).toEqual(['XDM_MALFORMED']);
    // methods other than store and deflate
    expect(codes(readZip(craftZip([{ ...storedEntry('a', Buffer.from('1')), method: 12 as 0 }])))).toEqual(['XDM_UNSUPPORTED']);
  });

  it.runIf(hasCli('zip'))('reads archives made by the zip command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'txgate-zip-'));
    try {
      mkdirSync(join(dir, 'IHE_XDM', 'SUBSET01'), { recursive: true });
      writeFileSync(join(dir, 'IHE_XDM', 'SUBSET01', 'DOC0001.XML'), '<ClinicalDocument/>'.repeat(100));
      writeFileSync(join(dir, 'IHE_XDM', 'SUBSET01', 'RANDOM.BIN'), Buffer.from(Array.from({ length: 5000 }, (_, k) => (k * 7919) % 251)));
      expect(spawnSync('zip', ['-qr', 'out.zip', 'IHE_XDM'], { cwd: dir }).status).toBe(0);
      const r = readZip(readFileSync(join(dir, 'out.zip')));
      expect(r.ok && r.value.map((e) => e.name).sort()).toEqual(['IHE_XDM/SUBSET01/DOC0001.XML', 'IHE_XDM/SUBSET01/RANDOM.BIN']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(hasCli('unzip'))('writes archives that unzip tests clean', () => {
    const dir = mkdtempSync(join(tmpdir(), 'txgate-zip-'));
    try {
      writeFileSync(join(dir, 'a.zip'), buildZip([{ name: 'IHE_XDM/', data: Buffer.alloc(0), method: 'store' }, { name: 'IHE_XDM/x.txt', data: Buffer.from('x'.repeat(1000)) }]));
      const r = spawnSync('unzip', ['-t', 'a.zip'], { cwd: dir, encoding: 'utf8' });
      expect(r.stdout).toContain('No errors detected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives problems, never exceptions, for damaged archives', () => {
    const zip = buildZip([
      { name: 'IHE_XDM/SUBSET01/METADATA.XML', data: Buffer.from('<a>metadata</a>'.repeat(50)) },
      { name: 'IHE_XDM/SUBSET01/DOC0001.PDF', data: Buffer.from('%PDF-1.4 data') , method: 'store' },
    ]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(zip.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(40), (flips, cut) => {
        const damaged = Buffer.from(zip.subarray(0, zip.length - (cut > 30 ? cut - 30 : 0)));
        for (const [at, b] of flips) if (at < damaged.length) damaged[at] = b;
        const r = readZip(damaged);
        if (!r.ok) for (const p of r.problems) expect(p.code).toMatch(/^XDM_[A-Z_]+$/);
        else for (const e of r.value) expect(crc32(e.bytes)).toBeTypeOf('number');
      }),
      { numRuns: 500 },
    );
  });
});
