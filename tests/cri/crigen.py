# SPDX-License-Identifier: MIT
# Python stubs for tests/cri/api.proto, generated when first needed (protoc + grpc_python_plugin).
"""load() -> (grpc, api_pb2, api_pb2_grpc) for tests/cri-client.py and tests/fake-cri.py.

The stubs are generated into $NSX_CRI_GEN_DIR when it is set (kept there, and made again only
when api.proto is newer), else into a temporary directory removed at exit. Needs Debian's
python3-grpcio, python3-protobuf, protobuf-compiler and protobuf-compiler-grpc; run with
/usr/bin/python3 (another python3 on PATH may have no grpc).
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = os.path.join(HERE, "api.proto")
PLUGIN = os.environ.get("NSX_GRPC_PYTHON_PLUGIN", "/usr/bin/grpc_python_plugin")


def _generate(out):
    # protoc names the modules after the file: api_pb2.py, api_pb2_grpc.py.
    subprocess.run(["protoc", "-I" + HERE, "--python_out=" + out, "--grpc_out=" + out,
                    "--plugin=protoc-gen-grpc=" + PLUGIN, PROTO], check=True)


def load():
    out = os.environ.get("NSX_CRI_GEN_DIR")
    if out:
        os.makedirs(out, exist_ok=True)
        stub = os.path.join(out, "api_pb2_grpc.py")
        if not os.path.exists(stub) or os.path.getmtime(stub) < os.path.getmtime(PROTO):
            # Into a scratch directory first, then renamed: two tests starting at once
            # never import a half-written module.
            tmp = tempfile.mkdtemp(dir=out)
            try:
                _generate(tmp)
                for name in ("api_pb2.py", "api_pb2_grpc.py"):
                    os.replace(os.path.join(tmp, name), os.path.join(out, name))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    else:
        out = tempfile.mkdtemp(prefix="nsx-cri-gen.")
        atexit.register(shutil.rmtree, out, True)
        _generate(out)
    sys.dont_write_bytecode = True
    sys.path.insert(0, out)
    import grpc  # noqa: E402  (python3-grpcio)
    import api_pb2  # noqa: E402
    import api_pb2_grpc  # noqa: E402
    return grpc, api_pb2, api_pb2_grpc
