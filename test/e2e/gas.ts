// google.script.run for Sidebar.html in a browser test, wired to the bundle running on the Apps Script fake.

/** google.script.run as the page sees it: chained handlers, asynchronous, values passed as JSON. */
export const RUNNER = `(() => {
  const runner = (ok, fail) => new Proxy({}, { get(_t, prop) {
    if (prop === "withSuccessHandler") return (f) => runner(f, fail);
    if (prop === "withFailureHandler") return (f) => runner(ok, f);
    return (...args) => { window.__gas(String(prop), JSON.stringify(args)).then((r) => {
      const o = JSON.parse(r);
      if ("error" in o) { if (fail) fail(new Error(o.error)); } else if (ok) ok(o.value);
    }); };
  } });
  window.google = { script: { run: runner(null, null) } };
})();`;

