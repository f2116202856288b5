// A thin wrapper over the googleapis Sheets client: request counting, payloads kept under the 2 MB guidance,
// retries (backoff + jitter) only for reads and fixed-range writes, and errors mapped to one clear line.
import { sheets as sheetsApi, type sheets_v4 } from "googleapis/build/src/apis/sheets/index.js";
import { colName, isOwnTab, quoteSheet } from "../../core/index.js";
import type { CredentialSource, Credentials } from "./auth.js";
import { apiRoot } from "./auth.js";
import { killPoint } from "../io/atomic.js";
import { googleError } from "./errors.js";
import { defaultRetryPolicy, withRetry, type HttpFailure, type RetryPolicy } from "./retry.js";

/** Bytes per request body: Google recommends at most 2 MB; the rest is room for the envelope. */
export const PAYLOAD_LIMIT = 1_900_000;

export type CellValue = string | number | boolean;
export type Request = sheets_v4.Schema$Request;

export interface SheetMeta {
  sheetId: number;
  title: string;
  index: number;
  hidden: boolean;
  rowCount: number;
  columnCount: number;
  conditionalFormats: sheets_v4.Schema$ConditionalFormatRule[];
  chartIds: number[];
  /** Alternating-colour ranges on the tab (pipesheet's tables on its own tabs); absent where not read. */
  bandingIds?: number[];
}

export interface SpreadsheetMeta {
  title: string;
  sheets: SheetMeta[];
}

/** A rectangle of values to write; null cells are skipped by the API (the cell keeps its value). */
export interface RangeWrite {
  sheet: string;
  row: number;
  col: number;
  values: (CellValue | null)[][];
}


/** 0-based rectangle on a sheet as an A1 range ("'Deals'!B2:D9"). */
export const rangeA1 = (sheet: string, row: number, col: number, rows: number, cols: number): string =>
  `${quoteSheet(sheet)}!${colName(col)}${row + 1}:${colName(col + Math.max(1, cols) - 1)}${row + Math.max(1, rows)}`;

/** A tab by name, in any case. */
export const tabNamed = (meta: SpreadsheetMeta, name: string): SheetMeta | undefined => meta.sheets.find((s) => s.title.toLowerCase() === name.toLowerCase());

/** The deals tab: the one named, else the first visible tab that is not one of pipesheet's own. */
export const dealsTab = (meta: SpreadsheetMeta, name: string | null): SheetMeta | undefined =>
  name ? tabNamed(meta, name) : meta.sheets.find((s) => !s.hidden && !isOwnTab(s.title));

export interface ClientOptions {
  rootUrl?: string;
  retry?: RetryPolicy;
  /** Told about each retry (the CLI shows it on stderr). */
  onRetry?: (what: string, attempt: number, waitMs: number, f: HttpFailure) => void;
  payloadLimit?: number;
  timeoutMs?: number;
}

const byteLength = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));

/**
 * Splits rows into runs whose JSON stays under `limit` bytes. One row is never split: a row over the
 * limit on its own (tens of thousands of long cells) goes alone and the API decides.
 */
export function chunkRows<T>(rows: readonly T[], limit: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let size = 0;
  for (const r of rows) {
    const b = byteLength(r) + 1;
    if (cur.length > 0 && size + b > limit) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(r);
    size += b;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

export class SheetsClient {
  private readonly api: sheets_v4.Sheets;
  private readonly retry: RetryPolicy;
  readonly limit: number;
  /** HTTP requests sent, retries included. */
  requests = 0;
  private readonly source: CredentialSource | undefined;

  constructor(
    readonly spreadsheetId: string,
    creds: Credentials,
    private readonly opts: ClientOptions = {},
  ) {
    const root = opts.rootUrl ?? apiRoot() ?? undefined;
    // googleapis retries some requests by itself; turned off so that this class alone decides what is safe to repeat.
    this.api = sheetsApi({ version: "v4", auth: creds.client, retry: false, timeout: opts.timeoutMs ?? 120_000, ...(root ? { rootUrl: root } : {}) });
    this.retry = opts.retry ?? defaultRetryPolicy();
    this.source = creds.fix;
    this.limit = opts.payloadLimit ?? PAYLOAD_LIMIT;
  }

  private async send<T>(what: string, idempotent: boolean, call: () => Promise<{ data: T }>): Promise<T> {
    const once = async (): Promise<T> => {
      this.requests++;
      killPoint("before-request", what);
      const data = (await call()).data;
      killPoint("after-request", what);
      return data;
    };
    try {
      if (!idempotent) return await once();
      return await withRetry(once, this.retry, (attempt, wait, f) => this.opts.onRetry?.(what, attempt, wait, f));
    } catch (e) {
      throw googleError(e, what, this.spreadsheetId, this.source);
    }
  }

  async meta(): Promise<SpreadsheetMeta> {
    const data = await this.send("read the spreadsheet's tabs", true, () =>
      this.api.spreadsheets.get({
        spreadsheetId: this.spreadsheetId,
        fields: "properties(title),sheets(properties(sheetId,title,index,hidden,gridProperties(rowCount,columnCount)),conditionalFormats,charts(chartId),bandedRanges(bandedRangeId))",
      }),
    );
    return {
      title: data.properties?.title ?? "",
      sheets: (data.sheets ?? []).map((s) => ({
        sheetId: s.properties?.sheetId ?? 0,
        title: s.properties?.title ?? "",
        index: s.properties?.index ?? 0,
        hidden: s.properties?.hidden ?? false,
        rowCount: s.properties?.gridProperties?.rowCount ?? 0,
        columnCount: s.properties?.gridProperties?.columnCount ?? 0,
        conditionalFormats: s.conditionalFormats ?? [],
        chartIds: (s.charts ?? []).map((c) => c.chartId ?? -1).filter((id) => id >= 0),
        bandingIds: (s.bandedRanges ?? []).map((b) => b.bandedRangeId ?? -1).filter((id) => id >= 0),
      })),
    };
  }

  /** One values.batchGet for all ranges; each result is the rows as the API gives them (trailing blanks trimmed). */
  async read(
    ranges: string[],
    render: { values: "UNFORMATTED_VALUE" | "FORMATTED_VALUE"; dates: "SERIAL_NUMBER" | "FORMATTED_STRING" },
  ): Promise<CellValue[][][]> {
    if (ranges.length === 0) return [];
    const data = await this.send("read the sheet's values", true, () =>
      this.api.spreadsheets.values.batchGet({
        spreadsheetId: this.spreadsheetId,
        ranges,
        valueRenderOption: render.values,
        dateTimeRenderOption: render.dates,
        majorDimension: "ROWS",
      }),
    );
    return ranges.map((_, i) => (data.valueRanges?.[i]?.values ?? []) as CellValue[][]);
  }

  /**
   * Fixed-range writes with values.batchUpdate (USER_ENTERED, like typing), as few requests as the payload
   * limit allows. Writing the same values to the same cells twice changes nothing, so each request is retried.
   */
  async write(writes: RangeWrite[], what = "write cells"): Promise<void> {
    const overhead = 200;
    const pieces: sheets_v4.Schema$ValueRange[] = [];
    for (const w of writes) {
      let row = w.row;
      for (const rows of chunkRows(w.values, this.limit - overhead)) {
        const width = rows.reduce((m, r) => Math.max(m, r.length), 0);
        if (width > 0) pieces.push({ range: rangeA1(w.sheet, row, w.col, rows.length, width), majorDimension: "ROWS", values: rows });
        row += rows.length;
      }
    }
    let batch: sheets_v4.Schema$ValueRange[] = [];
    let size = overhead;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const data = batch;
      batch = [];
      size = overhead;
      await this.send(what, true, () =>
        this.api.spreadsheets.values.batchUpdate({ spreadsheetId: this.spreadsheetId, requestBody: { valueInputOption: "USER_ENTERED", data } }),
      );
    };
    for (const p of pieces) {
      const b = byteLength(p);
      if (size + b > this.limit) await flush();
      batch.push(p);
      size += b;
    }
    await flush();
  }

  /**
   * Appends rows under the table that starts at `row` (INSERT_ROWS: nothing below is overwritten). Sending an
   * append twice adds the rows twice, so it is never retried; a re-run finds the rows by Deal ID instead.
   */
  async append(sheet: string, row: number, col: number, width: number, rows: CellValue[][], what = "append rows"): Promise<void> {
    for (const chunk of chunkRows(rows, this.limit - 200)) {
      await this.send(what, false, () =>
        this.api.spreadsheets.values.append({
          spreadsheetId: this.spreadsheetId,
          range: rangeA1(sheet, row, col, 1, width),
          valueInputOption: "USER_ENTERED",
          insertDataOption: "INSERT_ROWS",
          requestBody: { majorDimension: "ROWS", values: chunk },
        }),
      );
    }
  }

  /** One spreadsheets.batchUpdate (atomic). Retried only when every request in it is safe to repeat. */
  async batchUpdate(requests: Request[], idempotent: boolean, what = "update the spreadsheet"): Promise<sheets_v4.Schema$Response[]> {
    const data = await this.send(what, idempotent, () =>
      this.api.spreadsheets.batchUpdate({ spreadsheetId: this.spreadsheetId, requestBody: { requests } }),
    );
    return data.replies ?? [];
  }
}
