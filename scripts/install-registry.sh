#!/usr/bin/env bash
# Installs what the registry tests need: Debian's docker-registry (Docker's distribution 2.8),
# apache2-utils (htpasswd -B for the bcrypt password file) and openssl (the token signer's
# certificate). Idempotent: does nothing when all three are present.
#
# The tests start their own registries on random ports; a system registry service left
# listening on 127.0.0.1:5000 would only get in the way, so the package's service is kept from
# starting during the install (policy-rc.d) and stopped/disabled if it runs anyway.
set -euo pipefail

need=()
[ -x /usr/bin/docker-registry ] || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)

stop_system_registry() {
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl stop docker-registry.service >/dev/null 2>&1 || true
    systemctl disable docker-registry.service >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/docker-registry ]; then
    /etc/init.d/docker-registry stop >/dev/null 2>&1 || true
  fi
  if command -v update-rc.d >/dev/null 2>&1 && [ -e /etc/init.d/docker-registry ]; then
    update-rc.d docker-registry disable >/dev/null 2>&1 || true
  fi
}

if [ ${#need[@]} -eq 0 ]; then
  echo "docker-registry, htpasswd and openssl already installed"
  stop_system_registry
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "error: run as root to apt-get install ${need[*]} (or install them yourself)" >&2
  exit 1
fi

# Keep maintainer scripts from starting services (exit 101 = "not allowed"), unless the
# machine already has a policy of its own.
own_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  own_policy=/usr/sbin/policy-rc.d
  printf '#!/bin/sh\nexit 101\n' >"$own_policy"
  chmod +x "$own_policy"
fi
cleanup() { [ -n "$own_policy" ] && rm -f "$own_policy"; return 0; }
trap cleanup EXIT

# An empty package list (fresh container) makes install fail; update first when needed.
# scripts/apt-get.sh waits for another apt or dpkg to finish instead of failing.
apt_get="$(dirname "${BASH_SOURCE[0]}")/apt-get.sh"
if ! apt-cache show "${need[0]}" >/dev/null 2>&1; then
  "$apt_get" update -qq
fi
if ! DEBIAN_FRONTEND=noninteractive "$apt_get" install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
  "$apt_get" update -qq
  DEBIAN_FRONTEND=noninteractive "$apt_get" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

stop_system_registry
echo "installed: ${need[*]} ($(/usr/bin/docker-registry --version 2>&1 | head -n 1))"
