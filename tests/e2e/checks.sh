# Shared by the e2e scripts: PASS/FAIL lines, counting, the closing
# "N passed, N failed" line, and small numeric predicates. Sourced.

PASSED=0
FAILED=0
T0=$SECONDS

ok() {
  PASSED=$((PASSED + 1))
  printf 'PASS  %s\n' "$*"
}
nok() {
  FAILED=$((FAILED + 1))
  printf 'FAIL  %s\n' "$*"
}
# check NAME DETAIL CONDITION...: one line, DETAIL shown either way
check() {
  local name=$1 detail=$2
  shift 2
  if "$@"; then ok "$name${detail:+ ($detail)}"; else nok "$name${detail:+ ($detail)}"; fi
}
finish() {
  printf '%d passed, %d failed (%d s)\n' "$PASSED" "$FAILED" "$((SECONDS - T0))"
  if ((FAILED)); then
    [[ ${LAB_KEEP:-0} == 1 ]] || echo "(set LAB_KEEP=1 to keep rampartd's output, EVE and summaries)"
    exit 1
  fi
  exit 0
}
bail() {
  nok "$*"
  finish
}
gt0() { [[ $1 =~ ^[0-9]+$ ]] && (($1 > 0)); }
ge() { [[ $1 =~ ^[0-9]+$ ]] && (($1 >= $2)); }
both_gt0() { gt0 "$1" && gt0 "$2"; }
sum_is() { [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ && $3 =~ ^[0-9]+$ ]] && (($1 == $2 + $3)); }
# preflight BINARY...: skip (exit 77) without root, bail when a binary is missing.
preflight() {
  if [[ $EUID -ne 0 ]]; then
    echo "SKIP: needs root (network namespaces)"
    exit 77
  fi
  local b
  for b in "$@"; do [[ -x $b ]] || bail "binary not found: $b"; done
}
