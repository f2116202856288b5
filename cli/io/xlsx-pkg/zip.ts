// An .xlsx package as its zip entries: read with yauzl (which checks the central directory), written with fflate's
// streaming Zip. Parts pipesheet does not change are carried as their compressed bytes, never inflated and deflated again.
import * as zlib from "node:zlib";
import { constants as bufferConstants } from "node:buffer";
import { inflateRawSync } from "node:zlib";
import { StringDecoder } from "node:string_decoder";
import { Inflate, Zip, ZipDeflate, type ZipInputFile } from "fflate";
import yauzl from "yauzl";

const MAX_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH;

/** zlib.crc32 arrived in Node 20.15; engines allow 20.9. */
const nativeCrc: ((data: Uint8Array, value?: number) => number) | undefined = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** A part larger than the longest string Node can hold (about 512 MB of XML): it cannot be read as text. */
export class PartTooLarge extends Error {
  constructor(
    readonly part: string,
    readonly bytes: number,
  ) {
    super(`part ${part} holds ${Math.round(bytes / 1e6)} MB of XML, more than Node can hold as one text`);
  }
}

export interface Part {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc: number;
  size: number;
  /** The entry's bytes as they are in the file (compressed when method is 8). */
  raw: Uint8Array<ArrayBuffer>;
  /**
   * Set when pipesheet replaces the part: its new content, deflated on writing. A large part is text pieces, or a
   * function that makes them one after another (a sheet of a million rows never sits in memory as one text).
   */
  replaced?: Uint8Array | string[] | Lazy;
}

/** Text made piece by piece when the part is written. */
export type Lazy = () => Iterable<string>;

/**
 * Bytes of a part decoded into text at a time when it is read as a stream. Small enough that each piece is an
 * ordinary young string that dies in the next scavenge: pieces of megabytes go to V8's large-object space, where
 * the 100 MB of a deals sheet, read twice, piled up until a full collection.
 */
export const TEXT_CHUNK = 1 << 16;

/** Text of a part as pieces (a part of any size: each piece is at most `chunk` characters). */
function* decodeChunks(bytes: Uint8Array, chunk: number): Generator<string> {
  const dec = new StringDecoder("utf8");
  for (let at = 0; at < bytes.length; at += chunk) {
    const t = dec.write(Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(chunk, bytes.length - at)));
    if (t !== "") yield t;
  }
  const end = dec.end();
  if (end !== "") yield end;
}

/** Inflated a little at a time (fflate's streaming Inflate), for a reader that stops after the first rows. */
function* inflateChunks(raw: Uint8Array, chunk: number): Generator<string> {
  const dec = new StringDecoder("utf8");
  const out: string[] = [];
  const inf = new Inflate((data) => {
    const t = dec.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    if (t !== "") out.push(t);
  });
  const step = Math.min(1 << 16, chunk);
  for (let at = 0; at < raw.length; at += step) {
    inf.push(raw.subarray(at, Math.min(raw.length, at + step)), at + step >= raw.length);
    yield* out.splice(0);
  }
  const end = dec.end();
  if (end !== "") yield end;
}

/**
 * A deflated part inflated with native zlib into one buffer of the size its zip entry gives (plus one byte, so zlib
 * sees the stream end without asking for more room): Node's default gathers 16 KB pieces and joins them, which holds
 * the text twice over for a moment (over 200 MB for a 100k-deal sheet). A size that lies costs only zlib's own growth.
 */
function inflatePart(raw: Uint8Array, size: number): Buffer {
  // Deflate shrinks at most about 1032:1, so a larger size than that is not believed.
  const room = Math.min(size, raw.length * 1032 + 64, bufferConstants.MAX_LENGTH - 1) + 1;
  return inflateRawSync(raw, room > 64 ? { chunkSize: room } : {});
}

const joinLazy = (c: string[] | Lazy): string => (Array.isArray(c) ? c.join("") : [...c()].join(""));

export class Package {
  /** Entry order of the file, kept in the copy. */
  readonly parts = new Map<string, Part>();
  /** Bytes of a part decoded at a time when it is read as a stream (tests make it small to cut tags in two). */
  textChunk = TEXT_CHUNK;
  /** Node's zlib.crc32 (Node 20.15 and later); without it (tests set undefined) fflate deflates and checks parts itself. */
  crc32 = nativeCrc;

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
    if (Array.isArray(p.replaced) || typeof p.replaced === "function") return new Uint8Array(Buffer.from(joinLazy(p.replaced), "utf8"));
    if (p.replaced) return p.replaced;
    if (p.method === 0) return p.raw;
    if (p.method !== 8) throw new Error(`part ${name} uses zip compression method ${p.method}`);
    return inflatePart(p.raw, p.size);
  }

  private readonly texts = new Map<string, string>();

  /** A part as text; kept, since the deals sheet is asked for when choosing it and again when reading it whole. */
  text(name: string): string | null {
    const hit = this.texts.get(name);
    if (hit !== undefined) return hit;
    const b = this.bytes(name);
    if (b === null) return null;
    if (b.length > MAX_STRING_LENGTH) throw new PartTooLarge(name, b.length);
    const t = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");
    this.texts.set(name, t);
    return t;
  }

  /**
   * A part's text as pieces of at most `chunk` characters, never as one text (a sheet larger than Node's longest
   * string reads too). `early`: the reader will likely stop after the first pieces, so inflate a little at a time.
   */
  chunks(name: string, opts: { early?: boolean; chunk?: number } = {}): Iterable<string> {
    return this.reader(name, opts)();
  }

  /** The part's text as it is now, as pieces each time it is called (later replacing the part changes nothing). */
  reader(name: string, opts: { early?: boolean; chunk?: number } = {}): () => Iterable<string> {
    const chunk = opts.chunk ?? this.textChunk;
    const hit = this.texts.get(name);
    if (hit !== undefined) return () => [hit];
    const p = this.parts.get(name);
    if (!p) return () => [];
    const replaced = p.replaced;
    if (replaced !== undefined) {
      if (typeof replaced === "function") return replaced;
      if (Array.isArray(replaced)) return () => replaced;
      return () => decodeChunks(replaced, chunk);
    }
    const { raw, size } = p;
    if (p.method === 0) return () => decodeChunks(this.seen(name, raw, raw), chunk);
    if (p.method !== 8) throw new Error(`part ${name} uses zip compression method ${p.method}`);
    if (opts.early === true) return () => inflateChunks(raw, chunk);
    // Inflated again at each read (the deals sheet: once for its cells, once as it is written): native zlib takes
    // a fraction of a second for 100 MB of XML, and the text is not held while core runs.
    return () => decodeChunks(this.seen(name, raw, inflatePart(raw, size)), chunk);
  }

  /**
   * The part setStreamed is rewriting, its stored bytes when the rewrite began, and the text's bytes read from
   * those (by a reader of the part as it is now, not one made before an earlier rewrite).
   */
  private watch: { name: string; raw: Uint8Array; bytes: Uint8Array | null } | null = null;

  private seen(name: string, raw: Uint8Array, bytes: Uint8Array): Uint8Array {
    if (this.watch?.name === name && this.watch.raw === raw) this.watch.bytes = bytes;
    return bytes;
  }

  /** Lets go of the text kept for a part pipesheet is done reading. */
  forget(name: string): void {
    this.texts.delete(name);
  }

  set(name: string, content: string | string[] | Uint8Array | Lazy): void {
    this.texts.delete(name);
    const data = typeof content === "string" ? new Uint8Array(Buffer.from(content, "utf8")) : content;
    const old = this.parts.get(name);
    if (old) old.replaced = data;
    else this.parts.set(name, { name, method: 8, crc: 0, size: 0, raw: new Uint8Array(0), replaced: data });
  }

  /**
   * Writes a part's new text as a stream into its deflated bytes now (not when the package is written): the deals
   * sheet is made row by row while the cells' shared strings and styles are still being added.
   */
  async setStreamed(name: string, content: Lazy): Promise<void> {
    this.set(name, content);
    const p = this.parts.get(name) as Part;
    const crc = this.crc32;
    if (typeof crc !== "function") {
      // The stream still runs now: the shared strings and styles its cells add to are written after it.
      const pieces: string[] = [];
      for (const piece of content()) pieces.push(piece);
      this.set(name, pieces);
      return;
    }
    // The new text is made from the part as it was (the deals sheet): the bytes that reading inflates are kept
    // for the length of the write, so that a text that comes out the same is not deflated at all.
    const watch: { name: string; raw: Uint8Array; bytes: Uint8Array | null } = { name, raw: p.raw, bytes: null };
    this.watch = watch;
    let d: Deflated | null;
    try {
      d = await deflateParts(content(), crc, () => watch.bytes);
    } finally {
      this.watch = null;
    }
    // From here on the part is its deflated bytes, carried as they are (the very bytes it had when nothing changed).
    if (d !== null) Object.assign(p, { method: 8, crc: d.crc, size: d.size, raw: d.raw });
    delete p.replaced;
  }

  delete(name: string): void {
    this.texts.delete(name);
    this.parts.delete(name);
  }

  /** The package as a zip file: unchanged parts byte for byte, changed and new ones deflated. */
  async write(): Promise<Uint8Array> {
    // Changed parts are deflated first (the zip needs each one's CRC and size before its bytes).
    const deflated = new Map<string, Deflated>();
    const crc = this.crc32;
    if (typeof crc === "function")
      for (const p of this.parts.values()) if (p.replaced) deflated.set(p.name, (await deflateParts(typeof p.replaced === "function" ? p.replaced() : p.replaced, crc)) as Deflated);
    return new Promise((done, fail) => {
      const chunks: Uint8Array[] = [];
      const zip = new Zip((err, chunk, final) => {
        if (err) return fail(err);
        chunks.push(chunk);
        if (final) done(new Uint8Array(Buffer.concat(chunks)));
      });
      for (const p of this.parts.values()) {
        const d = deflated.get(p.name);
        if (d) {
          const f: ZipInputFile = { filename: p.name, size: d.size, crc: d.crc, compression: 8 };
          zip.add(f);
          f.ondata?.(null, d.raw, true);
        } else if (p.replaced) {
          // No native CRC (Node < 20.15): fflate deflates and checks the part itself.
          const f = new ZipDeflate(p.name, { level: 1 });
          zip.add(f);
          f.push(Array.isArray(p.replaced) || typeof p.replaced === "function" ? new Uint8Array(Buffer.from(joinLazy(p.replaced), "utf8")) : p.replaced, true);
        } else {
          // Already compressed: hand fflate the bytes as they are, with the entry's own CRC and size.
          const carried: ZipInputFile = { filename: p.name, size: p.size, crc: p.crc, compression: p.method };
          zip.add(carried);
          carried.ondata?.(null, p.raw, true);
        }
      }
      zip.end();
    });
  }
}

/** A part's deflated bytes, with the CRC and size of what they hold. */
interface Deflated {
  raw: Uint8Array<ArrayBuffer>;
  crc: number;
  size: number;
}

/** Bytes of text encoded at a time into each of deflateParts' two buffers. */
const DEFLATE_BATCH = 1 << 20;

/**
 * zlib's output buffer: room for all a batch deflates to, so each batch is one task on zlib's thread. With Node's
 * default of 16 KB, every 16 KB of output goes back to the main thread and waits there until the rows being made
 * let it run, and the main thread sat idle a third of the time waiting for zlib.
 */
const DEFLATE_OUT = DEFLATE_BATCH >> 1;

/**
 * Deflates a part with Node's native zlib as a stream of ~1 MB batches, so a large sheet never sits in memory
 * whole as one string and one buffer. The text is encoded straight into two buffers taken in turn (one filled while
 * zlib reads the other), never joined into a batch string first: a 100 MB sheet would leave 200 MB of joined strings
 * and buffers behind for the collector. Level 1: the deals sheet is most of the file, and level 6 costs three
 * times the time for a few percent.
 *
 * `was`: the part's bytes before, once its new text has begun to read them (null when it is not made from them). As
 * long as the new bytes are the same, nothing is deflated; at the first that differs, what was the same so far is
 * handed to zlib and the rest follows. Null when the text came out exactly as it was: the part keeps its own bytes.
 */
async function deflateParts(content: Uint8Array | Iterable<string>, crc32: (data: Uint8Array, value?: number) => number, was: () => Uint8Array | null = () => null): Promise<Deflated | null> {
  const z = zlib.createDeflateRaw({ level: 1, chunkSize: DEFLATE_OUT });
  const out: Buffer[] = [];
  z.on("data", (c: Buffer) => out.push(c));
  const ended = new Promise<void>((ok, bad) => {
    z.on("end", ok);
    z.on("error", bad);
  });
  const input = new DeflateInput(z, crc32, was);
  if (!(content instanceof Uint8Array)) await encodePieces(content, (buf) => input.feed(buf));
  else await input.feed(content);
  if (!input.end()) {
    z.destroy();
    return null;
  }
  await ended;
  const all = Buffer.concat(out);
  return { raw: new Uint8Array(all.buffer, all.byteOffset, all.byteLength), crc: input.crc, size: input.size };
}

/**
 * What deflateParts hands zlib: every byte counted into the CRC and size, and bytes that are the same as the part's
 * bytes before held back until the first that differs (then what was the same so far goes to zlib first).
 */
class DeflateInput {
  crc = 0;
  size = 0;
  /** The bytes before, asked for when the first new bytes are ready (the text has begun to read them by then). */
  private base: Uint8Array | null | undefined;
  /** Whether every byte so far is the same as in `base`. */
  private same = true;

  constructor(
    private readonly z: zlib.DeflateRaw,
    private readonly crc32: (data: Uint8Array, value?: number) => number,
    private readonly was: () => Uint8Array | null,
  ) {}

  /** The first byte that differs: what was the same so far is handed to zlib. */
  private diverge(): void {
    this.same = false;
    if (this.base && this.size > 0) this.z.write(this.base.subarray(0, this.size));
  }

  /** Resolves once zlib has read the buffer handed to it (so it can be filled again). */
  feed(buf: Uint8Array): Promise<void> {
    if (this.base === undefined) {
      this.base = this.was();
      this.same = this.base !== null;
    }
    const base = this.base;
    if (this.same && base) {
      if (this.size + buf.length <= base.length && Buffer.from(base.buffer, base.byteOffset + this.size, buf.length).equals(buf)) {
        this.crc = this.crc32(buf, this.crc);
        this.size += buf.length;
        return Promise.resolve();
      }
      this.diverge();
    }
    this.crc = this.crc32(buf, this.crc);
    this.size += buf.length;
    return new Promise<void>((ok, bad) => this.z.write(buf, (e) => (e ? bad(e) : ok())));
  }

  /** After the last byte: false when the text came out exactly as it was (nothing was deflated), else true with zlib's input ended. */
  end(): boolean {
    if (this.base === undefined) this.base = this.was();
    if (this.same && this.base && this.size === this.base.length) return false;
    // Shorter than it was (or empty): what was the same is all of it.
    if (this.same && this.base) this.diverge();
    this.z.end();
    return true;
  }
}

/**
 * Encodes text pieces straight into two buffers taken in turn (one filled while zlib reads the other) and hands each
 * to `feed` when the next piece might not fit, so no batch string is joined first.
 */
async function encodePieces(content: Iterable<string>, feed: (buf: Uint8Array) => Promise<void>): Promise<void> {
  const bufs = [Buffer.allocUnsafe(DEFLATE_BATCH), Buffer.allocUnsafe(DEFLATE_BATCH)];
  const reading: (Promise<void> | null)[] = [null, null];
  let cur = 0;
  let fill = 0;
  const flush = async (): Promise<void> => {
    if (fill === 0) return;
    reading[cur] = feed((bufs[cur] as Buffer).subarray(0, fill));
    cur ^= 1;
    fill = 0;
    await reading[cur];
  };
  const put = async (piece: string): Promise<void> => {
    // A UTF-16 unit takes at most 3 bytes of UTF-8 (a pair of them 4).
    if (fill + piece.length * 3 > DEFLATE_BATCH) await flush();
    if (piece.length * 3 > DEFLATE_BATCH) await feed(Buffer.from(piece, "utf8"));
    else fill += (bufs[cur] as Buffer).write(piece, fill, "utf8");
  };
  // Each piece is encoded on its own: a high surrogate ending one waits for the low half starting the next, so a
  // character cut between two pieces is encoded whole (alone, it would become U+FFFD).
  let carry = "";
  for (const next of content) {
    let piece = carry === "" ? next : carry + next;
    carry = "";
    const last = piece.charCodeAt(piece.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      carry = piece.slice(-1);
      piece = piece.slice(0, -1);
    }
    if (piece !== "") await put(piece);
  }
  if (carry !== "") await put(carry);
  await flush();
  await Promise.all(reading);
}
