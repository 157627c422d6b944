#!/usr/bin/env bash
# Makes sure a Redis answers at REDIS_URL: uses the one running, or starts a local one
# (AOF on, noeviction, as Bullpen expects), installing Debian's redis-server when root.
#   ensure-redis.sh           a Redis it starts keeps running (make redis); it says how to stop it
#   ensure-redis.sh CMD...    runs CMD; a Redis it started for it is stopped when CMD exits (make dev)
set -euo pipefail

url="${REDIS_URL:-redis://127.0.0.1:6379}"
hostport="${url#*://}"; hostport="${hostport##*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"
[ "$port" = "$hostport" ] && port=6379
state_dir="${BULLPEN_CACHE:-$HOME/.cache/bullpen}/redis-$port"

answers() {
  # Any reply to PING (even -NOAUTH) means a Redis is there.
  (
    exec 3<>"/dev/tcp/$host/$port" || exit 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 2 reply <&3 && [ -n "$reply" ]
  ) 2>/dev/null
}

if answers; then
  echo "redis: answering at $host:$port"
  [ $# -gt 0 ] && exec "$@"
  exit 0
fi
case "$host" in
  127.0.0.1|localhost|::1) ;;
  *) echo "redis: nothing answers at $host:$port (REDIS_URL); start it or point REDIS_URL elsewhere" >&2; exit 1 ;;
esac
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "redis: installing Debian's redis-server"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "redis: redis-server is not installed; install it with: sudo apt-get install -y redis-server" >&2
    exit 1
  fi
fi
mkdir -p "$state_dir"
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --dir "$state_dir" --pidfile "$state_dir/redis.pid" \
  --appendonly yes --maxmemory-policy noeviction --logfile "$state_dir/redis.log"
started=""
for _ in $(seq 1 50); do
  if answers; then started=yes; break; fi
  sleep 0.1
done
if [ -z "$started" ]; then
  echo "redis: started redis-server but it does not answer on $port; see $state_dir/redis.log" >&2
  exit 1
fi
if [ $# -eq 0 ]; then
  echo "redis: started on $host:$port (data in $state_dir); it keeps running: stop it with redis-cli -p $port shutdown"
  exit 0
fi
echo "redis: started on $host:$port (data in $state_dir) until this run ends"
pid="$(cat "$state_dir/redis.pid")"

stop_redis() {
  # Only the redis-server started above: the pid may have been reused if it died meanwhile.
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = redis-server ] || return 0
  kill -TERM "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { echo "redis: stopped the redis-server on $host:$port that this run started"; return 0; }
    sleep 0.1
  done
  echo "redis: redis-server (pid $pid) did not stop in 10 s; see $state_dir/redis.log" >&2
}
trap stop_redis EXIT
# Not exec: this shell stops the Redis once CMD is done. At a Ctrl-C bash waits for CMD and,
# as CMD handles it and exits, goes on.
status=0
"$@" || status=$?
exit "$status"
