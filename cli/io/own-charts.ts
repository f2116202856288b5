// pipesheet's own charts in an .xlsx it wrote earlier: found by the name its drawings carry ("pipesheet:…"),
// read back as ChartSpecs so a run that does not rewrite the review tab can draw them again (exceljs drops
// every chart it reads), and so they do not count as the team's charts that a copy would lose.
import JSZip from "jszip";
import { a1 } from "../../core/a1.js";
import type { ChartSpec } from "../../core/types.js";

export interface OwnChart {
  sheet: string;
  spec: ChartSpec;
}

const unescape = (s: string): string => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** "'Pipeline Review'!$A$10:$A$14" -> "A10:A14". */
const localRange = (ref: string): string => unescape(ref).replace(/^.*!/, "").replace(/\$/g, "");

/** Resolves a relationship target against the folder of the part that holds it. */
function resolvePart(fromPart: string, target: string): string {
  if (target.startsWith("/")) return target.slice(1);
  const parts = fromPart.split("/").slice(0, -1);
  for (const seg of target.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== ".") parts.push(seg);
  }
  return parts.join("/");
}

const relsOf = (part: string): string => `${part.slice(0, part.lastIndexOf("/"))}/_rels/${part.slice(part.lastIndexOf("/") + 1)}.rels`;

function relTargets(relsXml: string, typeSuffix: string): string[] {
  const out: string[] = [];
  for (const m of relsXml.matchAll(/<Relationship\b[^>]*>/g)) {
    const type = /\bType="([^"]*)"/.exec(m[0])?.[1] ?? "";
    const target = /\bTarget="([^"]*)"/.exec(m[0])?.[1];
    if (target !== undefined && type.endsWith(typeSuffix)) out.push(unescape(target));
  }
  return out;
}

export interface PackageCharts {
  /** Chart parts in the package, pipesheet's included. */
  total: number;
  own: OwnChart[];
}

/** Reads which charts are pipesheet's; never throws (a package it cannot read simply has none of ours). */
export async function packageCharts(buf: Uint8Array, names: readonly string[]): Promise<PackageCharts> {
  const total = names.filter((n) => /^xl\/charts\/chart\d+\.xml$/i.test(n)).length;
  if (total === 0) return { total, own: [] };
  try {
    const zip = await JSZip.loadAsync(buf);
    const text = async (path: string): Promise<string> => (await zip.file(path)?.async("string")) ?? "";
    const wbXml = await text("xl/workbook.xml");
    const wbRels = await text("xl/_rels/workbook.xml.rels");
    const own: OwnChart[] = [];
    for (const m of wbXml.matchAll(/<sheet\b[^>]*>/g)) {
      const name = /\bname="([^"]*)"/.exec(m[0])?.[1];
      const rid = /\br:id="([^"]*)"/.exec(m[0])?.[1];
      if (name === undefined || rid === undefined) continue;
      const rel = [...wbRels.matchAll(/<Relationship\b[^>]*>/g)].map((x) => x[0]).find((x) => x.includes(`Id="${rid}"`));
      const target = rel ? /\bTarget="([^"]*)"/.exec(rel)?.[1] : undefined;
      if (target === undefined) continue;
      const sheetPart = resolvePart("xl/workbook.xml", target);
      for (const drawing of relTargets(await text(relsOf(sheetPart)), "/drawing").map((t) => resolvePart(sheetPart, t))) {
        const dXml = await text(drawing);
        if (!/\bname="pipesheet:/.test(dXml)) continue;
        const col = Number(/<xdr:from>\s*<xdr:col>(\d+)<\/xdr:col>/.exec(dXml)?.[1] ?? 0);
        const row = Number(/<xdr:row>(\d+)<\/xdr:row>/.exec(dXml)?.[1] ?? 0);
        for (const chart of relTargets(await text(relsOf(drawing)), "/chart").map((t) => resolvePart(drawing, t))) {
          const cXml = await text(chart);
          const categories = /<c:cat>[^]*?<c:f>([^<]*)<\/c:f>/.exec(cXml)?.[1];
          const values = /<c:val>[^]*?<c:f>([^<]*)<\/c:f>/.exec(cXml)?.[1];
          if (categories === undefined || values === undefined) continue;
          const title = unescape(/<c:title>[^]*?<a:t>([^<]*)<\/a:t>/.exec(cXml)?.[1] ?? "");
          own.push({ sheet: unescape(name), spec: { type: "funnel", title, categories: localRange(categories), values: localRange(values), anchor: a1(row, col) } });
        }
      }
    }
    return { total, own };
  } catch {
    return { total, own: [] };
  }
}
