/**
 * A small, bounded, strict ZIP reader (PKWARE APPNOTE 6.3) for the IHE_XDM.ZIP packages received by mail.
 *
 * Everything is checked before a byte is inflated: one end-of-central-directory record, at the very end (its
 * comment included), one disk, no ZIP64; the central directory exactly fills the room the record gives it and
 * holds exactly the count it says; every entry has a matching local header, its data inside the archive, not
 * overlapping another entry's (the overlapping-entries bomb); no encryption; stored or deflate only; names that
 * cannot leave the extraction folder; regular files and folders only (no symlinks, devices, FIFOs); declared
 * sizes, their total and the compression ratio within the limits. Then each entry is inflated with
 * zlib.inflateRawSync bounded by maxOutputLength = its declared size (a stream that inflates to more is a
 * bomb whatever the headers said), and its size and CRC-32 checked.
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { fail, ok, type Problem, type Result } from '../../errors/result.ts';

export interface ZipLimits {
  /** most entries (files and folders) */
  maxEntries: number;
  /** most uncompressed bytes in all */
  maxTotalBytes: number;
  /** most uncompressed bytes of one entry */
  maxEntryBytes: number;
  /** highest uncompressed / compressed ratio of an entry (entries under ratioFloorBytes are not held to it) */
  maxRatio: number;
  /** entries this small cannot be a bomb, whatever their ratio */
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 1000,
  maxTotalBytes: 50 * 1024 * 1024,
  maxEntryBytes: 20 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 64 * 1024,
};

export interface ZipEntry {
  /** the name as stored (folders separated by /) */
  name: string;
  bytes: Buffer;
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const EOCD_SIZE = 22;
const CEN_SIZE = 46;
const LOC_SIZE = 30;
const MAX_COMMENT = 0xffff;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

interface CentralEntry {
  name: string;
  nameBytes: Buffer;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  isDirectory: boolean;
  path: string;
}

class ZipRefusal extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

function refuse(code: string, path: string, message: string): never {
  throw new ZipRefusal({ code, path, message });
}

/** Reads every file of a ZIP archive within the limits; refusals are coded problems (XDM_*). */
export function readZip(zip: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Result<ZipEntry[]> {
  try {
    return ok(readZipOrThrow(zip, limits));
  } catch (err) {
    if (err instanceof ZipRefusal) return fail(err.problem);
    throw err;
  }
}

function readZipOrThrow(zip: Buffer, limits: ZipLimits): ZipEntry[] {
  const eocd = findEndRecord(zip);
  const diskNumber = zip.readUInt16LE(eocd + 4);
  const cdDisk = zip.readUInt16LE(eocd + 6);
  const entriesOnDisk = zip.readUInt16LE(eocd + 8);
  const entryCount = zip.readUInt16LE(eocd + 10);
  const cdSize = zip.readUInt32LE(eocd + 12);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  if (entryCount === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff || (eocd >= 20 && zip.readUInt32LE(eocd - 20) === ZIP64_LOCATOR_SIG)) {
    refuse('XDM_UNSUPPORTED', 'zip', 'ZIP64 archives are not accepted');
  }
  if (diskNumber !== 0 || cdDisk !== 0 || entriesOnDisk !== entryCount) refuse('XDM_UNSUPPORTED', 'zip', 'multi-disk archives are not accepted');
  if (entryCount > limits.maxEntries) refuse('XDM_TOO_MANY_ENTRIES', 'zip', `more than ${limits.maxEntries} entries`);
  if (cdOffset + cdSize !== eocd) refuse('XDM_MALFORMED', 'zip', 'the central directory does not end where the end record starts');

  const central = readCentralDirectory(zip, cdOffset, cdSize, entryCount, limits);
  checkLocalHeaders(zip, central, cdOffset);

  const out: ZipEntry[] = [];
  let total = 0;
  for (const e of central) {
    if (e.isDirectory) continue;
    const dataStart = localDataStart(zip, e);
    const data = zip.subarray(dataStart, dataStart + e.compressedSize);
    const bytes = e.method === 0 ? data : inflateBounded(data, e);
    if (bytes.length !== e.size) refuse('XDM_MALFORMED', e.path, 'the entry does not have its declared size');
    if ((crc32(bytes) >>> 0) !== e.crc) refuse('XDM_MALFORMED', e.path, 'CRC-32 mismatch');
    total += bytes.length;
    if (total > limits.maxTotalBytes) refuse('XDM_ZIP_BOMB', e.path, `more than ${limits.maxTotalBytes} bytes in all`);
    out.push({ name: e.name, bytes });
  }
  return out;
}

/** The end-of-central-directory record: the last signature whose comment reaches exactly the end of the file. */
function findEndRecord(zip: Buffer): number {
  if (zip.length < EOCD_SIZE) refuse('XDM_MALFORMED', 'zip', 'not a ZIP archive');
  const lowest = Math.max(0, zip.length - EOCD_SIZE - MAX_COMMENT);
  for (let i = zip.length - EOCD_SIZE; i >= lowest; i--) {
    if (zip.readUInt32LE(i) !== EOCD_SIG) continue;
    if (i + EOCD_SIZE + zip.readUInt16LE(i + 20) === zip.length) return i;
  }
  return refuse('XDM_MALFORMED', 'zip', 'no end of central directory record');
}

function readCentralDirectory(zip: Buffer, cdOffset: number, cdSize: number, entryCount: number, limits: ZipLimits): CentralEntry[] {
  const entries: CentralEntry[] = [];
  const names = new Set<string>();
  const end = cdOffset + cdSize;
  let pos = cdOffset;
  let declaredTotal = 0;
  for (let k = 0; k < entryCount; k++) {
    const path = `zip.entry[${k}]`;
    if (pos + CEN_SIZE > end || zip.readUInt32LE(pos) !== CEN_SIG) refuse('XDM_MALFORMED', path, 'bad central directory header');
    const madeBy = zip.readUInt16LE(pos + 4);
    const flags = zip.readUInt16LE(pos + 8);
    const method = zip.readUInt16LE(pos + 10);
    const crc = zip.readUInt32LE(pos + 16);
    const compressedSize = zip.readUInt32LE(pos + 20);
    const size = zip.readUInt32LE(pos + 24);
    const nameLength = zip.readUInt16LE(pos + 28);
    const extraLength = zip.readUInt16LE(pos + 30);
    const commentLength = zip.readUInt16LE(pos + 32);
    const diskStart = zip.readUInt16LE(pos + 34);
    const externalAttributes = zip.readUInt32LE(pos + 38);
    const localOffset = zip.readUInt32LE(pos + 42);
    const next = pos + CEN_SIZE + nameLength + extraLength + commentLength;
    if (next > end) refuse('XDM_MALFORMED', path, 'central directory header runs past the directory');
    const nameBytes = zip.subarray(pos + CEN_SIZE, pos + CEN_SIZE + nameLength);
    pos = next;

    if (flags & 0x0001 || flags & 0x0040 || flags & 0x2000) refuse('XDM_ENCRYPTED', path, 'encrypted entries are not accepted');
    if (method !== 0 && method !== 8) refuse('XDM_UNSUPPORTED', path, 'only stored and deflated entries are accepted');
    if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff || diskStart !== 0) {
      refuse('XDM_UNSUPPORTED', path, 'ZIP64 or multi-disk entries are not accepted');
    }
    const name = decodeName(nameBytes, flags, path);
    checkName(name, path);
    const key = name.toLowerCase();
    if (names.has(key)) refuse('XDM_MALFORMED', path, 'two entries have the same name');
    names.add(key);
    const isDirectory = name.endsWith('/');
    checkFileKind(madeBy >> 8, externalAttributes, isDirectory, path);
    if (isDirectory && (size !== 0 || compressedSize !== 0)) refuse('XDM_MALFORMED', path, 'a folder entry has content');
    if (method === 0 && compressedSize !== size) refuse('XDM_MALFORMED', path, 'a stored entry has two sizes');
    if (size > limits.maxEntryBytes) refuse('XDM_ZIP_BOMB', path, `entry declared over ${limits.maxEntryBytes} bytes`);
    declaredTotal += size;
    if (declaredTotal > limits.maxTotalBytes) refuse('XDM_ZIP_BOMB', path, `more than ${limits.maxTotalBytes} bytes declared in all`);
    if (size > limits.ratioFloorBytes && size > limits.maxRatio * Math.max(compressedSize, 1)) {
      refuse('XDM_ZIP_BOMB', path, `compression ratio over ${limits.maxRatio}:1`);
    }
    entries.push({ name, nameBytes, flags, method, crc, compressedSize, size, localOffset, isDirectory, path });
  }
  if (pos !== end) refuse('XDM_MALFORMED', 'zip', 'the central directory holds more than its count of entries');
  return entries;
}

function decodeName(bytes: Buffer, flags: number, path: string): string {
  if (flags & 0x0800) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return refuse('XDM_MALFORMED', path, 'entry name is not UTF-8');
    }
  }
  // without the UTF-8 flag the name is CP437; only its ASCII part is the same everywhere
  return bytes.toString('latin1');
}

/** A name that stays inside the extraction folder: relative, forward slashes, no `.` or `..` segment, no controls. */
function checkName(name: string, path: string): void {
  if (name.length === 0) refuse('XDM_MALFORMED', path, 'empty entry name');
  if (/[\u0000-\u001f\u007f]/.test(name)) refuse('XDM_PATH_TRAVERSAL', path, 'control characters in an entry name');
  if (name.includes('\\')) refuse('XDM_PATH_TRAVERSAL', path, 'backslash in an entry name');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) refuse('XDM_PATH_TRAVERSAL', path, 'absolute entry name');
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '..' || s === '.' || s === '')) refuse('XDM_PATH_TRAVERSAL', path, 'entry name with an empty, . or .. segment');
}

/** Unix-made entries carry their file type: only regular files and folders are accepted. */
function checkFileKind(host: number, externalAttributes: number, isDirectory: boolean, path: string): void {
  const unixHosts = [3, 19]; // Unix, OS X
  if (!unixHosts.includes(host)) return;
  const mode = externalAttributes >>> 16;
  const kind = mode & S_IFMT;
  if (kind === 0) return;
  if (kind === S_IFREG && !isDirectory) return;
  if (kind === S_IFDIR && isDirectory) return;
  refuse('XDM_SPECIAL_FILE', path, 'symbolic links and special files are not accepted');
}

/** Each local header matches its central one; entries' data lie inside the archive and never overlap. */
function checkLocalHeaders(zip: Buffer, entries: CentralEntry[], cdOffset: number): void {
  const ranges: Array<{ start: number; end: number; path: string }> = [];
  for (const e of entries) {
    const at = e.localOffset;
    if (at + LOC_SIZE > cdOffset || zip.readUInt32LE(at) !== LOC_SIG) refuse('XDM_MALFORMED', e.path, 'bad local header');
    const flags = zip.readUInt16LE(at + 6);
    const method = zip.readUInt16LE(at + 8);
    const nameLength = zip.readUInt16LE(at + 26);
    if (method !== e.method || (flags & 0x0001) !== (e.flags & 0x0001)) refuse('XDM_MALFORMED', e.path, 'local and central headers disagree');
    if (!zip.subarray(at + LOC_SIZE, at + LOC_SIZE + nameLength).equals(e.nameBytes)) refuse('XDM_MALFORMED', e.path, 'local and central names differ');
    if ((e.flags & 0x0008) === 0) {
      const crc = zip.readUInt32LE(at + 14);
      const compressedSize = zip.readUInt32LE(at + 18);
      const size = zip.readUInt32LE(at + 22);
      if (crc !== e.crc || compressedSize !== e.compressedSize || size !== e.size) refuse('XDM_MALFORMED', e.path, 'local and central sizes differ');
    }
    const start = localDataStart(zip, e);
    const end = start + e.compressedSize;
    if (end > cdOffset) refuse('XDM_MALFORMED', e.path, 'entry data runs into the central directory');
    ranges.push({ start: at, end, path: e.path });
  }
  ranges.sort((a, b) => a.start - b.start);
  for (let k = 1; k < ranges.length; k++) {
    if (ranges[k]!.start < ranges[k - 1]!.end) refuse('XDM_ZIP_BOMB', ranges[k]!.path, 'entries overlap');
  }
}

function localDataStart(zip: Buffer, e: CentralEntry): number {
  const at = e.localOffset;
  return at + LOC_SIZE + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
}

/** Inflates at most the declared size: more is a bomb, whatever the headers said. */
function inflateBounded(data: Buffer, e: CentralEntry): Buffer {
  try {
    return inflateRawSync(data, { maxOutputLength: Math.max(e.size, 1) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) refuse('XDM_ZIP_BOMB', e.path, 'the entry inflates to more than its declared size');
    return refuse('XDM_MALFORMED', e.path, 'the entry does not inflate');
  }
}
