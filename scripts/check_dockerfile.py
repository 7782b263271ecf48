#!/usr/bin/env python3
"""Checks the Dockerfile against the project it packages (dev tool, standard library only).

    scripts/check_dockerfile.py            # static checks of Dockerfile, Package.swift, sources
    scripts/check_dockerfile.py --build    # also builds bootstrap with the Dockerfile's flags and
                                           # checks every shared library it needs is installed
                                           # by the run stage's packages (ldd, dpkg -S, apt-cache)
    scripts/check_dockerfile.py --binary B # the same library check for an already built binary
    scripts/check_dockerfile.py --require-digests  # a base image without @sha256: digest fails
                                           # (without it, that is a note: see scripts/pin-base-images)

Prints one line per check and ends with `check-dockerfile: N passed, M failed`; exits 1 on any failure.
Child processes are started directly (argument lists), never through a shell.
"""

import argparse
import functools
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BUILD_PACKAGES = {"librdkafka-dev", "libcurl4-openssl-dev", "libpq-dev", "pkg-config"}
RUNTIME_PACKAGES = {"librdkafka1", "libcurl4", "libpq5", "ca-certificates"}
REQUIRED_BUILD_FLAGS = ("-c", "release", "--static-swift-stdlib")
BOOTSTRAP_DESTINATION = "/var/runtime/bootstrap"
EMULATOR_DESTINATION = "/var/runtime/lambda-emulator"
EMULATOR_PATH_VARIABLE = "LAMBDA_EMULATOR_PATH"
HANDOFF_SOURCE = Path("Sources/bootstrap/LocalEmulatorHandoff.swift")
# debian:bookworm-slim holds the Essential set plus apt (and their dependencies).
BASE_IMAGE_ROOTS = {"apt"}


# ---------------------------------------------------------------------------------------------
# Dockerfile parsing


@dataclass
class Instruction:
    keyword: str
    arguments: str
    line: int


@dataclass
class Stage:
    base: str
    name: str
    instructions: list = field(default_factory=list)
    digest: str = ""  # the `@sha256:...` part of the FROM reference, if any

    def all(self, keyword):
        return [i for i in self.instructions if i.keyword == keyword]


def parse_instructions(text):
    """Joins continuation lines and drops comments, as Docker's parser does (default escape `\\`)."""
    instructions, pending, start = [], "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        pending += stripped
        keyword, _, arguments = pending.partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
        pending = ""
    if pending:
        raise ValueError(f"line {start}: continuation runs past the end of the file")
    return instructions


def parse_stages(text):
    stages = []
    for instruction in parse_instructions(text):
        if instruction.keyword == "FROM":
            words = [w for w in instruction.arguments.split() if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].lower() == "as" else ""
            base, _, digest = words[0].partition("@")
            stages.append(Stage(base=base, name=name, digest=digest))
        elif stages:
            stages[-1].instructions.append(instruction)
    return stages


def shell_commands(run_arguments):
    """Splits a shell-form RUN into its `&&`-joined commands, each as a word list."""
    commands, current = [], []
    for word in shlex.split(run_arguments, comments=False):
        if word == "&&":
            commands.append(current)
            current = []
        else:
            current.append(word)
    commands.append(current)
    return [c for c in commands if c]


def strip_assignments(command):
    while command and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", command[0]):
        command = command[1:]
    return command


def apt_installs(stage):
    """(packages, options, the whole RUN's commands) of each `apt-get install` in the stage;
    packages maps each name to its pinned version (`name=version`), or None when unpinned."""
    found = []
    for run in stage.all("RUN"):
        commands = [strip_assignments(c) for c in shell_commands(run.arguments)]
        for command in commands:
            if command[:2] == ["apt-get", "install"]:
                options = {w for w in command[2:] if w.startswith("-")}
                packages = {}
                for word in command[2:]:
                    if not word.startswith("-"):
                        name, equals, version = word.partition("=")
                        packages[name] = version if equals else None
                found.append((packages, options, commands))
    return found


def swift_builds(stage):
    builds = []
    for run in stage.all("RUN"):
        for command in shell_commands(run.arguments):
            if command[:2] == ["swift", "build"]:
                builds.append(command)
    return builds


def option_value(command, option):
    if option in command:
        index = command.index(option)
        return command[index + 1] if index + 1 < len(command) else None
    return None


def env_values(stage):
    values = {}
    for env in stage.all("ENV"):
        words = shlex.split(env.arguments)
        if words and "=" not in words[0]:
            values[words[0]] = " ".join(words[1:])
            continue
        for word in words:
            key, _, value = word.partition("=")
            values[key] = value
    return values


def final_workdir(stage):
    workdir = "/"
    for instruction in stage.all("WORKDIR"):
        path = instruction.arguments
        workdir = path if path.startswith("/") else os.path.join(workdir, path)
    return workdir


def executable_products(package_swift):
    return set(re.findall(r'\.executable\(\s*name:\s*"([^"]+)"', package_swift))


# ---------------------------------------------------------------------------------------------
# Checks


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, description, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   - {description}")
        else:
            self.failed += 1
            print(f"FAIL - {description}" + (f": {detail}" if detail else ""))
        return ok

    def note(self, text):
        print(f"note - {text}")


def local_swift_version():
    try:
        output = subprocess.run(["swift", "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"Swift version (\d+)\.(\d+)", output)
    return (int(match.group(1)), int(match.group(2))) if match else None


def check_static(report, dockerfile_text, repo, swift_version=None, require_digests=False):
    """Every check that reads files only. Returns the parsed stages for the build checks."""
    try:
        stages = parse_stages(dockerfile_text)
    except ValueError as error:
        report.check(False, "Dockerfile parses", str(error))
        return None
    builders = [s for s in stages if s.name == "build"]
    if not report.check(len(stages) == 2 and len(builders) == 1 and stages[-1].name != "build",
                        "two stages: `build`, then the unnamed run stage",
                        f"stages: {[(s.base, s.name) for s in stages]}"):
        return None
    build, run = builders[0], stages[-1]

    swift_tag = re.fullmatch(r"swift:(\d+)\.(\d+)(?:\.\d+)?-bookworm", build.base)
    report.check(bool(swift_tag), "build stage is an official Swift image on Debian 12 (swift:X.Y-bookworm)",
                 build.base)
    if swift_tag and swift_version:
        image_version = (int(swift_tag.group(1)), int(swift_tag.group(2)))
        report.check(image_version == swift_version, "build image's Swift version is the project's toolchain",
                     f"image {image_version}, local swift {swift_version}")
    report.check(run.base == "debian:bookworm-slim", "run stage is debian:bookworm-slim", run.base)
    for stage, label in ((build, "build"), (run, "run")):
        if stage.digest:
            report.check(bool(re.fullmatch(r"sha256:[0-9a-f]{64}", stage.digest)),
                         f"{label} stage base image digest is sha256:<64 hex digits>", stage.digest)
        elif require_digests:
            report.check(False, f"{label} stage base image is pinned by digest", f"FROM {stage.base}")
        else:
            report.note(f"{label} stage base image {stage.base} is not pinned by digest yet (scripts/pin-base-images)")

    for stage, expected, label in ((build, BUILD_PACKAGES, "build"), (run, RUNTIME_PACKAGES, "run")):
        installs = apt_installs(stage)
        packages = set().union(*(set(p) for p, _, _ in installs)) if installs else set()
        report.check(packages == expected, f"{label} stage installs exactly {sorted(expected)}",
                     f"installs {sorted(packages)}")
        unpinned = sorted(name for p, _, _ in installs for name, version in p.items() if not version)
        report.check(not unpinned, f"{label} stage pins every apt package's version (name=version)",
                     f"unpinned: {unpinned}")
        for _, options, commands in installs:
            report.check("--no-install-recommends" in options and "-y" in options,
                         f"{label} stage apt-get install is -y --no-install-recommends", str(sorted(options)))
            report.check(["rm", "-rf", "/var/lib/apt/lists/*"] in commands,
                         f"{label} stage removes /var/lib/apt/lists/* in the same RUN")

    products = executable_products((repo / "Package.swift").read_text())
    builds = swift_builds(build)
    built = {}
    for command in builds:
        product = option_value(command, "--product")
        flags_ok = all(flag in command for flag in REQUIRED_BUILD_FLAGS) and option_value(command, "-c") == "release"
        strips_debug = option_value(command, "-Xlinker") == "--strip-debug"
        report.check(flags_ok and strips_debug and product in products,
                     f"`{' '.join(command)}` is a release, static-stdlib build, linked without debug info, "
                     "of a Package.swift product",
                     f"products in Package.swift: {sorted(products)}")
        if product:
            built[product] = command
    report.check({"bootstrap", "lambda-emulator"} <= set(built),
                 "build stage builds bootstrap and lambda-emulator", f"builds {sorted(built)}")

    release_directory = os.path.join(final_workdir(build), ".build", "release")
    copies = {}
    for copy in run.all("COPY"):
        words = copy.arguments.split()
        if "--from=build" not in words:
            continue
        source, destination = [w for w in words if not w.startswith("--")]
        copies[destination] = source
        product = os.path.basename(source)
        report.check(os.path.dirname(source) == release_directory and product in built,
                     f"COPY {source} is a built product in the build output ({release_directory})")
    report.check(copies.get(BOOTSTRAP_DESTINATION, "").endswith("/bootstrap"),
                 f"bootstrap is copied to {BOOTSTRAP_DESTINATION}", str(copies))
    report.check(copies.get(EMULATOR_DESTINATION, "").endswith("/lambda-emulator"),
                 f"lambda-emulator is copied to {EMULATOR_DESTINATION}", str(copies))

    environment = env_values(run)
    report.check(environment.get(EMULATOR_PATH_VARIABLE) == EMULATOR_DESTINATION,
                 f"{EMULATOR_PATH_VARIABLE} names the copied emulator", str(environment))
    handoff = (repo / HANDOFF_SOURCE).read_text() if (repo / HANDOFF_SOURCE).exists() else ""
    variable = re.search(r'emulatorPathVariable\s*=\s*"([^"]+)"', handoff)
    port = re.search(r'listenPort\s*=\s*"(\d+)"', handoff)
    report.check(bool(variable) and variable.group(1) == EMULATOR_PATH_VARIABLE,
                 f"{HANDOFF_SOURCE} reads {EMULATOR_PATH_VARIABLE}")
    exposed = {w for e in run.all("EXPOSE") for w in e.arguments.split()}
    report.check(bool(port) and port.group(1) in exposed,
                 "the image EXPOSEs the port the emulator handoff listens on",
                 f"EXPOSE {sorted(exposed)}, handoff port {port.group(1) if port else None}")

    users = run.all("USER")
    user = users[-1].arguments.split(":")[0] if users else "root"
    report.check(user not in ("root", "0", ""), "run stage ends as a non-root USER", f"USER {user}")
    if not user.isdigit():
        created = any(c[:1] == ["useradd"] and c[-1] == user
                      for r in run.all("RUN") for c in shell_commands(r.arguments))
        report.check(created, f"run stage creates the user {user} (useradd)")
    entrypoints = run.all("ENTRYPOINT")
    report.check(bool(entrypoints) and entrypoints[-1].arguments == f'["{BOOTSTRAP_DESTINATION}"]',
                 f'ENTRYPOINT ["{BOOTSTRAP_DESTINATION}"] (exec form)',
                 entrypoints[-1].arguments if entrypoints else "none")

    ignore = (repo / ".dockerignore").read_text().split() if (repo / ".dockerignore").exists() else []
    report.check(".build/" in ignore or ".build" in ignore, ".dockerignore keeps the local .build out of the context")
    return build, built


# ---------------------------------------------------------------------------------------------
# Build and shared-library check


def run_tool(arguments, **kwargs):
    return subprocess.run(arguments, capture_output=True, text=True, **kwargs)


def needed_libraries(binary):
    return parse_ldd(run_tool(["ldd", binary], check=True).stdout)


def parse_ldd(output):
    """{soname: resolved path or None} from ldd's output; the vDSO has no file and is skipped."""
    libraries = {}
    for line in output.splitlines():
        line = line.strip()
        if "=>" in line:
            name, _, target = line.partition("=>")
            target = target.strip()
            libraries[name.strip()] = None if target.startswith("not found") else target.split(" (")[0]
        elif line.startswith("/"):
            path = line.split(" (")[0]
            libraries[os.path.basename(path)] = path
    return libraries


def path_aliases(path):
    """`path` and the merged-/usr spellings dpkg may have recorded it under."""
    aliases = []
    for candidate in (path, os.path.realpath(path)):
        for spelling in (candidate, candidate[len("/usr"):] if candidate.startswith("/usr/") else "/usr" + candidate):
            if spelling not in aliases:
                aliases.append(spelling)
    return aliases


def owners_by_library(paths):
    """{path: Debian packages shipping it (empty when none)}, from one `dpkg -S` over every alias."""
    aliases = {path: path_aliases(path) for path in paths}
    queried = [alias for spellings in aliases.values() for alias in spellings]
    registered = {}
    output = run_tool(["dpkg", "-S", *queried]).stdout if queried else ""
    for line in output.splitlines():
        packages, separator, recorded = line.rpartition(": ")
        if separator and not line.startswith("diversion"):
            registered[recorded] = {p.strip().split(":")[0] for p in packages.split(",")}
    return {path: next((registered[a] for a in spellings if a in registered), set())
            for path, spellings in aliases.items()}


@functools.cache
def dependency_closure(roots):
    result = run_tool(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                       "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *sorted(roots)],
                      check=True)
    return {line.split(":")[0] for line in result.stdout.splitlines()
            if line and not line[0].isspace() and not line.startswith("<")}


def essential_packages():
    output = run_tool(["dpkg-query", "-W", "-f", "${Package}\t${Essential}\n"], check=True).stdout
    return {name for name, _, essential in (l.partition("\t") for l in output.splitlines()) if essential == "yes"}


def check_build(report, built, product, scratch_path):
    command = list(built[product])
    if scratch_path:
        command += ["--scratch-path", scratch_path]
    print(f"building: {' '.join(command)}", flush=True)
    build = subprocess.run(command, cwd=REPO)
    if not report.check(build.returncode == 0, f"`{' '.join(command)}` succeeds locally"):
        return
    bin_path = run_tool(command + ["--show-bin-path"], cwd=REPO, check=True).stdout.strip()
    report.check(os.path.realpath(bin_path) == os.path.realpath(REPO / (scratch_path or ".build") / "release"),
                 "the build output is .build/release, where the Dockerfile copies from", bin_path)
    check_libraries(report, os.path.join(bin_path, product))


def check_libraries(report, binary):
    product = os.path.basename(binary)
    libraries = needed_libraries(binary)
    missing = sorted(name for name, path in libraries.items() if path is None)
    report.check(not missing, f"ldd {product}: every library resolves", ", ".join(missing))

    runtime = dependency_closure(frozenset(RUNTIME_PACKAGES))
    base = dependency_closure(frozenset(BASE_IMAGE_ROOTS | essential_packages()))
    owners_of = owners_by_library([path for path in libraries.values() if path])
    unowned, outside = [], []
    for name, path in sorted(libraries.items()):
        if path is None:
            continue
        owners = owners_of[path]
        if not owners:
            unowned.append(f"{name} ({path})")
        elif not owners & (runtime | base):
            outside.append(f"{name} ({path}, from {', '.join(sorted(owners))})")
        else:
            source = "run-stage packages" if owners & runtime else "debian:bookworm-slim base"
            report.note(f"{name} <- {', '.join(sorted(owners))} ({source})")
    report.check(not unowned, f"every library {product} needs belongs to a Debian package",
                 "not packaged (would be missing in the image): " + "; ".join(unowned))
    report.check(not outside, f"every library {product} needs is installed by {sorted(RUNTIME_PACKAGES)} "
                              "or the base image", "; ".join(outside))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="also build and check shared libraries")
    parser.add_argument("--product", default="bootstrap", help="product to build with --build")
    parser.add_argument("--scratch-path", help="passed to swift build (default .build)")
    parser.add_argument("--binary", help="check this already built binary's libraries instead of building")
    parser.add_argument("--dockerfile", default=str(REPO / "Dockerfile"))
    parser.add_argument("--require-digests", action="store_true", help="fail on a base image without a digest")
    arguments = parser.parse_args()

    report = Report()
    parsed = check_static(report, Path(arguments.dockerfile).read_text(), REPO, local_swift_version(),
                          arguments.require_digests)
    if arguments.binary:
        check_libraries(report, arguments.binary)
    elif arguments.build:
        if parsed and arguments.product in parsed[1]:
            check_build(report, parsed[1], arguments.product, arguments.scratch_path)
        else:
            report.check(False, f"the Dockerfile builds {arguments.product}")
    print(f"check-dockerfile: {report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
