#!/usr/bin/env bash
# Installs the Debian packages of the servers and tools the tests start themselves: docker-registry
# (Docker's distribution 2.8) with apache2-utils (htpasswd -B for the bcrypt password file) and
# openssl (the token signer's certificate) for the registry tests, prometheus (the server the
# canary analysis, dashboards and drift-check's Prometheus source query; its promtool checks
# metrics and alert rules) and prometheus-pushgateway (drift-check's metrics). Idempotent: does
# nothing when all are present.
#
# The tests start their own servers on random ports; a system service left listening
# (registry on 127.0.0.1:5000, prometheus on :9090) would only get in the way, so the packages'
# services are kept from starting during the install (policy-rc.d) and stopped/disabled if they
# run anyway.
set -euo pipefail

need=()
[ -x /usr/bin/docker-registry ] || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-pushgateway >/dev/null 2>&1 || need+=(prometheus-pushgateway)

stop_system_services() {
  for service in docker-registry prometheus prometheus-pushgateway; do
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl stop "$service.service" >/dev/null 2>&1 || true
      systemctl disable "$service.service" >/dev/null 2>&1 || true
    elif [ -x "/etc/init.d/$service" ]; then
      "/etc/init.d/$service" stop >/dev/null 2>&1 || true
    fi
    if command -v update-rc.d >/dev/null 2>&1 && [ -e "/etc/init.d/$service" ]; then
      update-rc.d "$service" disable >/dev/null 2>&1 || true
    fi
  done
}

if [ ${#need[@]} -eq 0 ]; then
  echo "docker-registry, htpasswd, openssl, prometheus and the pushgateway already installed"
  stop_system_services
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

stop_system_services
echo "installed: ${need[*]} ($(/usr/bin/docker-registry --version 2>&1 | head -n 1); $(promtool --version 2>&1 | head -n 1))"
