# Sourced by the bench scripts (not run): the temporary folder and its clean-up, a free port,
# nginx with one worker, and payhookd serving a prepared log of known payments (and their status
# query paths, for wrk).

# bench_tmp NAME [BASE]: a folder under BASE (default /tmp) that the EXIT trap removes, with
# every pid in `pids` killed first. Readable by nginx's worker (mktemp makes it 0700, and the
# worker is not root: a static file there answered 403, counted as an answer).
bench_tmp() {
  tmp=$(mktemp -d "${2:-/tmp}/payhookd-bench-$1-XXXXXX")
  chmod 755 "$tmp"
  pids=()
  trap bench_cleanup EXIT
}
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# nginx_start SERVERS PORT: nginx with one worker serving the `server { }` blocks SERVERS (its
# files under $tmp), in `pids` for the clean-up; returns once PORT takes connections. Sets ng_pid.
nginx_start() {
  cat >"$tmp/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx-body;
$1
}
NGINX
  nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/nginx.err" &
  ng_pid=$!
  pids+=("$ng_pid")
  for _ in $(seq 100); do [ -s "$tmp/nginx.pid" ] && (echo >"/dev/tcp/127.0.0.1/$2") 2>/dev/null && break; sleep 0.05; done
}

# payhookd_start BIN [TOML]: payhookd on free ports (ingest 127.0.0.1, admin 127.0.0.2) with its
# storage in $tmp/var and TOML appended to its config (sources, hooks), in `pids` for the
# clean-up; returns once its ready file lists the listeners. Sets ph_pid, ingest, admin.
payhookd_start() {
  cat >"$tmp/payhookd.toml" <<TOML
[server]
ingest = ["127.0.0.1:0"]
admin = ["127.0.0.2:0"]
max_connections = 4096
[storage]
dir = "$tmp/var"
${2:-}
TOML
  PAYHOOKD_READY_FILE="$tmp/ready" "$1" serve --config "$tmp/payhookd.toml" 2>"$tmp/payhookd.err" &
  ph_pid=$!
  pids+=("$ph_pid")
  for _ in $(seq 200); do [ -s "$tmp/ready" ] && break; sleep 0.05; done
  ingest=$(awk '$1=="ingest"{print $2; exit}' "$tmp/ready" 2>/dev/null || true)
  admin=$(awk '$1=="admin"{print $2; exit}' "$tmp/ready" 2>/dev/null || true)
  [ -n "$admin" ] || { cat "$tmp/payhookd.err"; exit 1; }
}

# The source of status_daemon's payments, as payhookd_start takes it.
status_source='[[sources]]
name = "nonstopay-payin"
provider = "nonstopay"
kind = "payin"
signature = "hmac-sha256-hex"
secret = "bench-secret"'

# status_daemon BIN PAYMENTS: payhookd_start with PAYMENTS signed nonstopay-payin webhooks
# ingested over one keep-alive connection (ids bench-0 ...).
status_daemon() {
  payhookd_start "$1" "$status_source"
  python3 - "$ingest" "$2" <<'PY'
import hashlib, hmac, http.client, sys
host, port = sys.argv[1].rsplit(":", 1)
c = http.client.HTTPConnection(host, int(port))
for i in range(int(sys.argv[2])):
    body = ('{"status":"invoice:paid","id":"bench-%d","amount":"%d.00"}' % (i, i + 1)).encode()
    sig = hmac.new(b"bench-secret", body, hashlib.sha256).hexdigest()
    c.request("POST", "/hooks/nonstopay-payin", body, {"Content-Type": "application/json", "X-Signature": sig})
    r = c.getresponse(); r.read()
    assert r.status == 200, (r.status, i)
PY
}

# status_log BIN PAYMENTS: status_daemon's storage in $tmp/var with the daemon that wrote it
# stopped (to be served again, by another build or under a tool), and status_paths.
status_log() {
  status_daemon "$1" "$2"
  kill "$ph_pid"
  wait "$ph_pid" 2>/dev/null || true
  status_paths "$2"
}

# status_paths PAYMENTS: the status query paths of the payments status_daemon made, one a line
# in $tmp/paths, and $tmp/paths.lua, a wrk script that asks them in turn.
status_paths() {
  for i in $(seq 0 $(($1 - 1))); do echo "/v1/payments/nonstopay-payin/bench-$i"; done >"$tmp/paths"
  cat >"$tmp/paths.lua" <<LUA
local paths = {}
for line in io.lines("$tmp/paths") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
}
