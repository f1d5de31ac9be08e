"""The hashed locks (requirements/*.txt) match setup.cfg, and no installed package patches another at start-up.

Works offline: the requirements declared in setup.cfg are compared with the packages pip-compile marked
``via acsg-dialogue (setup.cfg)`` in each lock, and their ranges with the pinned versions.
"""

from __future__ import annotations

import configparser
import re
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"
TEST_LOCK = ROOT / "requirements" / "test.txt"
SELF = "acsg-dialogue (setup.cfg)"
# Packages known to replace or patch others when the interpreter starts (.pth files).
PATCHERS = {"niquests", "urllib3-future", "jh2", "qh3", "wassima"}
# .pth files that may be present: our own editable install, and setuptools' distutils shim from the venv.
ALLOWED_PTH = re.compile(r"^(__editable__\.acsg_dialogue-[\w.]+\.pth|distutils-precedence\.pth)$")


def declared(extra: str | None = None) -> dict[str, Requirement]:
    """The requirements of setup.cfg (install_requires, plus one extra)."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    lines = config["options"]["install_requires"].splitlines()
    if extra:
        lines += config["options.extras_require"][extra].splitlines()
    requirements = [Requirement(line.split("#")[0].strip()) for line in lines if line.split("#")[0].strip()]
    return {canonicalize_name(r.name): r for r in requirements}


def parse_lock(path: Path) -> dict[str, dict]:
    """``{name: {"version", "hashes", "via"}}`` from a pip-compile output file."""
    packages: dict[str, dict] = {}
    current = None
    via_block = False
    for line in path.read_text().splitlines():
        pin = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line)
        if pin:
            current = packages.setdefault(canonicalize_name(pin.group(1)),
                                          {"version": pin.group(2).rstrip(" \\"), "hashes": [], "via": set()})
            via_block = False
            continue
        if current is None:
            continue
        stripped = line.strip()
        if stripped.startswith("--hash=sha256:"):
            current["hashes"].append(stripped.split(":", 1)[1].rstrip(" \\"))
        elif stripped.startswith("# via"):
            rest = stripped[len("# via"):].strip()
            via_block = not rest
            if rest:
                current["via"].add(rest)
        elif via_block and stripped.startswith("#   "):
            current["via"].add(stripped[4:].strip())
    return packages


@pytest.mark.parametrize("lock, extra", [(RUNTIME_LOCK, None), (TEST_LOCK, "test")], ids=["runtime", "test"])
def test_lock_matches_setup_cfg(lock, extra):
    wanted = declared(extra)
    pinned = parse_lock(lock)
    top_level = {name for name, package in pinned.items() if SELF in package["via"]}
    hint = "run `make locks` (see README: Dependencies)"
    assert top_level == set(wanted), f"{lock.name} is out of date with setup.cfg: {hint}"
    for name, requirement in wanted.items():
        assert requirement.specifier.contains(pinned[name]["version"], prereleases=True), \
            f"{name}=={pinned[name]['version']} in {lock.name} is outside {requirement} of setup.cfg: {hint}"
    for name, package in pinned.items():
        assert package["hashes"], f"{name} has no hash in {lock.name}"
        assert package["via"], f"{name} in {lock.name} is required by nothing"


def test_the_test_lock_keeps_every_runtime_version():
    runtime, test = parse_lock(RUNTIME_LOCK), parse_lock(TEST_LOCK)
    assert {name: p["version"] for name, p in test.items() if name in runtime} == \
        {name: p["version"] for name, p in runtime.items()}
    assert "--constraint=requirements/runtime.txt" in TEST_LOCK.read_text()


def test_no_test_tool_and_no_start_up_patcher_in_the_locks():
    runtime, test = parse_lock(RUNTIME_LOCK), parse_lock(TEST_LOCK)
    test_only = set(declared("test")) - set(declared())
    assert not test_only & set(runtime), "test tools in the runtime lock"
    assert not PATCHERS & (set(runtime) | set(test)), "a package that patches others at start-up is locked"
    assert not (ROOT / "constraints.txt").exists()


def test_this_environment_is_the_test_lock_without_start_up_patches():
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    locked = {name: p["version"] for name, p in parse_lock(TEST_LOCK).items()}
    assert {name: installed.get(name) for name in locked} == locked, "run `make install` to follow the lock"
    extra = set(installed) - set(locked) - {"acsg-dialogue", "pip", "setuptools", "wheel"}
    assert not extra, f"installed but not locked: {sorted(extra)} (recreate .venv: make clean test)"
    site_packages = Path(sysconfig.get_paths()["purelib"])
    strays = [p.name for p in site_packages.glob("*.pth") if not ALLOWED_PTH.match(p.name)]
    assert not strays, f".pth files run code at start-up: {strays}"
    import urllib3

    assert urllib3.__version__ == installed["urllib3"] and "urllib3_future" not in sys.modules
