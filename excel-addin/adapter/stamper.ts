/// <reference types="office-js" />
// While the pane is open: a stage edit stamps Stage entered and appends to the log, two round trips per edit.
// pipesheet's own writes are ignored three ways: events are off while commands write, the pane says when it
// is busy, and (ExcelApi 1.14) the event names this add-in as its trigger.
import { LOG_HEADER, planStageEdit, TAB_LOG, TAB_SETTINGS, type Cell, type Grid } from "../../core/index.js";
import { toExcelValue } from "./cell-text.js";
import { errorCode, type Host } from "./host.js";
import { parseEventAddress } from "./ranges.js";

/** A paste bigger than this is left to the next run's snapshot diff, which logs it as well. */
export const MAX_STAMP_ROWS = 5000;

/**
 * While a person types in a cell Excel refuses every API call (InvalidOperationInCellEditMode), and they may
 * start typing in the next cell before the stamp's round trip runs. The stamp waits and tries again, these
 * many milliseconds apart (about 15 s in all), then gives up: the next command's snapshot diff logs the move.
 */
export const CELL_EDIT_RETRY_MS = [250, 500, 1000, 2000, 4000, 8000] as const;
const CELL_EDIT_MODE = "InvalidOperationInCellEditMode";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface StamperState {
  sheet: string;
  headerRow: number;
  /** Columns in use on the deals sheet. */
  width: number;
  stageColumn: number | null;
  tabs: string[];
}

export interface StampEvent {
  address: string;
  changeType: string;
  source: string;
  triggerSource?: string;
  details?: { valueBefore?: unknown } | null;
}

export interface StampResult {
  stamped: number;
  logged: number;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export class StageStamper {
  private registration: OfficeExtension.EventHandlerResult<Excel.WorksheetChangedEventArgs> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: Host,
    private state: StamperState,
    private readonly options: {
      today: () => string;
      isBusy: () => boolean;
      onStamp?: (r: StampResult) => void;
      onError?: (e: unknown) => void;
      /** How the stamp waits between tries while Excel is in cell-editing mode (tests hand in their own). */
      wait?: (ms: number) => Promise<void>;
    },
  ) {}

  update(state: StamperState): void {
    this.state = state;
  }

  get sheet(): string {
    return this.state.sheet;
  }

  /** Settles when every edit seen so far has been handled. */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  async start(): Promise<void> {
    if (this.registration) return;
    const sheet = this.state.sheet;
    await this.host.run(async (ctx) => {
      this.registration = ctx.workbook.worksheets.getItem(sheet).onChanged.add((e) => this.onChanged(e));
      await ctx.sync();
    });
  }

  async stop(): Promise<void> {
    const reg = this.registration;
    if (!reg) return;
    this.registration = null;
    await this.host.runWith(reg, async (ctx) => {
      reg.remove();
      await ctx.sync();
    });
  }

  /** Decides, without a round trip where it can, whether an event is a stage edit by a person. */
  onChanged(e: StampEvent): Promise<unknown> {
    const s = this.state;
    if (this.options.isBusy() || e.source !== "Local" || e.changeType !== "RangeEdited" || s.stageColumn === null) return Promise.resolve();
    if (e.triggerSource === "ThisLocalAddin" && this.host.isSetSupported("ExcelApi", "1.14")) return Promise.resolve();
    const box = parseEventAddress(e.address);
    if (!box || s.stageColumn < box.col || s.stageColumn >= box.col + box.cols) return Promise.resolve();
    const first = Math.max(box.row, s.headerRow + 1);
    const last = box.row + box.rows - 1;
    if (last < first || last - first + 1 > MAX_STAMP_ROWS) return Promise.resolve();
    const single = box.rows === 1 && box.cols === 1;
    const before = single ? e.details?.valueBefore : undefined;
    // The day of the change, taken now: a stamp that has to wait (cell-editing mode) still dates it then.
    const day = this.options.today();
    // Edits are handled one after another, in the order they happened.
    this.queue = this.queue
      .then(() => this.stampWhenFree(first, last - first + 1, before as Cell | undefined, day))
      .then((r) => {
        if (r) this.options.onStamp?.(r);
      })
      .catch((err: unknown) => this.options.onError?.(err));
    return this.queue;
  }

  /** Stamps, waiting out cell-editing mode a bounded number of times; the batch is refused whole, so a retry is safe. */
  private async stampWhenFree(row: number, count: number, oldStage: Cell | undefined, day: string): Promise<StampResult | null> {
    const wait = this.options.wait ?? sleep;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.stamp(row, count, oldStage, day);
      } catch (e) {
        const delay = CELL_EDIT_RETRY_MS[attempt];
        if (errorCode(e) !== CELL_EDIT_MODE) throw e;
        if (delay === undefined)
          throw Object.assign(new Error("Excel stayed in cell-editing mode; the next Score leads or review records this stage change."), { code: CELL_EDIT_MODE });
        await wait(delay);
      }
    }
  }

  private async stamp(row: number, count: number, oldStage: Cell | undefined, day: string): Promise<StampResult | null> {
    const s = this.state;
    return this.host.run(async (ctx) => {
      const sheets = ctx.workbook.worksheets;
      const ws = sheets.getItem(s.sheet);
      const hasSettings = s.tabs.some((t) => same(t, TAB_SETTINGS));
      const hasLog = s.tabs.some((t) => same(t, TAB_LOG));
      const header = ws.getRangeByIndexes(s.headerRow, 0, 1, s.width).load("values");
      const rows = ws.getRangeByIndexes(row, 0, count, s.width).load("values");
      let settings: Excel.Range | null = null;
      if (hasSettings) {
        const st = sheets.getItem(TAB_SETTINGS);
        settings = st.getRange("A1").getBoundingRect(st.getUsedRange(true)).load("values");
      }
      const logUsed = hasLog ? sheets.getItem(TAB_LOG).getUsedRange(true).load("rowIndex,rowCount") : null;
      await ctx.sync();

      const plan = planStageEdit({
        sheetName: s.sheet,
        header: header.values[0] ?? [],
        headerRow: s.headerRow,
        rows: rows.values.map((values, i) => ({ row: row + i, values, ...(oldStage === undefined ? {} : { oldStage }) })),
        settings: settings ? (settings.values as Grid) : null,
        today: day,
        by: "edit",
      });
      if (plan.cells.length === 0 && plan.logAppend.length === 0) return null;

      for (const cell of plan.cells) {
        const range = ws.getRangeByIndexes(cell.row, cell.col, 1, 1);
        if (cell.numberFormat !== undefined) range.numberFormat = [[cell.numberFormat]];
        range.values = [[toExcelValue(cell.value, cell.numberFormat === "@")]];
      }
      if (plan.logAppend.length > 0) {
        const width = LOG_HEADER.length;
        const rowsOut = plan.logAppend.map((r) => Array.from({ length: width }, (_, c) => toExcelValue(r[c], false)));
        if (logUsed) {
          sheets.getItem(TAB_LOG).getRangeByIndexes(logUsed.rowIndex + logUsed.rowCount, 0, rowsOut.length, width).values = rowsOut;
        } else {
          const log = sheets.add(TAB_LOG);
          log.getRangeByIndexes(0, 0, rowsOut.length + 1, width).values = [LOG_HEADER.map((h) => toExcelValue(h, false)), ...rowsOut];
          log.visibility = "Hidden";
          this.state = { ...s, tabs: [...s.tabs, TAB_LOG] };
        }
      }
      await ctx.sync();
      return { stamped: plan.cells.length, logged: plan.logAppend.length };
    });
  }
}
