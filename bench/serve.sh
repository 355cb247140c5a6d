#!/usr/bin/env bash
# Serving benchmark (see bench/README.md): `fovea serve` latency and throughput over the Open Inference Protocol v2
# route, for 4 models (emoji: Fovea's own DJL network at 64x64; tiny-ts: TorchScript on DJL; tiny-onnx: ONNX
# Runtime; tf-cnn: a TensorFlow SavedModel, written by SavedModelFixture) x batching on (defaults) / off (max_batch 1,
# max_delay_ms 0) x 1, 8 and 32 closed-loop clients, against the bare model call timed in the benchmark JVM; then a
# 60 s soak at saturation with the server's RSS and heap sampled; last, each model's overhead at concurrency 1 and
# throughput at 32 against the goals. Prepares its workspace once (demo --no-serve --epochs 2, the two
# samples/models fixtures and the SavedModel imported),
# builds, and tees the output into bench/results/serve-<date>.txt. About 7 minutes on 2 cores (the first run about
# 2 more, for the workspace).
#
# Settings (environment): BENCH_WORKSPACE (/tmp/fovea-bench/serve-ws; rebuilt when the fixtures change),
# BENCH_FIXTURES (samples/models), BENCH_MODELS (emoji,tiny-ts,tiny-onnx,tf-cnn), BENCH_CONCURRENCY (1,8,32), BENCH_WARMUP (3), BENCH_SECONDS (10),
# BENCH_SERVER_WARMUP (5: seconds of load on each new server before the first phase, not reported),
# BENCH_BATCHING (on,off), BENCH_SOAK (60; 0 skips it), BENCH_SOAK_CONCURRENCY (32), BENCH_SERVER_HEAP (1g),
# BENCH_SERVER_JAVA_OPTS, BENCH_ARGS (more ServingBenchmark arguments),
# BENCH_KEEP=1 (keep the server logs), and those of bench/lib.sh: BENCH_SKIP_BUILD=1, BENCH_MVN_ARGS (extra Maven
# arguments, e.g. -o), FOVEA_BENCH_MVN_LOCK.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
bench_init serve

WS="${BENCH_WORKSPACE:-/tmp/fovea-bench/serve-ws}"
FIXTURES="${BENCH_FIXTURES:-$ROOT/samples/models}"
MODELS="${BENCH_MODELS:-emoji,tiny-ts,tiny-onnx,tf-cnn}"
CONCURRENCY="${BENCH_CONCURRENCY:-1,8,32}"
WARMUP="${BENCH_WARMUP:-3}"
SERVER_WARMUP="${BENCH_SERVER_WARMUP:-5}"
SECONDS_RUN="${BENCH_SECONDS:-10}"
BATCHING="${BENCH_BATCHING:-on,off}"
SOAK="${BENCH_SOAK:-60}"
SOAK_CONCURRENCY="${BENCH_SOAK_CONCURRENCY:-32}"
SERVER_HEAP="${BENCH_SERVER_HEAP:-1g}"
CACHE="${FOVEA_CACHE:-$HOME/.cache/fovea}"
TINY_PROJECT=tiny-cnn

for f in tiny-cnn.pt tiny-cnn.onnx tiny-cnn.json; do
  [ -f "$FIXTURES/$f" ] || { echo "bench: $FIXTURES/$f is missing (scripts/make-model-fixtures.py makes it)" >&2; exit 3; }
done

bench_build app
# The run takes minutes and starts 7 servers: from a copy of the jars (see bench_copy_jars).
bench_tmp
mkdir -p "$TMP/logs"
bench_copy_jars app
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
RECIPE="demo --epochs 2; tf-cnn; $(cat "$FIXTURES/tiny-cnn.pt" "$FIXTURES/tiny-cnn.onnx" "$FIXTURES/tiny-cnn.json" | sha256sum | cut -c1-16)"
if [ ! -f "$WS/.bench-recipe" ] || [ "$(cat "$WS/.bench-recipe")" != "$RECIPE" ]; then
  echo "bench: preparing the workspace $WS (demo --no-serve --epochs 2, the fixtures imported; about 2 minutes) ..." >&2
  rm -rf "$WS"
  mkdir -p "$WS"
  fovea demo --no-serve --epochs 2 >&2
  fovea project create "$TINY_PROJECT" --classes "$CLASSES" >&2
  fovea model import "$FIXTURES/tiny-cnn.onnx" --name tiny-onnx --format onnx "${RAW_ARGS[@]}" >&2
  fovea model import "$FIXTURES/tiny-cnn.pt" --name tiny-ts --format torchscript "${RAW_ARGS[@]}" >&2
  "$JAVA" -Dorg.bytedeco.javacpp.cachedir="$CACHE/javacpp" -cp "$BENCH_CP" dev.fovea.bench.SavedModelFixture "$WS/tf-cnn-savedmodel" >&2
  fovea model import "$WS/tf-cnn-savedmodel" --name tf-cnn --format tensorflow --scale 0-1 --outputs probabilities \
    --project "$TINY_PROJECT" --classes "$CLASSES" --input-size 28 --alias production >&2
  fovea user add bench --admin >/dev/null
  mkdir -p "$WS/exports"
  for m in emoji tiny-ts tiny-onnx tf-cnn; do fovea model export "$m@production" -o "$WS/exports/$m.zip" >&2; done
  printf '%s' "$RECIPE" >"$WS/.bench-recipe"
else
  echo "bench: reusing the workspace $WS" >&2
fi
echo "bench: tokens of scope predict and admin ..." >&2
PREDICT_TOKEN="$(bench_token fovea bench predict)"
ADMIN_TOKEN="$(bench_token fovea bench admin)"

bench_results_file
# shellcheck disable=SC2206
MODEL_ARGS=()
for m in ${MODELS//,/ }; do
  case "$m" in
    emoji) MODEL_ARGS+=(--model "emoji,emoji,$WS/exports/emoji.zip") ;;
    tiny-ts|tiny-onnx|tf-cnn) MODEL_ARGS+=(--model "$m,fashion,$WS/exports/$m.zip") ;;
    *) echo "bench: BENCH_MODELS: '$m' is not one of emoji, tiny-ts, tiny-onnx, tf-cnn" >&2; exit 3 ;;
  esac
done
ARGS=(--launcher "$TMP/fovea" --workspace "$WS" "${MODEL_ARGS[@]}" --emoji "$ROOT/samples/emoji/images" --cache "$CACHE"
  --concurrency "$CONCURRENCY" --warmup "$WARMUP" --seconds "$SECONDS_RUN" --server-warmup "$SERVER_WARMUP"
  --batching "$BATCHING" --soak "$SOAK"
  --soak-model emoji --soak-concurrency "$SOAK_CONCURRENCY" --server-heap "$SERVER_HEAP"
  --server-java-opts "${BENCH_SERVER_JAVA_OPTS:-}" --jcmd "$FOVEA_JAVA_HOME/bin/jcmd" --logs "$TMP/logs" ${BENCH_ARGS:-})
set +e
{
  bench_header
  echo "# servers: FOVEA_JAVA_OPTS='-Xmx$SERVER_HEAP${BENCH_SERVER_JAVA_OPTS:+ $BENCH_SERVER_JAVA_OPTS}', run as ./fovea runs them (FOVEA_NO_BUILD=1) from a copy of fovea-app/target"
  env | grep -E '^FOVEA_SERVING_' | sed 's/^/# servers (environment): /' || true
  echo "# workspace $WS, made by:"
  echo "#   fovea --workspace $WS demo --no-serve --epochs 2"
  echo "#   fovea --workspace $WS project create $TINY_PROJECT --classes $CLASSES"
  echo "#   fovea --workspace $WS model import ${FIXTURES#"$ROOT"/}/tiny-cnn.onnx --name tiny-onnx --format onnx ${RAW_ARGS[*]}"
  echo "#   fovea --workspace $WS model import ${FIXTURES#"$ROOT"/}/tiny-cnn.pt --name tiny-ts --format torchscript ${RAW_ARGS[*]}"
  echo "#   java -cp \$BENCH_CP dev.fovea.bench.SavedModelFixture $WS/tf-cnn-savedmodel   (TensorFlow's Java API; fixed weights)"
  echo "#   fovea --workspace $WS model import $WS/tf-cnn-savedmodel --name tf-cnn --format tensorflow --scale 0-1 --outputs probabilities --project $TINY_PROJECT --classes $CLASSES --input-size 28 --alias production"
  echo "#   fovea --workspace $WS user add bench --admin"
  echo "#   fovea --workspace $WS model export NAME@production -o $WS/exports/NAME.zip   (emoji, tiny-ts, tiny-onnx, tf-cnn)"
  echo "#   fovea --workspace $WS token create --user bench --scope predict|admin --json"
  echo "# models: $(fovea model list 2>&1 | tr -s ' ' | paste -sd ';' -)"
  echo "# client: FOVEA_TOKEN=... FOVEA_ADMIN_TOKEN=... java -Xmx1g -cp 'fovea-bench/target/fovea-bench.jar:fovea-bench/target/lib/*' dev.fovea.bench.ServingBenchmark ${ARGS[*]//$TMP\//\$TMP/}"
  START=$(date +%s)
  FOVEA_TOKEN="$PREDICT_TOKEN" FOVEA_ADMIN_TOKEN="$ADMIN_TOKEN" "$JAVA" -Xmx1g --enable-native-access=ALL-UNNAMED -Dorg.bytedeco.javacpp.cachedir="$CACHE/javacpp" \
    -cp "$BENCH_CP" dev.fovea.bench.ServingBenchmark "${ARGS[@]}"
  STATUS=$?
  echo "# finished in $(( $(date +%s) - START )) s (exit status $STATUS); load average after: $(bench_load)"
  exit "$STATUS"
} 2>&1 | awk '/Could not initialize NNPACK/ { n++; next } { print; fflush() }
  END { if (n) print "# (left out: " n " lines \"Could not initialize NNPACK! Reason: Unsupported hardware.\" that PyTorch printed in the benchmark JVM)" }' \
  | tee "$OUT"
STATUS=${PIPESTATUS[0]}
set -e
echo "bench: results in ${OUT#"$ROOT"/}" >&2
exit "$STATUS"
