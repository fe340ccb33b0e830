# The Debian packages the local stack needs, and how to check and install them. Sourced by .ci/run,
# scripts/demo.sh and scripts/local-stack.sh.
#   docker.io: the Docker engine; docker-registry: the registry behind the ECR front; busybox-static: the
#   static /bin/busybox of FROM-scratch images; openssl: the stack's CA; ca-certificates.

DOCKYARD_PACKAGES=(docker.io docker-registry busybox-static openssl ca-certificates)

# Prints the packages of DOCKYARD_PACKAGES that are not installed, one a line.
missing_packages() {
  local p
  for p in "${DOCKYARD_PACKAGES[@]}"; do
    # A removed package can keep its config files, and then `dpkg -s` still succeeds: ask for the state.
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

# The command that installs them (for messages), and installing them (as root).
install_command() {
  echo "apt-get update && apt-get install -y --no-install-recommends $*"
}
# apt-get's own output is shown only when it fails.
install_packages() {
  local log
  log=$(mktemp)
  if DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >>"$log" 2>&1; then
    rm -f "$log"
    return 0
  fi
  cat "$log" >&2
  rm -f "$log"
  return 1
}

# Installs what is missing of DOCKYARD_PACKAGES (as root). Returns 1 when it cannot, having said on stderr the
# command to run; $1 starts each message (`demo`, `local-stack`).
ensure_packages() {
  local who=$1 missing
  mapfile -t missing < <(missing_packages)
  [ ${#missing[@]} -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ]; then
    echo "$who: the Debian packages ${missing[*]} are missing; run: sudo sh -c '$(install_command "${missing[@]}")'" >&2
    return 1
  fi
  echo "$who: installing the Debian packages the local stack needs: ${missing[*]} ($(install_command "${missing[@]}"))" >&2
  install_packages "${missing[@]}" || {
    echo "$who: installing them failed; run: $(install_command "${missing[@]}")" >&2
    return 1
  }
}
