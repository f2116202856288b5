// Apps Script's V8 runs plain ECMAScript: structuredClone (a web/Node API that core uses) is not there.
type Cloneable = unknown;

function clone(v: Cloneable, seen: Map<object, unknown>): unknown {
  if (typeof v === "function" || typeof v === "symbol") throw new TypeError("structuredClone: value cannot be cloned");
  if (v === null || typeof v !== "object") return v;
  const hit = seen.get(v);
  if (hit !== undefined) return hit;
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof RegExp) return new RegExp(v.source, v.flags);
  if (v instanceof Map) {
    const m = new Map<unknown, unknown>();
    seen.set(v, m);
    v.forEach((val, key) => m.set(clone(key, seen), clone(val, seen)));
    return m;
  }
  if (v instanceof Set) {
    const s = new Set<unknown>();
    seen.set(v, s);
    v.forEach((val) => s.add(clone(val, seen)));
    return s;
  }
  if (Array.isArray(v)) {
    const a: unknown[] = [];
    seen.set(v, a);
    for (const x of v) a.push(clone(x, seen));
    return a;
  }
  const o: Record<string, unknown> = {};
  seen.set(v, o);
  for (const k of Object.keys(v)) o[k] = clone((v as Record<string, unknown>)[k], seen);
  return o;
}

export function structuredClonePolyfill<T>(value: T): T {
  return clone(value, new Map()) as T;
}

export function installPolyfills(g: Record<string, unknown>): void {
  if (typeof g.structuredClone !== "function") g.structuredClone = structuredClonePolyfill;
}
