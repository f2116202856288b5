/// <reference types="office-js" />
// The strict Excel fake as the adapter sees it: a Host over an in-memory workbook.
import type { Host } from "../../../excel-addin/adapter/host.js";
import { createHost } from "./host.js";
import { WorkbookModel, type ModelOptions } from "./model.js";

export { WorkbookModel } from "./model.js";
export { OfficeError } from "./errors.js";
export { PAYLOAD_LIMIT } from "./api.js";

export function hostFor(model: WorkbookModel): Host & { globals: ReturnType<typeof createHost> } {
  const g = createHost(model);
  return {
    globals: g,
    run: (batch) => g.Excel.run(batch as (ctx: unknown) => Promise<never>),
    runWith: (object, batch) => g.Excel.run(object.context, batch as (ctx: unknown) => Promise<never>),
    isSetSupported: (name, version) => g.Office.context.requirements.isSetSupported(name, version),
  };
}

export const newWorkbook = (options?: ModelOptions): WorkbookModel => new WorkbookModel(options);
