#!/usr/bin/env bash
# Serving benchmark (see bench/README.md): `fovea serve` latency and throughput over the Open Inference Protocol v2
# route, for 3 models (emoji: Fovea's own DJL network at 64x64; tiny-ts: TorchScript on DJL; tiny-onnx: ONNX
# Runtime) x batching on (defaults) / off (max_batch 1, max_delay_ms 0) x 1, 8 and 32 closed-loop clients, against
# the bare model call timed in the benchmark JVM; then a 60 s soak at saturation with the server's RSS and heap
# sampled. Prepares its workspace once (demo --no-serve --epochs 2, the two samples/models fixtures imported),
# builds, and tees the output into bench/results/serve-<date>.txt. About 7 minutes on 2 cores (the first run about
# 2 more, for the workspace).
#
# Settings (environment): BENCH_WORKSPACE (/tmp/fovea-bench/serve-ws; rebuilt when the fixtures change),
# BENCH_FIXTURES (samples/models), BENCH_CONCURRENCY (1,8,32), BENCH_WARMUP (3), BENCH_SECONDS (10),
# BENCH_SERVER_WARMUP (5: seconds of load on each new server before the first phase, not reported),
# BENCH_BATCHING (on,off), BENCH_SOAK (60; 0 skips it), BENCH_SOAK_CONCURRENCY (32), BENCH_SERVER_HEAP (1g),
# BENCH_SERVER_JAVA_OPTS, BENCH_ARGS (more ServingBenchmark arguments), BENCH_SKIP_BUILD=1 (use what is built),
# BENCH_KEEP=1 (keep the server logs), BENCH_MVN_ARGS (extra Maven arguments, e.g. -o), FOVEA_BENCH_MVN_LOCK (file
# the build holds a lock on while Maven runs; default .fovea-build.lock, which the ./fovea launcher uses too).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
# shellcheck source=../scripts/find-jdk.sh
. "$ROOT/scripts/find-jdk.sh"
fovea_find_jdk || exit 3

WS="${BENCH_WORKSPACE:-/tmp/fovea-bench/serve-ws}"
FIXTURES="${BENCH_FIXTURES:-$ROOT/samples/models}"
CONCURRENCY="${BENCH_CONCURRENCY:-1,8,32}"
WARMUP="${BENCH_WARMUP:-3}"
SERVER_WARMUP="${BENCH_SERVER_WARMUP:-5}"
SECONDS_RUN="${BENCH_SECONDS:-10}"
BATCHING="${BENCH_BATCHING:-on,off}"
SOAK="${BENCH_SOAK:-60}"
SOAK_CONCURRENCY="${BENCH_SOAK_CONCURRENCY:-32}"
SERVER_HEAP="${BENCH_SERVER_HEAP:-1g}"
CACHE="${FOVEA_CACHE:-$HOME/.cache/fovea}"
LOCK="${FOVEA_BENCH_MVN_LOCK:-$ROOT/.fovea-build.lock}"
TINY_PROJECT=tiny-cnn
JAVA="$FOVEA_JAVA_HOME/bin/java"

for f in tiny-cnn.pt tiny-cnn.onnx tiny-cnn.json; do
  [ -f "$FIXTURES/$f" ] || { echo "bench: $FIXTURES/$f is missing (scripts/make-model-fixtures.py makes it)" >&2; exit 3; }
done

if [ "${BENCH_SKIP_BUILD:-}" != "1" ]; then
  command -v mvn >/dev/null 2>&1 || { echo "bench: Maven (mvn) is needed; install it (apt-get install maven)" >&2; exit 3; }
  echo "bench: building Fovea and fovea-bench (-P bench, JDK $FOVEA_JAVA_HOME) ..." >&2
  # shellcheck disable=SC2086
  flock "$LOCK" env JAVA_HOME="$FOVEA_JAVA_HOME" mvn -B -q ${BENCH_MVN_ARGS:-} -P bench -DskipTests install >&2
fi
for jar in fovea-app/target/fovea-app.jar fovea-bench/target/fovea-bench.jar; do
  [ -f "$ROOT/$jar" ] || { echo "bench: $jar is not built; run without BENCH_SKIP_BUILD" >&2; exit 3; }
done

# The run takes minutes and starts 7 servers: it runs from a copy of the jars, so that a rebuild meanwhile does not
# change the code under it. $TMP/fovea is the ./fovea launcher's own java line on that copy (it execs java, so a
# server's pid is its JVM's).
mkdir -p /tmp/fovea-bench
TMP="$(mktemp -d /tmp/fovea-bench/serve.XXXXXX)"
cleanup() {
  if [ "${BENCH_KEEP:-}" = "1" ]; then echo "bench: kept $TMP (server logs under logs/)" >&2
  else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$TMP/app" "$TMP/bench" "$TMP/logs"
cp -r "$ROOT/fovea-app/target/fovea-app.jar" "$ROOT/fovea-app/target/lib" "$TMP/app/"
cp -r "$ROOT/fovea-bench/target/fovea-bench.jar" "$ROOT/fovea-bench/target/lib" "$TMP/bench/"
cat >"$TMP/fovea" <<EOF
#!/usr/bin/env bash
exec "$JAVA" \${FOVEA_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -Dfovea.home="$ROOT" -Dfovea.tty=false \\
  -cp "$TMP/app/fovea-app.jar:$TMP/app/lib/*" dev.fovea.app.Main "\$@"
EOF
chmod +x "$TMP/fovea"
fovea() { "$TMP/fovea" --workspace "$WS" "$@"; }

# The fixture's class names and preprocessing, from tiny-cnn.json (flat JSON: no jq needed).
META="$(tr -d ' \n\t\r' <"$FIXTURES/tiny-cnn.json")"
json_list() { printf '%s' "$META" | sed -n "s/.*\"$1\":\[\([^]]*\)\].*/\1/p" | tr -d '"'; }
CLASSES="$(json_list classes)"
MEAN="$(json_list mean)"
STD="$(json_list std)"
SIZE="$(printf '%s' "$META" | sed -n 's/.*"input_size":\([0-9]*\).*/\1/p')"
OUTPUTS="$(printf '%s' "$META" | sed -n 's/.*"outputs":"\([a-z]*\)".*/\1/p')"
[ -n "$CLASSES" ] && [ -n "$SIZE" ] || { echo "bench: no classes or input_size in $FIXTURES/tiny-cnn.json" >&2; exit 3; }
RAW_ARGS=(--project "$TINY_PROJECT" --classes "$CLASSES" --input-size "$SIZE" --alias production)
[ -n "$MEAN" ] && RAW_ARGS+=(--mean "$MEAN")
[ -n "$STD" ] && RAW_ARGS+=(--std "$STD")
[ -n "$OUTPUTS" ] && RAW_ARGS+=(--outputs "$OUTPUTS")

# The workspace: made once, again when the fixtures (or this recipe) change.
RECIPE="demo --epochs 2; $(cat "$FIXTURES/tiny-cnn.pt" "$FIXTURES/tiny-cnn.onnx" "$FIXTURES/tiny-cnn.json" | sha256sum | cut -c1-16)"
if [ ! -f "$WS/.bench-recipe" ] || [ "$(cat "$WS/.bench-recipe")" != "$RECIPE" ]; then
  echo "bench: preparing the workspace $WS (demo --no-serve --epochs 2, the fixtures imported; about 2 minutes) ..." >&2
  rm -rf "$WS"
  mkdir -p "$WS"
  fovea demo --no-serve --epochs 2 >&2
  fovea project create "$TINY_PROJECT" --classes "$CLASSES" >&2
  fovea model import "$FIXTURES/tiny-cnn.onnx" --name tiny-onnx --format onnx "${RAW_ARGS[@]}" >&2
  fovea model import "$FIXTURES/tiny-cnn.pt" --name tiny-ts --format torchscript "${RAW_ARGS[@]}" >&2
  fovea user add bench --admin >/dev/null
  mkdir -p "$WS/exports"
  for m in emoji tiny-ts tiny-onnx; do fovea model export "$m@production" -o "$WS/exports/$m.zip" >&2; done
  printf '%s' "$RECIPE" >"$WS/.bench-recipe"
else
  echo "bench: reusing the workspace $WS" >&2
fi
token() { # a new token of scope $1 for the admin 'bench'
  local json secret
  json="$(fovea token create --user bench --scope "$1" --name "serve-bench-$1" --json)"
  secret="$(printf '%s' "$json" | sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n1)"
  [ -n "$secret" ] || { echo "bench: no token in: $json" >&2; exit 1; }
  printf '%s' "$secret"
}
echo "bench: tokens of scope predict and admin ..." >&2
PREDICT_TOKEN="$(token predict)"
ADMIN_TOKEN="$(token admin)"

mkdir -p "$ROOT/bench/results"
OUT="$ROOT/bench/results/serve-$(date +%Y-%m-%d).txt"
[ -e "$OUT" ] && OUT="$ROOT/bench/results/serve-$(date +%Y-%m-%d-%H%M%S).txt"
# shellcheck disable=SC2206
ARGS=(--launcher "$TMP/fovea" --workspace "$WS"
  --model "emoji,emoji,$WS/exports/emoji.zip" --model "tiny-ts,fashion,$WS/exports/tiny-ts.zip"
  --model "tiny-onnx,fashion,$WS/exports/tiny-onnx.zip" --emoji "$ROOT/samples/emoji/images" --cache "$CACHE"
  --concurrency "$CONCURRENCY" --warmup "$WARMUP" --seconds "$SECONDS_RUN" --server-warmup "$SERVER_WARMUP"
  --batching "$BATCHING" --soak "$SOAK"
  --soak-model emoji --soak-concurrency "$SOAK_CONCURRENCY" --server-heap "$SERVER_HEAP"
  --server-java-opts "${BENCH_SERVER_JAVA_OPTS:-}" --jcmd "$FOVEA_JAVA_HOME/bin/jcmd" --logs "$TMP/logs" ${BENCH_ARGS:-})
set +e
{
  echo "# bench/serve.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] && echo ' (with local changes)')"
  echo "# $(uname -srm); $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'); $(nproc) cores; $(free -m | awk '/^Mem:/ {print $2 " MiB memory"}'); load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  echo "# $("$JAVA" -version 2>&1 | head -n1); servers: FOVEA_JAVA_OPTS='-Xmx$SERVER_HEAP${BENCH_SERVER_JAVA_OPTS:+ $BENCH_SERVER_JAVA_OPTS}', run as ./fovea runs them (FOVEA_NO_BUILD=1) from a copy of fovea-app/target"
  echo "# workspace $WS, made by:"
  echo "#   fovea --workspace $WS demo --no-serve --epochs 2"
  echo "#   fovea --workspace $WS project create $TINY_PROJECT --classes $CLASSES"
  echo "#   fovea --workspace $WS model import ${FIXTURES#"$ROOT"/}/tiny-cnn.onnx --name tiny-onnx --format onnx ${RAW_ARGS[*]}"
  echo "#   fovea --workspace $WS model import ${FIXTURES#"$ROOT"/}/tiny-cnn.pt --name tiny-ts --format torchscript ${RAW_ARGS[*]}"
  echo "#   fovea --workspace $WS user add bench --admin"
  echo "#   fovea --workspace $WS model export NAME@production -o $WS/exports/NAME.zip   (emoji, tiny-ts, tiny-onnx)"
  echo "#   fovea --workspace $WS token create --user bench --scope predict|admin --json"
  echo "# models: $(fovea model list 2>&1 | tr -s ' ' | paste -sd ';' -)"
  echo "# client: FOVEA_TOKEN=... FOVEA_ADMIN_TOKEN=... java -Xmx1g -cp 'fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/*' dev.fovea.bench.ServingBenchmark ${ARGS[*]//$TMP\//\$TMP/}"
  START=$(date +%s)
  FOVEA_TOKEN="$PREDICT_TOKEN" FOVEA_ADMIN_TOKEN="$ADMIN_TOKEN" "$JAVA" -Xmx1g --enable-native-access=ALL-UNNAMED \
    -cp "$TMP/bench/fovea-bench.jar:$TMP/bench/lib/*" dev.fovea.bench.ServingBenchmark "${ARGS[@]}"
  STATUS=$?
  echo "# finished in $(( $(date +%s) - START )) s (exit status $STATUS); load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  exit "$STATUS"
} 2>&1 | awk '/Could not initialize NNPACK/ { n++; next } { print; fflush() }
  END { if (n) print "# (left out: " n " lines \"Could not initialize NNPACK! Reason: Unsupported hardware.\" that PyTorch printed in the benchmark JVM)" }' \
  | tee "$OUT"
STATUS=${PIPESTATUS[0]}
set -e
echo "bench: results in ${OUT#"$ROOT"/}" >&2
exit "$STATUS"
