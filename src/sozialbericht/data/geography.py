"""Leipzig's areas: 63 Ortsteile, 10 Stadtbezirke, the city.

Codes are the official ones: Ortsteil ``OT`` (two digits, the first is the
Stadtbezirk), Stadtbezirk ``SBZ`` (one digit), the city its Gemeindeschlüssel.
The API names areas only by name, so names are joined to codes here.
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from sozialbericht import settings as config
from sozialbericht.errors import GeographyError

ORTSTEIL, STADTBEZIRK, STADT = "Ortsteil", "Stadtbezirk", "Stadt"
LEVEL_ORDER = {ORTSTEIL: 0, STADTBEZIRK: 1, STADT: 2}
CODE_KEYS = {"ortsteile": ("OT", "ot", "Ortsteil_Nr", "OT_NR"), "stadtbezirke": ("SBZ", "sbz", "STADTBEZ", "SBZ_NR")}
NAME_KEYS = ("Name", "name", "NAME", "Ortsteil", "Stadtbezirk")


def _read_geojson(content: bytes, source: str, level: str) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_file(io.BytesIO(content))
    except Exception as error:  # pyogrio raises several types for broken files
        raise GeographyError(f"{source}: cannot read the {level} geometry as GeoJSON ({error}).") from None
    if frame.crs is None:
        frame = frame.set_crs(4326)
    frame = frame.to_crs(4326)
    code_key = next((k for k in CODE_KEYS[level] if k in frame.columns), None)
    name_key = next((k for k in NAME_KEYS if k in frame.columns), None)
    if code_key is None or name_key is None:
        raise GeographyError(
            f"{source}: the {level} features need a code and a name property "
            f"(e.g. {CODE_KEYS[level][0]} and Name); found {sorted(c for c in frame.columns if c != 'geometry')}."
        )
    width = 2 if level == "ortsteile" else 1
    frame = frame.rename(columns={code_key: "area_code", name_key: "area_name"})
    frame["area_code"] = frame["area_code"].astype(str).str.strip().str.zfill(width)
    frame["area_name"] = frame["area_name"].astype(str).str.strip()
    return frame[["area_code", "area_name", "geometry"]].sort_values("area_code").reset_index(drop=True)


@dataclass
class Geography:
    ortsteile: gpd.GeoDataFrame  # area_code, area_name, sbz_code, geometry
    stadtbezirke: gpd.GeoDataFrame  # area_code, area_name, geometry

    @classmethod
    def from_geojson(cls, ortsteile: bytes, stadtbezirke: bytes, sources=("ortsteile", "stadtbezirke")):
        ot = _read_geojson(ortsteile, sources[0], "ortsteile")
        sbz = _read_geojson(stadtbezirke, sources[1], "stadtbezirke")
        ot["sbz_code"] = ot["area_code"].str[0]
        unknown = sorted(set(ot["sbz_code"]) - set(sbz["area_code"]))
        if unknown:
            raise GeographyError(
                f"{sources[0]}: Ortsteil codes point at Stadtbezirke {unknown} that {sources[1]} lacks."
            )
        for frame, source in ((ot, sources[0]), (sbz, sources[1])):
            duplicated = frame[frame["area_name"].duplicated()]["area_name"].tolist()
            if duplicated:
                raise GeographyError(f"{source}: area names occur twice: {duplicated}")
        return cls(ot, sbz)

    def areas(self) -> pd.DataFrame:
        """Every area with code, name, level, Stadtbezirk code; Ortsteile first, then Stadtbezirke, the city."""
        ot = pd.DataFrame(
            {
                "area_code": self.ortsteile["area_code"],
                "area_name": self.ortsteile["area_name"],
                "level": ORTSTEIL,
                "sbz_code": self.ortsteile["sbz_code"],
            }
        )
        sbz = pd.DataFrame(
            {
                "area_code": self.stadtbezirke["area_code"],
                "area_name": self.stadtbezirke["area_name"],
                "level": STADTBEZIRK,
                "sbz_code": self.stadtbezirke["area_code"],
            }
        )
        city = pd.DataFrame(
            [{"area_code": config.CITY_CODE, "area_name": config.CITY_NAME, "level": STADT, "sbz_code": None}]
        )
        return pd.concat([ot, sbz, city], ignore_index=True)

    def attach_codes(self, table: pd.DataFrame, source: str) -> pd.DataFrame:
        """Add area_code, level and sbz_code by exact name; an unknown name stops the build."""
        areas = self.areas()
        known = set(areas["area_name"])
        unknown = table.loc[~table["area_name"].isin(known)]
        if not unknown.empty:
            first = unknown.iloc[0]
            close = difflib.get_close_matches(first["area_name"], sorted(known), n=3, cutoff=0.6)
            hint = f" Closest known names: {', '.join(close)}." if close else ""
            raise GeographyError(
                f"{source}: row {first['row']}: area {first['area_name']!r} is not one of Leipzig's "
                f"63 Ortsteile, 10 Stadtbezirke or {config.CITY_NAME!r}.{hint} "
                "If the city renamed an area, the geometry files must carry the new name too."
            )
        return table.merge(areas, on="area_name", how="left", validate="many_to_one")
