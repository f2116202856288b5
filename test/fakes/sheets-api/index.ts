// The fake Sheets API: see server.ts.
export { FakeSheetsServer, SHEETS_SCOPE, type Call, type Fault, type FaultKind, type Method } from "./server.js";
export { FakeSpreadsheet, FakeSheet, type Value } from "./model.js";
