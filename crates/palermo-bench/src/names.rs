//! `palermo-bench names`: pairwise name scoring on a labelled set of name pairs (by default the
//! nomenklatura name bench in `../shared/benchmarks/names/`): precision, recall and F1 at a
//! threshold, per schema and per category, the best threshold, and time per pair.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use palermo_names::{Name, compare};

struct Case {
    schema: String,
    category: String,
    name1: String,
    name2: String,
    is_match: bool,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    tp: u32,
    fp: u32,
    tn: u32,
    fn_: u32,
}

impl Tally {
    fn add(&mut self, predicted: bool, actual: bool) {
        match (predicted, actual) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, false) => self.tn += 1,
            (false, true) => self.fn_ += 1,
        }
    }

    fn precision(&self) -> f64 {
        let p = self.tp + self.fp;
        if p == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(p)
        }
    }

    fn recall(&self) -> f64 {
        let a = self.tp + self.fn_;
        if a == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(a)
        }
    }

    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    fn row(&self, label: &str) -> String {
        format!(
            "| {label} | {} | {:.3} | {:.3} | {:.3} |",
            self.tp + self.fp + self.tn + self.fn_,
            self.precision(),
            self.recall(),
            self.f1()
        )
    }
}

fn read_cases(path: &Path) -> anyhow::Result<Vec<Case>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{} has no column {name}", path.display()))
    };
    let (schema, name1, name2, is_match, category) = (
        column("schema")?,
        column("name1")?,
        column("name2")?,
        column("is_match")?,
        column("category")?,
    );
    let mut cases = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("line {}", line + 2))?;
        let field = |i: usize| record.get(i).unwrap_or_default().to_owned();
        cases.push(Case {
            schema: field(schema),
            category: field(category),
            name1: field(name1),
            name2: field(name2),
            is_match: field(is_match).eq_ignore_ascii_case("true"),
        });
    }
    Ok(cases)
}

pub fn run(path: &Path, threshold: f64) -> anyhow::Result<()> {
    let cases = read_cases(path)?;
    let started = Instant::now();
    let scores: Vec<f64> = cases
        .iter()
        .map(|case| compare(&Name::parse(&case.name1), &Name::parse(&case.name2)).0)
        .collect();
    let per_pair_us = started.elapsed().as_secs_f64() * 1e6 / cases.len().max(1) as f64;
    println!(
        "# {} pairs from {}; {:.1} µs per pair (parse both names and score, one core)",
        cases.len(),
        path.display(),
        per_pair_us
    );
    println!("\n## At threshold {threshold:.2}\n");
    println!("| subset | pairs | precision | recall | F1 |\n|---|---|---|---|---|");
    let mut all = Tally::default();
    let mut by_schema: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut by_category: BTreeMap<&str, Tally> = BTreeMap::new();
    for (case, score) in cases.iter().zip(&scores) {
        let predicted = *score >= threshold;
        all.add(predicted, case.is_match);
        by_schema
            .entry(case.schema.as_str())
            .or_default()
            .add(predicted, case.is_match);
        if case.schema == "Person" {
            let category = if case.category.is_empty() {
                "(none)"
            } else {
                case.category.as_str()
            };
            by_category
                .entry(category)
                .or_default()
                .add(predicted, case.is_match);
        }
    }
    println!("{}", all.row("all"));
    for (schema, tally) in &by_schema {
        println!("{}", tally.row(schema));
    }
    println!("\n## Persons by category (at {threshold:.2})\n");
    println!("| category | pairs | precision | recall | F1 |\n|---|---|---|---|---|");
    for (category, tally) in &by_category {
        if tally.tp + tally.fp + tally.tn + tally.fn_ >= 5 {
            println!("{}", tally.row(category));
        }
    }
    println!("\n## F1 by threshold (all pairs; persons only)\n");
    println!("| threshold | F1 all | F1 persons |\n|---|---|---|");
    for step in 10..=19 {
        let t = f64::from(step) * 0.05;
        let mut all = Tally::default();
        let mut persons = Tally::default();
        for (case, score) in cases.iter().zip(&scores) {
            all.add(*score >= t, case.is_match);
            if case.schema == "Person" {
                persons.add(*score >= t, case.is_match);
            }
        }
        println!("| {t:.2} | {:.3} | {:.3} |", all.f1(), persons.f1());
    }
    Ok(())
}

/// Prints the pairs scored on the wrong side of `threshold` (for study).
pub fn errors(path: &Path, threshold: f64) -> anyhow::Result<()> {
    for case in read_cases(path)? {
        let (score, why) = compare(&Name::parse(&case.name1), &Name::parse(&case.name2));
        if (score >= threshold) != case.is_match {
            println!(
                "{} {:.2} {} | {} | {} | {:?} q-{:?} c-{:?}",
                if case.is_match { "FN" } else { "FP" },
                score,
                case.schema,
                case.name1,
                case.name2,
                why.aligned
                    .iter()
                    .map(|a| format!("{}={}:{}", a.query, a.candidate, a.how.as_str()))
                    .collect::<Vec<_>>(),
                why.query_unmatched,
                why.candidate_unmatched
            );
        }
    }
    Ok(())
}
