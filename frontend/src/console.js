// The operations console: health and readiness for anyone; nodes, queues, jobs and crons through
// the admin API (a token with the admin role, kept in sessionStorage: this tab only). Everything
// is redrawn from the API every two seconds and after each action. Values from the server are
// only ever written as text, never as HTML.
import { fetchJson } from "./api.js";

const TOKEN_KEY = "kiln.adminToken";
const REFRESH_MS = 2000;
let token = sessionStorage.getItem(TOKEN_KEY) || "";
let shownJob = null;

const $ = (id) => document.getElementById(id);

function headers() {
  return token ? { authorization: `Bearer ${token}` } : {};
}

function admin(path, method = "GET") {
  return fetchJson(path, { method, headers: headers() });
}

function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function row(cells, attrs = {}) {
  const tr = el("tr", null, attrs);
  for (const c of cells) tr.append(c instanceof Node ? c : el("td", c));
  return tr;
}

function actions(buttons) {
  const td = el("td");
  for (const [label, action, arg] of buttons) {
    td.append(el("button", label, { type: "button", "data-action": action, "data-arg": arg }));
  }
  return td;
}

function cell(text, cls) {
  return el("td", text, cls ? { class: cls } : {});
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "—";
}

async function showProbe(id, path, good) {
  const { status, body } = await fetchJson(path);
  const badge = $(id);
  badge.textContent = status === 0 ? "unreachable" : good(body) ? "yes" : `no (HTTP ${status})`;
  badge.className = `badge ${status !== 0 && good(body) ? "good" : "bad"}`;
  if (id === "health" && body?.version) badge.title = `version ${body.version}`;
}

function adminProblem(status, body) {
  if (status === 401) return "Paste an admin token above to see nodes, queues, jobs and crons.";
  if (status === 403) return "This token has no admin role: mint one with --role admin.";
  return `The admin API answered HTTP ${status}: ${body?.detail ?? body?.error ?? "no detail"}`;
}

async function loadNodes() {
  const { status, body } = await admin("/_api/admin/nodes");
  if (status !== 200) return { status, body };
  $("nodes").replaceChildren(...body.nodes.map((n) => row([
    cell(n.id, "id"), n.hostname, (n.roles || []).join(", "), n.status,
    `${Number(n.heartbeat_age_secs).toFixed(1)} s`, n.leader ? "leader" : "",
  ], { "data-node": n.id })));
  return { status };
}

async function loadQueues() {
  const { status, body } = await admin("/_api/admin/queues");
  if (status !== 200) return { status, body };
  $("queues").replaceChildren(...body.queues.map((q) => row([
    q.name, q.paused ? "paused" : "",
    Object.entries(q.jobs).map(([s, n]) => `${s} ${n}`).join(" · ") || "none",
    actions([q.paused ? ["Resume", "queue-resume", q.name] : ["Pause", "queue-pause", q.name]]),
  ], { "data-queue": q.name })));
  return { status };
}

async function loadJobs() {
  const state = $("job-state").value;
  const query = state ? `?state=${encodeURIComponent(state)}&limit=50` : "?limit=50";
  const { status, body } = await admin(`/_api/admin/jobs${query}`);
  if (status !== 200) return { status, body };
  $("jobs").replaceChildren(...body.jobs.map((j) => {
    const id = el("td", null, { class: "id" });
    id.append(el("a", j.id, { href: "#", "data-action": "job-show", "data-arg": j.id }));
    const buttons = [];
    if (["available", "scheduled", "running", "retrying"].includes(j.state)) {
      buttons.push(["Cancel", "job-cancel", j.id]);
    }
    if (["discarded", "cancelled", "retrying"].includes(j.state)) {
      buttons.push(["Retry", "job-retry", j.id]);
    }
    return row([
      id, j.kind, j.queue, cell(j.state, "state"), `${j.attempt}/${j.max_attempts}`,
      j.progress == null ? "" : `${j.progress}%${j.progress_message ? ` ${j.progress_message}` : ""}`,
      when(j.inserted_at), actions(buttons),
    ], { "data-job": j.id });
  }));
  if (shownJob) await showJob(shownJob);
  return { status };
}

async function showJob(id) {
  const { status, body } = await admin(`/_api/admin/jobs/${encodeURIComponent(id)}`);
  const detail = $("job-detail");
  detail.hidden = false;
  detail.textContent = status === 200 ? JSON.stringify(body, null, 2) : adminProblem(status, body);
}

async function loadCrons() {
  const { status, body } = await admin("/_api/admin/crons");
  if (status !== 200) return { status, body };
  $("crons").replaceChildren(...body.crons.map((c) => row([
    c.name, `${c.schedule} (${c.zone})`, when(c.next_run_at),
    c.last_run ? `${when(c.last_run.scheduled_at)} — ${c.last_run.outcome ?? "running"}` : "never",
    c.paused ? "paused" : "",
    actions([["Run now", "cron-trigger", c.name],
      c.paused ? ["Resume", "cron-resume", c.name] : ["Pause", "cron-pause", c.name]]),
  ], { "data-cron": c.name })));
  return { status };
}

async function refresh() {
  await Promise.all([
    showProbe("health", "/_api/health", (b) => b?.status === "healthy"),
    showProbe("ready", "/_api/ready", (b) => b?.ready === true),
  ]);
  const results = await Promise.all([loadNodes(), loadQueues(), loadJobs(), loadCrons()]);
  const failed = results.find((r) => r.status !== 200);
  $("admin-status").textContent = failed ? adminProblem(failed.status, failed.body) : "";
  $("refreshed").textContent = `updated ${new Date().toLocaleTimeString()}`;
}

const ACTIONS = {
  "job-cancel": (id) => admin(`/_api/admin/jobs/${id}/cancel`, "POST"),
  "job-retry": (id) => admin(`/_api/admin/jobs/${id}/retry`, "POST"),
  "queue-pause": (name) => admin(`/_api/admin/queues/${encodeURIComponent(name)}/pause`, "POST"),
  "queue-resume": (name) => admin(`/_api/admin/queues/${encodeURIComponent(name)}/resume`, "POST"),
  "cron-trigger": (name) => admin(`/_api/admin/crons/${encodeURIComponent(name)}/trigger`, "POST"),
  "cron-pause": (name) => admin(`/_api/admin/crons/${encodeURIComponent(name)}/pause`, "POST"),
  "cron-resume": (name) => admin(`/_api/admin/crons/${encodeURIComponent(name)}/resume`, "POST"),
};

document.addEventListener("click", async (event) => {
  const target = event.target.closest("[data-action]");
  if (!target) return;
  event.preventDefault();
  const action = target.getAttribute("data-action");
  const arg = target.getAttribute("data-arg");
  if (action === "job-show") {
    shownJob = arg;
    await showJob(arg);
    return;
  }
  const { status, body } = await ACTIONS[action](arg);
  // 409: the job or cron moved on meanwhile (e.g. finished before the cancel); say so and redraw
  $("action-error").textContent = status === 200 ? ""
    : `${target.textContent} failed: ${body?.detail ?? `HTTP ${status}`}`;
  await refresh();
});

$("token-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  token = $("token").value.trim();
  $("token").value = "";
  sessionStorage.setItem(TOKEN_KEY, token);
  await refresh();
});

$("forget-token").addEventListener("click", async () => {
  token = "";
  sessionStorage.removeItem(TOKEN_KEY);
  await refresh();
});

$("job-state").addEventListener("change", refresh);

await refresh();
setInterval(refresh, REFRESH_MS);
