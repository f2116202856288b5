// An .xlsx package as its zip entries: read with yauzl (which checks the central directory), written with fflate's
// streaming Zip. Parts pipesheet does not change are carried as their compressed bytes, never inflated and deflated again.
import * as zlib from "node:zlib";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { Zip, ZipDeflate, type ZipInputFile } from "fflate";
import yauzl from "yauzl";

/** zlib.crc32 arrived in Node 20.15; engines allow 20.9. */
const nativeCrc: ((data: Uint8Array) => number) | undefined = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export interface Part {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc: number;
  size: number;
  /** The entry's bytes as they are in the file (compressed when method is 8). */
  raw: Uint8Array<ArrayBuffer>;
  /** Set when pipesheet replaces the part: its new content, deflated on writing. */
  replaced?: Uint8Array;
}

export class Package {
  /** Entry order of the file, kept in the copy. */
  readonly parts = new Map<string, Part>();

  static async open(buf: Buffer): Promise<Package> {
    const zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true, strictFileNames: false, validateEntrySizes: true });
    const pkg = new Package();
    try {
      for await (const entry of zip.eachEntry()) {
        if (entry.isEncrypted()) throw new Error(`entry ${entry.fileName} is encrypted`);
        const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
        pkg.parts.set(entry.fileName, {
          name: entry.fileName,
          method: entry.compressionMethod,
          crc: entry.crc32,
          size: entry.uncompressedSize,
          raw: new Uint8Array(buf.buffer as ArrayBuffer, buf.byteOffset + fileDataStart, entry.compressedSize),
        });
      }
    } finally {
      zip.close();
    }
    return pkg;
  }

  has(name: string): boolean {
    return this.parts.has(name);
  }

  names(): string[] {
    return [...this.parts.keys()];
  }

  bytes(name: string): Uint8Array | null {
    const p = this.parts.get(name);
    if (!p) return null;
    if (p.replaced) return p.replaced;
    if (p.method === 0) return p.raw;
    if (p.method !== 8) throw new Error(`part ${name} uses zip compression method ${p.method}`);
    return inflateRawSync(p.raw);
  }

  text(name: string): string | null {
    const b = this.bytes(name);
    return b === null ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");
  }

  set(name: string, content: string | Uint8Array): void {
    const data = typeof content === "string" ? new Uint8Array(Buffer.from(content, "utf8")) : content;
    const old = this.parts.get(name);
    if (old) old.replaced = data;
    else this.parts.set(name, { name, method: 8, crc: 0, size: data.length, raw: new Uint8Array(0), replaced: data });
  }

  delete(name: string): void {
    this.parts.delete(name);
  }

  /** The package as a zip file: unchanged parts byte for byte, changed and new ones deflated. */
  write(): Promise<Uint8Array> {
    return new Promise((done, fail) => {
      const chunks: Uint8Array[] = [];
      const zip = new Zip((err, chunk, final) => {
        if (err) return fail(err);
        chunks.push(chunk);
        if (final) done(new Uint8Array(Buffer.concat(chunks)));
      });
      for (const p of this.parts.values()) {
        if (p.replaced) {
          // Node's native deflate where it can give the CRC too (Node >= 20.15); fflate's own otherwise.
          // Level 1: the deals sheet is most of the file, and level 6 costs three times the time for a few percent.
          if (typeof nativeCrc === "function") {
            const raw = deflateRawSync(p.replaced, { level: 1 });
            const f: ZipInputFile = { filename: p.name, size: p.replaced.length, crc: nativeCrc(p.replaced), compression: 8 };
            zip.add(f);
            f.ondata?.(null, raw, true);
          } else {
            const f = new ZipDeflate(p.name, { level: 1 });
            zip.add(f);
            f.push(p.replaced, true);
          }
          continue;
        }
        // Already compressed: hand fflate the bytes as they are, with the entry's own CRC and size.
        const carried: ZipInputFile = { filename: p.name, size: p.size, crc: p.crc, compression: p.method };
        zip.add(carried);
        carried.ondata?.(null, p.raw, true);
      }
      zip.end();
    });
  }
}
