"""Download the locked runtime dependencies as wheels for the package's target architecture.

Called by debian/rules. Why not simply ``pip install`` into the virtualenv: the arm64 and
armhf packages are built on an amd64 machine, where pip cannot run the target's Python.
So the dependency set is resolved once on the build machine (the pins in constraints.txt
make the result the same on every architecture), and then every pinned distribution is
fetched as a *binary* wheel for the target platform from the configured index. Nothing is
compiled: a distribution without a wheel for the target fails the build with its name,
unless it is listed in ``DEBIAN_REPLACEMENTS`` below.

Writes:
  <dest>/*.whl                 the wheels to install (the gateway's own wheel is not here)
  <dest>/debian-replacements   "distribution debian-package import-name..." per line
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

# Debian architecture -> the machine name in wheel platform tags.
WHEEL_MACHINE = {"amd64": "x86_64", "arm64": "aarch64", "armhf": "armv7l"}

# Debian 12 has glibc 2.36, so manylinux wheels up to 2.36 run on it.
TARGET_GLIBC_MINOR = 36
OLDEST_MANYLINUX_MINOR = 17

# Distributions PyPI has no wheel for on an architecture, taken from Debian instead (same
# release as the target, maintained with security updates). cffi: only its C module
# ``_cffi_backend`` is used at run time (by cryptography's bindings); greenlet: SQLAlchemy's
# asyncio layer. Each maps to (Debian package, the names under /usr/lib/python3/dist-packages
# that the virtualenv links to).
DEBIAN_REPLACEMENTS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "armhf": {
        "cffi": ("python3-cffi-backend", ("_cffi_backend.cpython-311-arm-linux-gnueabihf.so",)),
        "greenlet": ("python3-greenlet", ("greenlet",)),
    },
}


def platform_tags(machine: str) -> list[str]:
    """Every platform tag a Debian 12 machine of this kind accepts, newest first."""
    tags = [
        f"manylinux_2_{minor}_{machine}"
        for minor in range(TARGET_GLIBC_MINOR, OLDEST_MANYLINUX_MINOR - 1, -1)
    ]
    return [*tags, f"manylinux2014_{machine}", f"linux_{machine}"]


def resolve(pip: list[str], gateway_wheel: Path, constraints: Path) -> list[tuple[str, str]]:
    """(name, version) of every runtime dependency, as pip resolves them with our pins."""
    report = gateway_wheel.parent / "resolution.json"
    subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [
            *pip,
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--report",
            str(report),
            "--constraint",
            str(constraints),
            str(gateway_wheel),
        ],
        check=True,
    )
    installs = json.loads(report.read_text())["install"]
    pinned = [(i["metadata"]["name"], i["metadata"]["version"]) for i in installs]
    return [(name, version) for name, version in pinned if name.lower() != "gateway"]


def download(pip: list[str], pins: list[tuple[str, str]], machine: str, dest: Path) -> None:
    """Fetch exactly these versions as binary wheels for the target (no dependency walk)."""
    requirements = dest / "requirements.txt"
    requirements.write_text("".join(f"{name}=={version}\n" for name, version in pins))
    command = [
        *pip,
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        "3.11",
        "--implementation",
        "cp",
        "--abi",
        "cp311",
        "--abi",
        "abi3",
        "--abi",
        "none",
        "--dest",
        str(dest),
        "--requirement",
        str(requirements),
    ]
    for tag in platform_tags(machine):
        command += ["--platform", tag]
    subprocess.run(command, check=True)  # noqa: S603 - fixed argument list, no shell


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", required=True, choices=sorted(WHEEL_MACHINE))
    parser.add_argument("--gateway-wheel", required=True, type=Path)
    parser.add_argument("--constraints", required=True, type=Path)
    parser.add_argument("--dest", required=True, type=Path)
    parser.add_argument("--pip", default=f"{sys.executable} -m pip")
    args = parser.parse_args()

    pip = str(args.pip).split()
    args.dest.mkdir(parents=True, exist_ok=True)
    replacements = DEBIAN_REPLACEMENTS.get(args.arch, {})
    pins = resolve(pip, args.gateway_wheel, args.constraints)
    fetched = [(n, v) for n, v in pins if n.lower() not in replacements]
    download(pip, fetched, WHEEL_MACHINE[args.arch], args.dest)

    lines = [
        f"{name} {package} {' '.join(modules)}\n"
        for name, (package, modules) in sorted(replacements.items())
        if name in {n.lower() for n, _ in pins}
    ]
    (args.dest / "debian-replacements").write_text("".join(lines))
    print(f"fetch_wheels: {len(fetched)} wheels for {args.arch}, {len(lines)} from Debian")
    return 0


if __name__ == "__main__":
    sys.exit(main())
