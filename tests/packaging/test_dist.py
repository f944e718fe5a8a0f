"""The package as a release ships it: sdist and wheel built from a clean copy, the wheel installed in a fresh venv."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from welcome_gen import __version__

REPO = Path(__file__).resolve().parents[2]
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "public", "build", "dist", "*.egg-info", "__pycache__",
                                    ".welcome-gen", ".pytest_cache")
# Files the package reads at run time, not Python: each must be in the sdist and in the wheel.
DATA = ("welcome_gen/theme/site/base.html", "welcome_gen/theme/site/assets/style.css",
        "welcome_gen/theme/email/layout.html.j2", "welcome_gen/scaffold/files/welcome.yaml",
        "welcome_gen/scaffold/files/dot-github/workflows/send.yml", "welcome_gen/scaffold/files/dot-gitignore",
        "welcome_gen/email/data/caniemail.json", "welcome_gen/emulator/data/marketing.subset.json.gz")


# The fresh venv must see only what is installed in it, whatever this test run was started with.
CLEAN = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "CI")}


def run(*args, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("env", CLEAN)
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kw)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("dist")
    source = tmp / "welcome-gen"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    # The wheel is built from the unpacked sdist (build's default), so anything the sdist forgets is missing there.
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", tmp / "out", source)
    return tmp / "out"


@pytest.fixture(scope="module")
def fresh(dist, tmp_path_factory) -> Path:
    """A new venv with only the wheel installed; the dependencies are borrowed from the test environment."""
    venv = tmp_path_factory.mktemp("venv") / "fresh"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    (wheel,) = dist.glob("*.whl")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel)
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip()
    # A plain path line: the test environment's own .pth files (its editable welcome-gen) are not processed.
    (Path(site) / "borrowed-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv


def test_sdist_and_wheel_carry_the_theme_scaffold_and_data(dist):
    (sdist,) = dist.glob(f"welcome_gen-{__version__}.tar.gz")
    (wheel,) = dist.glob(f"welcome_gen-{__version__}-*.whl")
    with tarfile.open(sdist) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    for name in DATA:
        assert name in in_sdist, f"{name} is not in the sdist"
        assert name in in_wheel, f"{name} is not in the wheel"
    assert "README.md" in in_sdist and "pyproject.toml" in in_sdist
    assert not any(n.startswith(("tests/", "welcome_gen/__pycache__")) for n in in_wheel)


def test_the_installed_wheel_runs_init_check_and_build(fresh, tmp_path):
    where = run(fresh / "bin" / "python", "-c", "import welcome_gen; print(welcome_gen.__file__)",
                cwd=tmp_path).stdout
    assert where.startswith(str(fresh)), where
    wg = fresh / "bin" / "welcome-gen"
    assert run(wg, "--version", cwd=tmp_path).stdout.strip() == f"welcome-gen {__version__}"
    made = run(wg, "init", "shop", cwd=tmp_path)
    # Installed from a file with no public address, it cannot guess a pin: the workflows get the placeholder.
    assert "install a placeholder" in made.stderr
    run(wg, "check", "shop", cwd=tmp_path)  # on the author's machine: the placeholders are warnings
    run(wg, "build", "--quiet", "shop", cwd=tmp_path)
    assert (tmp_path / "shop" / "public" / "assets" / "style.css").is_file()


def test_installed_from_a_repository_commit_the_workflows_pin_that_commit(fresh, tmp_path):
    # What pip records (PEP 610) after `pip install git+https://github.com/…/welcome-gen@<commit>`.
    (info,) = (Path(p) for p in fresh.glob("lib/python*/site-packages/welcome_gen-*.dist-info"))
    commit = "0123456789abcdef0123456789abcdef01234567"
    recorded = info / "direct_url.json"
    before = recorded.read_text() if recorded.exists() else None
    recorded.write_text(json.dumps({"url": "https://github.com/bramble/welcome-gen",
                                    "vcs_info": {"vcs": "git", "commit_id": commit, "requested_revision": "main"}}))
    try:
        made = run(fresh / "bin" / "welcome-gen", "init", "shop", cwd=tmp_path)
    finally:
        recorded.write_text(before) if before is not None else recorded.unlink()
    assert "placeholder" not in made.stderr
    for name in ("publish.yml", "send.yml"):
        text = (tmp_path / "shop" / ".github" / "workflows" / name).read_text()
        assert f'run: pip install "git+https://github.com/bramble/welcome-gen@{commit}"' in text
