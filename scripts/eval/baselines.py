#!/usr/bin/env python3
"""Runs the baselines on the evaluation set of make_persons.py, brute force over every person,
with the same metrics as `palermo-bench screen-eval`:
  - rapidfuzz token_sort_ratio over unidecode'd names;
  - Jaro-Winkler (rapidfuzz's implementation) over unidecode'd names;
each on names alone, and with a birth-date rule (a candidate whose birth year differs from the
query's by more than one is dropped); and with --nomenklatura, the OpenSanctions matcher
(nomenklatura logic-v2, with names, birth dates and nationalities) re-ranking the rapidfuzz
top 30, as yente does after its search. Prints one Markdown row per baseline and threshold.
Usage: baselines.py DIR [--limit N] [--nomenklatura]   (N queries, default all)
"""
import argparse
import json
import os
import time

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler
from unidecode import unidecode


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def norm(text):
    return " ".join(unidecode(text).lower().replace("-", " ").split())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--nomenklatura", action="store_true")
    args = ap.parse_args()
    persons = load(os.path.join(args.dir, "persons.jsonl"))
    queries = load(os.path.join(args.dir, "queries.jsonl"))
    if args.limit:
        queries = queries[: args.limit]
    choices, owners, years = [], [], []
    for i, p in enumerate(persons):
        for n in p["names"]:
            choices.append(norm(n["full"]))
            owners.append(i)
            years.append(int(p["birth_date"][:4]))
    owners = np.array(owners)
    years = np.array(years)
    ids = [p["id"] for p in persons]
    qnames = [norm(q["name"]) for q in queries]
    qyears = np.array([int(q["birth_date"][:4]) for q in queries])

    scorers = [
        ("rapidfuzz token_sort_ratio", fuzz.token_sort_ratio, 1.0),
        ("Jaro-Winkler", JaroWinkler.normalized_similarity, 100.0),
    ]
    print("| baseline | rule | threshold | recall@1 | recall@10 | precision | recall | ms/query |")
    print("|---|---|---|---|---|---|---|---|")
    if args.nomenklatura:
        nomenklatura_rerank(persons, queries, qnames, choices, owners, ids)
        return
    for label, scorer, scale in scorers:
        started = time.time()
        matrix = process.cdist(qnames, choices, scorer=scorer, workers=1, dtype=np.float32) * scale
        per_query_ms = (time.time() - started) * 1000 / len(queries)
        for rule in ("names only", "birth year ±1"):
            best = []
            for qi in range(len(queries)):
                row = matrix[qi].copy()
                if rule != "names only":
                    row[np.abs(years - qyears[qi]) > 1] = 0
                # Best score per person.
                per_person = np.zeros(len(persons), dtype=np.float32)
                np.maximum.at(per_person, owners, row)
                top = np.argsort(-per_person)[:10]
                best.append((top, per_person[top]))
            for threshold in (70, 80, 85, 90, 95):
                tp = fp = top1 = top10 = positives = 0
                for q, (top, scores) in zip(queries, best):
                    ranked = [ids[i] for i in top]
                    hits = [ids[i] for i, s in zip(top, scores) if s >= threshold]
                    if q["expected"]:
                        positives += 1
                        top1 += ranked[0] == q["expected"]
                        top10 += q["expected"] in ranked
                        if q["expected"] in hits:
                            tp += 1
                        elif hits:
                            fp += 1
                    elif hits:
                        fp += 1
                precision = tp / (tp + fp) if tp + fp else float("nan")
                print(f"| {label} | {rule} | {threshold/100:.2f} | {top1/positives:.3f} | "
                      f"{top10/positives:.3f} | {precision:.3f} | {tp/positives:.3f} | {per_query_ms:.1f} |")


def nomenklatura_rerank(persons, queries, qnames, choices, owners, ids):
    from followthemoney import model
    from nomenklatura.matching import get_algorithm
    from nomenklatura.matching.types import ScoringConfig

    algo = get_algorithm("logic-v2")
    config = ScoringConfig.defaults()

    def entity(key, names, birth, nationality):
        e = model.make_entity("Person")
        e.id = key
        for name in names:
            e.add("name", name)
        e.add("birthDate", birth)
        e.add("nationality", nationality)
        return e

    records = [
        entity(p["id"], [n["full"] for n in p["names"]], p["birth_date"], p.get("nationality"))
        for p in persons
    ]
    started = time.time()
    matrix = process.cdist(qnames, choices, scorer=fuzz.token_sort_ratio, workers=1, dtype=np.float32)
    scored = []
    for qi, q in enumerate(queries):
        per_person = np.zeros(len(persons), dtype=np.float32)
        np.maximum.at(per_person, owners, matrix[qi])
        top = np.argsort(-per_person)[:30]
        probe = entity(f"query-{qi}", [q["name"]], q["birth_date"], q.get("nationality"))
        results = sorted(
            ((algo.compare(probe, records[i], config).score, ids[i]) for i in top),
            reverse=True,
        )
        scored.append(results)
    per_query_ms = (time.time() - started) * 1000 / len(queries)
    for threshold in (0.7, 0.8, 0.9):
        tp = fp = top1 = top10 = positives = 0
        for q, results in zip(queries, scored):
            ranked = [i for _, i in results[:10]]
            hits = [i for s, i in results if s >= threshold]
            if q["expected"]:
                positives += 1
                top1 += bool(ranked) and ranked[0] == q["expected"]
                top10 += q["expected"] in ranked
                if q["expected"] in hits:
                    tp += 1
                elif hits:
                    fp += 1
            elif hits:
                fp += 1
        precision = tp / (tp + fp) if tp + fp else float("nan")
        print(f"| nomenklatura logic-v2 (re-ranking rapidfuzz top 30) | names, birth date, nationality | "
              f"{threshold:.2f} | {top1/positives:.3f} | {top10/positives:.3f} | {precision:.3f} | "
              f"{tp/positives:.3f} | {per_query_ms:.1f} |")


if __name__ == "__main__":
    main()
