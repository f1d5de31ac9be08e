"""The runtime install, as in production: exactly the runtime lock, no test tool, and the application starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from packaging.utils import canonicalize_name
from test_locks import ALLOWED_PTH, RUNTIME_LOCK, declared, parse_lock

ROOT = Path(__file__).resolve().parent.parent
SMOKE = """
import importlib.util, json, sys
from wsgi import app
client = app.test_client()
print(json.dumps({
    "healthz": client.get("/healthz").status_code,
    "metrics": client.get("/metrics").status_code,
    "importable": sorted(name for name in sys.argv[1:] if importlib.util.find_spec(name)),
}))
"""


def test_runtime_install_has_only_the_runtime_lock_and_starts(tmp_path):
    venv = tmp_path / "runtime"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    # The same two steps as the Makefile (the pip cache keeps this fast).
    for step in (["install", "--require-hashes", "-r", str(RUNTIME_LOCK)], ["install", "--no-deps", "-e", str(ROOT)]):
        done = subprocess.run([*pip, "--quiet", *step], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]

    listed = json.loads(subprocess.run([*pip, "list", "--format", "json"], check=True, capture_output=True,
                                       text=True, timeout=120).stdout)
    installed = {canonicalize_name(p["name"]): p["version"] for p in listed}
    locked = {name: p["version"] for name, p in parse_lock(RUNTIME_LOCK).items()}
    assert {name: installed.get(name) for name in locked} == locked
    assert set(installed) - set(locked) <= {"acsg-dialogue", "pip", "setuptools", "wheel"}
    site_packages = next((venv / "lib").glob("python3*/site-packages"))
    assert [p.name for p in site_packages.glob("*.pth") if not ALLOWED_PTH.match(p.name)] == []

    test_tools = ["pytest", "hypothesis", "playwright", "aiosmtpd", "radicale", "caldav", "vobject", "ical", "ruff",
                  "schemathesis", "niquests", "urllib3_future"]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'smoke.sqlite3'}", "SECRET_KEY": "smoke"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run([str(venv / "bin" / "python"), "-c", SMOKE, *test_tools], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    smoke = json.loads(result.stdout.strip().splitlines()[-1])
    assert smoke == {"healthz": 200, "metrics": 200, "importable": []}
    assert {canonicalize_name(name) for name in declared()} <= set(installed)
