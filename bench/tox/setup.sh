#!/bin/sh
# Installs libtoxcore from Debian and builds bench/tox/tox-rtt (the Tox side of `npm run bench -- tox`).
# Needs root for apt-get; never run by `npm test`. Idempotent: skips steps already done.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! pkg-config --exists toxcore 2>/dev/null && [ ! -f /usr/include/tox/tox.h ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq libtoxcore-dev libtoxcore2 pkg-config >/dev/null
fi
flags=$(pkg-config --cflags --libs toxcore 2>/dev/null || echo "-ltoxcore")
gcc -O2 -Wall -o "$here/tox-rtt" "$here/tox-rtt.c" $flags
echo "built $here/tox-rtt"
