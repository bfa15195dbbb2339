"""Holds the hub's identifier normalisation against independent implementations.

Phone numbers against Python's `phonenumbers` (Google's libphonenumber, ported), IBANs and
BICs against `schwifty`, country codes through `pycountry`: none of them is what the hub uses
(Rust's `phonenumber` and `iban_validate`, its own ISO 3166 table). The vectors are made by
those libraries here, from their own example numbers, registries and random accounts, in the
forms people write them; `palermo case identifiers` answers each, and every disagreement is
counted per kind and form of writing. The case report examples in docs/examples are also
validated against the published schema with `jsonschema`.

Usage: python check.py PALERMO_BINARY REPO_ROOT [--report FILE]. Exits non-zero when the
agreement on a kind falls below its floor, or an example report does not validate.
"""

import json
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import jsonschema
import phonenumbers
import pycountry
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

random.seed(11)

# The least agreement accepted per kind: the two sides read the same standards, from metadata
# of the same release for phone numbers; what is left are each library's own choices, listed
# in the report (docs/case-report.md names them: toll-free ranges the Rust metadata does not
# take as valid, Brazilian IBANs schwifty makes with letters where SWIFT's format has digits,
# national lengths of countries outside SWIFT's registry).
FLOORS = {"phone": 0.99, "iban": 0.99, "bic": 0.999}


def alpha3(region):
    country = pycountry.countries.get(alpha_2=region)
    return country.alpha_3 if country else None


def phone_vectors():
    types = [PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE]
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        country = alpha3(region)
        if country is None:
            continue
        for kind in types:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            e164 = phonenumbers.format_number(example, PhoneNumberFormat.E164)
            yield ("phone", "e164", {"value": e164}, e164)
            international = phonenumbers.format_number(example, PhoneNumberFormat.INTERNATIONAL)
            yield ("phone", "international", {"value": international}, e164)
            # Reported by another country's bureau: its numbering plan must not be applied.
            other = alpha3(random.choice(["US", "GB", "FR", "DE", "RU", "BR", "NG", "TH"]))
            yield ("phone", "international, another reporter", {"value": international, "country": other}, e164)
            national = phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL)
            parsed = phonenumbers.parse(national, region)
            expected = (phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
                        if phonenumbers.is_valid_number(parsed) else None)
            yield ("phone", "national", {"value": national, "country": country}, expected)
            rfc = phonenumbers.format_number(example, PhoneNumberFormat.RFC3966)
            yield ("phone", "rfc3966", {"value": rfc}, e164)
            # Cut short: invalid wherever the reference says so.
            digits = str(example.national_number)
            if len(digits) > 4:
                short = f"+{example.country_code}{digits[:-2]}"
                cut = phonenumbers.parse(short)
                expected = (phonenumbers.format_number(cut, PhoneNumberFormat.E164)
                            if phonenumbers.is_valid_number(cut) else None)
                yield ("phone", "truncated", {"value": short}, expected)
            # With an extension, which is kept apart.
            if kind == PhoneNumberType.FIXED_LINE:
                yield ("phone", "extension", {"value": f"{international} ext. 123"}, e164)


def iban_vectors():
    for country in sorted(c.alpha_2 for c in pycountry.countries):
        try:
            ibans = [IBAN.random(country_code=country) for _ in range(3)]
        except Exception:  # noqa: BLE001 - no IBANs, or no registry to make one from
            continue
        for iban in ibans:
            yield ("iban", "compact", {"value": iban.compact}, iban.compact)
            yield ("iban", "formatted", {"value": iban.formatted}, iban.compact)
            yield ("iban", "lower case", {"value": iban.formatted.lower()}, iban.compact)
            checks = int(iban.compact[2:4])
            wrong = f"{iban.compact[:2]}{(checks + 1) % 97 + 1 if checks < 97 else 2:02d}{iban.compact[4:]}"
            try:
                expected = IBAN(wrong).compact
            except SchwiftyException:
                expected = None
            yield ("iban", "wrong check digits", {"value": wrong}, expected)
            short = iban.compact[:-1]
            try:
                expected = IBAN(short).compact
            except SchwiftyException:
                expected = None
            yield ("iban", "one character short", {"value": short}, expected)


def bic_vectors():
    import schwifty.registry as registry

    banks = [b for b in registry.get_all_banks() if getattr(b, "bic", None)]
    random.shuffle(banks)
    for bank in banks[:3000]:
        try:
            bic = BIC(bank.bic)
        except SchwiftyException:
            continue
        expected = str(bic) if len(str(bic)) == 11 else f"{bic}XXX"
        yield ("bic", "registry", {"value": str(bic)}, expected)
    for made_up in ["DEUTDEF", "DEUT1EFF", "DEUTQQFF", "1EUTDEFF"]:
        try:
            BIC(made_up)
            expected = made_up + "XXX"
        except SchwiftyException:
            expected = None
        yield ("bic", "malformed", {"value": made_up}, expected)


def answer(binary, queries):
    text = "\n".join(json.dumps(q) for q in queries) + "\n"
    done = subprocess.run([binary, "case", "identifiers"], input=text, capture_output=True,
                          text=True, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def check_examples(binary, root):
    schema = json.loads(subprocess.run([binary, "case", "schema"], capture_output=True,
                                       text=True, check=True).stdout)
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    examples = sorted((root / "docs" / "examples").glob("case-report*.json"))
    for path in examples:
        report = json.loads(path.read_text())
        errors = [f"{path.name}: {e.json_path}: {e.message}" for e in validator.iter_errors(report)]
        problems.extend(errors)
    return len(examples), problems


def main():
    binary, root = sys.argv[1], Path(sys.argv[2])
    report_path = sys.argv[sys.argv.index("--report") + 1] if "--report" in sys.argv else None
    vectors = list(phone_vectors()) + list(iban_vectors()) + list(bic_vectors())
    answers = answer(binary, [dict(q, kind=k) for k, _, q, _ in vectors])
    assert len(answers) == len(vectors)
    tally = defaultdict(lambda: [0, 0])
    disagreements = []
    for (kind, form, query, expected), got in zip(vectors, answers):
        ours = got.get("normalised")
        same = ours == expected
        tally[(kind, form)][0] += 1
        tally[(kind, form)][1] += same
        if not same:
            disagreements.append(f"{kind} {form} {query}: reference {expected!r}, hub "
                                 f"{ours if ours is not None else got.get('error')!r}")
    lines = ["kind        form                   agree / total"]
    failed = False
    by_kind = defaultdict(lambda: [0, 0])
    for (kind, form), (total, agree) in sorted(tally.items()):
        lines.append(f"{kind:<11} {form:<22} {agree:>5} / {total:<5} ({agree / total:.4f})")
        by_kind[kind][0] += total
        by_kind[kind][1] += agree
    for kind, (total, agree) in sorted(by_kind.items()):
        rate = agree / total
        ok = rate >= FLOORS[kind]
        failed |= not ok
        lines.append(f"{kind}: {agree} of {total} agree ({rate:.4f}; floor {FLOORS[kind]})"
                     f"{'' if ok else '  BELOW THE FLOOR'}")
    count, problems = check_examples(binary, root)
    lines.append(f"example reports valid against the published schema: {count - len({p.split(':')[0] for p in problems})} of {count}")
    failed |= bool(problems) or count == 0
    text = "\n".join(lines + ["", "disagreements:"] + disagreements + problems)
    if report_path:
        Path(report_path).write_text(text + "\n")
    print("\n".join(lines))
    for line in (disagreements + problems)[:40]:
        print("  " + line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
