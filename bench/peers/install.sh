#!/usr/bin/env bash
# Installs the peers the side-by-side benchmark compares botgrid with, idempotently:
#   - ejabberd from Debian (apt-get), not started as a service (bench/peers/ejabberd.sh
#     runs it in the foreground with a config of ours);
#   - a Python venv at bench/peers/.venv with Matrix Synapse and uvloop (the event
#     loop of the load generator, bench/peers/peerbench.py; its HTTP and XMPP clients
#     are its own, on the standard library).
# Prints the versions installed. Pin them with SYNAPSE_VERSION=1.163.2 UVLOOP_VERSION=…
set -euo pipefail
cd "$(dirname "$0")"

if ! dpkg -s ejabberd >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  # The package's postinst starts the system service; keep it from doing that (the
  # Debian service would listen on all interfaces with the distribution's config).
  restore=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; restore=1
  fi
  apt-get update -q
  apt-get install -y -q --no-install-recommends ejabberd
  if [ -n "$restore" ]; then rm -f /usr/sbin/policy-rc.d; fi
  # The package enables the system service (Debian's config listens on every
  # interface); the benchmark starts its own instance when it needs one.
  if [ -d /run/systemd/system ]; then
    systemctl disable --now ejabberd >/dev/null 2>&1 || true
    echo "note: disabled the ejabberd system service (the benchmark runs its own)"
  fi
fi
# If the service got started anyway, stop it.
if pgrep -u ejabberd -f 'beam.*ejabberd' >/dev/null 2>&1; then
  (service ejabberd stop || ejabberdctl stop) >/dev/null 2>&1 || true
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip >/dev/null
.venv/bin/pip install -q \
  "matrix-synapse${SYNAPSE_VERSION:+==$SYNAPSE_VERSION}" \
  "uvloop${UVLOOP_VERSION:+==$UVLOOP_VERSION}"

echo "ejabberd: $(dpkg-query -W -f '${Version}' ejabberd)"
echo "erlang:   $(dpkg-query -W -f '${Version}' erlang-base)"
echo "python:   $(.venv/bin/python -c 'import sys; print(sys.version.split()[0])')"
.venv/bin/python - <<'PY'
from importlib.metadata import version
for p in ("matrix-synapse", "uvloop"):
    print(f"{p}: {version(p)}")
PY
