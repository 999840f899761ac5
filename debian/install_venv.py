"""Lay out the gateway's virtualenv in the package tree from already downloaded wheels.

Called by debian/rules with Debian's /usr/bin/python3 (which has python3-installer). Why not
``python -m venv`` + ``pip install`` in place: the package may be for another architecture
than the build machine, so nothing of the target may be executed here. A virtualenv is
architecture-neutral apart from the wheels' compiled modules: ``bin/python3`` is a symlink
to /usr/bin/python3 and ``pyvenv.cfg`` names /usr/bin, identical on every Debian 12 machine.
The wheels are unpacked with pypa's ``installer`` (the library pip itself builds on) with
the final interpreter path in the scripts' shebangs.

Also writes the package's ``gateway:Depends`` substitution variable: the C libraries the
compiled modules need (from their ELF ``NEEDED`` entries, minus what the wheels bundle), the
glibc their manylinux tags require, and the Debian packages that stand in for missing wheels.
Byte-code is not shipped: postinst compiles it (see debian/postinst).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import venv
from pathlib import Path

PYTHON_VERSION = "3.11"
DIST_PACKAGES = "/usr/lib/python3/dist-packages"

# C libraries a manylinux wheel may leave to the system (PEP 600 policy) -> Debian package.
SONAME_PACKAGES = {
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
    "libdl.so.2": "libc6",
    "librt.so.1": "libc6",
    "libutil.so.1": "libc6",
    "libpthread.so.0": "libc6",
    "libresolv.so.2": "libc6",
    "libnsl.so.1": "libc6",
    "ld-linux-x86-64.so.2": "libc6",
    "ld-linux-aarch64.so.1": "libc6",
    "ld-linux-armhf.so.3": "libc6",
    "libgcc_s.so.1": "libgcc-s1",
    "libstdc++.so.6": "libstdc++6",
    "libz.so.1": "zlib1g",
}
ELF_MAGIC = b"\x7fELF"


def make_venv(root: Path, venv_dir: str) -> Path:
    """An empty virtualenv at ``root/venv_dir`` whose files name ``venv_dir``, not ``root``."""
    target = root / venv_dir.lstrip("/")
    venv.EnvBuilder(symlinks=True, with_pip=False, clear=True).create(target)
    for path in [target / "pyvenv.cfg", *(target / "bin").iterdir()]:
        if path.is_symlink() or not path.is_file():
            continue
        text = path.read_text()
        if str(target) in text:
            path.write_text(text.replace(str(target), venv_dir))
    return target


def scheme(venv_dir: str, distribution: str) -> dict[str, str]:
    site = f"{venv_dir}/lib/python{PYTHON_VERSION}/site-packages"
    return {
        "purelib": site,
        "platlib": site,
        "headers": f"{venv_dir}/include/site/python{PYTHON_VERSION}/{distribution}",
        "scripts": f"{venv_dir}/bin",
        "data": venv_dir,
    }


def install_wheel(wheel: Path, root: Path, venv_dir: str) -> None:
    # Imported here so that the rest of this module (tested in tests/lifecycle) loads
    # without Debian's python3-installer.
    from installer import install
    from installer.destinations import SchemeDictionaryDestination
    from installer.sources import WheelFile

    with WheelFile.open(wheel) as source:
        destination = SchemeDictionaryDestination(
            scheme(venv_dir, source.distribution),
            interpreter=f"{venv_dir}/bin/python3",
            script_kind="posix",
            destdir=str(root),
        )
        install(source, destination, additional_metadata={"INSTALLER": b"gateway-deb\n"})


def link_debian_replacements(listing: Path, target: Path) -> list[str]:
    """Symlink what Debian packages provide into site-packages; return those packages."""
    site = target / "lib" / f"python{PYTHON_VERSION}" / "site-packages"
    packages = []
    for line in listing.read_text().splitlines():
        _distribution, package, *names = line.split()
        packages.append(package)
        for name in names:
            (site / name).symlink_to(f"{DIST_PACKAGES}/{name}")
    return packages


def wheel_glibc_minor(wheel: Path) -> int:
    """The glibc minor version a wheel needs: the oldest of its manylinux tags."""
    platform = wheel.name.removesuffix(".whl").split("-")[-1]
    minors = []
    for tag in platform.split("."):
        if tag.startswith("manylinux2014_"):
            minors.append(17)
        elif match := re.match(r"manylinux_2_(\d+)_", tag):
            minors.append(int(match.group(1)))
    return min(minors, default=0)


def needed_sonames(target: Path) -> tuple[set[str], set[str]]:
    """(sonames the compiled modules need, sonames bundled inside the virtualenv)."""
    needed: set[str] = set()
    bundled: set[str] = set()
    for path in target.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as handle:
            if handle.read(4) != ELF_MAGIC:
                continue
        bundled.add(path.name)
        dynamic = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            ["readelf", "--dynamic", "--wide", str(path)],  # noqa: S607 - binutils
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        needed.update(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic))
    return needed, bundled


def depends(target: Path, wheels: list[Path], debian_packages: list[str]) -> str:
    needed, bundled = needed_sonames(target)
    unknown = sorted(s for s in needed - bundled if s not in SONAME_PACKAGES)
    if unknown:
        raise SystemExit(f"install_venv: no Debian package known for {', '.join(unknown)}")
    packages = {SONAME_PACKAGES[s] for s in needed - bundled} - {"libc6"}
    glibc = max((wheel_glibc_minor(w) for w in wheels), default=0)
    relations = [f"libc6 (>= 2.{glibc})" if glibc else "libc6"]
    relations += sorted(packages) + sorted(debian_packages)
    return ", ".join(relations)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, type=Path, help="the package tree")
    parser.add_argument("--venv", required=True, help="the virtualenv's final path")
    parser.add_argument("--wheels", required=True, type=Path, help="fetch_wheels.py output")
    parser.add_argument("--gateway-wheel", required=True, type=Path)
    parser.add_argument("--substvars", required=True, type=Path)
    args = parser.parse_args()

    target = make_venv(args.root, args.venv)
    wheels = sorted(args.wheels.glob("*.whl"))
    for wheel in [*wheels, args.gateway_wheel]:
        install_wheel(wheel, args.root, args.venv)
    debian_packages = link_debian_replacements(args.wheels / "debian-replacements", target)
    relations = depends(target, wheels, debian_packages)
    with args.substvars.open("a") as substvars:
        substvars.write(f"gateway:Depends={relations}\n")
    print(f"install_venv: {len(wheels) + 1} wheels in {args.venv}; Depends: {relations}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
