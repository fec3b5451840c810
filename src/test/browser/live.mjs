// Loads /live.html (the TypeScript client subscribing to a live query) in a real headless
// chromium, commits a mutation over HTTP, and waits until the page shows the new result.
// Usage: node live.mjs <base URL> <chromium path>. Prints one JSON line; exit 0 = passed.
import { runInBrowser } from "./harness.mjs";

const [base, executablePath] = process.argv.slice(2);
await runInBrowser(executablePath, async (page, step, report) => {
  const args = encodeURIComponent(JSON.stringify({ name: "browser" }));
  await page.goto(`${base}/live.html?query=items.named&args=${args}`);
  await page.waitForFunction(() => document.getElementById("result").textContent === "0",
    null, { timeout: 15000 });
  step("initial result 0 shown");
  const r = await fetch(`${base}/_api/rpc/items.add`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "browser", qty: 1, fail: false }),
  });
  step(`mutation: HTTP ${r.status}`);
  const t0 = Date.now();
  await page.waitForFunction(() => document.getElementById("result").textContent === "1",
    null, { timeout: 15000 });
  report.updateMillis = Date.now() - t0;
  report.status = await page.textContent("#status");
  report.updates = await page.textContent("#updates");
});
