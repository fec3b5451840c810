// Loads /live.html (the TypeScript client subscribing to a live query) in a real headless
// chromium, commits a mutation over HTTP, and waits until the page shows the new result.
// Usage: node live.mjs <base URL> <chromium path>. Prints one JSON line; exit 0 = passed.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [base, executablePath] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "kiln-chromium-"));
const report = { steps: [] };
const step = (s) => report.steps.push(s);
let browser;
try {
  // A fresh profile directory per run (playwright passes it as --user-data-dir); headless: true
  // adds --headless.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage();
  page.on("console", (m) => step(`console: ${m.text()}`));
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
  report.ok = true;
} catch (e) {
  report.ok = false;
  report.error = String(e && e.stack || e);
} finally {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
process.exit(report.ok ? 0 : 1);
