#!/usr/bin/env bash
# Benchmarks of whole commands, as a user runs them (see docs/performance.md).
#   scripts/bench.sh            all benchmarks
#   scripts/bench.sh assess     only the assessment ones
#   scripts/bench.sh draft      only the draft ones
#   scripts/bench.sh parse      assess and validate against the raw CSV parse and pandas (issue 16);
#                               BEFORE=path/to/an/older/checkmyogp adds that build to the same run;
#                               RUNS=N runs of each (20), PANDAS_RUNS=N of pandas (3; 0 skips it)
#   scripts/bench.sh xlsx       workbooks at the plan limit (50,000 commitments): memory against file size
# Needs hyperfine (Debian: apt-get install hyperfine) and GNU time (/usr/bin/time) for memory.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
cargo build --release --quiet
bin=target/release/checkmyogp
work="${BENCH_DIR:-$(mktemp -d)}"
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 1; }

peak() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }

if [[ "$what" == all || "$what" == assess ]]; then
  echo "== assess of the Mongolia sample (whole process)"
  hyperfine -N -w 5 -r 50 "$bin assess samples/mongolia-2016-2018" "$bin assess samples/mongolia-2016-2018 --format json"

  for n in 5000 10000 20000; do
    dir="$work/synthetic-$n"
    [[ -d "$dir" ]] || "$bin" generate "$dir" --commitments "$n" --evaluators 30 --criteria 8 >/dev/null 2>&1
  done
  echo "== assess --format json, 30 evaluators x 8 criteria: 5,000 / 10,000 / 20,000 commitments (1.2 / 2.4 / 4.8 million rows)"
  hyperfine -N -w 1 -r 10 \
    "$bin assess $work/synthetic-5000 --format json" \
    "$bin assess $work/synthetic-10000 --format json" \
    "$bin assess $work/synthetic-20000 --format json"
  for n in 5000 10000 20000; do
    echo "peak memory, $n commitments: $(peak "$bin" assess "$work/synthetic-$n" --format json) KB"
  done
  echo "== for scale: reading the 10,000-commitment file"
  hyperfine -N -w 1 -r 10 "cat $work/synthetic-10000/scores/scores.csv" "$bin validate $work/synthetic-10000"
fi

if [[ "$what" == all || "$what" == draft ]]; then
  # One commitment with N milestones, three evaluators each rating and commenting on every
  # milestone: the draft's work must grow linearly with N (notes find their milestone
  # through a map).
  for n in 1000 2000 4000; do
    dir="$work/draft-$n"
    if [[ ! -d "$dir" ]]; then
      mkdir -p "$dir/scores"
      python3 - "$dir" "$n" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
with open(f"{d}/plan.toml", "w") as f:
    f.write('[plan]\ncountry = "Benchland"\ntitle = "Plan"\n\n[assessment]\nas_of = 2020-01-01\n\n[[commitment]]\nid = "1"\ntitle = "One"\n')
    for m in range(n):
        f.write(f'\n[[commitment.milestone]]\nid = "1.{m}"\ntitle = "Step {m}"\ndue = 2019-12-31\n')
with open(f"{d}/scores/s.csv", "w") as f:
    f.write("evaluator,commitment,milestone,criterion,level,evidence,comment\n")
    for e in ("a", "b", "c"):
        for m in range(n):
            f.write(f"{e},1,1.{m},completion,Substantial,https://example.org/{m},Comment {e} {m}\n")
PY
    fi
  done
  echo "== draft of one commitment with 1,000 / 2,000 / 4,000 milestones (3 evaluators, a comment each)"
  hyperfine -N -w 1 -r 10 \
    "$bin draft $work/draft-1000 --output -" \
    "$bin draft $work/draft-2000 --output -" \
    "$bin draft $work/draft-4000 --output -"
  echo "peak memory, 4,000 milestones: $(peak "$bin" draft "$work/draft-4000" --output -) KB"
fi

if [[ "$what" == all || "$what" == ogp ]]; then
  # The whole OGP database's size (issue 14): 5,000 commitments x 5 evaluators x 8 criteria.
  # Every command once, with its time and peak memory (GNU time), then the pathological inputs
  # of issue 14 §3 under `ulimit -v` so that a regression fails instead of swapping.
  dir="$work/ogp-5000"
  [[ -d "$dir" ]] || "$bin" generate "$dir" --commitments 5000 --evaluators 5 --criteria 8 >/dev/null 2>&1
  rm -rf "$work/ogp-5000-copy" && cp -r "$dir" "$work/ogp-5000-copy"
  out="$work/out" && mkdir -p "$out"
  echo "== every command on 5,000 commitments x 5 evaluators x 8 criteria (seconds, peak KB)"
  while read -r args; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e s  %M KB  checkmyogp $args" "$bin" $args >/dev/null 2>"$out/err" || true
    tail -1 "$out/err" | sed "s|$work/||g"
  done <<LIST
validate $dir
assess $dir
assess $dir --format json
assess $dir --format csv
assess $dir --format markdown
assess $dir --details --format json
summary $dir
explain $dir c42
agreement $dir
agreement $dir --format json
agreement $dir --bootstrap 1000 --format json
report $dir --output $out/report.html --force
draft $dir --output $out/draft.md --force
draft $dir --output $out/draft.md --appendix --force
draft $dir --docx --output $out/draft.docx --force
sheet $dir --evaluator e0 --output $out/sheet.csv --force
sheet $dir --evaluator e0 --format xlsx --output $out/sheet.xlsx --force
assess $dir --format xlsx --output $out/assess.xlsx --force
compare $dir $work/ogp-5000-copy
LIST
  # draft --split three ways: into a new folder; made again with nothing changed (every file
  # already holds its text and is left as it is); with every file changed (in French).
  split="$out/split-$(date +%s%N)"
  for args in "draft $dir --split $split" "draft $dir --split $split" "draft $dir --split $split --language fr"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e s  %M KB  checkmyogp $args" "$bin" $args >/dev/null 2>"$out/err" || true
    tail -1 "$out/err" | sed "s|$work/||g"
  done
  # The same files written and replaced the same way with nothing rendered: what the disk
  # alone costs, whatever writes them (on ext4 without a journal, mounted with `discard`, each
  # replaced file's blocks are discarded as it goes, and files made soon after thousands were
  # deleted cost far more system time: docs/performance.md).
  floor="$out/floor-$(date +%s%N)"
  python3 scripts/fs_floor.py "$split" "$floor"
  python3 scripts/fs_floor.py "$split" "$floor"
  # Removed only now, for the reason above.
  rm -rf "$split" "$floor"
  echo "== 5,000 undeclared evaluators rating two commitments each (agreement summarised beyond 60)"
  many="$work/many-evaluators"
  if [[ ! -d "$many" ]]; then
    mkdir -p "$many/scores"
    { printf '[plan]\ncountry = "X"\ntitle = "Many"\nstart = 2020-01-01\nend = 2021-12-31\n\n[assessment]\nas_of = 2021-06-30\n'
      for c in $(seq 1 10); do printf '\n[[commitment]]\nid = "%s"\ntitle = "C%s"\n' "$c" "$c"; done; } > "$many/plan.toml"
    { echo "evaluator,commitment,criterion,level"
      for e in $(seq 0 4999); do echo "e$e,$((e % 10 + 1)),relevance,Clear"; echo "e$e,$(((e + 3) % 10 + 1)),relevance,Unclear"; done; } > "$many/scores/s.csv"
  fi
  for args in "agreement $many --format json" "report $many --output $out/many.html --force"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e s  %M KB  checkmyogp $args" "$bin" $args >/dev/null 2>"$out/err" || true
    tail -1 "$out/err" | sed "s|$work/||g"
  done
fi

if [[ "$what" == all || "$what" == xlsx ]]; then
  # Issue 14 §3: workbooks are written as a stream, so their memory should follow the plan and
  # the file, not the cells. Time, CPU time and peak memory, then each file's size and its
  # XML's size once inflated (the last line of `unzip -l`).
  dir="$work/limit-50000"
  [[ -d "$dir" ]] || "$bin" generate "$dir" --commitments 50000 --evaluators 5 --criteria 8 >/dev/null 2>&1
  out="$work/out" && mkdir -p "$out"
  echo "== 50,000 commitments x 5 evaluators x 8 criteria, as workbooks and as CSV (seconds, CPU, peak KB)"
  while read -r args; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e s  %U+%S s  %M KB  checkmyogp $args" "$bin" $args >/dev/null 2>"$out/err" || true
    tail -1 "$out/err" | sed "s|$work/||g"
  done <<LIST
validate $dir
sheet $dir --evaluator e0 --output $out/sheet-50000.csv --force
sheet $dir --evaluator e0 --format xlsx --output $out/sheet-50000.xlsx --force
assess $dir --format csv --output $out/assess-50000.csv --force
assess $dir --format xlsx --output $out/assess-50000.xlsx --force
LIST
  for f in "$out"/sheet-50000.xlsx "$out"/assess-50000.xlsx; do
    echo "$(basename "$f"): $(stat -c %s "$f") bytes, $(unzip -l "$f" | tail -1 | awk '{print $1}') bytes of XML inflated"
  done
fi

if [[ "$what" == all || "$what" == parse ]]; then
  # Issue 16: assess and validate against the raw parse of their own input (the csv crate's
  # loop, examples/csv_parse.rs) in one hyperfine run, so that they share the machine's load;
  # and against the same assessment in pandas (scripts/assess_pandas.py).
  cargo build --release --quiet --example csv_parse
  dir="$work/synthetic-10000"
  [[ -d "$dir" ]] || "$bin" generate "$dir" --commitments 10000 --evaluators 30 --criteria 8 >/dev/null 2>&1
  csv="$dir/scores/scores.csv"
  echo "== 2.4 million rows: raw parse, validate, assess --format json (hyperfine: each command's runs one after the other, so a busy minute can weigh on one command)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  before=()
  if [[ -n "${BEFORE:-}" ]]; then
    before=("$BEFORE validate $dir" "$BEFORE assess $dir --format json")
  fi
  hyperfine -N -w 2 -r "${RUNS:-20}" --export-json "$work/parse.json" \
    "target/release/examples/csv_parse $csv" \
    "$bin validate $dir" \
    "$bin assess $dir --format json" \
    "${before[@]}"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 - "$work/parse.json" "$work" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]
for x in r:
    print("%-60s mean %.3f s  median %.3f s  min %.3f s  user+sys %.3f s  (%.2fx / %.2fx the raw parse, mean / min)" % (
        x["command"].replace(sys.argv[2] + "/", "")[-60:], x["mean"], x["median"], x["min"],
        x["user"] + x["system"], x["mean"] / base["mean"], x["min"] / base["min"]))
PY
  for c in "target/release/examples/csv_parse $csv" "$bin validate $dir" "$bin assess $dir --format json" "${before[@]}"; do
    # shellcheck disable=SC2086
    echo "peak memory, $c: $(peak $c) KB"
  done
  # PANDAS_RUNS=0 skips pandas (hyperfine's `-r 0` would run it without end).
  if [[ "${PANDAS_RUNS:-3}" != 0 ]]; then
    echo "== the same assessment in pandas"
    hyperfine -N -w 1 -r "${PANDAS_RUNS:-3}" "python3 scripts/assess_pandas.py $dir"
    echo "peak memory, pandas: $(peak python3 scripts/assess_pandas.py "$dir") KB"
  fi
fi
