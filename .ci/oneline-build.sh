#!/bin/bash
# The build time of a one-line change in the server (issue 18): a string
# literal in crates/server/src/pages/mod.rs is changed, then the `pantau`
# binary and the server's tests are rebuilt; three runs each, the file put
# back after each. Run from the repository's top: bash .ci/oneline-build.sh
set -euo pipefail
f=crates/server/src/pages/mod.rs
trap 'git checkout -q "$f"' EXIT
cargo build -q && cargo test -q -p pantau-server --no-run 2>/dev/null
for what in "build" "test -p pantau-server --no-run"; do
  for i in 1 2 3; do
    sed -i "s/hbs.register_helper(\"count\", /hbs.register_helper(\"count$i$RANDOM\", /" "$f"
    s=$(date +%s%N); cargo $what -q >/dev/null 2>&1; e=$(date +%s%N)
    echo "cargo $what, run $i: $(( (e - s) / 1000000 )) ms"
    git checkout -q "$f"
  done
done
cargo build -q
