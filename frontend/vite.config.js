import { resolve } from "node:path";
import { defineConfig } from "vite";

// Three pages, one build: the app UI at /, the operations console at /_console/, and
// /live.html, a live query through the TypeScript client (frontend/client).
// The output directory comes from build.sh (--outDir), so Maven decides where it lands.
export default defineConfig({
  root: import.meta.dirname,
  // Top-level await in the page scripts needs es2022.
  build: {
    target: "es2022",
    rollupOptions: {
      input: {
        app: resolve(import.meta.dirname, "index.html"),
        console: resolve(import.meta.dirname, "_console/index.html"),
        live: resolve(import.meta.dirname, "live.html"),
      },
    },
  },
  server: {
    // `npm run dev` next to a running Kiln on :8080.
    proxy: { "/_api": "http://localhost:8080" },
  },
});
