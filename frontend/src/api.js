// Fetches a Kiln JSON endpoint. Readiness answers 503 with a JSON body while
// draining or when the database is down, so a non-2xx status is still data to show.
export async function fetchJson(path, init = {}) {
  try {
    const headers = { accept: "application/json", ...(init.headers || {}) };
    const res = await fetch(path, { ...init, headers });
    const body = await res.json().catch(() => null);
    return { status: res.status, body };
  } catch (err) {
    return { status: 0, body: { error: String(err) } };
  }
}
