// A zip's entries as stored, for the byte-level ownership tests: each entry's compressed bytes, its CRC and its
// text. Every entry's directory CRC-32 and size are checked against the bytes it holds, by a CRC worked out here,
// independently of the code under test and of zlib (yauzl does not check them, and Excel repairs a file whose
// CRC is wrong).
import { readFile } from "node:fs/promises";
import { inflateRawSync } from "node:zlib";
import { expect } from "vitest";
import yauzl from "yauzl";

export interface ZipEntry {
  /** The entry's bytes as stored (compressed when its method is deflate). */
  raw: Buffer;
  crc: number;
  text: string;
}

/** CRC-32 (IEEE, as zip uses), bit by bit. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export async function zipEntries(bytes: Uint8Array): Promise<Map<string, ZipEntry>> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true });
  const out = new Map<string, ZipEntry>();
  for await (const e of zip.eachEntry()) {
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(e, { minimal: true });
    const raw = buf.subarray(fileDataStart, fileDataStart + e.compressedSize);
    const data = e.compressionMethod === 8 ? inflateRawSync(raw) : raw;
    expect(data.length, `${e.fileName}: uncompressed size`).toBe(e.uncompressedSize);
    expect(crc32(data), `${e.fileName}: CRC-32`).toBe(e.crc32);
    out.set(e.fileName, { raw, crc: e.crc32, text: data.toString("utf8") });
  }
  zip.close();
  return out;
}

export const fileEntries = async (path: string): Promise<Map<string, ZipEntry>> => zipEntries(await readFile(path));
