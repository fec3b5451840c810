#!/usr/bin/env bash
# Builds the Vite frontend (app UI + console) into OUTDIR; Maven calls this in generate-resources:
#   bash frontend/build.sh target/classes/webroot ${frontend.required}
# Without npm the build is skipped with a warning (the jar then serves a placeholder page),
# unless REQUIRED is "true" — release builds must not ship without the UI.
set -euo pipefail

OUTDIR=${1:?usage: frontend/build.sh OUTDIR [REQUIRED=true|false]}
REQUIRED=${2:-false}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Absolute, because the build below runs from frontend/.
mkdir -p "$OUTDIR" && OUTDIR=$(cd "$OUTDIR" && pwd)
FALLBACK_MARKER='kiln-frontend-fallback'

# Keeps / and /_console/ answering when there is no Vite output, without clobbering a real build.
write_fallback() {
  mkdir -p "$OUTDIR/_console"
  if [[ ! -f $OUTDIR/index.html ]]; then
    cat >"$OUTDIR/index.html" <<HTML
<!doctype html>
<!-- $FALLBACK_MARKER -->
<html lang="en"><head><meta charset="utf-8"><title>Kiln</title></head>
<body><h1>Kiln</h1><p>This jar was built without its frontend (npm was not found).
The API is under <a href="/_api/health">/_api/</a>.</p></body></html>
HTML
  fi
  if [[ ! -f $OUTDIR/_console/index.html ]]; then
    cat >"$OUTDIR/_console/index.html" <<HTML
<!doctype html>
<!-- $FALLBACK_MARKER -->
<html lang="en"><head><meta charset="utf-8"><title>Kiln console</title></head>
<body><h1>Kiln console</h1><p>This jar was built without its frontend (npm was not found).
See <a href="/_api/health">/_api/health</a> and <a href="/_api/ready">/_api/ready</a>.</p></body></html>
HTML
  fi
}

if ! command -v npm >/dev/null 2>&1; then
  if [[ $REQUIRED == true ]]; then
    echo "ERROR: npm not found on PATH, and frontend.required=true. Install Node.js 20.19+ (with npm)," >&2
    echo "       or build without -Dfrontend.required=true to ship the placeholder page." >&2
    exit 1
  fi
  echo "WARNING: npm not found on PATH; skipping the frontend build. The jar will serve a placeholder" >&2
  echo "WARNING: page at / and /_console/. Install Node.js 20.19+ (with npm) to build the real UI." >&2
  write_fallback
  exit 0
fi

cd "$HERE"

# npm ci wipes node_modules; only pay for it when the lockfile changed since the last install.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "frontend: npm ci"
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error
fi

# Skip Vite when the last build went to this OUTDIR, its output is still there (not wiped by
# mvn clean, not the placeholder) and no frontend file changed since.
STAMP=node_modules/.kiln-build-stamp
if [[ -f $STAMP && $(<"$STAMP") == "$OUTDIR" && -f $OUTDIR/index.html ]] &&
  ! grep -q "$FALLBACK_MARKER" "$OUTDIR/index.html" &&
  [[ -z $(find . -path ./node_modules -prune -o -type f -newer "$STAMP" -print -quit) ]]; then
  echo "frontend: up to date in $OUTDIR"
  exit 0
fi

echo "frontend: vite build -> $OUTDIR"
if ! node_modules/.bin/vite build --outDir "$OUTDIR" --emptyOutDir --logLevel warn; then
  echo "ERROR: the frontend build failed (Vite 7 needs Node.js 20.19+ or 22.12+; found $(node --version))." >&2
  echo "       Fix it, or skip it with -Dfrontend.skip=true." >&2
  exit 1
fi
printf '%s' "$OUTDIR" >"$STAMP"
