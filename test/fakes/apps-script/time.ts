// Calendar arithmetic in a named time zone, as Sheets does it: serial numbers are wall-clock days in the spreadsheet's zone.
const MS_PER_DAY = 86_400_000;
export const EPOCH_SERIAL = 25_569;

const partsCache = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = partsCache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    partsCache.set(zone, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a zone. */
export function wallClock(ms: number, zone: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(ms))) if (part.type !== "literal") p[part.type] = Number(part.value);
  return { y: p.year as number, m: p.month as number, d: p.day as number, h: p.hour as number, mi: p.minute as number, s: p.second as number };
}

/** Offset of a zone from UTC at an instant, in ms. */
export function zoneOffset(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant a serial number (wall-clock days in `zone`) stands for. */
export function instantFromSerial(serial: number, zone: string): number {
  const wall = Math.round((serial - EPOCH_SERIAL) * MS_PER_DAY);
  let t = wall - zoneOffset(wall, zone);
  t = wall - zoneOffset(t, zone);
  return t;
}

/** The serial number of an instant in `zone`. */
export function serialFromInstant(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  const day = Date.UTC(w.y, w.m - 1, w.d) / MS_PER_DAY + EPOCH_SERIAL;
  const secs = w.h * 3600 + w.mi * 60 + w.s;
  return secs === 0 ? day : day + secs / 86_400;
}

export const serialFromYmd = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / MS_PER_DAY + EPOCH_SERIAL;

/** Utilities.formatDate for the few patterns pipesheet uses; anything else is refused so a new use gets modelled. */
export function formatDate(ms: number, zone: string, pattern: string): string {
  const w = wallClock(ms, zone);
  const two = (n: number): string => String(n).padStart(2, "0");
  // SimpleDateFormat: letters are fields (only yyyy, MM, dd and Z are modelled), anything else is literal.
  if (/[A-Za-z]/.test(pattern.replace(/yyyy|MM|dd|Z/g, ""))) throw new Error(`fake Utilities.formatDate: pattern "${pattern}" is not modelled`);
  return pattern.replace(/yyyy|MM|dd|Z/g, (field) => {
    if (field === "yyyy") return String(w.y);
    if (field === "MM") return two(w.m);
    if (field === "dd") return two(w.d);
    const off = Math.round(zoneOffset(ms, zone) / 60_000);
    const a = Math.abs(off);
    return `${off < 0 ? "-" : "+"}${two(Math.floor(a / 60))}${two(a % 60)}`;
  });
}
