import { fetchJson } from "./api.js";

const { status, body } = await fetchJson("/_api/health");
document.getElementById("version").textContent =
  status === 200 && body?.version ? body.version : `unavailable (HTTP ${status})`;
