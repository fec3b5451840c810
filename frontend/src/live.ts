import { Kiln, KilnError } from "../client/src/index";

// A page for trying a live query in a browser (and the realtime browser test).
const params = new URLSearchParams(location.search);
const query = params.get("query") ?? "items.count";
const args = JSON.parse(params.get("args") ?? "{}");
const token = params.get("token") ?? undefined;

const kiln = new Kiln({ token: () => token });
const status = document.getElementById("status")!;
const result = document.getElementById("result")!;
const updates = document.getElementById("updates")!;
let count = 0;

kiln.subscribe(query, args, (value) => {
  count += 1;
  status.textContent = "live";
  result.textContent = JSON.stringify(value);
  updates.textContent = String(count);
}, (error: KilnError) => {
  status.textContent = `error: ${error.code}`;
});
