// A1 ranges as the Sheets API reads them: "Deals", "'My deals'!A2:F", "Deals!B:B", "A1:C3".

export interface A1 {
  sheet: string | null;
  /** 0-based, inclusive; undefined = open on that side. */
  r0: number;
  c0: number;
  r1: number | undefined;
  c1: number | undefined;
}

export function colIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

export function colLetters(col: number): string {
  let n = col + 1;
  let s = "";
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

export function quoteSheet(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !/^[A-Za-z]{1,3}\d+$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
}

export function formatA1(sheet: string, r0: number, c0: number, r1: number, c1: number): string {
  return `${quoteSheet(sheet)}!${colLetters(c0)}${r0 + 1}:${colLetters(c1)}${r1 + 1}`;
}

const CELL = /^([A-Za-z]{0,3})(\d*)$/;

/** Null when the text is not an A1 range. */
export function parseA1(text: string): A1 | null {
  let sheet: string | null = null;
  let rest = text.trim();
  if (rest.startsWith("'")) {
    let i = 1;
    let name = "";
    for (; i < rest.length; i++) {
      if (rest[i] === "'") {
        if (rest[i + 1] === "'") {
          name += "'";
          i++;
        } else break;
      } else name += rest[i];
    }
    if (i >= rest.length) return null;
    sheet = name;
    rest = rest.slice(i + 1);
    if (rest === "") return { sheet, r0: 0, c0: 0, r1: undefined, c1: undefined };
    if (!rest.startsWith("!")) return null;
    rest = rest.slice(1);
  } else {
    const bang = rest.lastIndexOf("!");
    if (bang >= 0) {
      sheet = rest.slice(0, bang);
      rest = rest.slice(bang + 1);
    } else if (!/^[A-Za-z]{0,3}\d*(:[A-Za-z]{0,3}\d*)?$/.test(rest) || rest === "") {
      return { sheet: rest, r0: 0, c0: 0, r1: undefined, c1: undefined };
    }
  }
  const [a, b] = rest.split(":");
  const m1 = CELL.exec(a ?? "");
  if (!m1 || (m1[1] === "" && m1[2] === "")) return null;
  const m2 = b === undefined ? m1 : CELL.exec(b);
  if (!m2) return null;
  const r0 = m1[2] === "" ? 0 : Number(m1[2]) - 1;
  const c0 = m1[1] === "" ? 0 : colIndex(m1[1] as string);
  const r1 = m2[2] === "" ? undefined : Number(m2[2]) - 1;
  const c1 = m2[1] === "" ? undefined : colIndex(m2[1] as string);
  if (r0 < 0 || (r1 !== undefined && r1 < r0) || (c1 !== undefined && c1 < c0)) return null;
  return { sheet, r0, c0, r1, c1 };
}
