"""One immutable settings object, read from the environment and an optional TOML file.

Environment variables win over the file, the file over the defaults:

=========================  ==========================  =========================================
variable                   TOML key                    meaning
=========================  ==========================  =========================================
HUMANSEC_CONFIG            (none)                      path of the TOML file (default: none)
HUMANSEC_DATA_DIR          data_dir                    folder of the layer store (default ./data)
HUMANSEC_STORE_URL         store_url                   postgresql://user@host:port/db: PostGIS store
HUMANSEC_TILE_URL          tile_url                    optional XYZ tile URL, {z}/{x}/{y}
HUMANSEC_TILE_ATTRIBUTION  tile_attribution            attribution shown with the tiles
HUMANSEC_CLASSIFICATION    default_classification      marking given to new layers
HUMANSEC_RULES             rules_path                  stand-off rules (geodata/rules.toml)
(none)                     classification_order        markings, lowest first
HUMANSEC_UPLOAD_MAX_MB     upload_max_mb               largest upload (512)
HUMANSEC_UPLOAD_MEMORY_MB  upload_memory_mb            memory of the process reading it (3072)
HUMANSEC_UPLOAD_SECONDS    upload_seconds              time it may take (300)
HUMANSEC_OPERATION_AREA    operation_area              home view: west,south,east,north (degrees)
HUMANSEC_DEFAULT_DAYS      default_days                days the date filter shows at first (90)
HUMANSEC_ROLES_CLAIM       roles_claim                 ID-token claim listing the roles (roles)
HUMANSEC_CLEARANCE_CLAIM   clearance_claim             ID-token claim of the clearance (clearance)
HUMANSEC_NEED_TO_KNOW      need_to_know_contact        whom to ask about a withheld conflict
HUMANSEC_ALLOW_ANONYMOUS   (none)                      1: no sign-in even off 127.0.0.1 (unsafe)
=========================  ==========================  =========================================
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from humansec.errors import ConfigurationError, choices
from humansec.ingest.limits import MIB, IngestLimits
from humansec.storeurl import check_store_url, redact_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_DIR / "data"
DEFAULT_RULES_PATH = PROJECT_DIR / "geodata" / "rules.toml"
DEFAULT_CLASSIFICATION_ORDER: tuple[str, ...] = (
    "NATO UNCLASSIFIED",
    "NATO RESTRICTED",
    "NATO CONFIDENTIAL",
    "NATO SECRET",
)
_TOML_KEYS = {
    "data_dir",
    "store_url",
    "tile_url",
    "tile_attribution",
    "default_classification",
    "classification_order",
    "rules_path",
    "upload_max_mb",
    "upload_memory_mb",
    "upload_seconds",
    "operation_area",
    "default_days",
    "roles_claim",
    "clearance_claim",
    "need_to_know_contact",
}
_INT_KEYS = ("upload_max_mb", "upload_memory_mb", "upload_seconds", "default_days")


@dataclass(frozen=True)
class Settings:
    """Everything a humansec process is configured with. Pass it in; never mutate it."""

    data_dir: Path = DEFAULT_DATA_DIR
    tile_url: str | None = None
    tile_attribution: str = ""
    default_classification: str = DEFAULT_CLASSIFICATION_ORDER[0]
    classification_order: tuple[str, ...] = field(default=DEFAULT_CLASSIFICATION_ORDER)
    rules_path: Path = DEFAULT_RULES_PATH
    upload_max_mb: int = 512
    upload_memory_mb: int = 3072
    upload_seconds: int = 300
    operation_area: tuple[float, float, float, float] | None = None
    default_days: int = 90
    roles_claim: str = "roles"
    clearance_claim: str = "clearance"
    need_to_know_contact: str = "the intelligence staff (J2) of your headquarters"
    allow_anonymous: bool = False
    store_url: str | None = None
    """A ``postgresql://`` URL: layers and audit trail in PostGIS; None: the GeoPackage."""

    def __post_init__(self) -> None:
        """Refuse settings that cannot work, with the fix in the message."""
        if not self.classification_order:
            msg = "classification_order is empty; list the markings, lowest first."
            raise ConfigurationError(msg)
        if self.default_classification not in self.classification_order:
            msg = (
                f"default_classification {self.default_classification!r} is not one of the "
                f"markings in classification_order: {choices(self.classification_order)}."
            )
            raise ConfigurationError(msg)
        if self.tile_url is not None:
            _check_tile_url(self.tile_url)
        for key in ("roles_claim", "clearance_claim"):
            if not str(getattr(self, key)).strip():
                msg = f"{key} is empty; name the ID-token claim, e.g. {key.split('_')[0]!r}."
                raise ConfigurationError(msg)
        for key in _INT_KEYS:
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                msg = f"{key} must be a whole number above 0, got {value!r}."
                raise ConfigurationError(msg)
        if self.operation_area is not None:
            check_area(self.operation_area)
        if self.store_url is not None:
            check_store_url(self.store_url)

    def ingest_limits(self) -> IngestLimits:
        """The limits every upload is read within (the other limits keep their defaults)."""
        return IngestLimits(
            max_upload_bytes=self.upload_max_mb * MIB,
            worker_memory_bytes=self.upload_memory_mb * MIB,
            worker_seconds=self.upload_seconds,
        )

    @property
    def store_path(self) -> Path:
        """The embedded GeoPackage that holds the layers."""
        return self.data_dir / "humansec.gpkg"

    @property
    def audit_location(self) -> Path | str:
        """Where the audit trail is kept: the PostGIS store's URL when set, else ``data_dir``."""
        return self.store_url or self.data_dir


ENVIRONMENT_VARIABLES: Mapping[str, str] = {
    "data_dir": "HUMANSEC_DATA_DIR",
    "tile_url": "HUMANSEC_TILE_URL",
    "tile_attribution": "HUMANSEC_TILE_ATTRIBUTION",
    "default_classification": "HUMANSEC_CLASSIFICATION",
    "rules_path": "HUMANSEC_RULES",
    "upload_max_mb": "HUMANSEC_UPLOAD_MAX_MB",
    "upload_memory_mb": "HUMANSEC_UPLOAD_MEMORY_MB",
    "upload_seconds": "HUMANSEC_UPLOAD_SECONDS",
    "operation_area": "HUMANSEC_OPERATION_AREA",
    "default_days": "HUMANSEC_DEFAULT_DAYS",
    "roles_claim": "HUMANSEC_ROLES_CLAIM",
    "clearance_claim": "HUMANSEC_CLEARANCE_CLAIM",
    "need_to_know_contact": "HUMANSEC_NEED_TO_KNOW",
    "allow_anonymous": "HUMANSEC_ALLOW_ANONYMOUS",
    "store_url": "HUMANSEC_STORE_URL",
}
"""Setting -> the environment variable that sets it (the TOML key is the setting's name)."""


def settings_rows(settings: Settings) -> list[dict[str, str]]:
    """The settings in force, one row each: name, value, and how to change it.

    >>> rows = settings_rows(Settings(data_dir=Path("/srv/humansec")))
    >>> rows[0] == {"setting": "data_dir", "value": "/srv/humansec",
    ...             "environment variable": "HUMANSEC_DATA_DIR"}
    True
    """
    return [
        {
            "setting": item.name,
            "value": _shown(getattr(settings, item.name), secret_url=item.name == "store_url"),
            "environment variable": ENVIRONMENT_VARIABLES.get(item.name, "(TOML only)"),
        }
        for item in fields(settings)
    ]


def _shown(value: object, *, secret_url: bool = False) -> str:
    if secret_url and isinstance(value, str):
        return redact_url(value)
    if isinstance(value, tuple | list):
        return ", ".join(str(part) for part in value)
    return "" if value is None else str(value)


def load_settings(
    environ: Mapping[str, str] | None = None, *, config_file: Path | None = None
) -> Settings:
    """Read settings from ``environ`` (default ``os.environ``) and an optional TOML file.

    The file is ``config_file`` if given, else ``HUMANSEC_CONFIG`` if set.
    """
    env = os.environ if environ is None else environ
    path = config_file or (Path(env["HUMANSEC_CONFIG"]) if env.get("HUMANSEC_CONFIG") else None)
    values: dict[str, object] = _read_toml(path) if path is not None else {}
    for key, var in ENVIRONMENT_VARIABLES.items():
        if env.get(var):
            values[key] = env[var]
    values["allow_anonymous"] = env.get("HUMANSEC_ALLOW_ANONYMOUS", "").strip().lower() in {
        "1",
        "true",
        "yes",
    }
    for key in _INT_KEYS:
        if isinstance(values.get(key), str):
            try:
                values[key] = int(str(values[key]))
            except ValueError:
                msg = f"{key} must be a whole number (megabytes or seconds), got {values[key]!r}."
                raise ConfigurationError(msg) from None
    for key in ("data_dir", "rules_path"):
        if key in values:
            values[key] = Path(str(values[key])).expanduser().resolve()
    if "operation_area" in values:
        values["operation_area"] = parse_area(values["operation_area"])
    if "classification_order" in values:
        order = values["classification_order"]
        if not isinstance(order, list) or not all(isinstance(m, str) for m in order):
            msg = 'classification_order must be a list of strings, e.g. ["NATO UNCLASSIFIED"].'
            raise ConfigurationError(msg)
        values["classification_order"] = tuple(order)
    return Settings(**values)  # type: ignore[arg-type]


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        msg = f"Configuration file {path} does not exist; fix HUMANSEC_CONFIG or create it."
        raise ConfigurationError(msg) from None
    except tomllib.TOMLDecodeError as error:
        msg = f"Configuration file {path} is not valid TOML: {error}."
        raise ConfigurationError(msg) from None
    unknown = set(data) - _TOML_KEYS
    if unknown:
        msg = (
            f"Configuration file {path} has unknown keys {choices(unknown)}; "
            f"valid keys are {choices(_TOML_KEYS)}."
        )
        raise ConfigurationError(msg)
    for key, value in data.items():
        if key not in {"classification_order", "operation_area"} and not isinstance(value, str):
            msg = f"Configuration file {path}: {key} must be a string."
            raise ConfigurationError(msg)
    return dict(data)


def _check_tile_url(url: str) -> None:
    parts = urlsplit(url.replace("{", "").replace("}", ""))
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        msg = f"tile_url {url!r} must be an http(s) URL such as http://tiles.local/{{z}}/{{x}}/{{y}}.png."
        raise ConfigurationError(msg)
    if not all(p in url for p in ("{z}", "{x}", "{y}")):
        msg = f"tile_url {url!r} must contain {{z}}, {{x}} and {{y}} placeholders."
        raise ConfigurationError(msg)


_AREA_EXAMPLE = "e.g. 21.8,53.5,24.6,55.1 (west,south,east,north in degrees, WGS84)"


def parse_area(value: object) -> tuple[float, float, float, float]:
    """Read ``operation_area``: ``"west,south,east,north"`` or a list of four numbers.

    >>> parse_area("21.8, 53.5, 24.6, 55.1")
    (21.8, 53.5, 24.6, 55.1)
    """
    parts: list[object]
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(",")]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        parts = []
    if len(parts) != 4:
        msg = (
            f"operation_area must be four numbers west,south,east,north, {_AREA_EXAMPLE}; "
            f"got {value!r}."
        )
        raise ConfigurationError(msg)
    try:
        numbers = [float(str(part)) for part in parts if not isinstance(part, bool)]
    except ValueError:
        numbers = []
    if len(numbers) != 4:
        msg = f"operation_area must hold numbers only, {_AREA_EXAMPLE}; got {value!r}."
        raise ConfigurationError(msg)
    west, south, east, north = numbers
    return check_area((west, south, east, north))


def check_area(area: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Return ``area`` (west, south, east, north) if it is a box on the globe; refuse it if not."""
    west, south, east, north = area
    if not all(math.isfinite(v) for v in area):
        msg = f"operation_area {area!r} holds a value that is not a finite number, {_AREA_EXAMPLE}."
        raise ConfigurationError(msg)
    if not (-180 <= west < east <= 180):
        msg = (
            f"operation_area: west ({west}) must be less than east ({east}), both within "
            f"-180..180 (an area across the antimeridian is not supported), {_AREA_EXAMPLE}."
        )
        raise ConfigurationError(msg)
    if not (-90 <= south < north <= 90):
        msg = (
            f"operation_area: south ({south}) must be less than north ({north}), both within "
            f"-90..90 (did you swap longitude and latitude?), {_AREA_EXAMPLE}."
        )
        raise ConfigurationError(msg)
    return area
