#!/usr/bin/env bash
# The README's commands on a fresh Debian 13 (trixie: OpenSSL 3.5, Catch2 3,
# GCC 14, clang-tidy 19): builds a minimal trixie root with debootstrap, clones
# this checkout's committed HEAD into it and runs ./scripts/demo.sh,
# ./scripts/test.sh and ./scripts/tidy.sh there as root. They install the Debian
# packages they need themselves, as on a new machine. CI runs it (.ci/run).
#
# Usage: ./scripts/test-debian13.sh [--prepare] [COMMAND...]
#   COMMAND (default: the three scripts above) runs in the clone, in bash -c.
#   --prepare: only build the root, clone and install the packages the README's
#   commands need, then stop (with MAXQ_TRIXIE_ROOT, so that a later run reuses
#   it: CI prepares the root in the background while the Debian 12 build runs).
#   Needs root (debootstrap, chroot, mounts) and the debootstrap package.
# Environment:
#   MAXQ_TRIXIE_ROOT=DIR   keep the root in DIR; an existing root there is reused
#                          (developers iterating). Default: a temp dir, removed.
#   MAXQ_TRIXIE_PACKAGES   extra Debian packages to install first (space separated)
#   MAXQ_DEBIAN_MIRROR     default: http://deb.debian.org/debian
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
prepare=0
if [[ "${1:-}" == --prepare ]]; then
  prepare=1
  shift
  [[ -n "${MAXQ_TRIXIE_ROOT:-}" ]] ||
    { echo "test-debian13.sh: --prepare needs MAXQ_TRIXIE_ROOT (the root to keep)" >&2; exit 2; }
fi
[[ $(id -u) -eq 0 ]] || { echo "test-debian13.sh: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "test-debian13.sh: apt-get install debootstrap" >&2; exit 2; }

mirror=${MAXQ_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keep=0
if [[ -n "${MAXQ_TRIXIE_ROOT:-}" ]]; then
  root=$MAXQ_TRIXIE_ROOT
  keep=1
  mkdir -p "$root"
else
  root=$(mktemp -d "${TMPDIR:-/var/tmp}/maxq-trixie.XXXXXX")
fi
root=$(cd "$root" && pwd)
# It is "/" inside: mktemp -d made it 0700, which would keep every user but
# root out of every path (www-data could not reach the broker's socket).
chmod 0755 "$root"
mounted=()

# Mounts come off in reverse order, also on failure or interrupt; processes a
# test left running inside the root are stopped first (they would hold mounts).
cleanup() {
  local rc=$? pid i
  for pid in /proc/[0-9]*; do
    [[ "$(readlink "$pid/root" 2>/dev/null)" == "$root" ]] && { kill -9 "${pid#/proc/}" 2>/dev/null || true; }
  done
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
  done
  if ((!keep)) && ! grep -q " $root/" /proc/mounts; then
    rm -rf --one-file-system "$root"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo "==> [debian13 $(date +%T)] $*"; }

ready=/etc/maxq-debian13-root  # written once debootstrap has finished
if [[ ! -f "$root$ready" ]]; then
  step "debootstrap trixie (minbase) from $mirror into $root"
  debootstrap --variant=minbase trixie "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
    { tail -20 "$root.debootstrap.log" >&2; exit 1; }
  rm -f "$root.debootstrap.log"
  date -u >"$root$ready"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"

# A kept root may still hold the mounts of a run that was killed (SIGKILL).
awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r |
  while read -r m; do umount -l "$m"; done

mount_in() {  # mount_in TARGET MOUNT-ARGS...
  mkdir -p "$root$1"
  mount "${@:2}" "$root$1"
  mounted+=("$root$1")
}
mount_in /proc -t proc proc
mount_in /sys -t sysfs sysfs
mount_in /dev --bind /dev
mount_in /dev/pts --bind /dev/pts
mount_in /dev/shm -t tmpfs -o mode=1777 shm
# Debian 13 has /tmp on tmpfs; the tests make their temp dirs there.
mount_in /tmp -t tmpfs -o mode=1777 tmp

# In the background and waited for, so that INT or TERM reach the trap at once
# (bash runs traps only after a foreground child has ended).
in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@" &
  wait "$!"
}

clone=/src/maxq1061-provider
head=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || true)
if [[ -z "$head" ]]; then
  # Not a git checkout (an unpacked tarball): copy the tree, builds left out.
  step "copying $src into $clone (no git checkout)"
  rm -rf "$root$clone"
  mkdir -p "$root$clone"
  tar -C "$src" --exclude='./build*' --exclude=./.cache -cf - . | tar -C "$root$clone" -xf -
elif [[ -d "$root$clone/.git" ]]; then
  # A kept root: same clone, moved to this HEAD; its build/ stays (incremental).
  step "updating $clone to $head of $src"
  git -C "$root$clone" fetch --quiet "$src" HEAD
  git -C "$root$clone" reset --quiet --hard FETCH_HEAD
else
  step "cloning $head of $src into $clone (committed files only)"
  mkdir -p "$root/src"
  git clone --quiet --no-hardlinks "$src" "$root$clone"
fi

if ((prepare)); then
  # What build.sh, test.sh and demo.sh would install themselves (the same
  # lists), fetched now so that the later run only builds and tests.
  MAXQ_TRIXIE_PACKAGES="cmake g++ make libssl-dev libftdi1-dev catch2 openssl pkg-config curl \
python3 nginx ruby nodejs php-cli socat stunnel4 haproxy ${MAXQ_TRIXIE_PACKAGES:-}"
fi
if [[ -n "${MAXQ_TRIXIE_PACKAGES:-}" ]]; then
  step "installing $MAXQ_TRIXIE_PACKAGES"
  # shellcheck disable=SC2086  # a space-separated list
  in_root bash -c "cd $clone && source scripts/ensure_packages.sh && ensure_packages $MAXQ_TRIXIE_PACKAGES"
fi

if ((prepare)); then
  step "prepared in $((SECONDS / 60)) min $((SECONDS % 60)) s"
  exit 0
elif (($#)); then
  step "running: $*"
  in_root bash -c "cd $clone && $*"
else
  step "./scripts/demo.sh"
  in_root bash -c "cd $clone && ./scripts/demo.sh"
  step "./scripts/test.sh"
  in_root bash -c "cd $clone && ./scripts/test.sh"
  step "./scripts/tidy.sh"
  in_root bash -c "cd $clone && ./scripts/tidy.sh"
fi
step "done in $((SECONDS / 60)) min $((SECONDS % 60)) s: $(in_root openssl version)"
