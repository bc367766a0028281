#!/bin/sh
# Writes throwaway NATS credentials into $1 for the NATS hook tests: a CA, a server and a client
# certificate (openssl), and an NKey user (an ed25519 key from openssl, encoded as NATS NKeys:
# base32 of prefix bytes + key + CRC-16/XMODEM): user.nk (the seed) and user.pub.
set -eu
dir=$1
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout ca.key -out ca.pem 2>/dev/null
for name in server client; do
  openssl req -newkey rsa:2048 -nodes -subj /CN=$name -keyout $name.key -out $name.csr 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > $name.ext
  openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile $name.ext -out $name.pem 2>/dev/null
done
openssl genpkey -algorithm ed25519 -out nkey.pem
openssl pkey -in nkey.pem -outform DER -out nkey.der
openssl pkey -in nkey.pem -pubout -outform DER -out nkey.pub.der
python3 - <<'PY'
import base64
def crc16(data):
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc
def encode(prefix, key):
    raw = bytes(prefix) + key
    c = crc16(raw)
    return base64.b32encode(raw + bytes([c & 0xFF, c >> 8])).decode().rstrip("=")
seed = open("nkey.der", "rb").read()[-32:]
pub = open("nkey.pub.der", "rb").read()[-32:]
user = 20 << 3
open("user.nk", "w").write(encode([(18 << 3) | (user >> 5), (user & 31) << 3], seed) + "\n")
open("user.pub", "w").write(encode([user], pub))
PY
