// The core facade: everything a host may call.
export { run, planStageEdit, findStageColumn, sheetTypes, LOG_HEADER, DATE_FORMAT, type RunResult, type SheetTypes, type StageEditInput, type StageEditPlan } from "./engine.js";
export { parseDateAs, parseNumberAs, type DateOrder } from "./parse.js";
export { DEFAULT_SETTINGS, Settings, fieldLabel, settingsFromGrid, settingsToGrid } from "./settings.js";
export { HEADER_SCAN_ROWS, mapColumns, type ColumnMap } from "./columns.js";
export { normalize } from "./stages.js";
export { count } from "./count.js";
export { thousands, type PipelineMetrics } from "./metrics.js";
export { a1, a1Range, quoteSheet, colName, colIndex, parseA1, dayFromIso, isoFromDay, excelSerialFromDay, dayFromExcelSerial, dayFromDate, EXCEL_EPOCH_OFFSET } from "./a1.js";
export { dealsWrites, kindOf, type WriteBlock, type DealsWrites, type WriteOptions, type ValueKind } from "./plan.js";
export * from "./types.js";
export { OWN_TABS, isOwnTab } from "./tabs.js";
export { classifyRows, countRows, type RowKind, type RowColumns, type RowCounts } from "./rows.js";
export { planLogActivity, type LogActivityInput, type LogActivityPlan, type LogForm, type CellWrite } from "./log-activity.js";
export { pickActivitiesTab, mapActivityColumns, TAB_ACTIVITIES, ACTIVITY_TYPES, ACTIVITY_HEADER, type ActivityType } from "./activity.js";
