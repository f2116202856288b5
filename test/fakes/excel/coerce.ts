// How Excel reads a string written through Range.values: like typed input. Modelled so an adapter that
// forgets to protect text ("=…", "-call back", "00123", "2026-11-26") is caught by the tests.

export type Value = string | number | boolean;

export interface Stored {
  value: Value;
  formula: string | null;
  /** Number format Excel applies on its own when it recognises a date or a percentage in typed text. */
  autoFormat: string | null;
}

const NUMBER = /^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const DAY_MS = 86_400_000;

const serial = (y: number, m: number, d: number): number | null => {
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return null;
  return t / DAY_MS + 25_569;
};

function asNumber(s: string): number | null {
  const t = s.trim();
  if (t === "" || !/\d/.test(t) || !NUMBER.test(t)) return null;
  const n = Number(t.replace(/,/g, ""));
  return Number.isFinite(n) ? n : null;
}

/** A string as Excel stores it when written into a cell whose number format is `format`. */
export function coerceInput(raw: string, format: string | undefined): Stored {
  if (format === "@") return { value: raw, formula: null, autoFormat: null };
  if (raw.startsWith("'")) return { value: raw.slice(1), formula: null, autoFormat: null };
  if (raw.startsWith("=") && raw.length > 1) return { value: "#NAME?", formula: raw, autoFormat: null };
  const n = asNumber(raw);
  if (n !== null) return { value: n, formula: null, autoFormat: null };
  if (/^[+-]./.test(raw)) return { value: "#NAME?", formula: `=${raw}`, autoFormat: null };
  if (/^[+-]?\d+(\.\d+)?%$/.test(raw.trim())) return { value: Number(raw.trim().slice(0, -1)) / 100, formula: null, autoFormat: "0%" };
  let m = ISO_DATE.exec(raw.trim());
  if (m) {
    const s = serial(Number(m[1]), Number(m[2]), Number(m[3]));
    if (s !== null) return { value: s, formula: null, autoFormat: "yyyy-mm-dd" };
  }
  m = US_DATE.exec(raw.trim());
  if (m) {
    const s = serial(Number(m[3]), Number(m[1]), Number(m[2]));
    if (s !== null) return { value: s, formula: null, autoFormat: "m/d/yyyy" };
  }
  const up = raw.trim().toUpperCase();
  if (up === "TRUE" || up === "FALSE") return { value: up === "TRUE", formula: null, autoFormat: null };
  return { value: raw, formula: null, autoFormat: null };
}
