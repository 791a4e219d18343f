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
import shapely
from shapely.validation import explain_validity

from sozialbericht import settings as config
from sozialbericht.errors import GeographyError

ORTSTEIL, STADTBEZIRK, STADT = "Ortsteil", "Stadtbezirk", "Stadt"
LEVEL_ORDER = {ORTSTEIL: 0, STADTBEZIRK: 1, STADT: 2}
CODE_KEYS = {"ortsteile": ("OT", "ot", "Ortsteil_Nr", "OT_NR"), "stadtbezirke": ("SBZ", "sbz", "STADTBEZ", "SBZ_NR")}
NAME_KEYS = ("Name", "name", "NAME", "Ortsteil", "Stadtbezirk")
# longitude/latitude box around Leipzig (the city spans about 12.24–12.54 E, 51.24–51.45 N) with a margin
LEIPZIG_BOX = (12.0, 51.1, 12.8, 51.6)
# an invalid ring is repaired (shapely make_valid) only when that changes its area by less than this share
SAFE_REPAIR = 0.001
LEVEL_LABEL = {"ortsteile": "Ortsteil", "stadtbezirke": "Stadtbezirk"}


def _polygonal(geometry):
    """The areal part of a geometry (make_valid may add lines or points where a ring touched itself)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _check_geometries(frame: gpd.GeoDataFrame, source: str, level: str) -> list[str]:
    """Every feature is a non-empty, valid area near Leipzig; returns the notes on safe repairs (German).

    Raises a GeographyError naming the file and the feature for a null, empty, non-areal or
    misplaced geometry, and for an invalid one whose repair would change its area noticeably
    (a self-crossing outline: the city's shape is unknown, so the file must be corrected).
    """
    repairs = []
    west, south, east, north = LEIPZIG_BOX
    for position in range(len(frame)):
        row = frame.iloc[position]
        label = f"feature {position + 1} ({LEVEL_LABEL[level]} {row['area_code']} {row['area_name']!r})"
        geometry = row.geometry
        if geometry is None:
            raise GeographyError(f"{source}: {label} has no geometry (null). Download the file again or correct it.")
        if geometry.is_empty:
            raise GeographyError(f"{source}: {label} has an empty geometry (no coordinates).")
        if geometry.geom_type not in ("Polygon", "MultiPolygon"):
            raise GeographyError(f"{source}: {label} is a {geometry.geom_type}, not an area (Polygon or MultiPolygon).")
        if not geometry.is_valid:
            reason = explain_validity(geometry)
            repaired = _polygonal(shapely.make_valid(geometry))
            change = abs(repaired.area - geometry.area) / geometry.area if geometry.area else 1.0
            if repaired.is_empty or change >= SAFE_REPAIR:
                raise GeographyError(
                    f"{source}: {label} is not a valid polygon ({reason}), e.g. an outline that crosses itself. "
                    "A repair would change its shape; correct the file."
                )
            frame.loc[position, "geometry"] = repaired
            repairs.append(
                f"{LEVEL_LABEL[level]} {row['area_name']}: ungültige Umrisslinie ({reason}) automatisch "
                f"repariert, Fläche um {f'{change * 100:.3f}'.replace('.', ',')} % verändert"
            )
            geometry = repaired
        x0, y0, x1, y1 = geometry.bounds
        if x0 < west or x1 > east or y0 < south or y1 > north:
            raise GeographyError(
                f"{source}: {label} lies outside the area around Leipzig (longitude {west}–{east}, latitude "
                f"{south}–{north}): its bounds are {x0:.3f}, {y0:.3f} to {x1:.3f}, {y1:.3f}. "
                "Wrong coordinates or coordinate system?"
            )
    return repairs


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
    frame = frame[["area_code", "area_name", "geometry"]].reset_index(drop=True)
    frame.attrs["repairs"] = _check_geometries(frame, source, level)
    duplicated = frame.loc[frame["area_code"].duplicated(), "area_code"].tolist()
    if duplicated:
        raise GeographyError(f"{source}: {level} codes occur twice: {duplicated}")
    return frame.sort_values("area_code").reset_index(drop=True)


@dataclass
class Geography:
    ortsteile: gpd.GeoDataFrame  # area_code, area_name, sbz_code, geometry
    stadtbezirke: gpd.GeoDataFrame  # area_code, area_name, geometry
    repairs: tuple[str, ...] = ()  # safe repairs of invalid outlines (German), listed in the appendix

    @classmethod
    def from_geojson(cls, ortsteile: bytes, stadtbezirke: bytes, sources=("ortsteile", "stadtbezirke")):
        ot = _read_geojson(ortsteile, sources[0], "ortsteile")
        sbz = _read_geojson(stadtbezirke, sources[1], "stadtbezirke")
        repairs = tuple(ot.attrs.pop("repairs", [])) + tuple(sbz.attrs.pop("repairs", []))
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
        return cls(ot, sbz, repairs)

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
