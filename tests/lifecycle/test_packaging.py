"""The Debian packaging metadata, checked statically (seconds, nothing is built).

`make deb` and `make package-test` take minutes and need root, so they are not part of
`make test`. What can drift silently between them and the rest of the tree is checked here:
the package installs everything `make install` installs, from the same source files; the
versions, architectures, paths and build tools named in debian/ agree with pyproject.toml,
the unit and the Makefile; the maintainer and CI scripts are valid shell; the helpers that
decide which wheels to fetch and what the package depends on behave.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
DEBIAN = ROOT / "debian"
MAKEFILE = (ROOT / "Makefile").read_text()
RULES = (DEBIAN / "rules").read_text()
CONTROL = (DEBIAN / "control").read_text()


def load(name: str) -> ModuleType:
    """A helper script of debian/ as a module (debian/ is not a Python package)."""
    spec = importlib.util.spec_from_file_location(name, DEBIAN / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


fetch_wheels = load("fetch_wheels")
install_venv = load("install_venv")


def make_variable(name: str, text: str = MAKEFILE) -> str:
    """A ``NAME ?= value`` / ``NAME := value`` assignment, continuation lines joined."""
    joined = text.replace("\\\n", " ")
    match = re.search(rf"^{name}\s*[:?]?=\s*(.*)$", joined, re.MULTILINE)
    assert match, f"{name} is not assigned"
    return " ".join(match.group(1).split())


def control_field(paragraph: int, field: str) -> str:
    block = CONTROL.split("\n\n")[paragraph]
    match = re.search(rf"^{field}:(.*(?:\n[ \t].*)*)", block, re.MULTILINE)
    assert match, f"{field} missing from paragraph {paragraph} of debian/control"
    return " ".join(match.group(1).split())


def relations(field: str) -> list[str]:
    return [r.strip() for r in field.split(",") if r.strip()]


def package_name(relation: str) -> str:
    return relation.split()[0].split(":")[0]


def target_recipe(name: str) -> str:
    match = re.search(rf"^{name}:.*\n((?:\t.*\n|\s*\n)+)", MAKEFILE, re.MULTILINE)
    assert match, f"no {name} target in the Makefile"
    return match.group(1)


# --- What gets installed -----------------------------------------------------------------


def make_install_files() -> dict[str, tuple[Path, str]]:
    """Final path -> (source file, mode) for every file `make install` copies."""
    variables = {
        "INSTALL_LIB": make_variable("INSTALL_LIB"),
        "INSTALL_DOC": make_variable("INSTALL_DOC"),
        "INSTALL_ETC": make_variable("INSTALL_ETC"),
    }
    files = {}
    pattern = r"install (?:-D )?-m (\d+) (\S+) \$\(DESTDIR\)\$\((\w+)\)(\S+)"
    for mode, source, variable, rest in re.findall(pattern, target_recipe("install")):
        files[variables[variable] + rest] = (ROOT / source, mode)
    return files


def package_files() -> dict[str, tuple[Path, str]]:
    """Final path -> (source file, mode) for every file the package installs from the tree."""
    files = {}
    for mode, source, rest in re.findall(r"install -D -m (\d+) (\S+) \$\(PKG\)(\S+)", RULES):
        files[rest] = (ROOT / source, mode)
    for helper, directory in [
        ("sysusers", "/usr/lib/sysusers.d"),
        ("tmpfiles", "/usr/lib/tmpfiles.d"),
    ]:
        files[f"{directory}/gateway.conf"] = (DEBIAN / f"gateway.{helper}", "0644")
    udev = re.search(r"dh_installudev --name=(\S+) --priority=(\d+)", RULES)
    assert udev, "debian/rules names the udev rules file"
    name, priority = udev.groups()
    files[f"/lib/udev/rules.d/{priority}-{name}.rules"] = (DEBIAN / f"gateway.{name}.udev", "0644")
    return files


def packaged_path(make_path: str) -> list[str]:
    """Where the package puts what `make install` puts at make_path (/usr/local -> /usr)."""
    if make_path.startswith("/usr/local/lib/"):
        rest = make_path.removeprefix("/usr/local/lib")
        return [f"/lib{rest}", f"/usr/lib{rest}"]
    return [make_path.replace("/usr/local/", "/usr/", 1)]


def test_the_package_installs_every_file_make_install_installs() -> None:
    packaged = package_files()
    for make_path, (source, mode) in make_install_files().items():
        candidates = [p for p in packaged_path(make_path) if p in packaged]
        assert candidates, f"the package does not install {make_path} (from {source.name})"
        packaged_source, packaged_mode = packaged[candidates[0]]
        assert packaged_source.resolve() == source.resolve(), make_path
        assert packaged_mode == mode, make_path


def test_every_file_the_package_installs_exists() -> None:
    for path, (source, _mode) in package_files().items():
        assert source.resolve().is_file(), f"{path}: {source} is missing"


def test_the_makefile_model_sees_the_install_target() -> None:
    """Guard: the parser above finds the unit, sysusers, tmpfiles, udev, docs and settings."""
    names = {Path(p).name for p in make_install_files()}
    assert {"gateway.service", "gateway.conf", "70-gateway-zigbee.rules"} <= names
    assert {"deploy.md", "gateway.toml", "gateway.toml.example"} <= names


def test_venv_path_is_the_same_for_make_install_the_package_and_the_unit() -> None:
    venv = make_variable("VENV", RULES)
    assert venv == make_variable("INSTALL_VENV")
    unit = (ROOT / "systemd" / "gateway.service").read_text()
    (exec_start,) = re.findall(r"^ExecStart=(\S+)", unit, re.MULTILINE)
    assert exec_start == f"{venv}/bin/gateway"
    links = (DEBIAN / "gateway.links").read_text().split()
    assert links == [f"{venv.lstrip('/')}/bin/gateway", "usr/bin/gateway"]


def test_packaged_unit_documentation_points_into_usr_share_doc() -> None:
    """debian/rules rewrites the unit's Documentation= with sed; a non-matching sed is silent."""
    match = re.search(r"sed -i 's\|([^|]+)\|([^|]+)\|' \\\n\s+\$\(PKG\)/lib/systemd", RULES)
    assert match, "debian/rules rewrites Documentation= in the unit"
    pattern, replacement = match.groups()
    unit = (ROOT / "systemd" / "gateway.service").read_text()
    rewritten = re.sub(pattern, replacement, unit, flags=re.MULTILINE)
    (documentation,) = re.findall(r"^Documentation=file:(\S+)", rewritten, re.MULTILINE)
    assert documentation in package_files()


# --- Versions, architectures, dependencies ---------------------------------------------


def test_changelog_version_is_the_python_package_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    first = (DEBIAN / "changelog").read_text().splitlines()[0]
    match = re.match(r"gateway \(([^)]+)\) \S+; urgency=\w+$", first)
    assert match, first
    assert match.group(1).split("-")[0] == project["version"]


def test_python_version_agrees_everywhere() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    version = install_venv.PYTHON_VERSION
    major, minor = (int(p) for p in version.split("."))
    assert project["requires-python"] == f">={version}"
    depends = relations(control_field(1, "Depends"))
    assert f"python3 (>= {version})" in depends
    assert f"python3 (<< {major}.{minor + 1})" in depends
    overrides = (DEBIAN / "gateway.lintian-overrides").read_text()
    assert set(re.findall(r"python(\d\.\d+)", overrides)) == {version}


def test_architectures_are_the_ones_wheels_are_fetched_for() -> None:
    architectures = control_field(1, "Architecture").split()
    assert sorted(architectures) == sorted(fetch_wheels.WHEEL_MACHINE)
    assert sorted(make_variable("DEB_ARCHES").split()) == sorted(architectures)


def test_make_deb_installs_every_build_dependency() -> None:
    provided_by = {"debhelper-compat": "debhelper", "dh-sequence-installsysusers": "debhelper"}
    tools = set(make_variable("DEB_BUILD_TOOLS").split())
    for relation in relations(control_field(0, "Build-Depends")):
        name = package_name(relation)
        assert provided_by.get(name, name) in tools, f"make deb does not install {name}"


def test_build_dependencies_cover_what_the_build_runs() -> None:
    build_depends = {package_name(r) for r in relations(control_field(0, "Build-Depends"))}
    needs = {"python3-venv", "python3-pip", "python3-installer", "binutils"}
    assert needs <= build_depends
    assert "readelf" in (DEBIAN / "install_venv.py").read_text()
    if (DEBIAN / "gateway.sysusers").exists():
        assert "dh-sequence-installsysusers" in build_depends


def test_make_test_does_not_install_the_packaging_tools() -> None:
    test_packages = set(make_variable("APT_PACKAGES").split())
    heavy = (
        set(make_variable("DEB_BUILD_TOOLS").split())
        | set(make_variable("PACKAGE_TEST_TOOLS").split())
        | set(make_variable("IMAGE_TOOLS").split())
    )
    # binutils (readelf) is shared: the Depends tests below read ELF files.
    assert not (test_packages & (heavy - {"python3", "dpkg-dev", "systemd", "binutils"})), (
        "packaging tools leaked into make test"
    )
    test_line = re.search(r"^test:(.*)$", MAKEFILE, re.MULTILINE)
    assert test_line and not {"deb", "package-test", "image"} & set(test_line.group(1).split())


def test_debhelper_files_link_to_the_shipped_sources() -> None:
    for name, target in [
        ("gateway.sysusers", "systemd/gateway.sysusers"),
        ("gateway.tmpfiles", "systemd/gateway.tmpfiles"),
        ("gateway.gateway-zigbee.udev", "udev/70-gateway-zigbee.rules"),
    ]:
        link = DEBIAN / name
        assert link.is_symlink(), f"debian/{name} must be a link, not a copy that drifts"
        assert link.resolve() == (ROOT / target).resolve()


def test_purge_question_is_defined_and_defaults_to_keeping_the_state() -> None:
    templates = (DEBIAN / "templates").read_text()
    postrm = (DEBIAN / "postrm").read_text()
    (question,) = re.findall(r"^Template: (\S+)$", templates, re.MULTILINE)
    assert re.search(r"^Type: boolean$", templates, re.MULTILINE)
    assert re.search(r"^Default: false$", templates, re.MULTILINE)
    assert f"db_get {question}" in postrm
    assert ". /usr/share/debconf/confmodule" in (DEBIAN / "postinst").read_text()


# --- Scripts ---------------------------------------------------------------------------

SHELL_SCRIPTS = sorted(
    [DEBIAN / n for n in ("postinst", "prerm", "postrm", "config")]
    + list((DEBIAN / "ci").glob("*.sh"))
    + list((ROOT / "image").glob("*.sh"))
    + [ROOT / "image" / "overlay" / "usr" / "local" / "sbin" / "gateway-firstboot"]
)


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_script_is_valid_posix_shell(script: Path) -> None:
    assert script.read_text().startswith("#!/bin/sh\n")
    assert script.stat().st_mode & 0o111, f"{script.name} is not executable"
    result = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_maintainer_scripts_keep_the_debhelper_token() -> None:
    for name in ("postinst", "prerm", "postrm"):
        assert "#DEBHELPER#" in (DEBIAN / name).read_text(), name


def test_rules_is_executable() -> None:
    assert (DEBIAN / "rules").stat().st_mode & 0o111


# --- The helpers that pick wheels and compute Depends -----------------------------------


def test_platform_tags_accept_debian_12_glibc_and_nothing_newer() -> None:
    tags = fetch_wheels.platform_tags("aarch64")
    assert "manylinux_2_36_aarch64" in tags and "manylinux2014_aarch64" in tags
    assert "manylinux_2_37_aarch64" not in tags
    assert all(t.endswith("_aarch64") for t in tags)


def test_only_armhf_takes_packages_from_debian() -> None:
    assert set(fetch_wheels.DEBIAN_REPLACEMENTS) == {"armhf"}
    armhf = fetch_wheels.DEBIAN_REPLACEMENTS["armhf"]
    assert set(armhf) == {"cffi", "greenlet"}


manylinux_minor = st.integers(min_value=5, max_value=40)


@given(st.lists(manylinux_minor, min_size=1, max_size=4), st.sampled_from(["x86_64", "aarch64"]))
def test_a_wheel_needs_the_oldest_glibc_of_its_tags(minors: list[int], machine: str) -> None:
    tags = ".".join(f"manylinux_2_{m}_{machine}" for m in minors)
    wheel = Path(f"demo-1.0-cp311-cp311-{tags}.whl")
    assert install_venv.wheel_glibc_minor(wheel) == min(minors)


def test_manylinux2014_means_glibc_2_17_and_pure_wheels_need_none() -> None:
    legacy = Path("x-1-cp311-cp311-manylinux2014_armv7l.manylinux_2_31_armv7l.whl")
    assert install_venv.wheel_glibc_minor(legacy) == 17
    assert install_venv.wheel_glibc_minor(Path("x-1-py3-none-any.whl")) == 0


def compiled_module() -> Path:
    """A real manylinux extension module of the test environment (greenlet's)."""
    import greenlet

    found = sorted(Path(greenlet.__file__).parent.glob("_greenlet*.so"))
    if not found:
        pytest.skip("greenlet has no compiled module in this environment")
    return found[0]


@pytest.mark.skipif(shutil.which("readelf") is None, reason="readelf missing (Debian: binutils)")
def test_depends_names_the_c_libraries_of_the_compiled_modules(tmp_path: Path) -> None:
    target = tmp_path / "venv"
    (target / "lib").mkdir(parents=True)
    shutil.copy(compiled_module(), target / "lib")
    wheel = Path("greenlet-3-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl")
    result = install_venv.depends(target, [wheel], ["python3-greenlet"])
    assert result.startswith("libc6 (>= 2.24)")
    assert "libstdc++6" in result  # greenlet is C++
    assert result.endswith("python3-greenlet")


@pytest.mark.skipif(shutil.which("readelf") is None, reason="readelf missing (Debian: binutils)")
def test_depends_refuses_a_library_it_cannot_map(tmp_path: Path) -> None:
    target = tmp_path / "venv"
    target.mkdir()
    module = compiled_module()
    shutil.copy(module, target / module.name)
    original = dict(install_venv.SONAME_PACKAGES)
    try:
        del install_venv.SONAME_PACKAGES["libstdc++.so.6"]
        with pytest.raises(SystemExit, match=r"libstdc\+\+\.so\.6"):
            install_venv.depends(target, [], [])
    finally:
        install_venv.SONAME_PACKAGES.clear()
        install_venv.SONAME_PACKAGES.update(original)
