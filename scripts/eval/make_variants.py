#!/usr/bin/env python3
"""The second evaluation set: the variations the border meets, built with other tools.

The first set (make_persons.py) romanises with cyrtranslit, transliterate and unidecode. This
one uses tools and conventions that neither it nor the engine uses:
  - Chinese: pypinyin, pinyin in the records, Wade-Giles in the queries (Taiwanese passports:
    apostrophes and umlauts dropped, the given name hyphenated or joined).
  - Japanese: pykakasi, passport Hepburn in the records (long vowels dropped), Kunrei-shiki in
    the queries (long vowels written ou, uu).
  - Korean: korean-romanizer (Revised Romanization) in the records; the queries in
    McCune-Reischauer (this file's own table, from the 1939 system's published tables,
    apostrophes and breves dropped as passports do) with the popular surname spellings of
    Korean passports (Lee, Park, Choi, Jung ...).
  - Thai: pythainlp's RTGS (royin) in the records; the queries in the common spellings of Thai
    passports (porn, ee, oo, v, dropped h, final d ...).
  - Arabic: the common passport spellings of frequent name parts in the records (a list below);
    the queries as a machine transliteration (unidecode of the Arabic script).
  - Spacing: parts joined or split (Xiaoming/Xiao Ming, Abdulrahman/Abdul Rahman).
  - Typing errors on a QWERTY keyboard: a neighbouring key, a doubled or dropped letter, two
    letters swapped, anywhere in the name (the first letter too).
Writes persons.jsonl and queries.jsonl in the format of make_persons.py.
Usage: make_variants.py OUT_DIR [--persons 20000] [--queries 10000] [--seed 11]
"""
import argparse
import datetime
import json
import os
import random
import unicodedata

import pykakasi
from faker import Faker
from korean_romanizer.romanizer import Romanizer
from pypinyin import Style, lazy_pinyin
from pythainlp.transliterate import romanize as thai_romanize
from unidecode import unidecode

LATIN = [("en_US", "USA"), ("de_DE", "DEU"), ("fr_FR", "FRA"), ("es_ES", "ESP"),
         ("pl_PL", "POL"), ("tr_TR", "TUR"), ("vi_VN", "VNM"), ("it_IT", "ITA"),
         ("nl_NL", "NLD"), ("pt_BR", "BRA")]

# Frequent Arabic name parts: the script, then common Latin spellings on passports.
ARABIC_GIVEN = [
    ("محمد", "Mohammed Muhammad Mohamed Mohammad"), ("أحمد", "Ahmed Ahmad"),
    ("علي", "Ali"), ("حسن", "Hassan Hasan"), ("حسين", "Hussein Hussain Husein"),
    ("خالد", "Khaled Khalid"), ("يوسف", "Youssef Yousef Yusuf"), ("عمر", "Omar Umar"),
    ("إبراهيم", "Ibrahim Ebrahim"), ("محمود", "Mahmoud Mahmud"),
    ("مصطفى", "Mustafa Moustafa Mostafa"), ("عبدالله", "Abdullah Abdallah"),
    ("عبدالرحمن", "Abdulrahman Abdelrahman Abdurrahman"), ("سعيد", "Saeed Said Saied"),
    ("كريم", "Karim Kareem"), ("طارق", "Tarek Tariq Tarik"), ("ياسر", "Yasser Yasir"),
    ("سامي", "Sami Samy"), ("رشيد", "Rachid Rashid"), ("جمال", "Jamal Gamal"),
    ("فاطمة", "Fatima Fatma Fatemeh"), ("عائشة", "Aisha Aicha Ayesha"),
    ("مريم", "Maryam Mariam Meryem"), ("زينب", "Zainab Zeinab Zaynab"),
    ("خديجة", "Khadija Khadidja Khadijah"), ("نور", "Nour Noor Nur"),
    ("ليلى", "Leila Layla Laila"), ("سارة", "Sara Sarah"), ("هدى", "Huda Hoda"),
    ("أمينة", "Amina Aminah"), ("يحيى", "Yahya Yehia"), ("عثمان", "Othman Osman Uthman"),
    ("صالح", "Saleh Salih"), ("ناصر", "Nasser Nasir"), ("فيصل", "Faisal Faysal"),
    ("منصور", "Mansour Mansur"), ("وليد", "Walid Waleed"), ("هشام", "Hisham Hicham"),
]
ARABIC_FAMILY = [
    ("الحسيني", "Al-Husseini Alhusseini El_Husseini"), ("المصري", "Al-Masri El-Masry Almasri"),
    ("حداد", "Haddad"), ("الخطيب", "Al-Khatib Elkhatib"), ("النجار", "Al-Najjar Alnajjar"),
    ("عبدالله", "Abdullah Abdallah"), ("الشامي", "Al-Shami Elshamy"),
    ("حمدان", "Hamdan"), ("العلي", "Al-Ali Alali"), ("منصور", "Mansour Mansur"),
    ("صالح", "Saleh Salih"), ("يوسف", "Youssef Yousef Yusuf"), ("قاسم", "Qasim Kassem Kasim"),
    ("عيسى", "Issa Eissa Isa"), ("سليمان", "Suleiman Sulaiman Soliman"),
    ("الزهراني", "Al-Zahrani Alzahrani"), ("العتيبي", "Al-Otaibi Alotaibi"),
    ("بنعلي", "Benali Ben_Ali"), ("التميمي", "Al-Tamimi Altamimi"), ("جابر", "Jaber Jabir"),
]

# McCune-Reischauer, as passports print it (no breve, no apostrophe).
MR_INITIAL = ["k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch",
              "ch", "k", "t", "p", "h"]
MR_VOWEL = ["a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u",
            "wo", "we", "wi", "yu", "u", "ui", "i"]
MR_FINAL = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l",
            "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"]
VOICED_AFTER = set("aeiouylmn")  # k, t, p, ch are voiced (g, d, b, j) after these
KOREAN_SURNAMES = {
    "이": "Lee Yi Rhee", "박": "Park Pak Bak", "최": "Choi Choe", "정": "Jung Chung Jeong",
    "김": "Kim", "강": "Kang", "조": "Cho Jo", "윤": "Yoon Yun", "장": "Jang Chang",
    "임": "Lim Im", "한": "Han", "오": "Oh", "서": "Seo Suh", "신": "Shin", "권": "Kwon",
    "황": "Hwang", "안": "Ahn An", "송": "Song", "류": "Ryu Yoo", "전": "Jeon Chun",
    "홍": "Hong", "고": "Ko Koh", "문": "Moon Mun", "양": "Yang", "손": "Son Sohn",
    "배": "Bae Pae", "백": "Baek Paik", "허": "Heo Huh Hur", "유": "Yoo Yu", "남": "Nam",
    "심": "Shim Sim", "노": "Noh Roh", "하": "Ha", "곽": "Kwak", "성": "Sung Seong",
    "차": "Cha", "주": "Joo Ju", "우": "Woo", "구": "Koo Ku", "민": "Min", "진": "Jin Chin",
    "지": "Ji Chi", "엄": "Um Eom", "채": "Chae", "원": "Won", "천": "Chun Cheon",
    "방": "Bang", "공": "Kong", "현": "Hyun", "함": "Ham", "변": "Byun Pyun", "염": "Yeom Yum",
}

QWERTY = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def neighbours(c):
    for r, row in enumerate(QWERTY):
        if c in row:
            i = row.index(c)
            near = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(QWERTY):
                    near += [QWERTY[other][j] for j in (i - 1, i) if 0 <= j < len(QWERTY[other])]
            return near
    return list("aeiou")


def keyboard_typo(rng, name):
    """One typing error anywhere in the name (letters only)."""
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 4:
        return None
    # The first letter of a part is hit less often than the rest, but it is hit.
    i = rng.choice(letters)
    c = name[i].lower()
    op = rng.choices(["near", "double", "drop", "swap"], [0.55, 0.15, 0.15, 0.15])[0]
    if op == "near":
        n = rng.choice(neighbours(c))
        return name[:i] + (n.upper() if name[i].isupper() else n) + name[i + 1:]
    if op == "double":
        return name[:i] + name[i] + name[i:]
    if op == "drop":
        return name[:i] + name[i + 1:]
    if i + 1 < len(name) and name[i + 1].isalpha():
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return None


def korean_mr(word):
    out = []
    previous = ""
    for ch in word:
        code = ord(ch) - 0xAC00
        if not 0 <= code < 11172:
            continue
        initial, vowel, final = code // 588, (code % 588) // 28, code % 28
        ini = MR_INITIAL[initial]
        voiced = previous and previous[-1] in VOICED_AFTER
        if voiced and ini in ("k", "t", "p", "ch"):
            ini = {"k": "g", "t": "d", "p": "b", "ch": "j"}[ini]
        if ini == "r" and not previous:
            ini = "n" if MR_VOWEL[vowel] not in ("i", "ya", "yo", "yu", "ye") else ""
        if ini == "s" and MR_VOWEL[vowel] in ("i", "wi"):
            ini = "sh"
        syllable = ini + MR_VOWEL[vowel] + MR_FINAL[final]
        out.append(syllable)
        previous = syllable
    return "".join(out)


def korean_popular(rng, syllables_rr):
    """Common passport spellings of Korean given names, from Revised Romanization."""
    out = []
    for s in syllables_rr:
        for a, b, p in [("eo", "u", 0.5), ("eo", "o", 0.3), ("eu", "u", 0.5), ("u", "oo", 0.4),
                        ("i", "ee", 0.3), ("yeong", "young", 0.7), ("jeong", "jung", 0.7),
                        ("ae", "ai", 0.2)]:
            if s.endswith(a) or (a in s and len(a) > 1):
                if rng.random() < p:
                    s = s.replace(a, b, 1)
                    break
        out.append(s)
    return out


THAI_POPULAR = [("phon", "porn", 0.7), ("phorn", "porn", 0.5), ("ph", "p", 0.4), ("th", "t", 0.3),
                ("kh", "k", 0.3), ("i", "ee", 0.2), ("u", "oo", 0.2), ("w", "v", 0.3),
                ("ai", "ay", 0.2), ("chai", "chay", 0.1), ("at", "ad", 0.2), ("oe", "er", 0.6),
                ("ue", "eu", 0.4), ("ao", "ow", 0.2), ("ch", "j", 0.15), ("ong", "ongse", 0.15)]


def thai_popular(rng, word):
    w = word
    changed = False
    for a, b, p in THAI_POPULAR:
        if a in w and rng.random() < p:
            w = w.replace(a, b, 1)
            changed = True
    if not changed:
        for a, b, _ in THAI_POPULAR:
            if a in w:
                return w.replace(a, b, 1)
    return w


def titled(text):
    return " ".join(p[:1].upper() + p[1:] for p in text.split())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--persons", type=int, default=20000)
    ap.add_argument("--queries", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    fakers = {}
    for locale in ["zh_CN", "ko_KR", "ja_JP", "th_TH"] + [l for l, _ in LATIN]:
        f = Faker(locale)
        f.seed_instance(args.seed + len(fakers))
        fakers[locale] = f
    kakasi = pykakasi.kakasi()

    def kana(text, style):
        return "".join(item[style] for item in kakasi.convert(text))

    def new_person(i):
        group = rng.choices(["zh", "ko", "ja", "th", "ar", "latin"], [2, 2, 2, 2, 2, 3])[0]
        sex = rng.choice("MF")
        born = datetime.date(1945, 1, 1) + datetime.timedelta(days=rng.randrange(0, 60 * 365))
        p = {"pid": f"V{i:07d}", "group": group, "sex": sex, "born": born}
        if group == "zh":
            f = fakers["zh_CN"]
            family, given = f.last_name(), (f.first_name_male() if sex == "M" else f.first_name_female())
            py_f = "".join(lazy_pinyin(family))
            py_g = "".join(lazy_pinyin(given))
            wg = lambda t: [unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().replace("'", "").replace("v", "u") for s in lazy_pinyin(t, style=Style.WADEGILES)]
            p.update(country="CHN", native=family + given, record=titled(f"{py_f} {py_g}"),
                     family=[py_f], given=[py_g], zh_g=given, wg_f=wg(family), wg_g=wg(given))
        elif group == "ko":
            f = fakers["ko_KR"]
            family, given = f.last_name(), f.first_name()
            rr_f = Romanizer(family).romanize()
            rr_g_syl = [Romanizer(s).romanize() for s in given]
            p.update(country="KOR", native=family + given,
                     record=titled(f"{rr_f} {''.join(rr_g_syl)}"), family=[rr_f],
                     given=["".join(rr_g_syl)], ko_f=family, ko_g=given, rr_syl=rr_g_syl)
        elif group == "ja":
            f = fakers["ja_JP"]
            family, given = f.last_name(), (f.first_name_male() if sex == "M" else f.first_name_female())
            hep_f, hep_g = kana(family, "passport"), kana(given, "passport")
            p.update(country="JPN", native=family + given, record=titled(f"{hep_f} {hep_g}"),
                     family=[hep_f], given=[hep_g], ku_f=kana(family, "kunrei"), ku_g=kana(given, "kunrei"))
        elif group == "th":
            f = fakers["th_TH"]
            given, family = (f.first_name_male() if sex == "M" else f.first_name_female()), f.last_name()
            rg, rf = thai_romanize(given, engine="royin"), thai_romanize(family, engine="royin")
            if not (rg.isascii() and rf.isascii() and rg.isalpha() and rf.isalpha()):
                return new_person(i)
            p.update(country="THA", native=f"{given} {family}", record=titled(f"{rg} {rf}"),
                     family=[rf], given=[rg])
        elif group == "ar":
            g = rng.choice(ARABIC_GIVEN)
            father = rng.choice(ARABIC_GIVEN)
            fam = rng.choice(ARABIC_FAMILY)
            spell = lambda entry: rng.choice(entry[1].split()).replace("_", " ")
            parts = [spell(g), spell(father), spell(fam)]
            p.update(country=rng.choice(["EGY", "JOR", "SYR", "IRQ", "SAU", "MAR"]),
                     native=f"{g[0]} {father[0]} {fam[0]}", record=" ".join(parts),
                     family=[parts[2]], given=parts[:2])
        else:
            locale, country = rng.choice(LATIN)
            f = fakers[locale]
            given = f.first_name_male() if sex == "M" else f.first_name_female()
            family = f.last_name()
            p.update(country=country, native=f"{given} {family}", record=f"{given} {family}",
                     family=family.split(), given=given.split())
        return p

    people = [new_person(i) for i in range(args.persons)]
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "persons.jsonl"), "w", encoding="utf-8") as out:
        for p in people:
            names = [{"full": p["record"]}]
            if p["group"] != "latin" and rng.random() < 0.3:
                names.append({"full": p["native"], "kind": "alias"})
            out.write(json.dumps({
                "id": p["pid"], "names": names, "birth_date": p["born"].isoformat(),
                "nationality": p["country"], "sex": p["sex"], "reported_date": "2026-01-10",
            }, ensure_ascii=False) + "\n")

    def romanised_other(p):
        """The person's name in the other system of their script, and the kind's label."""
        g = p["group"]
        if g == "zh":
            given = p["wg_g"]
            joined = "-".join(given) if rng.random() < 0.6 else "".join(given)
            if rng.random() < 0.3:
                joined = " ".join(given)
            return titled(f"{''.join(p['wg_f'])} {joined}"), "chinese_wade_giles"
        if g == "ko":
            surname = KOREAN_SURNAMES.get(p["ko_f"])
            fam = rng.choice(surname.split()) if surname and rng.random() < 0.8 else korean_mr(p["ko_f"])
            if rng.random() < 0.5:
                given = korean_mr(p["ko_g"])
            else:
                given = "-".join(korean_popular(rng, p["rr_syl"]))
            return titled(f"{fam} {given}"), "korean_mr_popular"
        if g == "ja":
            return titled(f"{p['ku_f']} {p['ku_g']}"), "japanese_kunrei"
        if g == "th":
            return titled(" ".join(thai_popular(rng, w) for w in [p["given"][0], p["family"][0]])), "thai_other_system"
        if g == "ar":
            return unidecode(p["native"]), "arabic_machine"
        return None, None

    def respaced(p):
        parts = p["record"].split()
        if p["group"] == "zh":
            syl = lazy_pinyin(p["zh_g"])
            return titled(f"{p['family'][0]} {' '.join(syl)}") if len(syl) > 1 else None
        if p["group"] == "ko":
            return titled(f"{p['family'][0]} {' '.join(p['rr_syl'])}") if len(p["rr_syl"]) > 1 else None
        if len(parts) >= 2:
            i = rng.randrange(len(parts) - 1)
            return " ".join(parts[:i] + [parts[i] + parts[i + 1].lower()] + parts[i + 2:])
        return None

    positives = ["exact", "one_typo", "two_typos", "spacing", "romanisation", "combined",
                 "swapped_order"]
    negatives = ["absent", "same_name_other_birth", "same_family_other_person"]
    with open(os.path.join(args.out, "queries.jsonl"), "w", encoding="utf-8") as out:
        q = 0
        while q < args.queries:
            positive = rng.random() < 0.7
            kind = rng.choices(positives, [1, 2, 2, 2, 5, 2, 1])[0] if positive else rng.choice(negatives)
            p = rng.choice(people)
            name, born, expected = p["record"], p["born"], p["pid"]
            if kind == "one_typo":
                name = keyboard_typo(rng, name)
            elif kind == "two_typos":
                name = keyboard_typo(rng, name)
                name = name and keyboard_typo(rng, name)
            elif kind == "spacing":
                name = respaced(p)
            elif kind == "romanisation":
                name, kind = romanised_other(p)
            elif kind == "combined":
                other, _ = romanised_other(p)
                base = other or respaced(p) or name
                parts = base.split()
                if rng.random() < 0.5 and len(parts) > 1:
                    base = " ".join(parts[1:] + parts[:1])
                name = keyboard_typo(rng, base)
            elif kind == "swapped_order":
                parts = name.split()
                name = " ".join(parts[1:] + parts[:1])
            elif kind == "absent":
                other = new_person(10_000_000 + q)
                name, born, expected, p = other["record"], other["born"], None, other
            elif kind == "same_family_other_person":
                other = new_person(20_000_000 + q)
                if other["group"] != p["group"] or other["given"] == p["given"]:
                    continue
                name = " ".join(other["given"] + p["family"]) if p["group"] not in ("zh", "ko", "ja") else " ".join(p["family"] + other["given"])
                born, expected = other["born"], None
            elif kind == "same_name_other_birth":
                try:
                    born = born.replace(year=born.year + rng.choice([-1, 1]) * rng.randrange(6, 30))
                except ValueError:
                    continue
                expected = None
            if not name or (kind != "exact" and expected and name == p["record"]):
                continue
            out.write(json.dumps({
                "qid": f"Q{q:06d}", "name": name, "birth_date": born.isoformat(),
                "nationality": p["country"], "sex": p["sex"], "kind": kind, "expected": expected,
            }, ensure_ascii=False) + "\n")
            q += 1


if __name__ == "__main__":
    main()
