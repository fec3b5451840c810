import { resolve } from "node:path";
import { defineConfig } from "vite";

// Two pages, one build: the app UI at / and the operations console at /_console/.
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
      },
    },
  },
  server: {
    // `npm run dev` next to a running Kiln on :8080.
    proxy: { "/_api": "http://localhost:8080" },
  },
});
