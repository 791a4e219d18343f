"""What makes a notebook run again: editing a measure must not re-run the chapters."""

from __future__ import annotations

import shutil

from sozialbericht import settings as config
from sozialbericht.build import notebooks as build


def test_policy_edit_changes_only_the_policy_notebooks_key(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, data, ignore=shutil.ignore_patterns("cache"))
    monkeypatch.setattr(config, "DATA_DIR", data)
    chapters_before, policy_before = build.code_digest(policy=False), build.code_digest(policy=True)
    measures = data / "measures.yml"
    measures.write_text(measures.read_text(encoding="utf-8") + "\n# edited by a planner\n", encoding="utf-8")
    assert build.code_digest(policy=False) == chapters_before
    assert build.code_digest(policy=True) != policy_before
    indicators = data / "indicators.yml"
    indicators.write_text(indicators.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert build.code_digest(policy=False) != chapters_before


def test_chapter_notebooks_include_the_policy_fragments():
    """The chapters show plans and measures through the fragments the build writes."""
    import json

    for chapter in ["bevoelkerung", "arbeit", "wohnen"]:
        notebook = json.loads((config.NOTEBOOK_DIR / f"{chapter}.ipynb").read_text(encoding="utf-8"))
        text = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
        for part in ("plaene", "massnahmen", "empfehlungen"):
            assert f"{{include}} politik/{chapter}-{part}.md" in text
    assert {"massnahmen", "beteiligung"} == build.POLICY_NOTEBOOKS
