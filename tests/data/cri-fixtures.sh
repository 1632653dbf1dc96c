#!/bin/sh
# SPDX-License-Identifier: MIT
# Encodes each tests/data/cri-*.txtpb (text-format protobuf; its first line names the message)
# into the .bin fixture next to it, with protoc and tests/cri/api.proto (the integration tests'
# minimal runtime.v1, the one definition of the messages the tests use). Commit both.
set -eu
cd "$(dirname "$0")"
for txt in cri-*.txtpb; do
        msg=$(sed -n '1s/^# message: *//p' "$txt")
        [ -n "$msg" ] || { echo "$txt: first line must be '# message: NAME'" >&2; exit 1; }
        protoc -I../cri --encode="runtime.v1.$msg" ../cri/api.proto <"$txt" >"${txt%.txtpb}.bin"
done
