// What pipesheet remembers between executions, in the document's properties (shared by everyone editing it).
import type { Command, Problem } from "../../core/index.js";
import type { Properties } from "./gas.js";
import { PROP_LAST, PROP_RESUME, PROP_STAGE, PROP_VALIDATIONS } from "./names.js";
import type { StoredValidation } from "./rules.js";

/** Where the Stage column is, so onEdit can decide from the event alone whether an edit matters. */
export interface StageConfig {
  sheetId: number;
  sheetName: string;
  /** 0-based. */
  headerRow: number;
  stageCol: number;
}

/** A command that stopped before Apps Script's time limit: the next click or sidebar call carries on here. */
export interface Resume {
  command: Command;
  today: string;
  sheetId: number;
  nextRow: number;
  rowCount: number;
  parts: number;
}

export interface LastRun {
  command: Command;
  at: string;
  sheet: string;
  headline: string;
  problems: Problem[];
  problemCount: number;
}

/** Properties hold at most 9 kB per value; keep well inside it. */
const MAX_VALUE_CHARS = 8_000;

export function parseJson<T>(text: string | null | undefined): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export interface Stored {
  stage: StageConfig | null;
  resume: Resume | null;
  validations: StoredValidation[];
  last: LastRun | null;
}

export function readStore(props: Properties): Stored {
  const all = props.getProperties();
  return {
    stage: parseJson<StageConfig>(all[PROP_STAGE]),
    resume: parseJson<Resume>(all[PROP_RESUME]),
    validations: parseJson<StoredValidation[]>(all[PROP_VALIDATIONS]) ?? [],
    last: parseJson<LastRun>(all[PROP_LAST]),
  };
}

/** The last run, with as many problems as fit in one property value. */
export function lastRunJson(last: LastRun): string {
  const base = { ...last, problems: [] as Problem[] };
  let size = JSON.stringify(base).length;
  for (const p of last.problems) {
    const s = JSON.stringify(p).length + 1;
    if (size + s > MAX_VALUE_CHARS) break;
    base.problems.push(p);
    size += s;
  }
  return JSON.stringify(base);
}

export function storeAfterRun(props: Properties, stage: StageConfig | null, validations: StoredValidation[], last: LastRun, hadResume: boolean): void {
  const values: Record<string, string> = { [PROP_VALIDATIONS]: JSON.stringify(validations), [PROP_LAST]: lastRunJson(last) };
  if (stage) values[PROP_STAGE] = JSON.stringify(stage);
  props.setProperties(values);
  if (hadResume) props.deleteProperty(PROP_RESUME);
}
