/**
 * A ZIP writer for hostile archives: every header field can be set to lie (declared sizes, CRC, flags, file type,
 * names), so that the reader's refusals can be tested. Not for real archives (src/payload/xdm/build-zip.ts is).
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';

export interface CraftEntry {
  name: string;
  /** the bytes as stored in the archive (already deflated when method is 8) */
  body: Buffer;
  method: 0 | 8;
  crc: number;
  /** declared uncompressed size */
  size: number;
  flags?: number;
  /** host system (high byte of "version made by"): 3 Unix */
  host?: number;
  externalAttributes?: number;
}

export function deflatedEntry(name: string, data: Buffer): CraftEntry {
  return { name, body: deflateRawSync(data), method: 8, crc: crc32(data) >>> 0, size: data.length };
}

export function storedEntry(name: string, data: Buffer): CraftEntry {
  return { name, body: data, method: 0, crc: crc32(data) >>> 0, size: data.length };
}

export function craftZip(entries: CraftEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const flags = (e.flags ?? 0) | 0x0800;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.body.length, 18);
    local.writeUInt32LE(e.size >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(((e.host ?? 3) << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt32LE(e.crc >>> 0, 16);
    central.writeUInt32LE(e.body.length, 20);
    central.writeUInt32LE(e.size >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((e.externalAttributes ?? (0o100644 << 16)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.body);
    centrals.push(central, name);
    offset += 30 + name.length + e.body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * A genuine deflate stream of `megabytes` MiB of zeros, built in milliseconds: one fully flushed block of 1 MiB of
 * zeros (no reference crosses a full flush) repeated, then an empty final block. With its CRC-32.
 */
export function zerosDeflated(megabytes: number): { body: Buffer; crc: number; size: number } {
  const mib = Buffer.alloc(1 << 20);
  const block = deflateRawSync(mib, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  let crc = 0;
  for (let i = 0; i < megabytes; i++) crc = crc32(mib, crc);
  return { body: Buffer.concat([...Array.from({ length: megabytes }, () => block), Buffer.from([0x03, 0x00])]), crc: crc >>> 0, size: megabytes << 20 };
}
