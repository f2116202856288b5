// A part rewritten from its own text (the deals sheet) is deflated only from the first byte that differs: when its
// new text is the same as it was, the part keeps its very bytes; when it differs late, at its end, or in length,
// what is written is exactly the new text.
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { Package } from "../cli/io/xlsx-pkg/zip.js";
import { zipEntries, type ZipEntry } from "./zip-entries.js";

const NAME = "xl/worksheets/sheet1.xml";
/** Some megabytes of text, so that the new text reaches zlib in several batches; a wide character now and then. */
const TEXT = Array.from({ length: 60_000 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c>${i % 997 === 0 ? "<!-- Zürich – 東京 😀 -->" : ""}</row>`).join("");


/** The part rewritten through setStreamed as `edit` of its own text (read as the patcher reads it, in pieces). */
async function rewrite(edit: (text: string) => string, level: 0 | 6 = 6): Promise<{ before: Map<string, ZipEntry>; after: Map<string, ZipEntry> }> {
  const file = zipSync({ [NAME]: [strToU8(TEXT), { level }], "other.xml": strToU8("<x/>") });
  const pkg = await Package.open(Buffer.from(file));
  pkg.textChunk = 4096;
  const read = pkg.reader(NAME);
  await pkg.setStreamed(NAME, function* () {
    // The new text is made as it is read: piece by piece, after the reader has started.
    const whole = [...read()].join("");
    const next = edit(whole);
    for (let at = 0; at < next.length; at += 50_000) yield next.slice(at, at + 50_000);
  });
  return { before: await zipEntries(file), after: await zipEntries(await pkg.write()) };
}

describe("a part rewritten from its own text", () => {
  it.each([[6], [0]] as const)("keeps its very bytes when the text comes out the same (zip level %i)", async (level) => {
    const { before, after } = await rewrite((t) => t, level);
    const a = before.get(NAME);
    const b = after.get(NAME);
    expect(b?.text).toBe(TEXT);
    expect(b?.crc).toBe(a?.crc);
    expect(b?.raw.equals(a?.raw ?? Buffer.alloc(0))).toBe(true);
  });

  it.each([
    ["late in the text", (t: string) => `${t.slice(0, t.length - 40)}X${t.slice(t.length - 39)}`],
    ["at its very start", (t: string) => `Y${t.slice(1)}`],
    ["by being shorter", (t: string) => t.slice(0, t.length - 1)],
    ["by being longer", (t: string) => `${t}<!-- more 😀 -->`],
    ["in a wide character", (t: string) => t.replace("東京", "大阪")],
  ])("writes exactly the new text when it differs %s", async (_label, edit) => {
    const { before, after } = await rewrite(edit);
    const b = after.get(NAME);
    expect(b?.text).toBe(edit(TEXT));
    expect(b?.raw.equals(before.get(NAME)?.raw ?? Buffer.alloc(0))).toBe(false);
    expect(after.get("other.xml")?.raw.equals(before.get("other.xml")?.raw ?? Buffer.alloc(0))).toBe(true);
  });

  it("encodes a character whose two UTF-16 halves come in two pieces whole, not as two U+FFFD", async () => {
    const file = zipSync({ [NAME]: strToU8("<a>old</a>") });
    const pkg = await Package.open(Buffer.from(file));
    await pkg.setStreamed(NAME, () => ["<a>x\uD83D", "\uDE00y\uD83D", "\uDE01", "</a>"]);
    expect((await zipEntries(await pkg.write())).get(NAME)?.text).toBe("<a>x😀y😁</a>");
  });

  it("compares the new text with the part as it is now, not as a reader made before an earlier rewrite saw it", async () => {
    const file = zipSync({ [NAME]: strToU8("<a>original</a>") });
    const pkg = await Package.open(Buffer.from(file));
    const before = pkg.reader(NAME);
    await pkg.setStreamed(NAME, () => ["<a>changed</a>"]);
    // The original text again, read through the old reader: it differs from the part now, so it is written.
    await pkg.setStreamed(NAME, () => [[...before()].join("")]);
    expect((await zipEntries(await pkg.write())).get(NAME)?.text).toBe("<a>original</a>");
  });
});
