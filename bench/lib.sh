# Sourced by every bench/*.sh: what they all do the same way. Installing Debian packages (as root, or through
# sudo), building fovea-bench, copying the jars a run uses, preparing the clip-art data, starting and stopping a
# `fovea server` on 127.0.0.1, and the header every result file starts with.
#
# Settings (environment) read here: BENCH_SKIP_BUILD=1 (use what is built), BENCH_MVN_ARGS (extra Maven arguments,
# e.g. -o), FOVEA_BENCH_MVN_LOCK (file the build holds a lock on while Maven runs; default .fovea-build.lock, which
# the ./fovea launcher uses too).

# bench_init NAME: the repository root in ROOT (and the working directory), a JDK 21+ in FOVEA_JAVA_HOME, and in JAVA
# its java as ./fovea starts it (scripts/fovea-java).
bench_init() {
  BENCH_NAME="$1"
  ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
  cd "$ROOT"
  # shellcheck source=../scripts/find-jdk.sh
  . "$ROOT/scripts/find-jdk.sh"
  fovea_find_jdk || exit 3
  # Fovea's JVMs start with the launcher's native memory settings; the Python peers without them
  export FOVEA_JAVA_HOME
  JAVA="$ROOT/scripts/fovea-java"
  JCMD="$FOVEA_JAVA_HOME/bin/jcmd"
  LOCK="${FOVEA_BENCH_MVN_LOCK:-$ROOT/.fovea-build.lock}"
  OPENCLIPART=/usr/share/openclipart/png
}

# bench_as_root COMMAND...: runs it as root: directly when we are root (a fresh machine often has no sudo), else
# through sudo. Environment settings go through `env`, so that they are never taken for the command's name.
bench_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "bench: '$*' needs root, and there is no sudo; run it as root" >&2
    return 3
  fi
}

# bench_apt_install PACKAGE...: installs the Debian packages (none given: nothing to do).
bench_apt_install() {
  [ "$#" -gt 0 ] || return 0
  echo "bench: installing $* ..." >&2
  bench_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  bench_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2
}

# bench_need_openclipart: installs openclipart-png (public-domain clip art, the benchmarks' images) if missing.
bench_need_openclipart() {
  [ -d "$OPENCLIPART" ] || bench_apt_install openclipart-png
}

# bench_build [app]: builds fovea-bench (and, with `app`, fovea-app for ./fovea and the servers) unless
# BENCH_SKIP_BUILD=1 (installing Debian's maven first if there is no mvn), then checks that the jars are there.
bench_build() {
  local modules=fovea-bench
  [ "${1:-}" = app ] && modules=fovea-app,fovea-bench
  if [ "${BENCH_SKIP_BUILD:-}" != "1" ]; then
    command -v mvn >/dev/null 2>&1 || bench_apt_install maven
    command -v mvn >/dev/null 2>&1 || { echo "bench: Maven (mvn) is needed; install it (apt-get install maven)" >&2; exit 3; }
    echo "bench: building $modules with -P bench (JDK $FOVEA_JAVA_HOME) ..." >&2
    # shellcheck disable=SC2086
    flock "$LOCK" env JAVA_HOME="$FOVEA_JAVA_HOME" mvn -B -q ${BENCH_MVN_ARGS:-} -P bench -DskipTests \
      -pl "$modules" -am package >&2
  fi
  local jar
  for jar in fovea-bench/target/fovea-bench.jar ${1:+fovea-app/target/fovea-app.jar}; do
    [ -f "$ROOT/$jar" ] || { echo "bench: $jar is not built; run without BENCH_SKIP_BUILD" >&2; exit 3; }
  done
}

# bench_tmp: a fresh folder under /tmp/fovea-bench in TMP, removed on exit (kept with BENCH_KEEP=1), and a server
# started by bench_start_server stopped on exit.
bench_tmp() {
  mkdir -p /tmp/fovea-bench
  TMP="$(mktemp -d "/tmp/fovea-bench/$BENCH_NAME.XXXXXX")"
  SERVER_PID=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}
bench_cleanup() {
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${BENCH_KEEP:-}" = "1" ]; then echo "bench: kept $TMP" >&2; else rm -rf "$TMP"; fi
}

# bench_copy_jars [app]: copies fovea-bench's jars (and fovea-app's) under $TMP and sets BENCH_CP to the copy: a run
# takes minutes, and a rebuild meanwhile must not change the code under it. With `app`, $TMP/fovea is the ./fovea
# launcher's own java line on the copy (it execs java, so a server's pid is its JVM's).
bench_copy_jars() {
  mkdir -p "$TMP/bench"
  cp -r "$ROOT/fovea-bench/target/fovea-bench.jar" "$ROOT/fovea-bench/target/lib" "$TMP/bench/"
  BENCH_CP="$TMP/bench/fovea-bench.jar:$TMP/bench/lib/*"
  [ "${1:-}" = app ] || return 0
  mkdir -p "$TMP/app"
  cp -r "$ROOT/fovea-app/target/fovea-app.jar" "$ROOT/fovea-app/target/lib" "$TMP/app/"
  cat >"$TMP/fovea" <<EOF
#!/usr/bin/env bash
exec "$JAVA" \${FOVEA_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -Dfovea.home="$ROOT" -Dfovea.tty=false \\
  -cp "$TMP/app/fovea-app.jar:$TMP/app/lib/*" dev.fovea.app.Main "\$@"
EOF
  chmod +x "$TMP/fovea"
}

# bench_prepare_data DIR COUNT SIZE: COUNT openclipart pictures scaled to SIZE px in DIR (70% JPEG / 30% PNG),
# unless DIR holds COUNT images already.
bench_have_data() { # DIR COUNT
  [ -d "$1" ] && [ "$(find "$1" -type f \( -name '*.jpg' -o -name '*.png' \) 2>/dev/null | wc -l)" -eq "$2" ]
}
bench_prepare_data() {
  if bench_have_data "$1" "$2"; then
    echo "bench: reusing the data prepared in $1" >&2
    return 0
  fi
  bench_need_openclipart
  echo "bench: preparing $2 images ($3 px) into $1 ..." >&2
  "$JAVA" -Xmx2g -cp "$BENCH_CP" dev.fovea.bench.PrepareImportData --source "$OPENCLIPART" --out "$1" --count "$2" \
    --size "$3" --force >&2
}

# bench_results_file: OUT, a new bench/results/NAME-<date>[-<time>].txt.
bench_results_file() {
  mkdir -p "$ROOT/bench/results"
  OUT="$ROOT/bench/results/$BENCH_NAME-$(date +%Y-%m-%d).txt"
  [ -e "$OUT" ] && OUT="$ROOT/bench/results/$BENCH_NAME-$(date +%Y-%m-%d-%H%M%S).txt"
  return 0
}

# bench_header: the first lines of every result file: script, time, commit; machine and load; JDK.
bench_header() {
  local dirty=""
  # results of earlier runs are not local changes to the code
  [ -n "$(git -C "$ROOT" status --porcelain -- . ':!bench/results' 2>/dev/null)" ] && dirty=" (with local changes)"
  echo "# bench/$BENCH_NAME.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$dirty"
  echo "# $(uname -srm); $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'); $(nproc) cores; $(free -m 2>/dev/null | awk '/^Mem:/ {print $2 " MiB memory"}'); load average before: $(bench_load)"
  echo "# $("$JAVA" -version 2>&1 | head -n1); Fovea's JVMs with $(. "$ROOT/scripts/native-memory.sh"; fovea_native_memory; echo "GLIBC_TUNABLES=${GLIBC_TUNABLES:-} (FOVEA_MALLOC_TUNING=${FOVEA_MALLOC_TUNING:-1})")"
}
bench_load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null; }

# bench_token WORKSPACE_LAUNCHER USER SCOPE: prints a new API token (the launcher is a function or command taking
# fovea's arguments with the workspace already given).
bench_token() {
  local json secret
  json="$("$1" token create --user "$2" --scope "$3" --name "$BENCH_NAME-bench-$3" --json)"
  secret="$(printf '%s' "$json" | sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n1)"
  [ -n "$secret" ] || { echo "bench: no token in: $json" >&2; exit 1; }
  printf '%s' "$secret"
}

# bench_start_server LAUNCHER WORKSPACE LOG PORT HEAP: starts `fovea server` on 127.0.0.1 (PORT 0: a free one) and
# waits up to 60 s for /api/health; sets SERVER_PID (the launcher execs java: the JVM's pid), PORT_FOUND and URL.
# The server's JVM gets -Xmx HEAP plus BENCH_SERVER_JAVA_OPTS.
bench_start_server() {
  local launcher="$1" ws="$2" log="$3" port="$4" heap="$5"
  echo "bench: starting the server (-Xmx$heap, on 127.0.0.1, port $port; 0 picks a free one) ..." >&2
  FOVEA_JAVA_OPTS="-Xmx$heap${BENCH_SERVER_JAVA_OPTS:+ $BENCH_SERVER_JAVA_OPTS}" "$launcher" --workspace "$ws" \
    -s server.host=127.0.0.1 server --port "$port" >"$log" 2>&1 &
  SERVER_PID=$!
  PORT_FOUND=""
  local _
  for _ in $(seq 1 300); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "bench: the server exited before it answered; its log:" >&2
      cat "$log" >&2
      exit 1
    fi
    if [ -z "$PORT_FOUND" ]; then
      if [ "$port" != "0" ]; then PORT_FOUND="$port"
      else PORT_FOUND="$(sed -n 's#.* at http://[^:/]*:\([0-9][0-9]*\)/.*#\1#p' "$log" | head -n1)"; fi
    fi
    if [ -n "$PORT_FOUND" ] && bench_healthy "$PORT_FOUND"; then break; fi
    sleep 0.2
  done
  if [ -z "$PORT_FOUND" ] || ! bench_healthy "$PORT_FOUND"; then
    echo "bench: the server did not answer /api/health within 60 s; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  URL="http://127.0.0.1:$PORT_FOUND"
  echo "bench: server pid $SERVER_PID at $URL" >&2
}
bench_healthy() { # PORT: true once GET /api/health answers {"status": "ok"} (plain bash, no curl needed)
  timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET /api/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
    grep -q "\"ok\"" <&3' health "$1" 2>/dev/null
}

# bench_stop_server: stops the server in the shell that started it (so that wait sees its exit status); sets STOPPED
# to a sentence saying how it ended.
bench_stop_server() {
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null
    STOPPED="server stopped with SIGTERM (exit status $?)"
  else
    wait "$SERVER_PID" 2>/dev/null
    STOPPED="the server had exited by itself (exit status $?)"
  fi
  SERVER_PID=""
}

# bench_server_log_summary LOG: result-file lines on the server log's errors and warnings.
bench_server_log_summary() {
  echo "# server log: $(wc -l <"$1") lines, $(grep -c -E 'ERROR|WARN|Exception' "$1") with ERROR, WARN or Exception"
  grep -m5 -E 'ERROR|WARN|Exception' "$1" | cut -c1-300 | sed 's/^/#   /'
}
