#!/usr/bin/env bash
# `make demo`: runs moor on a local data dir, watching a copy of examples/hello-web, and walks
# through what the watched folder does. Everything lives under .demo/ in the checkout.
set -euo pipefail
MOOR=$(realpath "${1:-build/cli/moor}")
cd "$(dirname "$0")/.."
ROOT=$PWD/.demo
PORT=${MOOR_DEMO_PORT:-16443}
rm -rf "$ROOT"
mkdir -p "$ROOT/manifests"
cp examples/hello-web/*.yaml "$ROOT/manifests/"
export KUBECONFIG=$ROOT/data/moor.kubeconfig

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@" || true; }
moor() { "$MOOR" "$@"; }

"$MOOR" server --data-dir "$ROOT/data" --manifests "$ROOT/manifests" --listen "127.0.0.1:$PORT" \
  >"$ROOT/server.log" 2>&1 &
SERVER=$!
stop() { kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true; }
trap stop EXIT

for _ in $(seq 100); do
  if [ -f "$KUBECONFIG" ] && "$MOOR" version >/dev/null 2>&1; then break; fi
  kill -0 "$SERVER" 2>/dev/null || { cat "$ROOT/server.log"; echo "moor server exited"; exit 1; }
  sleep 0.1
done
# Wait for the first sync of both files.
for _ in $(seq 50); do
  "$MOOR" get svc hello-web >/dev/null 2>&1 && break
  sleep 0.1
done

bold "moor server is running: API https://127.0.0.1:$PORT, watching $ROOT/manifests"
run moor version
bold "Objects synced from the folder (Pods run once the runtime lands; see README)"
run moor get all
run moor get cm,deploy,svc
bold "What Kubernetes would return for the Deployment, defaults included"
moor get deploy hello-web -o yaml | sed -n '1,60p'

bold "A broken file next to good ones: it is reported with file and line, nothing else changes"
cat > "$ROOT/manifests/broken.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
spec:
  selector:
    matchLabels: {app: broken}
  template:
    metadata:
      labels: {app: broken}
    spec:
      containers:
        - name: web
          image: busybox:1.36
          ports:
            - containerPort: http
YAML
sleep 1
run moor status

bold "Edit a file: scale hello-web to 3 replicas"
sed -i 's/replicas: 2/replicas: 3/' "$ROOT/manifests/web.yaml"
rm -f "$ROOT/manifests/broken.yaml"
sleep 1
run moor get deploy hello-web -o wide

bold "Delete a file: its objects are pruned"
rm "$ROOT/manifests/service.yaml"
sleep 1
run moor get svc
bold "Objects created with 'moor apply' are never pruned by the folder"
run moor apply -f examples/hello-web/service.yaml
run moor get svc

if command -v kubectl >/dev/null; then
  bold "The real kubectl talks to moor with moor's kubeconfig"
  run kubectl get deploy,svc,cm
fi

bold "Try it yourself"
cat <<TXT
  export KUBECONFIG=$KUBECONFIG
  $MOOR get all                 # what is stored
  $MOOR status                  # every file's last sync, with errors
  \$EDITOR $ROOT/manifests/web.yaml   # changes apply within a second
  kubectl get deploy -o yaml     # the real kubectl works too
  Server log: $ROOT/server.log
TXT
if [ -t 0 ]; then
  echo; echo "moor server keeps running; press Ctrl-C to stop it."
  wait "$SERVER" || true
fi
