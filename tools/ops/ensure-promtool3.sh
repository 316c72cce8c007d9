#!/usr/bin/env bash
# Puts promtool 3 (the rule engine of the Prometheus 3 the compose stack runs) at
# node_modules/.cache/hookline-tools/promtool3, so the alert rules are checked and unit-tested by
# both major versions. Debian's stable release ships promtool 2; the one of Debian's testing suite
# (`forky`) is taken from the Debian archive and verified like apt verifies it: the suite's InRelease
# signature against the Debian archive keyring, the package index against InRelease, the package
# against the index. Does nothing when the file is there; fails with a message when it cannot.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
target="$root/node_modules/.cache/hookline-tools/promtool3"
[[ -x $target ]] && exit 0

archive=${HOOKLINE_DEBIAN_ARCHIVE:-http://deb.debian.org/debian}
suite=forky
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
for tool in curl gpgv xz sha256sum dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || { echo "promtool 3: $tool is required to fetch it" >&2; exit 1; }
done
[[ -r $keyring ]] || { echo "promtool 3: $keyring (package debian-archive-keyring) is required" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() { curl -fsSL --retry 3 --max-time 300 -o "$2" "$archive/$1" || { echo "promtool 3: cannot fetch $archive/$1" >&2; exit 1; }; }

fetch "dists/$suite/InRelease" "$work/InRelease"
gpgv --keyring "$keyring" --output "$work/Release" "$work/InRelease" 2>/dev/null ||
  { echo "promtool 3: the signature of $suite/InRelease does not verify" >&2; exit 1; }
index=main/binary-amd64/Packages.xz
index_sha=$(awk -v f="$index" '/^SHA256:/{s=1; next} /^[A-Za-z]/{s=0} s && $3 == f {print $1}' "$work/Release")
[[ -n $index_sha ]] || { echo "promtool 3: $index is not listed in $suite/Release" >&2; exit 1; }
fetch "dists/$suite/$index" "$work/Packages.xz"
echo "$index_sha  $work/Packages.xz" | sha256sum -c --quiet - ||
  { echo "promtool 3: $suite/$index does not match its checksum" >&2; exit 1; }

read -r version file sha < <(xz -dc "$work/Packages.xz" | awk '
  /^Package: / {p = ($2 == "promtool")}
  p && /^Version: / {v = $2}
  p && /^Filename: / {f = $2}
  p && /^SHA256: / {s = $2}
  /^$/ && p && f != "" {print v, f, s; exit}')
[[ ${version:-} == 3.* ]] || { echo "promtool 3: $suite has promtool ${version:-none}, not 3.x" >&2; exit 1; }
fetch "$file" "$work/promtool.deb"
echo "$sha  $work/promtool.deb" | sha256sum -c --quiet - ||
  { echo "promtool 3: $file does not match its checksum" >&2; exit 1; }
dpkg-deb -x "$work/promtool.deb" "$work/extract"
mkdir -p "$(dirname "$target")"
install -m 0755 "$work/extract/usr/bin/promtool" "$target"
echo "promtool $version installed for the ops tests" >&2
