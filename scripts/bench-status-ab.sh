#!/usr/bin/env bash
# Two builds of payhookd and nginx (1 worker, `return 200`) on HTTP/1.1 status queries, in the
# same run: wrk -t2 -c64 GET /v1/payments/{source}/{id} over 2,000 known payments against each
# in turn, the order rotated every round, so the machine's drift (steal time, load bursts: the
# same nginx moves by a fifth within minutes) falls on all three alike. Both builds serve copies
# of one prepared log. Prints, per round, each server's req/s and CPU per query (utime+stime of
# the daemon or of nginx's worker, in us), then the medians of the per-round ratios: NEW/OLD,
# OLD/nginx and NEW/nginx. What `bench-status.sh` cannot resolve (a change of a few percent)
# shows here as CPU per query lower in most rounds.
# Usage: scripts/bench-status-ab.sh OLD_BIN [NEW_BIN] [rounds, default 8] [wrk duration, default 3s]
#   NEW_BIN defaults to .build/release/payhookd, built first.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=${1:?usage: scripts/bench-status-ab.sh OLD_BIN [NEW_BIN] [rounds] [duration]}
NEW=${2:-}
ROUNDS=${3:-8}
DURATION=${4:-3s}
PAYMENTS=2000
./scripts/ensure-deb wrk nginx-light python3
if [ -z "$NEW" ]; then
  swift build -c release --product payhookd >/dev/null
  NEW=.build/release/payhookd
fi

# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
bench_tmp status-ab
# The log of known payments, made by the old build; then each build serves its own copy.
status_log "$OLD" "$PAYMENTS"
base=$tmp
serve() { # NAME BIN: payhookd on a copy of the prepared storage; sets ph_pid, admin
  mkdir -p "$base/$1"
  cp -a "$base/var" "$base/$1/var"
  tmp=$base/$1
  payhookd_start "$2" "$status_source"
  tmp=$base
}
serve old "$OLD"
old_pid=$ph_pid old_url=http://$admin
serve new "$NEW"
new_pid=$ph_pid new_url=http://$admin
ng_port=$(free_port)
nginx_start "  server {
    listen 127.0.0.1:$ng_port;
    location / { default_type application/json; return 200 '{\"ok\":true}'; }
  }" "$ng_port"
ng_worker=$(pgrep -P "$ng_pid" | head -1)
ng_url=http://127.0.0.1:$ng_port

# run PID URL: "req/s us-per-query" of one wrk run against URL, PID's CPU over it.
run() {
  local u0 s0 u1 s1 out
  read -r u0 s0 < <(awk '{ print $14, $15 }' "/proc/$1/stat")
  out=$(wrk -t2 -c64 -d"$DURATION" -s "$tmp/paths.lua" "$2")
  read -r u1 s1 < <(awk '{ print $14, $15 }' "/proc/$1/stat")
  awk -v t=$((u1 - u0 + s1 - s0)) -v hz="$(getconf CLK_TCK)" \
    -v n="$(awk '/requests in/{ print $1 }' <<<"$out")" -v r="$(awk '/^Requests\/sec:/{ print $2 }' <<<"$out")" \
    'BEGIN { printf "%.0f %.2f", r, t * 1e6 / hz / n }'
}
median() { sort -n | awk '{ r[NR] = $1 } END { print (NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2) }'; }

for url in "$old_url" "$new_url" "$ng_url"; do wrk -t2 -c64 -d1s -s "$tmp/paths.lua" "$url" >/dev/null; done
for u in "$old_url" "$new_url"; do
  ok=$(curl -s -o /dev/null -w '%{http_code}' "$u/v1/payments/nonstopay-payin/bench-1999")
  [ "$ok" = 200 ] || { echo "status query to $u answered $ok, not 200"; exit 1; }
done
echo "status, HTTP/1.1 (wrk -t2 -c64 -d$DURATION, $PAYMENTS payments, $ROUNDS rounds; req/s, CPU us per query)"
new_old=() old_ng=() new_ng=()
for i in $(seq "$ROUNDS"); do
  case $((i % 3)) in
    0) o=$(run "$old_pid" "$old_url"); n=$(run "$new_pid" "$new_url"); g=$(run "$ng_worker" "$ng_url") ;;
    1) n=$(run "$new_pid" "$new_url"); g=$(run "$ng_worker" "$ng_url"); o=$(run "$old_pid" "$old_url") ;;
    2) g=$(run "$ng_worker" "$ng_url"); o=$(run "$old_pid" "$old_url"); n=$(run "$new_pid" "$new_url") ;;
  esac
  echo "  round $i: old $o   new $n   nginx $g"
  new_old+=("$(awk -v a="${n% *}" -v b="${o% *}" 'BEGIN { printf "%.3f", a / b }')")
  old_ng+=("$(awk -v a="${o% *}" -v b="${g% *}" 'BEGIN { printf "%.3f", a / b }')")
  new_ng+=("$(awk -v a="${n% *}" -v b="${g% *}" 'BEGIN { printf "%.3f", a / b }')")
done
echo "  medians of the per-round ratios: new/old $(printf '%s\n' "${new_old[@]}" | median)" \
  "  old/nginx $(printf '%s\n' "${old_ng[@]}" | median)   new/nginx $(printf '%s\n' "${new_ng[@]}" | median)"
