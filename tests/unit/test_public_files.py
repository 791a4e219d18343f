"""What the public downloads from an edition: no paths of the build machine, no English provenance notes."""

import json
from pathlib import Path

from sozialbericht import settings as config
from sozialbericht.build.stage import public_notebook
from sozialbericht.report.pages import origin_text


def test_published_notebooks_name_paths_relative_to_the_project():
    executed = json.dumps(
        {
            "metadata": {"papermill": {"input_path": f"{config.ROOT}/notebooks/kinder.ipynb"}},
            "cells": [{"source": [f'inputs_file = "{config.ROOT}/_build/work/2023/inputs.pkl"\n']}],
        }
    ).encode()
    public = public_notebook(Path("kinder.ipynb"), executed).decode()
    assert str(config.ROOT) not in public
    assert '"notebooks/kinder.ipynb"' in public and "_build/work/2023/inputs.pkl" in public
    assert public_notebook(Path("daten.csv"), executed) == executed  # only notebooks are rewritten


def test_origins_of_the_data_folder_are_german_in_plain_text():
    recorded = origin_text("recorded response, api-samples/Einwohner.csv", markdown=False)
    assert recorded == "aufgezeichnete Antwort der Schnittstelle (api-samples/Einwohner.csv)"
    derived = origin_text("DERIVED: rebuilt in kdvalues CSV layout from copy/x.csv", markdown=False)
    assert derived.startswith("abgeleitet: aus einer Kopie Dritter (copy/x.csv)") and "DERIVED" not in derived
