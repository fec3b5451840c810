import { fetchJson } from "./api.js";

async function show(elementId, path) {
  const { status, body } = await fetchJson(path);
  document.getElementById(elementId).textContent =
    `HTTP ${status}\n${JSON.stringify(body, null, 2)}`;
}

await Promise.all([show("health", "/_api/health"), show("ready", "/_api/ready")]);
