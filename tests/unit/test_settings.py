"""The settings object: flags first, the SOZIALBERICHT_* variables as fallback, then the defaults."""

from pathlib import Path

import pytest

from sozialbericht import cli
from sozialbericht.settings import ROOT, Settings, SettingsError


def settings_from(argv: list[str], environ: dict[str, str]) -> Settings:
    return Settings.resolve(vars(cli.parser().parse_args(argv)), environ)


def test_defaults_without_flags_or_environment():
    settings = settings_from(["build"], {})
    assert settings == Settings()
    assert settings.data is None and settings.formats == ("html", "pdf") and settings.workers == 2
    assert settings.build_dir == ROOT / "_build" and settings.cache_hours == 24.0 and not settings.fresh_kernels


def test_flags_win_over_the_environment():
    environ = {
        "SOZIALBERICHT_DATA": "/env/mirror",
        "SOZIALBERICHT_BUILD": "/env/build",
        "SOZIALBERICHT_CACHE_HOURS": "3",
        "SOZIALBERICHT_WORKERS": "4",
        "SOZIALBERICHT_FORMATS": "pdf",
    }
    from_env = settings_from(["build"], environ)
    assert (from_env.data, from_env.build_dir, from_env.cache_hours, from_env.workers, from_env.formats) == (
        "/env/mirror",
        Path("/env/build"),
        3.0,
        4,
        ("pdf",),
    )
    argv = ["build", "--data", "/flag/mirror", "--build-dir", "/flag/build", "--cache-hours", "1", "--workers", "1"]
    flags = settings_from([*argv, "--formats", "html", "--year", "2021", "--fresh-kernels"], environ)
    assert (flags.data, flags.build_dir, flags.cache_hours, flags.workers, flags.formats, flags.year) == (
        "/flag/mirror",
        Path("/flag/build"),
        1.0,
        1,
        ("html",),
        2021,
    )
    assert flags.fresh_kernels and not from_env.fresh_kernels
    assert settings_from(["build"], {"SOZIALBERICHT_FRESH_KERNELS": "1"}).fresh_kernels
    assert not settings_from(["build"], {"SOZIALBERICHT_FRESH_KERNELS": "0"}).fresh_kernels


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().year = 2020


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [
        (["build", "--formats", "html,epub"], {}, "epub is not one of html,pdf"),
        (["build", "--workers", "0"], {}, "workers: 0"),
        (["build"], {"SOZIALBERICHT_WORKERS": "zwei"}, "SOZIALBERICHT_WORKERS='zwei' is not a number"),
        (["build"], {"SOZIALBERICHT_CACHE_HOURS": "-1"}, "must not be negative"),
    ],
)
def test_bad_settings_name_the_flag_or_variable(argv, environ, message):
    with pytest.raises(SettingsError, match=message):
        settings_from(argv, environ)


def test_a_bad_setting_stops_the_command_with_a_clear_message(capsys, monkeypatch):
    monkeypatch.setenv("SOZIALBERICHT_WORKERS", "zwei")
    assert cli.main(["build"]) == 1
    assert "SOZIALBERICHT_WORKERS='zwei' is not a number" in capsys.readouterr().err
