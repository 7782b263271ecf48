"""Size of the release bootstrap (as built and stripped) and the shared libraries it loads;
the reference is the Python peer's installed packages (what its deployment package carries)."""

import os
import shutil
import tempfile

from common import run


def bootstrap(path):
    with tempfile.TemporaryDirectory() as scratch:
        stripped = os.path.join(scratch, "bootstrap")
        shutil.copyfile(path, stripped)
        run(["strip", stripped], timeout=60)
        stripped_bytes = os.path.getsize(stripped)
    libraries = [line.split()[0] for line in run(["ldd", path], timeout=30).stdout.splitlines() if line.strip()]
    return {"bytes": os.path.getsize(path), "stripped_bytes": stripped_bytes,
            "ldd_count": len(libraries), "libraries": libraries}


PEER_SIZE_SCRIPT = """
import importlib.metadata as m, os, re, sys
seen, todo, total = set(), ["confluent-kafka", "awslambdaric"], 0
while todo and len(seen) < 100:
    name = todo.pop()
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        continue
    seen.add(key)
    try:
        dist = m.distribution(name)
    except m.PackageNotFoundError:
        continue
    for file in dist.files or []:
        path = file.locate()
        if os.path.isfile(path):
            total += os.path.getsize(path)
    for requirement in dist.requires or []:
        if "extra ==" not in requirement:
            todo.append(re.split(r"[ ;<>=!~\\[(]", requirement, maxsplit=1)[0])
print(total, ",".join(sorted(seen)))
"""


def python_peer(python):
    """Bytes of confluent-kafka, awslambdaric and their runtime dependencies as installed."""
    total, names = run([python, "-c", PEER_SIZE_SCRIPT], timeout=60).stdout.split()
    return {"bytes": int(total), "distributions": names.split(",")}
