// Drives the operations console (/_console/) in a real headless chromium: without a token it asks
// for one; with an admin token it lists the node as leader, cancels and retries a job, resumes its
// paused queue so the job completes, runs a cron now and shows a job's details.
// Usage: node console.mjs <base URL> <chromium path> <admin token> <job id> <cron name>.
// Prints one JSON line; exit 0 = passed.
import { runInBrowser } from "./harness.mjs";

const [base, executablePath, token, jobId, cron] = process.argv.slice(2);
const timeout = 15000;
await runInBrowser(executablePath, async (page, step, report) => {
  await page.goto(`${base}/_console/`);

  await page.waitForFunction(() => document.getElementById("health").textContent === "yes",
    null, { timeout });
  await page.waitForFunction(() => document.getElementById("ready").textContent === "yes",
    null, { timeout });
  step("health and readiness shown");
  await page.waitForFunction(
    () => document.getElementById("admin-status").textContent.includes("admin token"),
    null, { timeout });
  step("asks for a token");

  await page.fill("#token", token);
  await page.click("#use-token");
  await page.waitForSelector("#nodes tr[data-node] >> text=leader", { timeout });
  step("node listed as leader");

  const job = `#jobs tr[data-job="${jobId}"]`;
  const jobState = (s) => page.waitForSelector(`${job} td.state >> text="${s}"`, { timeout });
  await jobState("available");
  await page.waitForSelector('#queues tr[data-queue="default"] >> text=paused', { timeout });
  step("job available in the paused queue");

  await page.click(`${job} button[data-action="job-cancel"]`);
  await jobState("cancelled");
  step("cancelled");
  await page.click(`${job} button[data-action="job-retry"]`);
  await jobState("available");
  step("retried");

  await page.click('#queues tr[data-queue="default"] button[data-action="queue-resume"]');
  await jobState("completed");
  step("queue resumed, job completed");

  const cronRow = `#crons tr[data-cron="${cron}"]`;
  await page.waitForSelector(`${cronRow} >> text=never`, { timeout });
  await page.click(`${cronRow} button[data-action="cron-trigger"]`);
  await page.waitForFunction((sel) => {
    const row = document.querySelector(sel);
    return row && !row.textContent.includes("never");
  }, cronRow, { timeout });
  step("cron run now");

  await page.click(`${job} a[data-action="job-show"]`);
  await page.waitForFunction((id) => {
    const d = document.getElementById("job-detail");
    return !d.hidden && d.textContent.includes(id) && d.textContent.includes("completed");
  }, jobId, { timeout });
  step("job details shown");

  report.actionError = await page.textContent("#action-error");
});
