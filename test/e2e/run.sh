#!/usr/bin/env bash
# run.sh SCRIPT TEST: runs one end-to-end test function (CTest calls this).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/$1"
"$2"
echo "PASS: $2"
