"""Writes crates/palermo-core/data/airports.tsv: every airport with an IATA code and the
country it is in (ISO 3166-1 alpha-2), so that a passenger manifest's arrival airport names
the country a travel warning goes to.

Source: the `airportsdata` package from PyPI (MIT licence; its data derive from OurAirports
and other public tables). Run by hand when the data should change (the hub reads the file,
never this script): python3 -m pip install airportsdata==20260905 && python3 scripts/data/airports.py
"""

from pathlib import Path

import airportsdata

OUT = Path(__file__).resolve().parents[2] / "crates/palermo-core/data/airports.tsv"


def main():
    airports = airportsdata.load("IATA")
    rows = sorted(
        (code, airport["country"])
        for code, airport in airports.items()
        if len(code) == 3 and code.isalpha() and len(airport["country"]) == 2
    )
    with OUT.open("w") as out:
        out.write("# IATA airport code, ISO 3166-1 alpha-2 country; from airportsdata 20260905\n")
        for code, country in rows:
            out.write(f"{code}\t{country}\n")
    print(f"{len(rows)} airports written to {OUT}")


if __name__ == "__main__":
    main()
