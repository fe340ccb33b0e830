#!/usr/bin/env bash
# The local stack that end-to-end tests, CI and the demo run against; no AWS account is needed.
#
#   bash scripts/local-stack.sh up       start everything (does nothing for parts already running)
#   bash scripts/local-stack.sh env      print `export NAME=value` lines pointing the SDK and docker at it
#   bash scripts/local-stack.sh status   say what runs (exit 0 when all of it does, 3 otherwise)
#   bash scripts/local-stack.sh down     stop everything and undo the changes to the machine
#   bash scripts/local-stack.sh purge    down, then delete the stack directory (images, registry data, logs)
#
# What `up` starts, all on loopback, with state and logs in $DOCKYARD_STACK_DIR (default /tmp/dockyard-stack):
#   - moto_server (the AWS APIs), account 123456789012;
#   - dockerd on its own socket, data root, exec root and pidfile (--iptables=false --bridge=none), so it
#     never meets a system dockerd;
#   - Debian's docker-registry (distribution 2.8) with its storage in the stack directory;
#   - the ECR front (test/stack/front.ts): HTTPS on port 443 of the ECR hostname moto reports for its
#     repositories, 123456789012.dkr.ecr.us-east-1.amazonaws.com, in front of the registry. It accepts
#     only `AWS` + the GetAuthorizationToken password and records each pushed manifest in moto.
# What `up` changes on the machine, and `down` undoes: a line in /etc/hosts mapping that hostname to a
# loopback address (marked "# dockyard-stack"), and /etc/docker/certs.d/<hostname>/ca.crt, the stack's own
# CA, which the engine trusts for that registry. Needs root (for both, and for port 443).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${DOCKYARD_STACK_DIR:-/tmp/dockyard-stack}
ACCOUNT=123456789012
REGION=us-east-1
HOST=$ACCOUNT.dkr.ecr.$REGION.amazonaws.com
HOSTS_FILE=/etc/hosts
CERTS_DIR=/etc/docker/certs.d/$HOST
MARK='# dockyard-stack'
CA_SUBJECT='Dockyard local stack CA'
RUN=$DIR/run
LOGS=$DIR/logs

say() { echo "local-stack: $*" >&2; }
die() {
  say "$*"
  exit 1
}

# --- processes -------------------------------------------------------------------------------------------

# The pid in a pid file, when that process still runs the expected program (a stale file or a reused pid
# does not count).
live_pid() {
  local file=$1 pattern=$2 pid
  [ -s "$file" ] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pattern" || return 1
  echo "$pid"
}

# Patterns that identify each part's process, by its command line.
PAT_MOTO=moto_server
PAT_REGISTRY="docker-registry serve $DIR/"
PAT_DOCKERD="dockerd --config-file $DIR/"
PAT_FRONT="test/stack/serve-front.ts"

# Starts a command detached from this shell (its own session), output to a log, pid to a file.
spawn() {
  local name=$1
  shift
  : >"$LOGS/$name.log"
  # fd 9 is the stack's lock: the part must not hold it after this script ends.
  (cd "$ROOT" && exec setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1 9>&-) &
  echo $! >"$RUN/$name.pid"
}

stop_pid() {
  local name=$1 pid=$2 grace=$3
  kill -TERM "$pid" 2>/dev/null || return 0
  local i
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  say "$name (pid $pid) did not stop within ${grace}s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Waits until a check passes, or the part's process dies, or the deadline.
wait_for() {
  local name=$1 pidfile=$2 pattern=$3 seconds=$4
  shift 4
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ! live_pid "$pidfile" "$pattern" >/dev/null; then
      say "$name exited while starting; the end of $LOGS/$name.log:"
      tail -n 25 "$LOGS/$name.log" >&2 || true
      return 1
    fi
    if ((SECONDS >= deadline)); then
      say "$name did not become ready within ${seconds}s; the end of $LOGS/$name.log:"
      tail -n 25 "$LOGS/$name.log" >&2 || true
      return 1
    fi
    sleep 0.2
  done
}

# One HTTP(S) request with node: exit 0 when the status is the expected one.
http_status_is() {
  local url=$1 expected=$2 ca=${3:-}
  node -e '
    const [url, expected, ca] = process.argv.slice(1);
    const mod = require(url.startsWith("https:") ? "https" : "http");
    const req = mod.get(url, ca ? { ca: require("fs").readFileSync(ca), timeout: 2000 } : { timeout: 2000 }, res => {
      res.resume();
      process.exit(String(res.statusCode) === expected ? 0 : 1);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => process.exit(1));
  ' "$url" "$expected" "$ca"
}

docker_ping() {
  [ -S "$DIR/docker.sock" ] && docker --host "unix://$DIR/docker.sock" version --format '{{.Server.Version}}'
}

# --- state -------------------------------------------------------------------------------------------------

# Ports and the front's address, kept while the stack runs.
load_state() {
  MOTO_PORT=''
  REGISTRY_PORT=''
  FRONT_ADDRESS=''
  FRONT_FOR=''
  # shellcheck disable=SC1091
  [ -f "$DIR/state" ] && . "$DIR/state"
  return 0
}

save_state() {
  printf 'MOTO_PORT=%s\nREGISTRY_PORT=%s\nFRONT_ADDRESS=%s\nFRONT_FOR=%s\n' \
    "$MOTO_PORT" "$REGISTRY_PORT" "$FRONT_ADDRESS" "$FRONT_FOR" >"$DIR/state"
}

# --- TLS: the stack's own CA and a certificate for the ECR hostname ------------------------------------------

make_certs() {
  local tls=$DIR/tls
  mkdir -p "$tls"
  if [ -s "$tls/ca.crt" ] && [ -s "$tls/server.crt" ] && [ -s "$tls/server.key" ] &&
    openssl x509 -in "$tls/server.crt" -noout -checkend 86400 >/dev/null 2>&1 &&
    openssl verify -CAfile "$tls/ca.crt" "$tls/server.crt" >/dev/null 2>&1; then
    return 0
  fi
  say "creating the stack's CA and a certificate for $HOST"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -sha256 -subj "/CN=$CA_SUBJECT" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$HOST" -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' "$HOST" >"$tls/server.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 30 -sha256 \
    -extfile "$tls/server.ext" -out "$tls/server.crt" 2>/dev/null
  chmod 600 "$tls/ca.key" "$tls/server.key"
}

# The engine trusts the CA for this registry only: /etc/docker/certs.d/<host>/ca.crt (read per connection,
# no restart needed). A ca.crt that was there before is kept aside and put back by `down`.
install_ca() {
  mkdir -p "$CERTS_DIR"
  # Someone else's CA is kept aside; a stale one of a local stack (its subject says so) is just replaced.
  if [ -f "$CERTS_DIR/ca.crt" ] && ! cmp -s "$CERTS_DIR/ca.crt" "$DIR/tls/ca.crt" &&
    ! openssl x509 -in "$CERTS_DIR/ca.crt" -noout -subject 2>/dev/null | grep -q "$CA_SUBJECT"; then
    [ -f "$DIR/displaced-ca.crt" ] || cp "$CERTS_DIR/ca.crt" "$DIR/displaced-ca.crt"
  fi
  # Copied only when different: the engine reads it on every connection.
  cmp -s "$DIR/tls/ca.crt" "$CERTS_DIR/ca.crt" || cp "$DIR/tls/ca.crt" "$CERTS_DIR/ca.crt"
}

uninstall_ca() {
  if [ -f "$CERTS_DIR/ca.crt" ] && [ -f "$DIR/tls/ca.crt" ] && cmp -s "$CERTS_DIR/ca.crt" "$DIR/tls/ca.crt"; then
    rm -f "$CERTS_DIR/ca.crt"
  fi
  if [ -f "$DIR/displaced-ca.crt" ]; then
    mkdir -p "$CERTS_DIR"
    mv "$DIR/displaced-ca.crt" "$CERTS_DIR/ca.crt"
  fi
  rmdir "$CERTS_DIR" 2>/dev/null || true
}

# --- /etc/hosts ------------------------------------------------------------------------------------------------

# Rewrites /etc/hosts in place (it is often a bind mount, which a rename would fail on), and only when the
# content changes: other tests resolve the hostname while `up` runs, and must never see a half-written file.
write_hosts() {
  local content=$1
  [ "$(cat "$HOSTS_FILE")"$'\n' = "$content" ] && return 0
  printf '%s' "$content" >"$HOSTS_FILE"
}

# One marked line maps the hostname to the front's address. Stale marked lines go; a line of someone
# else's that names the hostname is kept aside in the stack directory and put back by `down`.
install_hosts() {
  local address=$1 line kept='' displaced=''
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line == *"$MARK"* ]]; then
      continue
    elif [[ " ${line%%#*} " =~ [[:space:]]${HOST//./\\.}[[:space:]] ]]; then
      displaced+="$line"$'\n'
    else
      kept+="$line"$'\n'
    fi
  done <"$HOSTS_FILE"
  [ -n "$displaced" ] && printf '%s' "$displaced" >>"$DIR/displaced-hosts"
  write_hosts "$kept$address $HOST $MARK $DIR"$'\n'
}

# One stack per machine: the hostname, port 443 and the certs.d entry exist once. Another stack directory
# whose front still runs is in the way; a mark left by one that is gone is just stale.
check_other_stack() {
  local other
  other=$(sed -n "s/.*$MARK \(\/.*\)\$/\1/p" "$HOSTS_FILE" 2>/dev/null | grep -vxF "$DIR" | head -n 1 || true)
  [ -n "$other" ] || return 0
  if live_pid "$other/run/front.pid" "$PAT_FRONT" >/dev/null; then
    die "another local stack runs from $other (it holds $HOST); stop it first: DOCKYARD_STACK_DIR=$other bash scripts/local-stack.sh down"
  fi
}

# Takes out this stack's line (not another stack's) and puts back what `up` set aside.
uninstall_hosts() {
  grep -qF -- "$MARK $DIR" "$HOSTS_FILE" 2>/dev/null || [ -f "$DIR/displaced-hosts" ] || return 0
  local line kept=''
  while IFS= read -r line || [ -n "$line" ]; do
    [[ $line == *"$MARK $DIR" || $line == *"$MARK" ]] || kept+="$line"$'\n'
  done <"$HOSTS_FILE"
  if [ -f "$DIR/displaced-hosts" ]; then
    kept+=$(cat "$DIR/displaced-hosts")$'\n'
    rm -f "$DIR/displaced-hosts"
  fi
  write_hosts "$kept"
}

# --- the parts ---------------------------------------------------------------------------------------------------

start_moto() {
  if live_pid "$RUN/moto.pid" "$PAT_MOTO" >/dev/null && [ -n "$MOTO_PORT" ]; then return 0; fi
  MOTO_PORT=$(free_port)
  spawn moto env MOTO_ACCOUNT_ID=$ACCOUNT moto_server -H 127.0.0.1 -p "$MOTO_PORT"
}

start_registry() {
  if live_pid "$RUN/registry.pid" "$PAT_REGISTRY" >/dev/null && [ -n "$REGISTRY_PORT" ]; then return 0; fi
  REGISTRY_PORT=$(free_port)
  while [ "$REGISTRY_PORT" = "$MOTO_PORT" ]; do REGISTRY_PORT=$(free_port); done
  mkdir -p "$DIR/registry"
  # relativeurls: upload locations are paths, so they work through the front as well as directly.
  cat >"$DIR/registry.yml" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $DIR/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
  relativeurls: true
EOF
  spawn registry docker-registry serve "$DIR/registry.yml"
}

start_dockerd() {
  if live_pid "$RUN/dockerd.pid" "$PAT_DOCKERD" >/dev/null; then return 0; fi
  # A dockerd that died leaves its pidfile and maybe its managed containerd; clear both.
  # (dockerd trusts containerd.pid while that pid exists at all, even as a zombie, and then waits for a
  # socket that never comes.)
  local stale
  if stale=$(live_pid "$DIR/exec/containerd/containerd.pid" "containerd"); then stop_pid containerd "$stale" 5; fi
  rm -f "$DIR/dockerd.pid" "$DIR/docker.sock" "$DIR/exec/containerd/containerd.pid"
  mkdir -p "$DIR/docker" "$DIR/exec"
  # Its own config file, so a system /etc/docker/daemon.json does not apply.
  echo '{}' >"$DIR/daemon.json"
  # Its --pidfile is its own (dockerd refuses to start while that file names a live process); the
  # stack tracks it by run/dockerd.pid like the other parts.
  spawn dockerd dockerd --config-file "$DIR/daemon.json" --host "unix://$DIR/docker.sock" \
    --data-root "$DIR/docker" --exec-root "$DIR/exec" --pidfile "$DIR/dockerd.pid" \
    --iptables=false --ip-masq=false --bridge=none
}

# Port 443 on the first loopback address where it is free (127.0.0.1, else 127.0.0.2, …), since the
# hostname can be mapped to any of them. A wildcard listener on 443 blocks them all: then say who has it.
choose_front_address() {
  local address
  for address in 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5; do
    if node -e 'const s=require("net").createServer();s.on("error",()=>process.exit(1));s.listen(443,process.argv[1],()=>s.close())' "$address"; then
      [ "$address" = 127.0.0.1 ] || say "port 443 of 127.0.0.1 is taken; the ECR front uses $address"
      echo "$address"
      return 0
    fi
  done
  say "port 443 is taken on every loopback address tried; the ECR hostname needs it. Listening there:"
  (ss -ltnp 'sport = :443' 2>/dev/null || true) >&2
  return 1
}

front_running() {
  live_pid "$RUN/front.pid" "$PAT_FRONT" >/dev/null && [ -n "$FRONT_ADDRESS" ]
}

# A front started before its code last changed (a developer edited test/stack/) is restarted.
restart_front_if_changed() {
  local pid
  pid=$(live_pid "$RUN/front.pid" "$PAT_FRONT") || return 0
  [ -f "$RUN/front.ready" ] || return 0
  if [ -n "$(find "$ROOT/test/stack" -name '*.ts' -newer "$RUN/front.ready" -print -quit)" ]; then
    say "test/stack changed since the ECR front started; restarting it"
    stop_pid front "$pid" 5
  fi
}

start_front() {
  if front_running; then return 0; fi
  rm -f "$RUN/front.ready"
  spawn front env FRONT_HOST="$HOST" FRONT_REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT" \
    FRONT_CERT="$DIR/tls/server.crt" FRONT_KEY="$DIR/tls/server.key" FRONT_ADDRESS="$FRONT_ADDRESS" FRONT_PORT=443 \
    FRONT_READY_FILE="$RUN/front.ready" \
    AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    AWS_REGION=$REGION AWS_EC2_METADATA_DISABLED=true \
    node --import tsx "$ROOT/test/stack/serve-front.ts"
}

cmd_up() {
  local started=$SECONDS
  command -v node >/dev/null || die "node is not installed"
  [ -x "$ROOT/node_modules/.bin/tsx" ] || die "node_modules is missing; run 'npm ci' first"
  # What `npm run all` needs on a fresh machine, installed the way .ci/run and the demo do.
  # shellcheck source=debian-packages.sh
  . "$ROOT/scripts/debian-packages.sh"
  ensure_packages local-stack || exit 1
  local tool
  for tool in moto_server dockerd docker docker-registry openssl setsid; do
    command -v "$tool" >/dev/null || die "$tool is not installed (.ci/run installs: docker.io docker-registry busybox-static openssl; moto_server comes from Python moto)"
  done
  [ "$(id -u)" = 0 ] || die "the stack needs root: it edits /etc/hosts and /etc/docker/certs.d and listens on port 443"
  check_other_stack
  load_state
  make_certs
  restart_front_if_changed
  front_running || FRONT_ADDRESS=$(choose_front_address)
  # The name and the CA go in before dockerd starts: Go programs cache /etc/hosts for a few seconds.
  install_hosts "$FRONT_ADDRESS"
  install_ca
  start_moto
  start_registry
  start_dockerd
  # A moto or registry that was restarted has a new port: the front must be pointed at it.
  local pid
  if [ "$FRONT_FOR" != "$MOTO_PORT:$REGISTRY_PORT" ] && pid=$(live_pid "$RUN/front.pid" "$PAT_FRONT"); then
    say "moto or the registry restarted; restarting the ECR front"
    stop_pid front "$pid" 5
  fi
  start_front
  FRONT_FOR=$MOTO_PORT:$REGISTRY_PORT
  save_state
  wait_for moto "$RUN/moto.pid" "$PAT_MOTO" 30 http_status_is "http://127.0.0.1:$MOTO_PORT/moto-api/" 200
  wait_for registry "$RUN/registry.pid" "$PAT_REGISTRY" 20 http_status_is "http://127.0.0.1:$REGISTRY_PORT/v2/" 200
  wait_for dockerd "$RUN/dockerd.pid" "$PAT_DOCKERD" 60 docker_ping
  wait_for front "$RUN/front.pid" "$PAT_FRONT" 30 test -f "$RUN/front.ready"
  # The whole path a client takes: name resolution, TLS from the stack's CA, the auth challenge.
  wait_for front "$RUN/front.pid" "$PAT_FRONT" 10 http_status_is "https://$HOST/v2/" 401 "$DIR/tls/ca.crt"
  say "up in $((SECONDS - started))s: moto :$MOTO_PORT, registry :$REGISTRY_PORT, dockerd $DIR/docker.sock, https://$HOST ($FRONT_ADDRESS)"
}

# Values go out unquoted when they are plain, else single-quoted (test/stack.ts reads both forms).
print_export() {
  local value=$2
  if [[ $value =~ ^[A-Za-z0-9_./:@%+=,-]*$ ]]; then
    printf 'export %s=%s\n' "$1" "$value"
  else
    printf "export %s='%s'\n" "$1" "${value//\'/\'\\\'\'}"
  fi
}

cmd_env() {
  load_state
  if [ -z "$MOTO_PORT" ] || ! live_pid "$RUN/moto.pid" "$PAT_MOTO" >/dev/null; then
    die "the stack is not up; run: bash scripts/local-stack.sh up"
  fi
  print_export AWS_ENDPOINT_URL "http://127.0.0.1:$MOTO_PORT"
  print_export AWS_ACCESS_KEY_ID testing
  print_export AWS_SECRET_ACCESS_KEY testing
  print_export AWS_REGION $REGION
  print_export AWS_EC2_METADATA_DISABLED true
  print_export DOCKER_HOST "unix://$DIR/docker.sock"
  print_export DOCKYARD_REGISTRY_HOST "$HOST"
  print_export DOCKYARD_REGISTRY_URL "http://127.0.0.1:$REGISTRY_PORT"
  print_export DOCKYARD_REGISTRY_CA "$DIR/tls/ca.crt"
  print_export DOCKYARD_STACK_DIR "$DIR"
}

cmd_status() {
  load_state
  local all=0 pid
  report() {
    local name=$1 file=$2 pattern=$3 where=$4
    if pid=$(live_pid "$file" "$pattern"); then
      printf '%-9s up    pid %-7s %s\n' "$name" "$pid" "$where"
    else
      printf '%-9s down\n' "$name"
      all=3
    fi
  }
  report moto "$RUN/moto.pid" "$PAT_MOTO" "http://127.0.0.1:$MOTO_PORT"
  report registry "$RUN/registry.pid" "$PAT_REGISTRY" "http://127.0.0.1:$REGISTRY_PORT"
  report dockerd "$RUN/dockerd.pid" "$PAT_DOCKERD" "unix://$DIR/docker.sock"
  report front "$RUN/front.pid" "$PAT_FRONT" "https://$HOST ($FRONT_ADDRESS:443)"
  if grep -q -- "$MARK" "$HOSTS_FILE" 2>/dev/null; then echo "hosts     $(grep -- "$MARK" "$HOSTS_FILE")"; else echo "hosts     no entry"; fi
  if [ -f "$CERTS_DIR/ca.crt" ]; then echo "certs.d   $CERTS_DIR/ca.crt"; else echo "certs.d   no entry"; fi
  return $all
}

cmd_down() {
  local pid
  if pid=$(live_pid "$RUN/front.pid" "$PAT_FRONT"); then stop_pid front "$pid" 5; fi
  if pid=$(live_pid "$RUN/dockerd.pid" "$PAT_DOCKERD"); then stop_pid dockerd "$pid" 20; fi
  # dockerd stops its containerd; one left by a killed dockerd goes too.
  if pid=$(live_pid "$DIR/exec/containerd/containerd.pid" containerd); then stop_pid containerd "$pid" 5; fi
  if pid=$(live_pid "$RUN/registry.pid" "$PAT_REGISTRY"); then stop_pid registry "$pid" 5; fi
  if pid=$(live_pid "$RUN/moto.pid" "$PAT_MOTO"); then stop_pid moto "$pid" 5; fi
  # Mounts a killed dockerd may have left under the stack directory, deepest first.
  local mounts
  mounts=$(awk -v d="$DIR/" 'index($2, d) == 1 { print $2 }' /proc/mounts 2>/dev/null | sort -r || true)
  if [ -n "$mounts" ]; then
    while IFS= read -r m; do umount -l "$m" 2>/dev/null || true; done <<<"$mounts"
  fi
  uninstall_hosts
  uninstall_ca
  rm -f "$RUN"/*.pid "$RUN/front.ready" "$DIR/state" "$DIR/dockerd.pid" "$DIR/docker.sock" "$DIR/started-for-tests"
}

main() {
  local command=${1:-}
  case "$command" in
  up | down | env | status | purge) ;;
  *)
    echo "usage: bash scripts/local-stack.sh up|env|status|down|purge" >&2
    exit 2
    ;;
  esac
  mkdir -p "$DIR" "$RUN" "$LOGS"
  # One command at a time: parallel test workers may all call `up`.
  exec 9>"$DIR/.lock"
  flock 9
  case "$command" in
  up) cmd_up ;;
  env) cmd_env ;;
  status) cmd_status ;;
  down) cmd_down ;;
  purge)
    cmd_down
    exec 9>&-
    rm -rf "$DIR"
    ;;
  esac
}

main "$@"
