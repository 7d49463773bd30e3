"""Countries and time zones: the lists the pickers offer (core.forms.CountryField, TimeZoneField) and so the
only values the services accept. Pages, services and importers all read them from here."""
from __future__ import annotations

import functools
import unicodedata
import zoneinfo
from importlib import resources
from pathlib import Path

import pycountry


def _tz_table() -> str | None:
    """zone.tab from the system's time zone database (or the tzdata package): its zones are the canonical
    names, one or more per country, without the old aliases (Asia/Calcutta, US/Eastern, Etc/GMT+5)."""
    for folder in zoneinfo.TZPATH:
        table = Path(folder, "zone.tab")
        if table.is_file():
            return table.read_text(encoding="utf-8")
    try:
        return resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The zones the picker offers, and so the only ones a service accepts: UTC and the Region/City names."""
    available = zoneinfo.available_timezones()
    table = _tz_table()
    if table is not None:
        names = {line.split("\t")[2] for line in table.splitlines() if line and not line.startswith("#")}
    else:
        names = {name for name in available if "/" in name
                 and name.split("/")[0] not in ("Etc", "SystemV", "US", "Canada", "Brazil", "Chile", "Mexico")}
    return frozenset((names & available) | {"UTC"})


def _sort_key(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()  # Åland by A


@functools.cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> the country's everyday English name (pycountry's common name where ISO's
    is formal: "Bolivia", not "Bolivia, Plurinational State of"), ordered by name."""
    names = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    return dict(sorted(names.items(), key=lambda item: _sort_key(item[1])))


def country_name(code: str) -> str:
    """"DE" -> "Germany"; an empty or unknown code comes back as it is."""
    return countries().get(str(code or "").upper(), code or "")
