#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Builds the CRI tests' two images as docker-archive tarballs from a static busybox: no registry.
"""Usage: cri-images.py OUTDIR [BUSYBOX]

Writes, from BUSYBOX (default /bin/busybox, Debian's busybox-static), two docker-archive files
that `ctr images import` takes (python3 standard library only):

  OUTDIR/pause.tar    localhost/nsx/pause:1    Entrypoint sleep infinity: the pod sandbox
  OUTDIR/busybox.tar  localhost/nsx/busybox:1  Cmd sh: what the tests' containers run

Both have one layer: /bin/busybox with a link per applet, /www/index.html ("hello from inside the
container", as in the Docker image local/busybox), /tmp, /etc/passwd and /etc/group. The bytes
depend on the busybox binary alone (every time stamp is 0), so a rebuild is the same image.
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

PAGE = b"hello from inside the container\n"


def entry(name, kind=tarfile.REGTYPE, mode=0o755, size=0, link=""):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.size, ti.linkname, ti.mtime = kind, mode, size, link, 0
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    return ti


def layer(busybox):
    with open(busybox, "rb") as f:
        binary = f.read()
    # A dynamically linked busybox would not run in an empty rootfs.
    if b"/lib64/ld-linux" in binary[:4096] or b"/lib/ld-linux" in binary[:4096]:
        raise SystemExit("cri-images.py: %s is dynamically linked; install busybox-static" % busybox)
    applets = subprocess.run([busybox, "--list"], check=True, capture_output=True, text=True).stdout.split()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for d in ("bin", "dev", "etc", "proc", "root", "run", "sys", "tmp", "var", "www"):
            t.addfile(entry(d + "/", tarfile.DIRTYPE, 0o1777 if d == "tmp" else 0o755))
        t.addfile(entry("bin/busybox", size=len(binary)), io.BytesIO(binary))
        for a in sorted(set(applets)):
            # Linking the applet called busybox would replace the binary with a link to itself.
            if a and a != "busybox" and "/" not in a:
                t.addfile(entry("bin/" + a, tarfile.SYMTYPE, 0o777, link="busybox"))
        for name, body in (("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"
                                          b"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"),
                           ("etc/group", b"root:x:0:\nnogroup:x:65534:\n"),
                           ("www/index.html", PAGE)):
            t.addfile(entry(name, mode=0o644, size=len(body)), io.BytesIO(body))
    return buf.getvalue()


def archive(path, tag, blob, config_extra):
    diff_id = "sha256:" + hashlib.sha256(blob).hexdigest()
    config = {
        "architecture": "amd64", "os": "linux", "created": "1970-01-01T00:00:00Z",
        "config": dict({"Env": ["PATH=/bin"], "WorkingDir": "/"}, **config_extra),
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "contrib/lib/cri-images.py"}],
    }
    cfg = json.dumps(config, sort_keys=True).encode()
    cfg_name = hashlib.sha256(cfg).hexdigest() + ".json"
    layer_name = diff_id[len("sha256:"):] + "/layer.tar"
    manifest = json.dumps([{"Config": cfg_name, "RepoTags": [tag], "Layers": [layer_name]}]).encode()
    tmp = path + ".tmp"
    with tarfile.open(tmp, "w") as t:
        for name, body in ((cfg_name, cfg), (layer_name, blob), ("manifest.json", manifest)):
            t.addfile(entry(name, mode=0o644, size=len(body)), io.BytesIO(body))
    os.replace(tmp, path)


def main():
    if len(sys.argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    blob = layer(sys.argv[2] if len(sys.argv) == 3 else "/bin/busybox")
    archive(os.path.join(out, "pause.tar"), "localhost/nsx/pause:1", blob,
            {"Entrypoint": ["/bin/sleep", "infinity"]})
    archive(os.path.join(out, "busybox.tar"), "localhost/nsx/busybox:1", blob, {"Cmd": ["/bin/sh"]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
