"""Reads the hub's FollowTheMoney export with the `followthemoney` package.

The example case report (docs/examples/case-report.json) is submitted by France on a
throwaway data directory and exported twice: as France (the victims' identities included) and
as Germany (without them). Every line must be an entity the model accepts as written: a
known, concrete schema; only properties of that schema; every value valid for its type (dates,
countries, phones, e-mails, IBANs …) and unchanged by the model's cleaning; every entity
reference pointing at an entity of the export. Germany's export must hold no victim.

Usage: python check.py PALERMO_BINARY REPO_ROOT. Exits non-zero on the first export that
fails, listing every problem.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from followthemoney import model
from followthemoney.types import registry


def palermo(binary, data, *args):
    done = subprocess.run(
        [binary, *args, "--data", str(data)], capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"palermo {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def problems_of(lines):
    problems = []
    entities = []
    for number, line in enumerate(lines, 1):
        try:
            entity = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: not JSON: {error}")
            continue
        entities.append((number, entity))
    ids = {entity.get("id") for _, entity in entities}
    for number, entity in entities:
        schema = model.get(entity.get("schema", ""))
        where = f"line {number} ({entity.get('schema')} {entity.get('id')})"
        if schema is None or schema.abstract:
            problems.append(f"{where}: no concrete schema of that name")
            continue
        for name, values in entity.get("properties", {}).items():
            prop = schema.get(name)
            if prop is None:
                problems.append(f"{where}: {schema.name} has no property {name!r}")
                continue
            if not isinstance(values, list) or not values:
                problems.append(f"{where}: {name} is not a list of values")
                continue
            for value in values:
                if prop.type == registry.entity:
                    if value not in ids:
                        problems.append(f"{where}: {name} names {value!r}, not exported")
                    continue
                cleaned = prop.type.clean(value, proxy=None)
                if cleaned is None:
                    problems.append(f"{where}: {name} {value!r} is not a valid {prop.type.name}")
                elif prop.type.name in ("date", "country", "phone", "email", "iban", "gender") and cleaned != value:
                    problems.append(f"{where}: {name} {value!r} reads as {cleaned!r}")
        # The model's own reading of the whole entity.
        try:
            model.get_proxy(entity, cleaned=False)
        except Exception as error:  # the model's InvalidData and its kin
            problems.append(f"{where}: the model refuses it: {error}")
    return entities, problems


def main():
    binary, root = sys.argv[1], Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        for code, name in (("FRA", "NCB Paris"), ("DEU", "NCB Wiesbaden")):
            palermo(binary, data, "admin", "add-bureau", code, name)
        submitted = palermo(
            binary, data, "case", "submit",
            str(root / "docs/examples/case-report.json"), "--bureau", "FRA",
        )
        case_id = submitted.split()[1]
        failed = False
        for bureau in ("FRA", "DEU"):
            out = palermo(binary, data, "case", "export", case_id, "--bureau", bureau)
            lines = [line for line in out.splitlines() if line.strip()]
            entities, problems = problems_of(lines)
            schemas = sorted({entity["schema"] for _, entity in entities})
            victims = [
                e for _, e in entities
                if e["schema"] == "ProjectParticipant" and e["properties"].get("role") == ["victim"]
            ]
            if bureau == "DEU" and victims:
                problems.append(f"Germany's export holds {len(victims)} victims")
            if bureau == "FRA" and not victims:
                problems.append("France's export holds none of its victims")
            print(f"FollowTheMoney export as {bureau}: {len(entities)} entities ({', '.join(schemas)}), "
                  f"{len(victims)} victims, {len(problems)} problems")
            for problem in problems:
                print(f"  {problem}")
            failed |= bool(problems)
        if failed:
            sys.exit(1)


if __name__ == "__main__":
    main()
