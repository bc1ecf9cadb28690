#!/usr/bin/env bash
# Benchmark: evaluate a source and a variant model on all 48,842 UCI Adult rows with 1,000 paired-bootstrap
# iterations, sex and race plus their intersection.
#  1. prepares bench/out/ (encoded Adult features, a logistic regression and its coarsened copy as ONNX);
#  2. times the packaged command line end to end (JVM start included), twice;
#  3. runs AdultBench in one JVM: warm evaluations alternating with a bare ONNX Runtime loop over the same
#     batches (same session options, same batch size), and prints medians, spreads and the model-running ratio.
# Needs `mvn -B package -DskipTests` (or verify) first. Prints `uptime` so the machine's load is on record.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out
REPS=${REPS:-7}
WARMUPS=${WARMUPS:-3}
mkdir -p "$OUT"
# a short classpath: the ORT crash seen with very long java.class.path values
if [ ! -s "$OUT/classpath.txt" ] || ! grep -q java-json-canonicalization "$OUT/classpath.txt"; then
  mvn -B -q dependency:build-classpath -Dmdep.outputFile="$OUT/full-classpath.txt" >/dev/null
  tr ':' '\n' < "$OUT/full-classpath.txt" \
    | grep -E '/(onnxruntime|jackson-(core|databind|annotations)|tribuo-util-onnx|protobuf-java|commons-statistics-distribution|java-json-canonicalization|commons-numbers-[a-z]+|commons-rng-[a-z-]+)-[0-9]' \
    | paste -sd: > "$OUT/classpath.txt"
fi
CP="target/classes:target/test-classes:$(cat "$OUT/classpath.txt")"
if [ ! -s "$OUT/source.onnx" ]; then
  java -cp "$CP" dev.quantgate.evaluation.adult.AdultFixture "$OUT"
fi
echo "== load: $(uptime)"
for i in 1 2; do
  start=$(date +%s.%N)
  /usr/bin/time -f "   CPU: user %U s, system %S s" java -jar target/quarkus-app/quarkus-run.jar evaluate --source "$OUT/source.onnx" --variant "$OUT/variant.onnx" \
    --data "$OUT/adult-features.csv" --label income --classes '<=50K,>50K' --sensitive sex,race --intersections \
    --features age,education_num,capital_gain_log,capital_loss_log,hours_per_week,is_male,is_white,married,husband_or_wife,exec_or_prof,self_employed,us_born \
    --privileged sex=Male,race=White --bootstrap 1000 --seed 7 --out "$OUT/report.json" --markdown "$OUT/report.md"
  end=$(date +%s.%N)
  printf '== command line, end to end (JVM start included), run %d: %.2f s\n' "$i" "$(echo "$end - $start" | bc)"
done
echo "== in-process, $REPS alternating repetitions"
java -cp "$CP" dev.quantgate.evaluation.adult.AdultBench "$OUT" "$REPS" "$WARMUPS"
echo "== load: $(uptime)"
