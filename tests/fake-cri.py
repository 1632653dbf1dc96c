#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A lying CRI (runtime.v1) server on a real unix socket, for what a real containerd never says.
"""Usage: fake-cri.py SOCKET lying ID PID [NAMESPACE/POD/CONTAINER]

A gRPC server (python3-grpcio, the stubs of tests/cri/api.proto) on the unix socket SOCKET that
knows one running container: ID (64 hex digits), in pod POD of namespace NAMESPACE, named
CONTAINER (default default/web/app), whose process it says is PID. Give it the PID of a host
process (a `sleep`): docker-nsexec's cgroup proof must refuse to believe it.

  Version          runtime_name "fake-cri", runtime_api_version "v1"
  ListContainers   the container, CONTAINER_RUNNING, with kubelet's labels (an id or pod filter
                   that does not match it: none)
  ContainerStatus  for ID (verbose: info["info"] is containerd's JSON, "pid": PID, with a runtime
                   spec whose cgroupsPath is kubelet's /kubepods/besteffort/pod<uid>/ID); any other
                   id: NOT_FOUND
  ListPodSandbox, PodSandboxStatus
                   the pod, SANDBOX_READY
Any other method: UNIMPLEMENTED. Each call is logged to stderr as "call METHOD". Prints "ready"
on stdout once it listens; runs until killed.
"""
import json
import os
import signal
import sys
import threading
from concurrent import futures

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "cri"))
import crigen  # noqa: E402

POD_ID = "5eed" * 16
POD_UID = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"


def main():
    if len(sys.argv) not in (5, 6) or sys.argv[2] != "lying":
        sys.stderr.write(__doc__)
        return 2
    sock, cid, pid = sys.argv[1], sys.argv[3], int(sys.argv[4])
    ns, pod, name = (sys.argv[5] if len(sys.argv) == 6 else "default/web/app").split("/")
    grpc, pb, pbg = crigen.load()

    labels = {"io.kubernetes.pod.name": pod, "io.kubernetes.pod.namespace": ns,
              "io.kubernetes.pod.uid": POD_UID, "io.kubernetes.container.name": name}
    meta = pb.ContainerMetadata(name=name, attempt=0)
    pod_meta = pb.PodSandboxMetadata(name=pod, uid=POD_UID, namespace=ns, attempt=0)
    cgroups_path = "/kubepods/besteffort/pod%s/%s" % (POD_UID, cid)
    info = {"sandboxID": POD_ID, "pid": pid,
            "runtimeSpec": {"ociVersion": "1.0.2-dev", "process": {"args": ["sleep", "infinity"]},
                            "root": {"path": "rootfs"}, "mounts": [],
                            "linux": {"cgroupsPath": cgroups_path,
                                      "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"},
                                                     {"type": "mount"}, {"type": "network"}]}}}

    def log(method):
        sys.stderr.write("call %s\n" % method)
        sys.stderr.flush()

    class Lying(pbg.RuntimeServiceServicer):
        def Version(self, request, context):
            log("Version")
            return pb.VersionResponse(version="0.1.0", runtime_name="fake-cri", runtime_version="0.0.1",
                                      runtime_api_version="v1")

        def ListContainers(self, request, context):
            log("ListContainers")
            f = request.filter
            if (f.id and not cid.startswith(f.id)) or (f.pod_sandbox_id and f.pod_sandbox_id != POD_ID) or \
                    (f.HasField("state") and f.state.state != pb.CONTAINER_RUNNING) or \
                    any(labels.get(k) != v for k, v in f.label_selector.items()):
                return pb.ListContainersResponse()
            return pb.ListContainersResponse(containers=[pb.Container(
                id=cid, pod_sandbox_id=POD_ID, metadata=meta, image=pb.ImageSpec(image="localhost/nsx/busybox:1"),
                image_ref="sha256:" + "0" * 64, state=pb.CONTAINER_RUNNING, created_at=1, labels=labels)])

        def ContainerStatus(self, request, context):
            log("ContainerStatus")
            if request.container_id != cid:
                context.abort(grpc.StatusCode.NOT_FOUND,
                              'an error occurred when try to find container "%s": not found' % request.container_id)
            st = pb.ContainerStatus(id=cid, metadata=meta, state=pb.CONTAINER_RUNNING, created_at=1, started_at=2,
                                    image=pb.ImageSpec(image="localhost/nsx/busybox:1"), labels=labels)
            return pb.ContainerStatusResponse(status=st, info={"info": json.dumps(info)} if request.verbose else {})

        def ListPodSandbox(self, request, context):
            log("ListPodSandbox")
            f = request.filter
            if f.id and not POD_ID.startswith(f.id):
                return pb.ListPodSandboxResponse()
            return pb.ListPodSandboxResponse(items=[pb.PodSandbox(
                id=POD_ID, metadata=pod_meta, state=pb.SANDBOX_READY, created_at=1, labels=labels)])

        def PodSandboxStatus(self, request, context):
            log("PodSandboxStatus")
            if request.pod_sandbox_id != POD_ID:
                context.abort(grpc.StatusCode.NOT_FOUND, "pod sandbox %s not found" % request.pod_sandbox_id)
            st = pb.PodSandboxStatus(id=POD_ID, metadata=pod_meta, state=pb.SANDBOX_READY, created_at=1,
                                     network=pb.PodSandboxNetworkStatus(ip="10.88.77.2"), labels=labels)
            return pb.PodSandboxStatusResponse(
                status=st, info={"info": json.dumps({"pid": pid})} if request.verbose else {})

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    pbg.add_RuntimeServiceServicer_to_server(Lying(), server)
    if server.add_insecure_port("unix:" + sock) == 0:
        sys.stderr.write("fake-cri.py: cannot listen on %s\n" % sock)
        return 1
    server.start()
    print("ready", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    server.stop(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
