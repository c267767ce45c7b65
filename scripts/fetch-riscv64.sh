#!/usr/bin/env bash
# Downloads statically linked riscv64 programs from Debian trixie (bookworm,
# this machine's release, has no riscv64 port) into a gitignored cache, for the
# rv64 example's tests against qemu-riscv64. Idempotent: packages already
# unpacked are kept. Needs apt-get and dpkg-deb (any Debian or Ubuntu host).
#
#   scripts/fetch-riscv64.sh [DIR]      # default examples/rv64/build/debs
#
# Each package unpacks into DIR/<package>/ and its version is printed and kept
# in DIR/<package>/VERSION. Package names are pinned; versions are whatever
# trixie holds (binNMUs change the +bN suffix), printed so a log says which.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(busybox-static sash bash-static)
DIR="${1:-examples/rv64/build/debs}"
MIRROR="${RV64_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

missing=()
for p in "${PACKAGES[@]}"; do
  if [[ -s "$DIR/$p/VERSION" ]]; then echo "fetch-riscv64: $p $(cat "$DIR/$p/VERSION") (cached)"; else missing+=("$p"); fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || { echo "fetch-riscv64: needs apt-get and dpkg-deb (a Debian or Ubuntu host)" >&2; exit 1; }
[[ -r $KEYRING ]] || { echo "fetch-riscv64: $KEYRING is missing (apt-get install debian-archive-keyring)" >&2; exit 1; }
APT="$DIR/.apt"
mkdir -p "$APT"/{lists/partial,cache/archives/partial,etc}
echo "deb [arch=riscv64 signed-by=$KEYRING] $MIRROR trixie main" > "$APT/etc/sources.list"
O=(-o "Dir::Etc::SourceList=$APT/etc/sources.list" -o Dir::Etc::SourceParts=/dev/null
   -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache"
   -o APT::Architecture=riscv64 -o APT::Architectures=riscv64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root)

# trixie's mirror is sometimes slow or mid-sync: retry, then fail loudly.
retry() {
  local n
  for n in 1 2 3 4 5; do
    if "$@"; then return 0; fi
    echo "fetch-riscv64: attempt $n of 5 failed: $*" >&2
    [[ $n -lt 5 ]] && sleep $((n * 3))
  done
  echo "fetch-riscv64: FAILED after 5 attempts: $*" >&2
  return 1
}

retry apt-get -qq --error-on=any "${O[@]}" update
for p in "${missing[@]}"; do
  version="$(apt-cache "${O[@]}" show "$p:riscv64" | sed -n 's/^Version: //p' | head -1)"
  [[ -n "$version" ]] || { echo "fetch-riscv64: trixie has no riscv64 package $p" >&2; exit 1; }
  (cd "$APT" && rm -f ./*.deb && retry apt-get -qq "${O[@]}" download "$p:riscv64")
  rm -rf "$DIR/$p"
  dpkg-deb -x "$APT"/*.deb "$DIR/$p"
  rm -f "$APT"/*.deb
  echo "$version" > "$DIR/$p/VERSION"
  echo "fetch-riscv64: $p $version"
done
