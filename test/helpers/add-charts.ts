// Draws charts into any .xlsx package, as Excel stores them: the tests use it to give a workbook charts of the
// team's own (pipesheet itself writes its charts through cli/io/xlsx-pkg/review-tab.ts).
import JSZip from "jszip";
import type { ChartSpec } from "../../core/index.js";
import { chartXml, drawingXml } from "../../cli/io/xlsx-chart.js";
import { NS_REL, relsXml as rels } from "../../cli/io/xlsx-pkg/book.js";

const REL_DRAWING = `${NS_REL}/drawing`;
const REL_CHART = `${NS_REL}/chart`;
const CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml";
const CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml";

/** Path of the worksheet part that holds `sheet`, from workbook.xml and its relationships. */
async function sheetPart(zip: JSZip, sheet: string): Promise<string> {
  const wb = (await zip.file("xl/workbook.xml")?.async("string")) ?? "";
  const wbRels = (await zip.file("xl/_rels/workbook.xml.rels")?.async("string")) ?? "";
  const unescape = (s: string): string => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  for (const m of wb.matchAll(/<sheet\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(m[0])?.[1];
    const rid = /\br:id="([^"]*)"/.exec(m[0])?.[1];
    if (name === undefined || rid === undefined || unescape(name) !== sheet) continue;
    const rel = [...wbRels.matchAll(/<Relationship\b[^>]*>/g)].map((x) => x[0]).find((x) => x.includes(`Id="${rid}"`));
    const target = rel ? /\bTarget="([^"]*)"/.exec(rel)?.[1] : undefined;
    if (target) return target.startsWith("/") ? target.slice(1) : `xl/${target}`;
  }
  throw new Error(`The workbook has no sheet named "${sheet}" to put a chart on`);
}

/** Adds one chart per entry; the sheets must have no drawing yet (pipesheet's own tabs, written fresh). */
export async function addCharts(xlsx: Uint8Array, charts: { sheet: string; spec: ChartSpec }[]): Promise<Uint8Array> {
  if (charts.length === 0) return xlsx;
  const zip = await JSZip.loadAsync(xlsx);
  let types = (await zip.file("[Content_Types].xml")?.async("string")) ?? "";
  const taken = (prefix: string): number => Object.keys(zip.files).filter((f) => f.startsWith(prefix)).length;
  let n = Math.max(taken("xl/charts/chart"), taken("xl/drawings/drawing"));
  for (const { sheet, spec } of charts) {
    n++;
    const part = await sheetPart(zip, sheet);
    const dir = part.slice(0, part.lastIndexOf("/"));
    const base = part.slice(part.lastIndexOf("/") + 1);
    const relsPath = `${dir}/_rels/${base}.rels`;
    let xml = (await zip.file(part)?.async("string")) ?? "";
    if (/<drawing\b/.test(xml)) throw new Error(`Sheet "${sheet}" already has drawings; pipesheet only charts its own fresh tabs`);
    const existing = (await zip.file(relsPath)?.async("string")) ?? rels([]);
    const ids = [...existing.matchAll(/Id="rId(\d+)"/g)].map((m) => Number(m[1]));
    const rid = `rId${Math.max(0, ...ids) + 1}`;
    zip.file(relsPath, existing.replace("</Relationships>", `<Relationship Id="${rid}" Type="${REL_DRAWING}" Target="../drawings/drawing${n}.xml"/></Relationships>`));
    // CT_Worksheet order: <drawing> comes after page setup and breaks, before legacyDrawing, tableParts and extLst.
    const before = /<(legacyDrawing|legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems|tableParts|extLst)\b/.exec(xml);
    const tag = `<drawing r:id="${rid}"/>`;
    xml = before ? `${xml.slice(0, before.index)}${tag}${xml.slice(before.index)}` : xml.replace("</worksheet>", `${tag}</worksheet>`);
    if (!/xmlns:r=/.test(xml.slice(0, xml.indexOf(">", xml.indexOf("<worksheet")))))
      xml = xml.replace("<worksheet", `<worksheet xmlns:r="${NS_REL}"`);
    zip.file(part, xml);
    zip.file(`xl/drawings/drawing${n}.xml`, drawingXml([{ spec, rel: "rId1" }]));
    zip.file(`xl/drawings/_rels/drawing${n}.xml.rels`, rels([{ id: "rId1", type: REL_CHART, target: `../charts/chart${n}.xml` }]));
    zip.file(`xl/charts/chart${n}.xml`, chartXml(sheet, spec));
    types = types.replace(
      "</Types>",
      `<Override PartName="/xl/drawings/drawing${n}.xml" ContentType="${CT_DRAWING}"/><Override PartName="/xl/charts/chart${n}.xml" ContentType="${CT_CHART}"/></Types>`,
    );
  }
  zip.file("[Content_Types].xml", types);
  return zip.generateAsync({ type: "uint8array", compression: "DEFLATE" });
}
