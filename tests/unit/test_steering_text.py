"""Early-warning page: a low status that improves keeps its level, and the page says why."""

from types import SimpleNamespace

import pandas as pd

from sozialbericht.report.steering import SteeringPages


def pages_with(rows):
    status = pd.DataFrame(rows, columns=["area_name", "status_class", "dynamics_class", "too_small"])
    return SimpleNamespace(warning=SimpleNamespace(status=status))


def test_low_status_with_positive_dynamics_is_explained_with_all_names():
    page = pages_with(
        [
            ("Volkmarsdorf", "sehr niedrig", "positiv", False),
            ("Paunsdorf", "niedrig", "positiv", False),
            ("Zentrum", "sehr niedrig", "positiv", True),
            ("Gohlis-Süd", "hoch", "positiv", False),
        ]
    )
    text = SteeringPages._improving_but_low_text(page)
    assert "Paunsdorf und Volkmarsdorf bleiben markiert" in text
    assert "Zentrum" not in text and "Gohlis" not in text


def test_no_explanation_when_no_low_status_improves():
    page = pages_with([("Volkmarsdorf", "sehr niedrig", "stabil", False), ("Gohlis-Süd", "hoch", "positiv", False)])
    assert SteeringPages._improving_but_low_text(page) == ""
