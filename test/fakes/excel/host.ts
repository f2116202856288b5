// The `Excel` and `Office` globals over a model: what an add-in sees in Excel, minus Excel.
import { Context } from "./api.js";
import { ErrorCodes } from "./errors.js";
import type { WorkbookModel } from "./model.js";

export interface FakeHost {
  Excel: {
    run<T>(a: unknown, b?: unknown): Promise<T>;
    ErrorCodes: typeof ErrorCodes;
    ConditionalFormatType: { custom: "Custom" };
  };
  Office: {
    onReady(cb?: (info: { host: string; platform: string }) => void): Promise<{ host: string; platform: string }>;
    context: {
      requirements: { isSetSupported(name: string, version?: string): boolean };
      document: {
        settings: {
          get(name: string): unknown;
          set(name: string, value: unknown): void;
          remove(name: string): void;
          saveAsync(cb?: (r: { status: string }) => void): void;
        };
      };
    };
    HostType: { Excel: "Excel" };
    AsyncResultStatus: { Succeeded: "succeeded"; Failed: "failed" };
    actions: { associate(name: string, fn: (...args: unknown[]) => unknown): void; get(name: string): ((...args: unknown[]) => unknown) | undefined };
  };
}

export function createHost(model: WorkbookModel): FakeHost {
  const actions = new Map<string, (...args: unknown[]) => unknown>();
  const info = { host: "Excel", platform: model.platform };
  return {
    Excel: {
      async run<T>(a: unknown, b?: unknown): Promise<T> {
        const batch = (typeof a === "function" ? a : b) as (ctx: Context) => Promise<T>;
        // Excel.run(object, batch) reuses that object's context, the documented way to remove an event handler later.
        const reuse = a instanceof Context ? a : typeof a === "object" && a !== null && "context" in a ? (a as { context: Context }).context : null;
        const ctx = reuse ?? new Context(model);
        ctx.closed = false;
        try {
          const result = await batch(ctx);
          // Like Office.js, whatever the batch left queued is sent in one more round trip.
          if (ctx.pending > 0) await ctx.sync();
          return result;
        } finally {
          ctx.closed = true;
        }
      },
      ErrorCodes,
      ConditionalFormatType: { custom: "Custom" },
    },
    Office: {
      onReady(cb) {
        const p = Promise.resolve(info);
        if (cb) void p.then(cb);
        return p;
      },
      context: {
        requirements: { isSetSupported: (name, version = "1.1") => model.supports(name, version) },
        document: {
          settings: {
            get: (name) => model.documentSettings.get(name) ?? null,
            set: (name, value) => void model.documentSettings.set(name, structuredClone(value)),
            remove: (name) => void model.documentSettings.delete(name),
            saveAsync: (cb) => setTimeout(() => cb?.({ status: "succeeded" }), 0),
          },
        },
      },
      HostType: { Excel: "Excel" },
      AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
      actions: { associate: (name, fn) => void actions.set(name, fn), get: (name) => actions.get(name) },
    },
  };
}
