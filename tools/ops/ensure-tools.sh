#!/usr/bin/env bash
# Makes sure the command-line tools the ops tests drive are installed; does nothing when they are.
#   promtool        checks and unit-tests the alert rules      (Debian package: prometheus)
#   promtool 3      the same with Prometheus 3's rule engine   (ensure-promtool3.sh)
#   docker-compose  validates docker-compose.yml               (Debian package: docker-compose)
#   kustomize       renders the Kubernetes overlays            (standalone, or built into kubectl)
# Installs missing Debian packages with apt-get (as root, or through sudo); fails with a message
# naming what is missing when it cannot, so the tests never skip silently.
set -euo pipefail

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)

if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "ops tools missing: ${missing[*]}; install them with: apt-get install ${missing[*]} (needs root)" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ops tools missing: ${missing[*]}; apt-get is not available to install the Debian packages ${missing[*]}" >&2
    exit 1
  fi
  # The prometheus package would start a Prometheus server on install; only its promtool is wanted.
  policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
    "${as_root[@]}" chmod +x "$policy"
    trap '"${as_root[@]}" rm -f "$policy"' EXIT
  fi
  echo "installing ${missing[*]} for the ops tests" >&2
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v kustomize >/dev/null 2>&1 && ! kubectl kustomize --help >/dev/null 2>&1; then
  echo "ops tools missing: kustomize; install kustomize, or kubectl (which includes it)" >&2
  exit 1
fi

bash "$(dirname "$0")/ensure-promtool3.sh"
