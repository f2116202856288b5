import ExcelJS from "exceljs";
import JSZip from "jszip";
import { describe, expect, it } from "vitest";
import { addCharts } from "./helpers/add-charts.js";

async function book(): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const deals = wb.addWorksheet("Deals");
  deals.addRow(["Deal", "Stage"]);
  deals.addRow(["A & B <co>", "Proposal"]);
  const review = wb.addWorksheet("Pipeline Review");
  review.addRow(["Stage", "Deals"]);
  for (const [s, n] of [["Prospecting", 40], ["Meeting", 20], ["Proposal", 10]] as const) review.addRow([s, n]);
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

describe("native charts in the .xlsx the CLI writes", () => {
  it("adds a bar chart part wired to the review tab's ranges, and the file still opens", async () => {
    const out = await addCharts(await book(), [
      { sheet: "Pipeline Review", spec: { type: "funnel", title: "Open deals by stage", categories: "A2:A4", values: "B2:B4", anchor: "D2" } },
    ]);
    const zip = await JSZip.loadAsync(out);
    const types = await zip.file("[Content_Types].xml")!.async("string");
    expect(types).toContain('PartName="/xl/charts/chart1.xml"');
    expect(types).toContain('PartName="/xl/drawings/drawing1.xml"');
    const chart = await zip.file("xl/charts/chart1.xml")!.async("string");
    expect(chart).toContain("<c:f>'Pipeline Review'!$A$2:$A$4</c:f>");
    expect(chart).toContain("<c:f>'Pipeline Review'!$B$2:$B$4</c:f>");
    expect(chart).toContain("<a:t>Open deals by stage</a:t>");
    const sheet2 = await zip.file("xl/worksheets/sheet2.xml")!.async("string");
    expect(sheet2).toMatch(/<drawing r:id="rId\d+"\/><\/worksheet>$|<drawing r:id="rId\d+"\/><(tableParts|extLst)/);
    const rels = await zip.file("xl/worksheets/_rels/sheet2.xml.rels")!.async("string");
    expect(rels).toContain("../drawings/drawing1.xml");
    const sheet1 = await zip.file("xl/worksheets/sheet1.xml")!.async("string");
    expect(sheet1).not.toContain("<drawing");
    const drawing = await zip.file("xl/drawings/drawing1.xml")!.async("string");
    expect(drawing).toContain("<xdr:col>3</xdr:col>");
    // exceljs reads the file back, cells intact.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(out as unknown as ArrayBuffer);
    expect(wb.getWorksheet("Deals")?.getCell("A2").value).toBe("A & B <co>");
    expect(wb.getWorksheet("Pipeline Review")?.getCell("B2").value).toBe(40);
  });

  it("names the sheet that does not exist", async () => {
    await expect(addCharts(await book(), [{ sheet: "Nope", spec: { type: "bar", title: "t", categories: "A1:A2", values: "B1:B2", anchor: "C1" } }])).rejects.toThrow(/no sheet named "Nope"/);
  });

  it("escapes quotes in the sheet name and the title", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("Bob's review").addRow(["x", 1]);
    const raw = new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    const out = await addCharts(raw, [{ sheet: "Bob's review", spec: { type: "bar", title: 'Deals "by" <stage>', categories: "A1:A1", values: "B1:B1", anchor: "C1" } }]);
    const chart = await (await JSZip.loadAsync(out)).file("xl/charts/chart1.xml")!.async("string");
    expect(chart).toContain("<c:f>'Bob''s review'!$A$1:$A$1</c:f>");
    expect(chart).toContain("<a:t>Deals &quot;by&quot; &lt;stage&gt;</a:t>");
  });
});
