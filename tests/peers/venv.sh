#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# venv.sh PYTHON REQUIREMENTS DIR: makes (or brings up to date) the test
# suite's Python virtual environment in DIR from the pinned REQUIREMENTS.
# A copy of the requirements inside DIR records what was installed, so a
# second run with the same file does nothing.  Without network, or without
# a Python that has the venv module, it says why and leaves no half-made
# environment: the tests that need it then skip (or fail under
# MILVUS_REQUIRE_PEERS=1).
set -u
py=$1 req=$2 dir=$3
if [ -x "$dir/bin/python" ] && cmp -s "$req" "$dir/requirements.txt"; then
    exit 0
fi
if [ -z "$py" ] || ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
    echo "venv.sh: no Python with the venv module ('$py'); the Python test peers will be missing" >&2
    exit 0
fi
echo "venv.sh: making the test Python environment in $dir from $req" >&2
# The copy of the requirements is written last: an environment without it
# is a half-made one and is made again.
rm -rf "$dir"
if "$py" -m venv "$dir" &&
    "$dir/bin/python" -m pip install -q --disable-pip-version-check --no-input \
        -r "$req" >"$dir.log" 2>&1; then
    cp "$req" "$dir/requirements.txt" && rm -f "$dir.log"
    exit 0
fi
echo "venv.sh: installing $req failed; the Python test peers will be missing:" >&2
tail -n 15 "$dir.log" >&2
rm -rf "$dir" "$dir.log"
exit 0
