# Sourced by the scripts: installs missing Debian packages (and says so).
ensure_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "Installing missing Debian packages: ${missing[*]}" >&2
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get update -qq >&2 || true
    without_service_start $sudo env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq "${missing[@]}" >&2
  fi
}

# without_service_start COMMAND...: runs an apt-get install so that the
# packages it installs start no service. nginx's postinst starts nginx on port
# 80 when it can; invoke-rc.d refuses when /usr/sbin/policy-rc.d exits 101. A
# policy already there (Docker images have one) is left alone; one made here
# is removed afterwards.
without_service_start() {
  local policy=/usr/sbin/policy-rc.d sudo="" made=0 rc=0
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    made=1
  fi
  "$@" || rc=$?
  if ((made)); then $sudo rm -f "$policy"; fi
  return "$rc"
}
