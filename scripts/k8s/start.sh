#!/usr/bin/env bash
# Starts a real Kubernetes control plane on 127.0.0.1, without Docker: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (fake nodes, simulated pod lifecycle), with a
# fresh state directory each time (kwok cannot take over an old node lease).
#
#   scripts/k8s/start.sh [state-dir]      # default: .mlops/cluster; prints the kubeconfig path
#   scripts/k8s/stop.sh  [state-dir]      # stops every process it started, by PID
#
# Binaries come from scripts/k8s/install.sh (built once, cached). Everything listens on
# 127.0.0.1 on free ports; certificates, logs and pidfiles live in the state directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
state="${1:-.mlops/cluster}"
bin="$("$here/install.sh")"
mkdir -p "$state"
state="$(cd "$state" && pwd)"
if compgen -G "$state/*.pid" >/dev/null; then "$here/stop.sh" "$state"; fi
rm -rf "${state:?}"/*
mkdir -p "$state/pki" "$state/logs" "$state/etcd"
log() { echo "cluster: $*" >&2; }
fail() { echo "error: $*" >&2; tail -n 20 "$state"/logs/*.log >&2 2>/dev/null || true; "$here/stop.sh" "$state" >/dev/null 2>&1 || true; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
etcd_client=$(free_port); etcd_peer=$(free_port); api_port=$(free_port)
kcm_port=$(free_port); sched_port=$(free_port); kwok_port=$(free_port)

# Certificates: a CA, the apiserver (SAN 127.0.0.1), clients for admin and the two controllers.
pki="$state/pki"
openssl_q() { openssl "$@" >/dev/null 2>&1; }
openssl_q req -x509 -newkey rsa:2048 -nodes -days 3 -subj "/CN=mlops-test-ca" -keyout "$pki/ca.key" -out "$pki/ca.crt"
cert() { # name subject [extfile]
  openssl_q req -newkey rsa:2048 -nodes -subj "$2" -keyout "$pki/$1.key" -out "$pki/$1.csr"
  if [ -n "${3:-}" ]; then
    openssl_q x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 3 -extfile "$3" -out "$pki/$1.crt"
  else
    openssl_q x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 3 -out "$pki/$1.crt"
  fi
}
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,IP:10.96.0.1\nextendedKeyUsage=serverAuth\n' > "$pki/server.ext"
cert apiserver "/CN=kube-apiserver" "$pki/server.ext"
cert admin "/O=system:masters/CN=mlops-admin"
cert controller-manager "/CN=system:kube-controller-manager"
cert scheduler "/CN=system:kube-scheduler"
cert kwok "/O=system:masters/CN=kwok"
cert front-proxy "/CN=front-proxy-client"
openssl_q genrsa -out "$pki/sa.key" 2048
openssl_q rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
token="$(openssl rand -hex 16)"
echo "$token,mlops-admin-token,mlops-admin-token,system:masters" > "$pki/tokens.csv"

kubeconfig() { # file user-cert
  cat > "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: mlops-test
  cluster:
    server: https://127.0.0.1:${api_port}
    certificate-authority: ${pki}/ca.crt
users:
- name: $2
  user:
    client-certificate: ${pki}/$2.crt
    client-key: ${pki}/$2.key
contexts:
- name: mlops-test
  context: {cluster: mlops-test, user: $2, namespace: default}
current-context: mlops-test
KC
}
kubeconfig "$state/kubeconfig" admin
kubeconfig "$state/controller-manager.kubeconfig" controller-manager
kubeconfig "$state/scheduler.kubeconfig" scheduler
kubeconfig "$state/kwok.kubeconfig" kwok
# The same cluster with a bearer token (what a CI secret usually holds).
sed -e "/client-certificate:/d" -e "s#client-key: .*#token: ${token}#" "$state/kubeconfig" > "$state/token.kubeconfig"

start() { # name args...
  local name="$1"; shift
  setsid "$@" >"$state/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$state/$name.pid"
}
wait_for() { # what seconds command...
  local what="$1" secs="$2"; shift 2
  for _ in $(seq 1 $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  fail "$what did not become ready in ${secs}s"
}
t0=$(date +%s.%N)
start etcd "$bin/etcd" --data-dir "$state/etcd" --unsafe-no-fsync \
  --listen-client-urls "http://127.0.0.1:$etcd_client" --advertise-client-urls "http://127.0.0.1:$etcd_client" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-cluster "default=http://127.0.0.1:$etcd_peer" --listen-metrics-urls "" --log-level warn
wait_for etcd 30 curl -sf "http://127.0.0.1:$etcd_client/health"

start kube-apiserver "$bin/kube-apiserver" --bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
  --secure-port="$api_port" --etcd-servers="http://127.0.0.1:$etcd_client" \
  --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
  --client-ca-file="$pki/ca.crt" --token-auth-file="$pki/tokens.csv" --authorization-mode=RBAC \
  --service-account-issuer=https://kubernetes.default.svc --service-account-key-file="$pki/sa.pub" \
  --service-account-signing-key-file="$pki/sa.key" --service-cluster-ip-range=10.96.0.0/16 \
  --endpoint-reconciler-type=none --allow-privileged=true \
  --requestheader-client-ca-file="$pki/ca.crt" --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$pki/front-proxy.crt" --proxy-client-key-file="$pki/front-proxy.key"
kctl() { "$bin/kubectl" --kubeconfig "$state/kubeconfig" "$@"; }
wait_for kube-apiserver 90 kctl get --raw /readyz

start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig="$state/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$state/controller-manager.kubeconfig" --authorization-kubeconfig="$state/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$kcm_port" --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
  --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key"
start kube-scheduler "$bin/kube-scheduler" --kubeconfig="$state/scheduler.kubeconfig" \
  --authentication-kubeconfig="$state/scheduler.kubeconfig" --authorization-kubeconfig="$state/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$sched_port" --leader-elect=false

# kwok: the fast node and pod stages from its module, plus ours (a crash-looping pod).
cat "$bin"/stages/node/fast/node-initialize.yaml > "$state/stages.yaml"
for f in node/heartbeat-with-lease/node-heartbeat-with-lease.yaml pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  [ -f "$bin/stages/$f" ] || fail "kwok stage $f is missing from $bin/stages"
  printf -- '---\n' >> "$state/stages.yaml"; cat "$bin/stages/$f" >> "$state/stages.yaml"
done
printf -- '---\n' >> "$state/stages.yaml"; cat "$here/stages.yaml" >> "$state/stages.yaml"
start kwok "$bin/kwok" --kubeconfig="$state/kwok.kubeconfig" --config="$state/stages.yaml" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-ip=127.0.0.1 --node-lease-duration-seconds=40 --server-address="127.0.0.1:$kwok_port"

kctl apply -f "$here/node.yaml" >/dev/null
kctl apply --server-side -f "$bin/crds/" >/dev/null
# `kubectl wait` errors out (".status.conditions accessor error") when it looks before the CRD has
# any status: retry it until the CRDs report Established.
wait_for "the prometheus-operator CRDs" 60 kctl wait --for=condition=Established --timeout=5s crd/servicemonitors.monitoring.coreos.com crd/prometheusrules.monitoring.coreos.com
wait_for "the kwok node" 60 bash -c "'$bin/kubectl' --kubeconfig '$state/kubeconfig' get node kwok-node-0 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -q True"
wait_for "the default ServiceAccount" 60 kctl get serviceaccount default -n default
t1=$(date +%s.%N)
log "ready in $(python3 -c "print(round($t1 - $t0, 1))") s: kubectl --kubeconfig $state/kubeconfig get nodes"
echo "$state/kubeconfig"
