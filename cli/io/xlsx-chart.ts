// pipesheet's charts as DrawingML parts (chartXml, drawingXml): review-tab.ts writes them beside the review tab.
import { parseA1, quoteSheet } from "../../core/index.js";
import type { Cell, ChartSpec } from "../../core/index.js";
import { NS_REL } from "./xlsx-pkg/book.js";
import { esc, escText } from "./xlsx-pkg/xml.js";


/** "A10:A14" on sheet "Pipeline Review" -> "'Pipeline Review'!$A$10:$A$14". */
function absoluteRef(sheet: string, range: string): string {
  const [from, to] = range.split(":");
  const a = parseA1(from ?? "");
  const b = parseA1(to ?? from ?? "");
  if (!a || !b) throw new Error(`Chart range "${range}" is not an A1 range`);
  const abs = (ref: string): string => ref.replace(/^([A-Z]+)(\d+)$/, "$$$1$$$2");
  return `${quoteSheet(sheet)}!${abs(from as string)}:${abs((to ?? from) as string)}`;
}

/** Width and height hosts use when a spec gives none, in points. */
export const CHART_SIZE = { width: 420, height: 260 } as const;
const EMU_PER_POINT = 12_700;

/** What a chart part can show without Excel computing it first: the series name and the cells' values as cached. */
export interface ChartData {
  series?: string;
  categories?: Cell[];
  values?: Cell[];
}

const strCache = (cells: Cell[]): string =>
  `<c:strCache><c:ptCount val="${cells.length}"/>${cells
    .map((v, i) => (v === null || v === undefined || v === "" ? "" : `<c:pt idx="${i}"><c:v>${escText(v instanceof Date ? v.toISOString().slice(0, 10) : String(v))}</c:v></c:pt>`))
    .join("")}</c:strCache>`;
const numCache = (cells: Cell[]): string =>
  `<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="${cells.length}"/>${cells
    .map((v, i) => (typeof v === "number" && Number.isFinite(v) ? `<c:pt idx="${i}"><c:v>${v}</c:v></c:pt>` : ""))
    .join("")}</c:numCache>`;

/**
 * One chart part. A funnel is a clustered bar chart with horizontal bars in stage order, top to bottom (the category
 * axis reversed): Excel's own funnel type lives in the newer chartex format that LibreOffice and older Excel cannot
 * show. "bar" draws horizontal bars in sheet order from the bottom, "column" vertical bars left to right.
 */
export function chartXml(sheet: string, spec: ChartSpec, data: ChartData = {}): string {
  const horizontal = spec.type !== "column";
  const reversed = spec.type === "funnel";
  const series = data.series ?? "Deals";
  const cat = data.categories ? strCache(data.categories) : "";
  const val = data.values ? numCache(data.values) : "";
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="${NS_REL}">
<c:roundedCorners val="0"/>
<c:chart>
<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>${escText(spec.title)}</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title>
<c:autoTitleDeleted val="0"/>
<c:plotArea><c:layout/>
<c:barChart><c:barDir val="${horizontal ? "bar" : "col"}"/><c:grouping val="clustered"/><c:varyColors val="0"/>
<c:ser><c:idx val="0"/><c:order val="0"/><c:tx><c:v>${escText(series)}</c:v></c:tx>
<c:spPr><a:solidFill><a:srgbClr val="0F6CBD"/></a:solidFill></c:spPr>
<c:invertIfNegative val="0"/>
<c:dLbls><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>
<c:cat><c:strRef><c:f>${esc(absoluteRef(sheet, spec.categories))}</c:f>${cat}</c:strRef></c:cat>
<c:val><c:numRef><c:f>${esc(absoluteRef(sheet, spec.values))}</c:f>${val}</c:numRef></c:val>
</c:ser>
<c:gapWidth val="40"/><c:axId val="500001"/><c:axId val="500002"/>
</c:barChart>
<c:catAx><c:axId val="500001"/><c:scaling><c:orientation val="${reversed ? "maxMin" : "minMax"}"/></c:scaling><c:delete val="0"/><c:axPos val="${horizontal ? "l" : "b"}"/><c:numFmt formatCode="General" sourceLinked="0"/><c:tickLblPos val="nextTo"/><c:crossAx val="500002"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>
<c:valAx><c:axId val="500002"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="${horizontal ? "b" : "l"}"/><c:majorGridlines/><c:numFmt formatCode="General" sourceLinked="1"/><c:tickLblPos val="nextTo"/><c:crossAx val="500001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>
</c:plotArea>
<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/>
</c:chart>
</c:chartSpace>`;
}

/** One chart of a drawing: its spec (anchor, size, name) and the drawing's relationship id for its chart part. */
export interface Frame {
  spec: ChartSpec;
  rel: string;
}

/**
 * A drawing holding every chart of one tab, each anchored at its spec's top-left cell with the spec's size
 * (a one-cell anchor: the size stays as given whatever the rows' heights turn out to be).
 */
export function drawingXml(frames: Frame[]): string {
  const anchors = frames.map(({ spec, rel }, i) => {
    const at = parseA1(spec.anchor);
    if (!at) throw new Error(`Chart anchor "${spec.anchor}" is not an A1 cell`);
    const cx = Math.round((spec.width ?? CHART_SIZE.width) * EMU_PER_POINT);
    const cy = Math.round((spec.height ?? CHART_SIZE.height) * EMU_PER_POINT);
    const name = spec.id ?? `pipesheet:chart${i + 1}`;
    return `<xdr:oneCellAnchor>
<xdr:from><xdr:col>${at.col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>${at.row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>
<xdr:ext cx="${cx}" cy="${cy}"/>
<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="${i + 2}" name="${esc(name)}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>
<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>
<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:r="${NS_REL}" r:id="${esc(rel)}"/></a:graphicData></a:graphic>
</xdr:graphicFrame><xdr:clientData/>
</xdr:oneCellAnchor>`;
  });
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">
${anchors.join("\n")}
</xdr:wsDr>`;
}
