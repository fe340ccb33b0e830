#!/usr/bin/env bash
# npm run demo: build-push on the local stack, as a GitHub runner would run it.
#
# Brings the local stack up (scripts/local-stack.sh), bundles build-push when dist/build-push is missing,
# then runs `node dist/build-push/index.js` the way the runner does: INPUT_* variables (defaults from
# actions/build-push/action.yml), the GITHUB_* context of this checkout, and GITHUB_OUTPUT /
# GITHUB_STEP_SUMMARY / GITHUB_ENV files. It builds examples/hello (FROM scratch; /bin/busybox is copied
# into a temporary build context, never committed), pushes it to moto's ECR repository `dockyard/hello`,
# and prints the outputs and the job summary. Run it twice: the second run finds the tag in ECR and skips.
#
# The stack keeps running afterwards; stop it with `bash scripts/local-stack.sh down`.
# DEMO_REPOSITORY and DEMO_TAGS change the repository and the extra tags.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
REPOSITORY=${DEMO_REPOSITORY:-dockyard/hello}
TAGS=${DEMO_TAGS:-}

[ -d node_modules ] || { echo "demo: run 'npm ci' first" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "demo: /bin/busybox is missing; install busybox-static" >&2; exit 1; }

echo "==> local stack"
bash scripts/local-stack.sh up
eval "$(bash scripts/local-stack.sh env)"

if [ ! -f dist/build-push/index.js ]; then
  echo "==> bundling build-push (dist/build-push is missing)"
  npm run --silent build -- build-push
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dockyard-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/app" "$work/docker-config"
cp -R examples/hello/. "$work/app/"
cp /bin/busybox "$work/app/busybox"
for f in output summary env state path; do : >"$work/$f"; done

# The inputs as the runner passes them: every default from action.yml, then this step's `with:`.
mapfile -d '' defaults < <(node --input-type=module -e '
  import { readFileSync } from "node:fs";
  import { parse } from "yaml";
  const spec = parse(readFileSync("actions/build-push/action.yml", "utf8"));
  for (const [name, input] of Object.entries(spec.inputs ?? {})) {
    if (input.default !== undefined) process.stdout.write(`INPUT_${name.replace(/ /g, "_").toUpperCase()}=${input.default}\0`);
  }
')

sha=$(git rev-parse HEAD 2>/dev/null || echo 0000000000000000000000000000000000000000)
branch=$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo main)
[ "$branch" = HEAD ] && branch=main

# The runner's environment: this shell's (minus any INPUT_/GITHUB_ left over), the stack's, and the run's.
mapfile -t unset_args < <(env | sed -n 's/^\(\(INPUT\|GITHUB\)_[^=]*\)=.*/-u\n\1/p')
run_env=(
  "${defaults[@]}"
  "INPUT_REPOSITORY=$REPOSITORY"
  "INPUT_CONTEXT=$work/app"
  "INPUT_FILE=$work/app/Dockerfile"
  "INPUT_TAGS=$TAGS"
  "INPUT_PUSH=true"
  "INPUT_CREATE-REPOSITORY=true"
  "GITHUB_ACTIONS=true"
  "GITHUB_REPOSITORY=dockyard/demo"
  "GITHUB_SERVER_URL=https://github.com"
  "GITHUB_SHA=$sha"
  "GITHUB_REF=refs/heads/$branch"
  "GITHUB_REF_NAME=$branch"
  "GITHUB_REF_TYPE=branch"
  "GITHUB_RUN_ID=1"
  "GITHUB_RUN_ATTEMPT=1"
  "GITHUB_WORKFLOW=demo"
  "GITHUB_JOB=build"
  "GITHUB_ACTOR=$(id -un)"
  "GITHUB_EVENT_NAME=push"
  "GITHUB_WORKSPACE=$work/app"
  "GITHUB_OUTPUT=$work/output"
  "GITHUB_STEP_SUMMARY=$work/summary"
  "GITHUB_ENV=$work/env"
  "GITHUB_STATE=$work/state"
  "GITHUB_PATH=$work/path"
  "RUNNER_TEMP=$work"
  # docker login/logout go to a config of the demo's own, not ~/.docker.
  "DOCKER_CONFIG=$work/docker-config"
)

echo "==> build-push: $REPOSITORY from examples/hello (commit ${sha:0:7})"
started=$(date +%s%N)
set +e
env "${unset_args[@]}" "${run_env[@]}" node dist/build-push/index.js
code=$?
set -e
elapsed_ms=$((($(date +%s%N) - started) / 1000000))

echo
echo "==> outputs (exit code $code, ${elapsed_ms}ms)"
# GITHUB_OUTPUT holds `name=value` and `name<<DELIMITER … DELIMITER` entries.
awk '
  delim != "" { if ($0 == delim) { delim = ""; print name " = " value; value = "" } else { value = value (value == "" ? "" : "\n") $0 }; next }
  /^[^=<]+<</ { i = index($0, "<<"); name = substr($0, 1, i - 1); delim = substr($0, i + 2); next }
  /=/ { i = index($0, "="); print substr($0, 1, i - 1) " = " substr($0, i + 1) }
' "$work/output"

echo
echo "==> job summary"
cat "$work/summary"

if [ "$code" = 0 ] && grep -qx 'skipped=true' "$work/output"; then
  echo "==> the image was already in ECR (moto at $AWS_ENDPOINT_URL): nothing built, nothing pushed"
elif [ "$code" = 0 ]; then
  echo "==> pushed to ECR (moto at $AWS_ENDPOINT_URL); the registry behind it: $DOCKYARD_REGISTRY_URL/v2/$REPOSITORY/tags/list"
  echo "    Run 'npm run demo' again: the tag is in ECR now, so the build is skipped."
fi
exit "$code"
