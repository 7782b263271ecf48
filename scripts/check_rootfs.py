#!/usr/bin/env python3
"""Runs the container image's runtime stage as it ships, without Docker (dev tool, standard library only).

    scripts/check_rootfs.py --bin-dir .build/release --cluster .build/debug/kafka-local-cluster

Reads the Dockerfile's last stage: its Debian base release, the packages it installs, the user it
creates, the files it copies from the build stage, its ENV, WORKDIR, USER, EXPOSE and ENTRYPOINT.
Builds that root filesystem with debootstrap (cached under .build/rootfs/), copies the deployment
builds to the paths the COPY lines name, and runs the ENTRYPOINT as the image's USER in that root
(chroot, in private network and mount namespaces, with /proc, /sys and /dev/shm mounted as a
container runtime would). Then, through the exposed port as the README shows (curl), it sends a
produce, a consume, an API Gateway event and an invalid event against a local Kafka cluster that
runs in the same network namespace, and reports the image's size, the start time and peak memory.

Prints one line per check and ends with `check-rootfs: N passed, M failed`; exits 1 on any failure.
Child processes are started from argument lists, never through a shell.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_dockerfile as dockerfile  # noqa: E402

REPO = dockerfile.REPO
CACHE = REPO / ".build" / "rootfs"
INSIDE_FLAG = "--inside-namespaces"
DEBIAN_MIRROR = "http://deb.debian.org/debian"


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, description, detail=""):
        print(f"{'ok  ' if ok else 'FAIL'} - {description}" + (f" ({detail})" if detail and not ok else ""))
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok

    def figure(self, name, value):
        print(f"figure - {name}: {value}")


# ---------------------------------------------------------------------------------------------
# What the Dockerfile's runtime stage declares


class RuntimeStage:
    def __init__(self, text):
        stages = dockerfile.parse_stages(text)
        if not stages:
            raise ValueError("the Dockerfile has no FROM")
        stage = stages[-1]
        image = stage.base.split("@", 1)[0]
        name, _, tag = image.partition(":")
        if name not in ("debian", "docker.io/library/debian") or not tag:
            raise ValueError(f"the runtime stage is based on {stage.base}, not a Debian release tag")
        self.suite = tag.split("-", 1)[0]
        pinned = set().union(*[packages for packages, _, _ in dockerfile.apt_installs(stage)] or [set()])
        self.package_pins = {p.partition("=")[0]: (p.partition("=")[2] or None) for p in pinned}
        self.user_commands = [
            command
            for run in stage.all("RUN")
            for command in dockerfile.shell_commands(run.arguments)
            if command and command[0] in ("useradd", "groupadd")
        ]
        self.copies = []
        for instruction in stage.all("COPY"):
            words = [w for w in instruction.arguments.split() if not w.startswith("--")]
            if len(words) == 2:
                self.copies.append((words[0], words[1]))
        self.environment = dockerfile.env_values(stage)
        self.workdir = dockerfile.final_workdir(stage)
        users = stage.all("USER")
        self.user = users[-1].arguments if users else "root"
        exposes = stage.all("EXPOSE")
        self.port = int(exposes[-1].arguments.split("/")[0]) if exposes else None
        entrypoints = stage.all("ENTRYPOINT")
        self.entrypoint = json.loads(entrypoints[-1].arguments) if entrypoints else None


# ---------------------------------------------------------------------------------------------
# The root filesystem


def root_filesystem(stage):
    """debootstrap of the stage's release and packages, built once per (release, packages)."""
    packages = sorted(stage.package_pins)
    key = hashlib.sha256(json.dumps([stage.suite, packages, DEBIAN_MIRROR]).encode()).hexdigest()[:16]
    root = CACHE / f"{stage.suite}-{key}"
    if (root / ".complete").exists():
        return root, True
    partial = CACHE / f"{stage.suite}-{key}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    arguments = ["debootstrap", "--variant=minbase", f"--include={','.join(packages)}",
                 stage.suite, str(partial), DEBIAN_MIRROR]
    log = CACHE / "debootstrap.log"
    with open(log, "wb") as output:
        if subprocess.run(arguments, stdout=output, stderr=subprocess.STDOUT).returncode != 0:
            raise RuntimeError(f"debootstrap failed, see {log}")
    # What the Dockerfile's RUN removes, and the package cache a slim image does not carry.
    for folder in ("var/lib/apt/lists", "var/cache/apt/archives"):
        for entry in (partial / folder).glob("*"):
            if entry.is_file():
                entry.unlink()
    for command in stage.user_commands:
        subprocess.run(["chroot", str(partial), *command], check=True)
    # A container runtime creates a missing WORKDIR, owned by root.
    (partial / stage.workdir.lstrip("/")).mkdir(parents=True, exist_ok=True)
    (partial / ".complete").touch()
    partial.rename(root)
    return root, False


def installed_versions(root, packages):
    output = subprocess.run(["chroot", str(root), "dpkg-query", "-W", "-f", "${Package} ${Version}\n", *packages],
                            capture_output=True, text=True).stdout
    return dict(line.split(" ", 1) for line in output.splitlines() if " " in line)


def user_ids(root, user):
    for line in (root / "etc" / "passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == user or fields[2] == user:
            return int(fields[2]), int(fields[3])
    raise ValueError(f"USER {user} is not in the root's /etc/passwd")


def tree_bytes(path):
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            full = os.path.join(folder, name)
            if not os.path.islink(full):
                total += os.lstat(full).st_size
    return total


# ---------------------------------------------------------------------------------------------
# Running the image


def mount_container_filesystems(root):
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    subprocess.run(["mount", "-t", "proc", "-o", "nosuid,nodev,noexec", "proc", str(root / "proc")], check=True)
    subprocess.run(["mount", "-t", "sysfs", "-o", "ro,nosuid,nodev,noexec", "sysfs", str(root / "sys")], check=True)
    (root / "dev" / "shm").mkdir(exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "nosuid,nodev,noexec", "shm", str(root / "dev" / "shm")], check=True)


def start_cluster(cluster_binary, scratch):
    stdin_read, stdin_write = os.pipe()
    output = open(scratch / "cluster.out", "w+")
    process = subprocess.Popen([cluster_binary, "--brokers", "3"], stdin=stdin_read, stdout=output,
                               stderr=subprocess.DEVNULL)
    os.close(stdin_read)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        output.seek(0)
        line = output.readline().strip()
        if ":" in line:
            return process, stdin_write, line
        if process.poll() is not None:
            break
        time.sleep(0.01)
    raise RuntimeError("kafka-local-cluster did not print its address")


def wait_for_port(port, process, seconds):
    import socket
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.005)
    return False


def invoke(port, body):
    """Posts an event with curl, as the README shows; returns (status, parsed JSON or text)."""
    result = subprocess.run(
        ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "-XPOST",
         f"http://127.0.0.1:{port}/2015-03-31/functions/function/invocations", "--data-binary", "@-"],
        input=body, capture_output=True, timeout=60)
    text, _, status = result.stdout.decode(errors="replace").rpartition("\n")
    try:
        return int(status or 0), json.loads(text)
    except ValueError:
        return int(status or 0), text


def process_figures(root):
    """Peak RSS of every process whose executable lies in the root, by its name."""
    figures = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            executable = os.readlink(entry / "exe")
            status = (entry / "status").read_text()
        except OSError:
            continue
        if not executable.startswith(str(root)):
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                figures[os.path.basename(executable)] = int(line.split()[1])
    return figures


def run_image(report, stage, root, cluster_binary):
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"check-rootfs-{os.getpid()}"
    scratch.mkdir()
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    mount_container_filesystems(root)
    cluster, cluster_stdin, endpoint = start_cluster(cluster_binary, scratch)
    uid, gid = user_ids(root, stage.user)
    environment = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "HOME": "/var/task", **stage.environment, "KAFKA_ENDPOINT": endpoint}
    arguments = ["chroot", f"--userspec={uid}:{gid}", "--groups=", str(root),
                 "/usr/bin/env", "-i", "--chdir", stage.workdir,
                 *[f"{k}={v}" for k, v in environment.items()], *stage.entrypoint]
    log = open(scratch / "image.log", "w+")
    started = time.monotonic()
    image = subprocess.Popen(arguments, stdout=log, stderr=subprocess.STDOUT)
    try:
        listening = wait_for_port(stage.port, image, 20)
        listening_ms = (time.monotonic() - started) * 1000
        report.check(listening, f"ENTRYPOINT {stage.entrypoint} as USER {stage.user} ({uid}:{gid}) "
                                f"listens on the exposed port {stage.port}")
        if not listening:
            return
        report.figure("start, spawn to the port accepting", f"{listening_ms:.1f} ms")
        run_events(report, stage.port, started)
        for name, kib in sorted(process_figures(root).items()):
            report.figure(f"peak RSS (VmHWM) of {name}", f"{kib / 1024:.1f} MiB")
        report.check(image.poll() is None, "the image is still serving after every event")
    finally:
        image.terminate()
        try:
            image.wait(10)
        except subprocess.TimeoutExpired:
            image.kill()
            image.wait()
        os.close(cluster_stdin)
        cluster.wait(10)
        log.seek(0)
        text = log.read()
        if report.failed:
            print("--- image log ---\n" + text[-4000:])
        shutil.rmtree(scratch, ignore_errors=True)


def run_events(report, port, started):
    def event(name):
        return (REPO / "Events" / name).read_bytes()

    status, answer = invoke(port, event("produce.json"))
    report.figure("spawn to first produce answered", f"{(time.monotonic() - started) * 1000:.1f} ms")
    acknowledged = isinstance(answer, dict) and answer.get("failed") == 0 and answer.get("delivered", 0) > 0
    report.check(status == 200 and acknowledged, "a produce through the port is acknowledged", str(answer)[:300])

    status, answer = invoke(port, event("consume.json"))
    records = answer.get("records") if isinstance(answer, dict) else None
    report.check(status == 200 and bool(records), "a consume through the port returns the records", str(answer)[:300])

    # API callers never create topics: the records event creates the one the API event writes to.
    status, answer = invoke(port, event("produce-records.json"))
    report.check(status == 200 and isinstance(answer, dict) and answer.get("failed") == 0,
                 "a produce of supplied records is acknowledged", str(answer)[:300])

    status, answer = invoke(port, event("apigateway-http-produce-base64.json"))
    ok = isinstance(answer, dict) and answer.get("statusCode") == 200
    report.check(status == 200 and ok, "an API Gateway HTTP API event is answered 200", str(answer)[:300])

    status, answer = invoke(port, b'{"action": "produce", "topic": ')
    error_type = answer.get("errorType") if isinstance(answer, dict) else None
    report.check(bool(error_type) and error_type.startswith("Function."),
                 "an invalid event gets a structured error", str(answer)[:300])

    status, answer = invoke(port, event("offsets.json"))
    report.check(status == 200 and isinstance(answer, dict) and "partitions" in answer,
                 "the runtime keeps serving after the invalid event", str(answer)[:300])


# ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin-dir", required=True, help="folder of the deployment builds (release, static stdlib)")
    parser.add_argument("--cluster", required=True, help="kafka-local-cluster binary, run beside the image")
    parser.add_argument("--dockerfile", default=str(REPO / "Dockerfile"))
    parser.add_argument(INSIDE_FLAG, dest="root", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    report = Report()
    stage = RuntimeStage(Path(arguments.dockerfile).read_text())

    if arguments.root:
        run_image(report, stage, Path(arguments.root), arguments.cluster)
        print(f"check-rootfs (namespaced): {report.passed} passed, {report.failed} failed")
        return 1 if report.failed else 0

    started = time.monotonic()
    root, cached = root_filesystem(stage)
    report.figure("root filesystem", f"{root} ({'cached' if cached else f'built in {time.monotonic() - started:.0f} s'})")
    versions = installed_versions(root, list(stage.package_pins))
    for package, pin in sorted(stage.package_pins.items()):
        report.check(package in versions and (pin is None or versions[package] == pin),
                     f"{package}{'=' + pin if pin else ''} is installed in the root", versions.get(package, "missing"))
    for _, destination in stage.copies:
        (root / destination.lstrip("/")).unlink(missing_ok=True)
    base_bytes = tree_bytes(root)
    binary_bytes = 0
    for source, destination in stage.copies:
        built = Path(arguments.bin_dir) / Path(source).name
        target = root / destination.lstrip("/")
        if not report.check(built.is_file(), f"COPY {source} {destination}: the deployment build exists", str(built)):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, target)
        os.chmod(target, 0o755)
        binary_bytes += built.stat().st_size
    report.figure("image size on disk (root filesystem + binaries)",
                  f"{(base_bytes + binary_bytes) / 1e6:.1f} MB ({base_bytes / 1e6:.1f} MB root, "
                  f"{binary_bytes / 1e6:.1f} MB binaries)")
    if report.failed:
        print(f"check-rootfs: {report.passed} passed, {report.failed} failed")
        return 1

    inner = subprocess.run(["unshare", "--net", "--mount", "--fork", "--", sys.executable, __file__,
                            "--bin-dir", arguments.bin_dir, "--cluster", arguments.cluster,
                            "--dockerfile", arguments.dockerfile, INSIDE_FLAG, str(root)])
    if inner.returncode == 0:
        report.check(True, "the image ran its events inside private namespaces")
    else:
        report.check(False, "the image ran its events inside private namespaces", f"exit {inner.returncode}")
    print(f"check-rootfs: {report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
