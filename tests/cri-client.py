#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A small CRI (runtime.v1) client for the tests: pods and containers made the way kubelet makes them.
"""Usage: cri-client.py [--endpoint unix:///PATH] COMMAND [ARG...]

The endpoint defaults to $NSX_TEST_CRI_ENDPOINT, else $CONTAINER_RUNTIME_ENDPOINT.
Run with /usr/bin/python3 (Debian's python3-grpcio); the stubs come from tests/cri/api.proto
(see tests/cri/crigen.py; NSX_CRI_GEN_DIR keeps them between runs).

Commands:
  version          one line: runtime name, version, CRI API version
  up POD [--ns NS] [--annotation K=V]... [--port CPORT:HOSTPORT[:HOSTIP][/udp]]...
         [--container NAME [--user UID] [--env K=V]... [CMD...]]...
                   RunPodSandbox (namespace NS, default "default") with kubelet's labels
                   (io.kubernetes.pod.name, .namespace, .uid) and cgroup parent
                   /kubepods/besteffort/pod<uid>, then CreateContainer and StartContainer for each
                   NAME, running CMD in the busybox image (default: sleep infinity), labelled
                   io.kubernetes.container.name and io.kubernetes.pod.*, each in its own PID
                   namespace (the pod's network and IPC ones), as UID
                   (linux.security_context.run_as_user; default: the image's user) with the
                   variables K=V (envs). --user and --env directly follow NAME; CMD runs up to
                   the next --container, --annotation, --port or --ns word. Each --port is a
                   PortMapping of the pod's config (a containerPort with its hostPort, as
                   kubelet passes a pod spec's ports; HOSTPORT 0: not published). Prints one JSON object:
                   {"pod": ID, "uid": UID, "namespace": NS, "name": POD,
                    "containers": {NAME: ID, ...}, "pids": {NAME: PID, ...}}
  stop-container ID
                   StopContainer, no grace period
  down [--ns NS] POD...
                   stop and remove every pod named POD (in NS if given), then remove the pod
                   cgroup parents runc leaves behind
  ls               one line per container: ID NAMESPACE/POD/CONTAINER STATE PID
  pid ID           the host PID of container ID (0 once it has exited)

Images (built by contrib/lib/cri-images.py, imported by contrib/lib/containerd.sh):
NSX_CRI_IMAGE (default localhost/nsx/busybox:1).
"""
import json
import os
import sys
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "cri"))
import crigen  # noqa: E402

IMAGE = os.environ.get("NSX_CRI_IMAGE", "localhost/nsx/busybox:1")
TIMEOUT = 30  # seconds, per call: pod start-up includes CNI set-up


def usage(msg):
    sys.stderr.write("cri-client.py: %s\n" % msg)
    sys.exit(2)


def connect(endpoint):
    grpc, pb, pbg = crigen.load()
    if not endpoint.startswith("unix://"):
        usage("endpoint must be unix:///PATH, got %r" % endpoint)
    # grpcio takes unix:///abs/path as it is.
    ch = grpc.insecure_channel(endpoint)
    grpc.channel_ready_future(ch).result(timeout=10)
    return pb, pbg.RuntimeServiceStub(ch)


def cgroup_mounts():
    """Mount points of every cgroup hierarchy (v1 controllers and the v2 one)."""
    out = []
    with open("/proc/self/mounts", encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) > 2 and fields[2] in ("cgroup", "cgroup2"):
                out.append(fields[1])
    return out


def remove_cgroup_parent(parent):
    """runc removes a container's own cgroup, never the pod's parent (kubelet's job): rmdir it in
    every hierarchy, with its ancestors once they are empty. rmdir refuses a cgroup that is in use
    or has children, so nothing still running is touched."""
    rel = parent.strip("/")
    if not rel:
        return
    for mnt in cgroup_mounts():
        d = os.path.join(mnt, rel)
        while os.path.realpath(d) != os.path.realpath(mnt):
            try:
                os.rmdir(d)
            except OSError:
                break
            d = os.path.dirname(d)


def pod_parent(uid):
    return "/kubepods/besteffort/pod" + uid


def pid_of(pb, rt, cid):
    st = rt.ContainerStatus(pb.ContainerStatusRequest(container_id=cid, verbose=True), timeout=TIMEOUT)
    try:
        return int(json.loads(st.info.get("info", "{}")).get("pid", 0))
    except (ValueError, TypeError):
        return 0


def parse_up(args):
    if not args or args[0].startswith("-"):
        usage("up POD [--ns NS] [--annotation K=V]... [--port CPORT:HOSTPORT[:HOSTIP][/udp]]... "
              "[--container NAME [--user UID] [--env K=V]... [CMD...]]...")
    pod, ns, annotations, ports, containers = args[0], "default", {}, [], []
    i = 1
    stops = ("--container", "--annotation", "--port", "--ns")
    while i < len(args):
        a = args[i]
        if a == "--ns" and i + 1 < len(args):
            ns = args[i + 1]
            i += 2
        elif a == "--annotation" and i + 1 < len(args) and "=" in args[i + 1]:
            k, v = args[i + 1].split("=", 1)
            annotations[k] = v
            i += 2
        elif a == "--port" and i + 1 < len(args):
            ports.append(parse_port(args[i + 1]))
            i += 2
        elif a == "--container" and i + 1 < len(args):
            name, cmd, user, env = args[i + 1], [], None, []
            i += 2
            while i + 1 < len(args) and args[i] in ("--user", "--env"):
                if args[i] == "--user":
                    if not args[i + 1].isdigit():
                        usage("up: --user takes a numeric UID, got %r" % args[i + 1])
                    user = int(args[i + 1])
                elif "=" in args[i + 1]:
                    env.append(tuple(args[i + 1].split("=", 1)))
                else:
                    usage("up: --env takes K=V, got %r" % args[i + 1])
                i += 2
            while i < len(args) and args[i] not in stops:
                cmd.append(args[i])
                i += 1
            containers.append((name, cmd or ["sleep", "infinity"], user, env))
        else:
            usage("up: unexpected %r" % a)
    return pod, ns, annotations, ports, containers


def parse_port(spec):
    """CPORT:HOSTPORT[:HOSTIP][/udp|/sctp] -> (protocol name, container port, host port, host IP)."""
    spec, _, proto = spec.partition("/")
    parts = spec.split(":", 2)
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit() or proto not in ("", "tcp", "udp", "sctp"):
        usage("up: --port CPORT:HOSTPORT[:HOSTIP][/udp], got %r" % spec)
    return (proto or "tcp").upper(), int(parts[0]), int(parts[1]), parts[2] if len(parts) > 2 else ""


def cmd_up(pb, rt, args):
    pod, ns, annotations, ports, containers = parse_up(args)
    uid = str(uuid.uuid4())
    pod_labels = {"io.kubernetes.pod.name": pod, "io.kubernetes.pod.namespace": ns,
                  "io.kubernetes.pod.uid": uid}
    cfg = pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=pod, uid=uid, namespace=ns, attempt=0),
        hostname=pod,
        labels=pod_labels,
        annotations=annotations,
        port_mappings=[pb.PortMapping(protocol=pb.Protocol.Value(proto), container_port=cport, host_port=hport,
                                      host_ip=hip) for proto, cport, hport, hip in ports],
        linux=pb.LinuxPodSandboxConfig(
            # kubelet with the cgroupfs driver: each container's cgroup is PARENT/<id>.
            cgroup_parent=pod_parent(uid),
            security_context=pb.LinuxSandboxSecurityContext(
                namespace_options=pb.NamespaceOption(network=pb.POD, pid=pb.CONTAINER, ipc=pb.POD))),
    )
    pod_id = rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg), timeout=TIMEOUT).pod_sandbox_id
    out = {"pod": pod_id, "uid": uid, "namespace": ns, "name": pod, "containers": {}, "pids": {}}
    for name, cmd, user, env in containers:
        labels = dict(pod_labels)
        labels["io.kubernetes.container.name"] = name
        ccfg = pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name=name, attempt=0),
            image=pb.ImageSpec(image=IMAGE),
            command=cmd[:1], args=cmd[1:],
            labels=labels,
            annotations={"io.kubernetes.container.restartCount": "0"},
            # As kubelet without shareProcessNamespace: each container its own PID namespace,
            # the pod's network and IPC.
            envs=[pb.KeyValue(key=k, value=v) for k, v in env],
            linux=pb.LinuxContainerConfig(security_context=pb.LinuxContainerSecurityContext(
                namespace_options=pb.NamespaceOption(network=pb.POD, pid=pb.CONTAINER, ipc=pb.POD),
                run_as_user=None if user is None else pb.Int64Value(value=user))),
        )
        cid = rt.CreateContainer(pb.CreateContainerRequest(pod_sandbox_id=pod_id, config=ccfg, sandbox_config=cfg),
                                 timeout=TIMEOUT).container_id
        rt.StartContainer(pb.StartContainerRequest(container_id=cid), timeout=TIMEOUT)
        out["containers"][name] = cid
        out["pids"][name] = pid_of(pb, rt, cid)
    print(json.dumps(out, sort_keys=True))


def cmd_stop_container(pb, rt, args):
    if len(args) != 1:
        usage("stop-container ID")
    rt.StopContainer(pb.StopContainerRequest(container_id=args[0], timeout=0), timeout=TIMEOUT)


def cmd_down(pb, rt, args):
    ns = None
    if len(args) >= 2 and args[0] == "--ns":
        ns, args = args[1], args[2:]
    if not args:
        usage("down [--ns NS] POD...")
    for p in rt.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=TIMEOUT).items:
        if p.metadata.name not in args or (ns is not None and p.metadata.namespace != ns):
            continue
        rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=p.id), timeout=TIMEOUT)
        # Removes its containers too.
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=p.id), timeout=TIMEOUT)
        remove_cgroup_parent(pod_parent(p.metadata.uid))


def cmd_ls(pb, rt, args):
    if args:
        usage("ls takes no argument")
    pods = {p.id: p for p in rt.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=TIMEOUT).items}
    for c in rt.ListContainers(pb.ListContainersRequest(), timeout=TIMEOUT).containers:
        p = pods.get(c.pod_sandbox_id)
        pod = "%s/%s" % (p.metadata.namespace, p.metadata.name) if p else "?/?"
        state = pb.ContainerState.Name(c.state)
        pid = pid_of(pb, rt, c.id) if c.state == pb.CONTAINER_RUNNING else 0
        print("%s %s/%s %s %d" % (c.id, pod, c.metadata.name, state, pid))


def cmd_pid(pb, rt, args):
    if len(args) != 1:
        usage("pid ID")
    print(pid_of(pb, rt, args[0]))


def cmd_version(pb, rt, args):
    v = rt.Version(pb.VersionRequest(version="v1"), timeout=TIMEOUT)
    print(v.runtime_name, v.runtime_version, v.runtime_api_version)


COMMANDS = {"version": cmd_version, "up": cmd_up, "stop-container": cmd_stop_container, "down": cmd_down,
            "ls": cmd_ls, "pid": cmd_pid}


def main():
    args = sys.argv[1:]
    endpoint = os.environ.get("NSX_TEST_CRI_ENDPOINT") or os.environ.get("CONTAINER_RUNTIME_ENDPOINT") or ""
    if len(args) >= 2 and args[0] == "--endpoint":
        endpoint, args = args[1], args[2:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    if args[0] not in COMMANDS:
        usage("unknown command %r" % args[0])
    if not endpoint:
        usage("no endpoint: --endpoint, NSX_TEST_CRI_ENDPOINT or CONTAINER_RUNTIME_ENDPOINT")
    pb, rt = connect(endpoint)
    try:
        COMMANDS[args[0]](pb, rt, args[1:])
    except Exception as e:  # grpc.RpcError and friends: one line, like the tool under test
        sys.stderr.write("cri-client.py: %s: %s\n" % (args[0], getattr(e, "details", lambda: e)() or e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
