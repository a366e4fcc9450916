#!/usr/bin/env bash
# Bounded fuzzing of the loaders (plan, rubric, scores, workbooks), of draft templates and of
# the output writers (CSV, Markdown, terminal, XLSX) with cargo-fuzz
# (libFuzzer).
#   scripts/fuzz.sh            every target for 60 s
#   scripts/fuzz.sh 300 plan   one target for 300 s
# cargo-fuzz needs a nightly compiler; the stable toolchain works with RUSTC_BOOTSTRAP=1.
# Install it once with: cargo install cargo-fuzz --locked
# A crash is saved under fuzz/artifacts/TARGET/; copy the input to tests/fuzz-regressions/TARGET/
# (any file name) so that `cargo test` checks it for ever, then fix the bug.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(plan rubric scores template workbook writers)
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz is not installed: cargo install cargo-fuzz --locked" >&2; exit 1; }
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  # Seed each corpus with the project's own valid and invalid inputs.
  case "$t" in
    plan) seeds=(../tests/corpus/*/plan.toml ../samples/*/plan.toml) ;;
    rubric) seeds=(../rubrics/*.toml ../tests/corpus/*/rubric.toml) ;;
    scores) seeds=(../tests/corpus/*/scores/*.csv ../samples/*/scores/*.csv) ;;
    template) seeds=(../templates/*.j2 ../templates/*/*/*.j2) ;;
    workbook) seeds=(../tests/fixtures/spreadsheets/*.ods) ;;
    writers) seeds=(../tests/corpus/_base/plan.toml) ;;
  esac
  for f in "${seeds[@]}"; do
    [[ -f "$f" ]] && cp "$f" "corpus/$t/seed-$(echo "$f" | tr '/.' '__')"
  done
  echo "== fuzzing $t for ${seconds}s"
  RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536
done
