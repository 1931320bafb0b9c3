#!/usr/bin/env bash
# Mutual TLS on the gRPC APIs: a CA, a server certificate (localhost,
# 127.0.0.1), a valid client certificate, one from another CA and an expired
# one are made with openssl; rampart-controller and rampartd (net_null ports,
# one lcore, --no-huge) listen on TCP with --grpc-tls-client-ca, and
# rampartctl's `status` must succeed with the valid certificate only: no
# certificate, the wrong CA, an expired certificate and plaintext are refused
# (non-zero exit, a message on stderr). A controller given --grpc-listen
# without a certificate must refuse to start. Ends with "N passed, N failed".
#
#   tests/e2e/mtls_test.sh [RAMPARTD RAMPART-CONTROLLER RAMPARTCTL]     (root)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$here/../../build
RAMPARTD=${1:-${MTLS_RAMPARTD:-$build/rampartd}}
CONTROLLER=${2:-${MTLS_CONTROLLER:-$build/controlplane/controller/rampart-controller}}
CTL=${3:-${MTLS_RAMPARTCTL:-$build/controlplane/ctl/rampartctl}}
# meson passes paths relative to the build directory; the test cd's away.
RAMPARTD=$(realpath "$RAMPARTD")
CONTROLLER=$(realpath "$CONTROLLER")
CTL=$(realpath "$CTL")
# shellcheck source=tests/e2e/checks.sh
source "$here/checks.sh"

if [[ $EUID -ne 0 ]]; then
  echo "SKIP: needs root (rampartd's EAL)"
  exit 77
fi
for b in "$RAMPARTD" "$CONTROLLER" "$CTL"; do
  [[ -x $b ]] || bail "binary not found: $b"
done
command -v openssl >/dev/null || bail "openssl is needed"

PREFIX=mtls$$
DIR=$(mktemp -d /tmp/rampart-mtls.XXXXXX)
CTRL_PID=
D_PID=

# shellcheck disable=SC2317  # (called by the trap)
cleanup() {
  local p
  for p in $CTRL_PID $D_PID; do
    if kill -0 "$p" 2>/dev/null; then
      kill -INT "$p" 2>/dev/null
      for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$p" 2>/dev/null
      wait "$p" 2>/dev/null
    fi
  done
  rm -rf "/var/run/dpdk/$PREFIX"
  if [[ ${LAB_KEEP:-0} == 1 ]]; then echo "kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- certificates
cd "$DIR" || bail "cd $DIR"
ssl_log=$DIR/openssl.log
ssl() { openssl "$@" >>"$ssl_log" 2>&1 || bail "openssl $* ($(tail -3 "$ssl_log" | tr '\n' ' '))"; }

cat >ext.cnf <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# mkca NAME CN
mkca() {
  ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" -out "$1.pem" \
    -days 2 -subj "/CN=$2" -config ext.cnf -extensions ca_ext
}
# mkcert NAME CN EXT CA
mkcert() {
  ssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" \
    -config ext.cnf
  ssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key" -CAcreateserial -days 2 -out "$1.pem" \
    -extfile ext.cnf -extensions "$3"
}
mkca ca "rampart e2e CA"
mkca wrongca "rampart e2e other CA"
mkcert server localhost server_ext ca
mkcert client "rampart e2e client" client_ext ca
mkcert wrong "rampart e2e client (other CA)" client_ext wrongca

# The expired client certificate: `openssl x509 -req` of OpenSSL 3.0 has no
# -not_before/-not_after, so `openssl ca` with explicit past dates.
mkdir -p caroot && : >caroot/index.txt && echo 1000 >caroot/serial
cat >ca.cnf <<EOF
[ ca ]
default_ca = e2e
[ e2e ]
dir = $DIR/caroot
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $DIR/ca.pem
private_key = $DIR/ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
EOF
ssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout expired.key -out expired.csr \
  -subj "/CN=rampart e2e expired client" -config ext.cnf
ssl ca -batch -config ca.cnf -in expired.csr -out expired.pem -notext \
  -startdate 20200101000000Z -enddate 20200102000000Z -extfile ext.cnf -extensions client_ext

verify() { openssl verify -CAfile ca.pem -purpose "$2" "$1" 2>&1 | tr '\n' ' '; }
v_srv=$(verify server.pem sslserver)
v_cli=$(verify client.pem sslclient)
v_wrong=$(verify wrong.pem sslclient)
v_exp=$(verify expired.pem sslclient)
san=$(openssl x509 -in server.pem -noout -ext subjectAltName 2>&1 | tail -1 | sed 's/^ *//')
check "certs: server certificate verifies for serverAuth, SAN $san" "$v_srv" \
  [ "$v_srv" = "server.pem: OK " ]
check "certs: client certificate verifies for clientAuth" "$v_cli" [ "$v_cli" = "client.pem: OK " ]
check "certs: wrong-CA client certificate does not verify against ca.pem" "$v_wrong" \
  grep -q "unable to get local issuer" <<<"$v_wrong"
exp_end=$(openssl x509 -in expired.pem -noout -enddate 2>&1)
if openssl x509 -in expired.pem -noout -checkend 0 >/dev/null 2>&1; then
  nok "certs: expired client certificate is expired ($exp_end)"
else
  ok "certs: expired client certificate is expired ($exp_end; verify: $v_exp)"
fi
((FAILED)) && finish

# ---------------------------------------------------------------- helpers
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# listening PORT: something listens on 127.0.0.1:PORT
listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
# wait_listen PID PORT
wait_listen() {
  for _ in $(seq 150); do
    kill -0 "$1" 2>/dev/null || return 1
    listening "$2" && return 0
    sleep 0.1
  done
  return 1
}

# ctl_run NAME ARGS...: runs rampartctl, sets RC, OUT, ERR (stderr one line)
ctl_run() {
  local name=$1
  shift
  "$CTL" --timeout 5 "$@" >"$DIR/$name.out" 2>"$DIR/$name.err"
  RC=$?
  OUT=$(tr '\n' ' ' <"$DIR/$name.out" | sed 's/  */ /g; s/ $//')
  ERR=$(tr '\n' ' ' <"$DIR/$name.err" | sed 's/  */ /g; s/ $//')
}
# handshake_failures LOG: how many TLS handshakes the server's log reports as failed
handshake_failures() { grep -c "Handshake failed" "$1" 2>/dev/null; }
# expect_refused NAME DESCRIPTION ARGS...: non-zero exit, a message on stderr
# and, when SERVER_LOG is set, a failed handshake in the server's log (its
# reason goes into the detail)
expect_refused() {
  local name=$1 what=$2 before=0 now=0 reason=
  shift 2
  [[ -n $SERVER_LOG ]] && before=$(handshake_failures "$SERVER_LOG")
  ctl_run "$name" "$@"
  if [[ -n $SERVER_LOG ]]; then
    for _ in $(seq 20); do
      now=$(handshake_failures "$SERVER_LOG")
      ((now > before)) && break
      sleep 0.1
    done
    reason=$(grep "Handshake failed" "$SERVER_LOG" | tail -1 | sed 's/.*routines:://; s/\.$//')
    ((now > before)) && reason="; server: handshake failed: $reason" || reason="; server logged no failed handshake"
  fi
  if ((RC != 0)) && [[ -n $ERR ]] && { [[ -z $SERVER_LOG ]] || ((now > before)); }; then
    ok "$what: refused (exit $RC, stderr: $ERR$reason)"
  else
    nok "$what: refused (exit $RC, stdout: ${OUT:-<empty>}, stderr: ${ERR:-<empty>}$reason)"
  fi
}
# expect_ok NAME DESCRIPTION ARGS...
expect_ok() {
  local name=$1 what=$2
  shift 2
  ctl_run "$name" "$@"
  if ((RC == 0)) && [[ -n $OUT ]]; then
    ok "$what: exit 0 ($OUT)"
  else
    nok "$what: exit 0 with output (exit $RC, stdout: ${OUT:-<empty>}, stderr: ${ERR:-<empty>})"
  fi
}

VALID=(--tls-cert client.pem --tls-key client.key)
WRONG=(--tls-cert wrong.pem --tls-key wrong.key)
EXPIRED=(--tls-cert expired.pem --tls-key expired.key)
TLS_SERVER=(--grpc-tls-cert server.pem --grpc-tls-key server.key --grpc-tls-client-ca ca.pem)

# ---------------------------------------------------------------- controller
mkdir -p policies
port=
for _ in 1 2 3 4 5; do
  port=$(free_port) || bail "pick a free port"
  "$CONTROLLER" --policy-dir policies --grpc-socket '' --grpc-listen "localhost:$port" "${TLS_SERVER[@]}" \
    >controller.log 2>&1 &
  CTRL_PID=$!
  wait_listen "$CTRL_PID" "$port" && break
  kill -INT "$CTRL_PID" 2>/dev/null
  wait "$CTRL_PID" 2>/dev/null
  CTRL_PID=
done
[[ -n $CTRL_PID ]] || bail "rampart-controller listens with mTLS ($(tail -3 controller.log | tr '\n' ' '))"
ok "rampart-controller listens on localhost:$port with mTLS (pid $CTRL_PID)"

S=(--server "localhost:$port")
SERVER_LOG=$DIR/controller.log
expect_refused c-nocert "controller: no client certificate" "${S[@]}" --tls-ca ca.pem status
expect_refused c-wrong "controller: client certificate from another CA" "${S[@]}" --tls-ca ca.pem "${WRONG[@]}" status
expect_refused c-expired "controller: expired client certificate" "${S[@]}" --tls-ca ca.pem "${EXPIRED[@]}" status
expect_ok c-valid "controller: valid client certificate" "${S[@]}" --tls-ca ca.pem "${VALID[@]}" status
expect_refused c-plain "controller: plaintext (no --tls-ca)" "${S[@]}" status
SERVER_LOG=  # the client gives up: the server may log nothing
expect_refused c-wrongserverca "controller: server certificate checked against another CA" "${S[@]}" \
  --tls-ca wrongca.pem "${VALID[@]}" status
expect_ok c-valid-json "controller: valid client certificate, -o json, by IP" --server "127.0.0.1:$port" \
  --tls-ca ca.pem "${VALID[@]}" -o json status

if kill -0 "$CTRL_PID" 2>/dev/null; then
  ok "rampart-controller still running after the refused clients"
else
  nok "rampart-controller still running after the refused clients ($(tail -3 controller.log | tr '\n' ' '))"
fi
kill -TERM "$CTRL_PID" 2>/dev/null
for _ in $(seq 50); do kill -0 "$CTRL_PID" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$CTRL_PID" 2>/dev/null
wait "$CTRL_PID" 2>/dev/null
CTRL_PID=

# A controller on TCP without a certificate must not start (no plaintext TCP).
port_nc=$(free_port)
timeout 10 "$CONTROLLER" --policy-dir policies --grpc-socket '' --grpc-listen "localhost:$port_nc" \
  --grpc-tls-client-ca ca.pem >nocert.out 2>nocert.err
rc=$?
msg=$(tr '\n' ' ' <nocert.err | sed 's/ $//')
if ((rc != 0 && rc != 124)) && grep -qi "tls-cert" nocert.err; then
  ok "controller: --grpc-listen without --grpc-tls-cert refuses to start (exit $rc, stderr: $msg)"
else
  nok "controller: --grpc-listen without --grpc-tls-cert refuses to start (exit $rc, stderr: ${msg:-<empty>})"
fi

# ---------------------------------------------------------------- rampartd
port2=
for _ in 1 2 3; do
  port2=$(free_port) || bail "pick a free port"
  "$RAMPARTD" -l 0 --no-huge -m 512 --no-pci --file-prefix "$PREFIX" \
    --vdev net_null0,no-rx=1 --vdev net_null1,no-rx=1 -- \
    --grpc-socket '' --grpc-listen "localhost:$port2" "${TLS_SERVER[@]}" --appliance-id mtls-e2e \
    >rampartd.log 2>&1 &
  D_PID=$!
  wait_listen "$D_PID" "$port2" && break
  kill -INT "$D_PID" 2>/dev/null
  wait "$D_PID" 2>/dev/null
  D_PID=
  rm -rf "/var/run/dpdk/$PREFIX"
done
[[ -n $D_PID ]] || bail "rampartd listens with mTLS ($(tail -5 rampartd.log | tr '\n' ' '))"
ok "rampartd listens on localhost:$port2 with mTLS (pid $D_PID)"

A=(--appliance "localhost:$port2")
SERVER_LOG=$DIR/rampartd.log
expect_ok d-valid "rampartd: valid client certificate" "${A[@]}" --tls-ca ca.pem "${VALID[@]}" status
expect_refused d-nocert "rampartd: no client certificate" "${A[@]}" --tls-ca ca.pem status
expect_refused d-wrong "rampartd: client certificate from another CA" "${A[@]}" --tls-ca ca.pem "${WRONG[@]}" status
expect_refused d-expired "rampartd: expired client certificate" "${A[@]}" --tls-ca ca.pem "${EXPIRED[@]}" status
expect_refused d-plain "rampartd: plaintext (no --tls-ca)" "${A[@]}" status

# The controller as the client of rampartd's appliance API over mutual TLS:
# with a valid certificate it brings the appliance in sync; with an expired
# one the appliance stays unreachable (the handshake refuses it).
ctl_view() {  # ctl_view SOCKET -> "health in_sync applied" of the only appliance
  "$CTL" --server "unix:$1" -o json appliances 2>/dev/null | /usr/bin/python3 -c '
import json, sys
a = json.load(sys.stdin)["appliances"][0]
print(a["health"], a["in_sync"], a["applied_version"])' 2>/dev/null
}
for cert in client expired; do
  mkdir -p "policies-$cert"
  "$CONTROLLER" --policy-dir "policies-$cert" --grpc-socket "$DIR/c-$cert.sock" --appliance "localhost:$port2" \
    --appliance-tls-ca ca.pem --appliance-tls-cert "$cert.pem" --appliance-tls-key "$cert.key" \
    >"controller-$cert.log" 2>&1 &
  CTRL_PID=$!
  view=
  for _ in $(seq 50); do
    view=$(ctl_view "$DIR/c-$cert.sock")
    [[ $cert == client && $view == "serving True "* ]] && break
    [[ $cert == expired && $view == unreachable* ]] && break
    sleep 0.1
  done
  if [[ $cert == client ]]; then
    check "controller -> rampartd over mTLS with a valid client certificate: appliance in sync" "$view" \
      bash -c "[[ '$view' == 'serving True '* ]]"
  else
    check "controller -> rampartd with an expired client certificate: appliance unreachable" "$view" \
      bash -c "[[ '$view' == unreachable* ]]"
  fi
  kill -TERM "$CTRL_PID" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$CTRL_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$CTRL_PID" 2>/dev/null
  wait "$CTRL_PID" 2>/dev/null
  CTRL_PID=
done

kill -INT "$D_PID"
for _ in $(seq 100); do kill -0 "$D_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$D_PID" 2>/dev/null; then
  nok "rampartd stops on SIGINT within 10 s"
  kill -KILL "$D_PID" 2>/dev/null
  wait "$D_PID" 2>/dev/null
else
  wait "$D_PID"
  rc=$?
  check "rampartd exits 0 on SIGINT" "exit $rc" [ "$rc" -eq 0 ]
fi
D_PID=
left=$(compgen -G "/var/run/dpdk/$PREFIX*" | tr '\n' ' ')
check "rampartd leaves no EAL runtime directory" "${left:-/var/run/dpdk/$PREFIX* gone}" [ -z "$left" ]

finish
