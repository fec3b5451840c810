// What every browser test script shares: a real headless chromium (Debian's, through
// playwright-core) with a fresh profile, one page whose console output, errors and failed
// requests are recorded as steps, and one JSON report line; the process exits 0 when `test`
// finished without throwing.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function runInBrowser(executablePath, test) {
  const profile = mkdtempSync(join(tmpdir(), "kiln-chromium-"));
  const report = { steps: [] };
  const step = (s) => report.steps.push(s);
  let browser;
  let page;
  try {
    // playwright passes the profile as --user-data-dir; headless: true adds --headless
    browser = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage();
    page.on("console", (m) => step(`console: ${m.text()}`));
    page.on("pageerror", (e) => step(`page error: ${e.message}`));
    page.on("response", (r) => { if (r.status() >= 400) step(`HTTP ${r.status()} ${r.url()}`); });
    await test(page, step, report);
    report.ok = true;
  } catch (e) {
    report.ok = false;
    report.error = String(e && e.stack || e);
    report.url = page?.url();
    report.html = (await page?.content().catch(() => ""))?.slice(0, 3000);
  } finally {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(JSON.stringify(report));
  process.exit(report.ok ? 0 : 1);
}
