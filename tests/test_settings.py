"""Tests for humansec.settings: defaults, TOML file, environment, validation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from humansec.errors import ConfigurationError
from humansec.settings import (
    DEFAULT_CLASSIFICATION_ORDER,
    DEFAULT_DATA_DIR,
    Settings,
    load_settings,
)

TILES = "http://tiles.local/{z}/{x}/{y}.png"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "humansec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults():
    settings = load_settings({})
    assert settings == Settings()
    assert settings.data_dir == DEFAULT_DATA_DIR
    assert settings.store_path == DEFAULT_DATA_DIR / "humansec.gpkg"
    assert settings.tile_url is None
    assert settings.default_classification == "NATO UNCLASSIFIED"
    assert settings.classification_order == DEFAULT_CLASSIFICATION_ORDER


def test_reads_os_environ_by_default(clean_env, monkeypatch, tmp_path):
    monkeypatch.setenv("HUMANSEC_DATA_DIR", str(tmp_path))
    assert load_settings().data_dir == tmp_path.resolve()


def test_toml_file_is_read(tmp_path):
    path = write(
        tmp_path,
        f'data_dir = "{tmp_path / "store"}"\n'
        f'tile_url = "{TILES}"\n'
        'tile_attribution = "Mission tiles"\n'
        'classification_order = ["PUBLIC", "RESTRICTED"]\n'
        'default_classification = "RESTRICTED"\n',
    )
    settings = load_settings({}, config_file=path)
    assert settings.data_dir == tmp_path / "store"
    assert settings.tile_url == TILES
    assert settings.tile_attribution == "Mission tiles"
    assert settings.classification_order == ("PUBLIC", "RESTRICTED")
    assert settings.default_classification == "RESTRICTED"


def test_environment_wins_over_the_file(tmp_path):
    path = write(tmp_path, 'data_dir = "/from/file"\ntile_attribution = "file"\n')
    env = {
        "HUMANSEC_CONFIG": str(path),
        "HUMANSEC_DATA_DIR": str(tmp_path / "env"),
        "HUMANSEC_TILE_URL": TILES,
        "HUMANSEC_CLASSIFICATION": "NATO SECRET",
    }
    settings = load_settings(env)
    assert settings.data_dir == tmp_path / "env"
    assert settings.tile_attribution == "file"  # not overridden, kept from the file
    assert settings.tile_url == TILES
    assert settings.default_classification == "NATO SECRET"


def test_empty_environment_variables_are_ignored(tmp_path):
    path = write(tmp_path, 'tile_attribution = "file"\n')
    settings = load_settings(
        {"HUMANSEC_TILE_ATTRIBUTION": "", "HUMANSEC_TILE_URL": ""}, config_file=path
    )
    assert settings.tile_attribution == "file"
    assert settings.tile_url is None


def test_relative_and_home_data_dirs_are_made_absolute(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert load_settings({"HUMANSEC_DATA_DIR": "rel"}).data_dir == tmp_path.resolve() / "rel"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert load_settings({"HUMANSEC_DATA_DIR": "~/d"}).data_dir == tmp_path.resolve() / "d"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('colour = "red"\n', r"unknown keys 'colour'; valid keys are .*'data_dir'"),
        ("data_dir = 3\n", "data_dir must be a string"),
        ('tile_url = ["x"]\n', "tile_url must be a string"),
        ("data_dir = \n", "not valid TOML"),
        ('classification_order = "PUBLIC"\n', "classification_order must be a list of strings"),
        ("classification_order = [1, 2]\n", "classification_order must be a list of strings"),
        ("classification_order = []\n", "classification_order is empty"),
        ('classification_order = ["A", "B"]\n', "'NATO UNCLASSIFIED' is not one of the markings"),
        ('default_classification = "TOP"\n', "'TOP' is not one of the markings"),
    ],
)
def test_bad_toml_is_refused(tmp_path, text, match):
    with pytest.raises(ConfigurationError, match=match):
        load_settings({}, config_file=write(tmp_path, text))


def test_missing_config_file_is_refused(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_settings({"HUMANSEC_CONFIG": str(missing)})
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_settings({}, config_file=missing)


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("ftp://tiles.local/{z}/{x}/{y}.png", "must be an http"),
        ("tiles.local/{z}/{x}/{y}.png", "must be an http"),
        ("http:///{z}/{x}/{y}.png", "must be an http"),
        ("http://tiles.local/{z}/{x}.png", r"must contain \{z\}, \{x\} and \{y\}"),
    ],
)
def test_bad_tile_urls_are_refused(url, match):
    with pytest.raises(ConfigurationError, match=match):
        Settings(tile_url=url)
    with pytest.raises(ConfigurationError, match=match):
        load_settings({"HUMANSEC_TILE_URL": url})


@pytest.mark.parametrize(
    "url", [TILES, "https://tiles.example.org:8443/osm/{z}/{x}/{y}.png?key=abc"]
)
def test_good_tile_urls_are_accepted(url):
    assert Settings(tile_url=url).tile_url == url


def test_settings_are_immutable():
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.data_dir = Path("/tmp")  # type: ignore[misc]
    with pytest.raises(AttributeError):
        settings.classification_order.append("X")  # type: ignore[attr-defined]


def test_upload_limits_come_from_the_environment() -> None:
    settings = load_settings(
        {"HUMANSEC_UPLOAD_MAX_MB": "64", "HUMANSEC_UPLOAD_MEMORY_MB": "1024",
         "HUMANSEC_UPLOAD_SECONDS": "30"}
    )  # fmt: skip
    limits = settings.ingest_limits()
    assert limits.max_upload_bytes == 64 * 2**20
    assert limits.worker_memory_bytes == 1024 * 2**20
    assert limits.worker_seconds == 30


@pytest.mark.parametrize("value", ["lots", "0", "-5"])
def test_a_bad_upload_limit_says_what_is_wanted(value: str) -> None:
    with pytest.raises(ConfigurationError, match="whole number"):
        load_settings({"HUMANSEC_UPLOAD_SECONDS": value})


def test_operation_area_and_default_days_from_env_and_file(tmp_path):
    settings = load_settings(
        {"HUMANSEC_OPERATION_AREA": " 21.8, 53.5,24.6 ,55.1", "HUMANSEC_DEFAULT_DAYS": "30"}
    )
    assert settings.operation_area == (21.8, 53.5, 24.6, 55.1)
    assert settings.default_days == 30
    assert Settings().operation_area is None and Settings().default_days == 90
    path = write(tmp_path, 'operation_area = [22, 54, 23.5, 54.5]\ndefault_days = "14"\n')
    from_file = load_settings({}, config_file=path)
    assert from_file.operation_area == (22.0, 54.0, 23.5, 54.5)
    assert from_file.default_days == 14
    assert load_settings(
        {"HUMANSEC_OPERATION_AREA": "1,2,3,4"}, config_file=path
    ).operation_area == (
        1.0,
        2.0,
        3.0,
        4.0,
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("21.8,53.5,24.6", "four numbers west,south,east,north"),
        ("a,b,c,d", "numbers only"),
        ("24.6,53.5,21.8,55.1", r"west \(24.6\) must be less than east"),
        ("54,100,55,101", "did you swap longitude and latitude"),
        ("21.8,53.5,24.6,95", "-90..90"),
        ("nan,53.5,24.6,55.1", "not a finite number"),
    ],
)
def test_bad_operation_area_names_the_fix(value, message):
    with pytest.raises(ConfigurationError, match=message):
        load_settings({"HUMANSEC_OPERATION_AREA": value})


@pytest.mark.parametrize("value", ["0", "-5", "ninety"])
def test_bad_default_days(value):
    with pytest.raises(ConfigurationError, match=r"default_days|whole number"):
        load_settings({"HUMANSEC_DEFAULT_DAYS": value})
