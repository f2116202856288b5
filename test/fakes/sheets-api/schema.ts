// Request-body shapes of Sheets API v4, read from the type declarations googleapis ships, so the fake
// rejects exactly what the real API rejects as "Unknown name ... Cannot find field" or a wrong type.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

type FieldType =
  | { kind: "string" | "number" | "boolean" | "any" }
  | { kind: "ref"; name: string }
  | { kind: "array"; of: FieldType }
  | { kind: "map" };

export type Schemas = Map<string, Map<string, FieldType>>;

function parseType(raw: string): FieldType {
  const t = raw.replace(/\s*\|\s*null$/, "").trim();
  if (t.endsWith("[]")) return { kind: "array", of: parseType(t.slice(0, -2)) };
  if (t === "string") return { kind: "string" };
  if (t === "number") return { kind: "number" };
  if (t === "boolean") return { kind: "boolean" };
  if (t === "any") return { kind: "any" };
  if (t.startsWith("Schema$")) return { kind: "ref", name: t.slice("Schema$".length) };
  if (t.startsWith("{")) return { kind: "map" };
  return { kind: "any" };
}

let cached: Schemas | null = null;

export function loadSchemas(): Schemas {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file = require.resolve("googleapis/build/src/apis/sheets/v4.d.ts");
  const text = readFileSync(file, "utf8");
  const schemas: Schemas = new Map();
  const iface = /export interface Schema\$(\w+) \{([\s\S]*?)\n {4}\}/g;
  for (let m = iface.exec(text); m; m = iface.exec(text)) {
    const fields = new Map<string, FieldType>();
    const body = (m[2] as string).replace(/\/\*\*[\s\S]*?\*\//g, "");
    for (const line of body.split("\n")) {
      const f = /^\s*(\w+)\??: (.+);\s*$/.exec(line);
      if (f) fields.set(f[1] as string, parseType(f[2] as string));
    }
    schemas.set(m[1] as string, fields);
  }
  if (!schemas.has("Request") || !schemas.has("ValueRange")) throw new Error("could not read Sheets API shapes from googleapis");
  cached = schemas;
  return schemas;
}

/** Returns the first shape error in the API's own wording, or null when `value` fits `schema`. */
export function checkShape(value: unknown, schema: string, path: string): string | null {
  return checkType(value, { kind: "ref", name: schema }, path);
}

function checkType(value: unknown, type: FieldType, path: string): string | null {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case "any":
      return null;
    case "map":
      return typeof value === "object" && !Array.isArray(value) ? null : `Invalid value at '${path}': expected an object.`;
    case "string":
      return typeof value === "string" ? null : `Invalid value at '${path}' (TYPE_STRING), ${JSON.stringify(value)}`;
    case "number":
      return typeof value === "number" || (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value))
        ? null
        : `Invalid value at '${path}' (TYPE_NUMBER), ${JSON.stringify(value)}`;
    case "boolean":
      return typeof value === "boolean" ? null : `Invalid value at '${path}' (TYPE_BOOL), ${JSON.stringify(value)}`;
    case "array": {
      if (!Array.isArray(value)) return `Invalid value at '${path}': expected a list.`;
      for (let i = 0; i < value.length; i++) {
        const e = checkType(value[i], type.of, `${path}[${i}]`);
        if (e) return e;
      }
      return null;
    }
    case "ref": {
      const fields = loadSchemas().get(type.name);
      if (!fields) return null;
      if (typeof value !== "object" || Array.isArray(value)) return `Invalid value at '${path}': expected a ${type.name} object.`;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const ft = fields.get(k);
        if (!ft) return `Invalid JSON payload received. Unknown name "${k}" at '${path}': Cannot find field.`;
        const e = checkType(v, ft, path === "" ? k : `${path}.${k}`);
        if (e) return e;
      }
      return null;
    }
  }
}
