// The playground: the real task pane against an in-memory workbook loaded with the sample pipeline.
// It installs that workbook as the `Excel` and `Office` globals, so the pane code cannot tell the difference.
import Papa from "papaparse";
import sampleCsv from "../../samples/pipeline.csv";
import { createHost } from "../../test/fakes/excel/host.js";
import { WorkbookModel } from "../../test/fakes/excel/model.js";
import { dayFromIso, EXCEL_EPOCH_OFFSET } from "../../core/index.js";
import { officeHost } from "../adapter/host.js";
import { startPane } from "../taskpane/pane.js";
import { GridView } from "./grid.js";

const SAMPLE_TODAY = "2026-11-26";
const params = new URLSearchParams(location.search);
const today = /^\d{4}-\d{2}-\d{2}$/.test(params.get("today") ?? "") ? (params.get("today") as string) : SAMPLE_TODAY;

const model = new WorkbookModel({ apiSets: { ExcelApi: "1.14" }, platform: "OfficeOnline" });
const rows = Papa.parse<string[]>(sampleCsv.trim(), { header: false, skipEmptyLines: true }).data;
model.load("Deals", rows);
const host = createHost(model);
Object.assign(globalThis, { Excel: host.Excel, Office: host.Office });

const grid = new GridView(model, document.getElementById("grid") as HTMLElement, document.getElementById("tabs") as HTMLElement, (dayFromIso(today) ?? 0) + EXCEL_EPOCH_OFFSET);
let queued = false;
model.listeners.add(() => {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    grid.render();
    const s = model.stats;
    const trips = document.getElementById("trips");
    if (trips) trips.textContent = `${s.syncs} round trips so far · largest request ${Math.ceil(Math.max(0, ...s.requestBytes) / 1024)} KB`;
  });
});
grid.render();

// A handle for the browser tests and for poking around in the console.
Object.assign(globalThis, { playground: { model, grid } });

void startPane(officeHost(), { today: () => today, settings: host.Office.context.document.settings, showRoundTrips: true });
