#!/usr/bin/env bash
# `make demo`: runs moor on a local data dir (.demo/ in the checkout) and shows what it does:
# a Pod and its Service dropped into the watched folder run as a real runc container that
# answers on its IP and through the Service's ClusterIP, is restarted when killed, and is gone
# when its file is deleted. The image comes from a
# registry on 127.0.0.1 that the demo fills with a busybox image built from busybox-static;
# nothing leaves this machine. On exit the demo removes its pods, bridge and routes.
set -euo pipefail
MOOR=$(realpath "${1:-build/cli/moor}")
cd "$(dirname "$0")/.."
ROOT=$PWD/.demo
PORT=${MOOR_DEMO_PORT:-16443}
REGISTRY_PORT=${MOOR_DEMO_REGISTRY_PORT:-16500}
BRIDGE=moordemo0
PREFIX=moordemo
export KUBECONFIG=$ROOT/data/moor.kubeconfig

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@" || true; }
moor() { "$MOOR" "$@"; }
wait_for() {  # wait_for SECONDS COMMAND...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

AGENT=1
if [ "$(id -u)" != 0 ]; then
  AGENT=0
  echo "Not root: pods need root (runc, network namespaces). Running the store and API only."
fi

# Clean up leftovers of an earlier demo run, then set up.
if [ -d "$ROOT/data/runc" ]; then
  for id in $(runc --root "$ROOT/data/runc" list -q 2>/dev/null); do runc --root "$ROOT/data/runc" delete --force "$id" || true; done
fi
grep " $ROOT/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
rm -rf "$ROOT"
mkdir -p "$ROOT/manifests"
cp examples/hello-web/*.yaml "$ROOT/manifests/"

ROUTES_BEFORE=$(ip route show type unreachable 2>/dev/null || true)
DNS_ROUTE_BEFORE=$(ip route show table local 10.43.0.10 2>/dev/null || true)
cleanup() {
  set +e
  if [ -n "${SERVER:-}" ] && kill -0 "$SERVER" 2>/dev/null; then
    rm -f "$ROOT/manifests/hello-pod.yaml" "$ROOT/manifests/hello-service.yaml"
    [ $AGENT = 1 ] && wait_for 20 bash -c "[ -z \"\$(runc --root '$ROOT/data/runc' list -q 2>/dev/null)\" ]"
    kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null
  fi
  [ -n "${REGISTRY:-}" ] && kill "$REGISTRY" 2>/dev/null && wait "$REGISTRY" 2>/dev/null
  if [ $AGENT = 1 ]; then
    for id in $(runc --root "$ROOT/data/runc" list -q 2>/dev/null); do runc --root "$ROOT/data/runc" delete --force "$id"; done
    for ns in $(ls /var/run/netns 2>/dev/null | grep "^$PREFIX-"); do ip netns delete "$ns"; done
    ip link delete "$BRIDGE" 2>/dev/null
    for cidr in 10.42.0.0/16 10.43.0.0/16; do
      echo "$ROUTES_BEFORE" | grep -q "^unreachable $cidr" || ip route delete unreachable "$cidr" 2>/dev/null
    done
    for d in /sys/fs/cgroup/*/$PREFIX /sys/fs/cgroup/$PREFIX; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
    nft delete table ip "$PREFIX" 2>/dev/null
    nft delete table ip "$PREFIX-egress" 2>/dev/null
    [ -z "$DNS_ROUTE_BEFORE" ] && ip route delete local 10.43.0.10/32 dev lo table local 2>/dev/null
  fi
}
trap cleanup EXIT

REGISTRIES=""
if [ $AGENT = 1 ]; then
  bold "Building a busybox image from busybox-static and serving it from a registry on 127.0.0.1:$REGISTRY_PORT"
  examples/images/build-busybox.sh "$ROOT/image" 1.36 >/dev/null
  mkdir -p "$ROOT/registry"
  cat >"$ROOT/registry/config.yml" <<YAML
version: 0.1
storage: {filesystem: {rootdirectory: $ROOT/registry/data}}
http: {addr: "127.0.0.1:$REGISTRY_PORT"}
log: {level: error}
YAML
  docker-registry serve "$ROOT/registry/config.yml" >"$ROOT/registry/log" 2>&1 &
  REGISTRY=$!
  wait_for 10 curl -sf "http://127.0.0.1:$REGISTRY_PORT/v2/"
  skopeo copy --quiet --dest-tls-verify=false "oci:$ROOT/image:1.36" \
    "docker://127.0.0.1:$REGISTRY_PORT/library/busybox:1.36"
  REGISTRIES="registries:
  mirrors:
    docker.io:
      endpoint: [\"http://127.0.0.1:$REGISTRY_PORT\"]"
fi

cat >"$ROOT/config.yaml" <<YAML
# The demo's moor config (see packaging/config.yaml for every setting).
dataDir: $ROOT/data
manifests: $ROOT/manifests
listen: 127.0.0.1:$PORT
disableAgent: $([ $AGENT = 1 ] && echo false || echo true)
bridge: $BRIDGE
namePrefix: $PREFIX
podSubnet: 10.42.0.0/24
podEgress: false   # the demo's pods talk to each other and this host only
podForwardAccept: false   # and the host's iptables FORWARD chain is left alone
disableDefaultRegistryEndpoint: true   # busybox:1.36 only from the local mirror, never Docker Hub
$REGISTRIES
YAML

"$MOOR" server --config "$ROOT/config.yaml" >"$ROOT/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do
  if [ -f "$KUBECONFIG" ] && "$MOOR" version >/dev/null 2>&1; then break; fi
  kill -0 "$SERVER" 2>/dev/null || { cat "$ROOT/server.log"; echo "moor server exited"; exit 1; }
  sleep 0.1
done
wait_for 5 "$MOOR" get svc hello-web

bold "moor server is running: API https://127.0.0.1:$PORT, watching $ROOT/manifests"
run moor version

if [ $AGENT = 1 ]; then
  bold "Drop a Pod and its Service into the watched folder: the pod runs as a runc container on its own IP"
  run cp examples/hello-pod/pod.yaml "$ROOT/manifests/hello-pod.yaml"
  run cp examples/hello-pod/hello-service.yaml "$ROOT/manifests/"
  pod_ready() { local pod; pod=$("$MOOR" get pod hello-pod -o json 2>/dev/null) && grep -q '"ready": true' <<<"$pod"; }
  wait_for 60 pod_ready || { run moor describe pod hello-pod; tail -20 "$ROOT/server.log"; exit 1; }
  run moor get pods -o wide
  IP=$("$MOOR" get pod hello-pod -o json | sed -n 's/.*"podIP": "\([0-9.]*\)".*/\1/p' | head -1)
  run curl -s "http://$IP:8000/"

  bold "The Service: a ClusterIP that sends port 80 to the ready pod's port 8000 (kernel NAT rules)"
  svc_ready() { "$MOOR" get endpoints hello -o json 2>/dev/null | grep -q '"ip": "'"$IP"'"'; }
  wait_for 30 svc_ready || { run moor get svc,endpoints; tail -20 "$ROOT/server.log"; exit 1; }
  run moor get svc hello
  run moor get endpoints hello
  SVC_IP=$("$MOOR" get svc hello -o json | sed -n 's/.*"clusterIP": "\([0-9.]*\)".*/\1/p' | head -1)
  wait_for 10 curl -sf "http://$SVC_IP/" || true
  run curl -s "http://$SVC_IP/"
  echo "# inside the pod, the Service's name resolves through the cluster DNS (its resolv.conf names it)"
  run moor exec hello-pod -- wget -q -O - http://hello/
  run moor logs hello-pod --tail 3
  run moor exec hello-pod -- hostname

  bold "Kill the container's process: moor restarts it and counts the restart"
  PID=$(runc --root "$ROOT/data/runc" list | awk 'NR==2 {print $2}')
  run kill -9 "$PID"
  wait_for 30 bash -c "'$MOOR' get pod hello-pod -o json | grep -q '\"restartCount\": 1'"
  wait_for 30 pod_ready
  run moor get pods

  bold "Delete the pod's file: the pod is stopped and everything it had is removed"
  run rm "$ROOT/manifests/hello-pod.yaml"
  wait_for 30 bash -c "! '$MOOR' get pod hello-pod"
  run moor get pods
  echo "# the Service is still there, with no ready pod behind it: connections are refused at once"
  run curl -sS "http://$SVC_IP/"
fi

bold "Objects synced from the folder (Deployments are stored; their controller comes next)"
run moor get cm,deploy,svc

bold "A broken file next to good ones: it is reported with file and line, nothing else changes"
cat > "$ROOT/manifests/broken.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: broken
spec:
  containers:
    - name: web
      image: busybox:1.36
      ports:
        - containerPort: http
YAML
sleep 1
run moor status
rm -f "$ROOT/manifests/broken.yaml"

if command -v kubectl >/dev/null; then
  bold "The real kubectl talks to moor with moor's kubeconfig"
  run kubectl get nodes,pods,deploy,svc
fi

bold "What just happened"
echo "  - moor server started with $ROOT/config.yaml:"
echo "    state in $ROOT/data, watching $ROOT/manifests, API on https://127.0.0.1:$PORT"
echo "    (its kubeconfig, written at first start with mode 0600: $KUBECONFIG)."
echo "  - examples/hello-web (a ConfigMap, a Deployment, a Service) was copied into the folder and synced"
echo "    into the store within a second; moor and kubectl read it through the API."
if [ $AGENT = 1 ]; then
  echo "  - hello-pod, dropped into the folder, ran as a runc container on its own IP (${IP:-?}), pulled"
  echo "    busybox from the registry on 127.0.0.1, answered HTTP, came back after kill -9 (RESTARTS 1),"
  echo "    and was stopped and cleaned up when its file was deleted."
  echo "  - Its Service got ClusterIP ${SVC_IP:-?}; its Endpoints list the pod while it is Ready, and the"
  echo "    service proxy's nftables table (nft list table ip $PREFIX) sends port 80 there; inside a pod"
  echo "    the name 'hello' resolves through the cluster DNS. With no ready pod the Service refuses at once."
fi
echo "  - broken.yaml was reported by 'moor status' with its file and line while nothing else changed."
echo "  Not yet: Deployments are stored but no controller creates their pods (a later issue)."

bold "Try it yourself (in another terminal, as $(id -un))"
cat <<TXT
  export KUBECONFIG=$KUBECONFIG
  alias moor=$MOOR
  cp examples/hello-pod/pod.yaml $ROOT/manifests/hello-pod.yaml   # add a file: the pod runs within a second
  cp examples/hello-pod/hello-service.yaml $ROOT/manifests/        # and its Service
  moor get all                                        # everything, as kubectl prints it
  moor get pods -o wide                               # IP, node, restarts
  curl http://<pod IP>:8000/                          # the pod answers on its own IP
  curl http://<CLUSTER-IP of svc/hello>/              # ... and through its Service
  moor logs -f hello-pod                              # follow the container's output
  moor exec -it hello-pod -- sh                       # a shell inside
  sed -i 's/Hello from moor/Hello again/' $ROOT/manifests/web.yaml   # edit a file: only what changed is rewritten
  moor get cm hello-web -o yaml                       # ... and the API shows the new data
  rm $ROOT/manifests/hello-pod.yaml                   # delete a file: exactly its objects go
  moor status                                         # every file's last sync, with errors
  Server log: $ROOT/server.log
  On a server: make package && apt install ./build/moor_*.deb, then drop YAML into /var/lib/moor/manifests.
TXT
if [ -t 0 ]; then
  echo; echo "moor server keeps running; press Ctrl-C to stop it (the demo then removes its pods)."
  wait "$SERVER" || true
fi
