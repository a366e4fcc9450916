//! Reads an `assess --format json` document for `compare`, keeping of each commitment only what
//! is compared ([`Entry`]) as it is read, so that the document's results are never all held at
//! once: reading takes the file's size and the kept entries, where a JSON tree and the whole
//! results took several times the file's size (a 143 MB file: 1.6 GB).
//!
//! [`read`] gives an assessment only when reading the document whole, as a JSON value and then
//! as [`Results`](crate::results::Results), would have given the same: anything else (a syntax
//! error, another schema version, a field of the wrong type) is left to that whole reading,
//! which says what is wrong exactly as it always has.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Assessed, Entry, Labels};
use crate::results::{CommitmentOut, EvaluatorInfo, PlanInfo, RubricInfo, SCHEMA_VERSION, Summary};

/// The assessment in `bytes`, when they are a well-formed assessment document of this schema
/// version; `None` otherwise (read them whole to say why).
pub fn read(bytes: &[u8]) -> Option<Assessed> {
    // First what reading a JSON value checks (syntax, UTF-8, escapes, numbers, nesting), on
    // every byte, ignored fields included, without building the value.
    serde_json::from_slice::<Valid>(bytes).ok()?;
    serde_json::from_slice::<Document>(bytes).ok().map(|d| d.0)
}

/// Any JSON value, checked as `serde_json::Value` checks it, and dropped.
struct Valid;

impl<'de> Deserialize<'de> for Valid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValidVisitor)
    }
}

struct ValidVisitor;

impl<'de> Visitor<'de> for ValidVisitor {
    type Value = Valid;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Valid, E> {
        Ok(Valid)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Valid, E> {
        Ok(Valid)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Valid, E> {
        Ok(Valid)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Valid, E> {
        Ok(Valid)
    }

    fn visit_str<E>(self, _: &str) -> Result<Valid, E> {
        Ok(Valid)
    }

    fn visit_unit<E>(self) -> Result<Valid, E> {
        Ok(Valid)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Valid, A::Error> {
        while seq.next_element::<Valid>()?.is_some() {}
        Ok(Valid)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Valid, A::Error> {
        while map.next_entry::<Valid, Valid>()?.is_some() {}
        Ok(Valid)
    }
}

/// The document, read as [`Results`](crate::results::Results) is (every field required and of
/// its type, other fields ignored), each commitment kept as an [`Entry`]. A field given twice
/// is refused here (a JSON value keeps the last), so that such a file is read whole.
struct Document(Assessed);

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(DocumentVisitor)
    }
}

struct DocumentVisitor;

fn once<T, E: de::Error>(slot: &mut Option<T>, value: T, field: &'static str) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(field));
    }
    *slot = Some(value);
    Ok(())
}

fn given<T, E: de::Error>(slot: Option<T>, field: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(field))
}

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an assessment document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut version: Option<u32> = None;
        let mut generator: Option<String> = None;
        let mut plan: Option<PlanInfo> = None;
        let mut rubric: Option<RubricInfo> = None;
        let mut as_of: Option<String> = None;
        let mut evaluators: Option<Vec<EvaluatorInfo>> = None;
        let mut commitments: Option<(Vec<Entry>, Labels)> = None;
        let mut summary: Option<Summary> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "schema_version" => once(&mut version, map.next_value()?, "schema_version")?,
                "generator" => once(&mut generator, map.next_value()?, "generator")?,
                "plan" => once(&mut plan, map.next_value()?, "plan")?,
                "rubric" => once(&mut rubric, map.next_value()?, "rubric")?,
                "as_of" => once(&mut as_of, map.next_value()?, "as_of")?,
                "evaluators" => once(&mut evaluators, map.next_value()?, "evaluators")?,
                "commitments" => once(
                    &mut commitments,
                    map.next_value_seed(Commitments)?,
                    "commitments",
                )?,
                "summary" => once(&mut summary, map.next_value()?, "summary")?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if given(version, "schema_version")? != SCHEMA_VERSION {
            return Err(de::Error::custom("another schema version"));
        }
        given(generator, "generator")?;
        given(summary, "summary")?;
        let plan = given(plan, "plan")?;
        let (commitments, labels) = given(commitments, "commitments")?;
        Ok(Document(Assessed {
            country: plan.country,
            title: plan.title,
            rubric: given(rubric, "rubric")?,
            as_of: given(as_of, "as_of")?,
            evaluators: given(evaluators, "evaluators")?,
            commitments,
            labels,
        }))
    }
}

/// The `commitments` array: each commitment read whole, kept as an [`Entry`] and freed.
struct Commitments;

impl<'de> DeserializeSeed<'de> for Commitments {
    type Value = (Vec<Entry>, Labels);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Commitments {
    type Value = (Vec<Entry>, Labels);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of commitments")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut labels = Labels::default();
        let mut entries = Vec::new();
        while let Some(c) = seq.next_element::<CommitmentOut>()? {
            entries.push(Entry::of(c, &mut labels));
        }
        Ok((entries, labels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Detail, Results, build};

    fn built(dir: &str, detail: Detail) -> Results {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let selection = crate::load::Selection {
            dir: root.join(dir),
            notes: true,
            ..crate::load::Selection::default()
        };
        let mut report = crate::diag::Report::new();
        let inputs = crate::load::load(&selection, &mut report).expect(dir);
        let as_of = inputs
            .plan
            .settings
            .as_of
            .unwrap_or(jiff::civil::date(2018, 6, 30));
        let assessment = crate::assess::assess(&inputs.plan, &inputs.rubric, &inputs.scores, as_of);
        build(&inputs, &assessment, detail)
    }

    /// The document read whole, as `compare` read every document before.
    fn read_whole(json: &[u8]) -> Assessed {
        let value: serde_json::Value = serde_json::from_slice(json).unwrap();
        Assessed::of(serde_json::from_value(value).unwrap())
    }

    /// A document read as it streams compares as the same document read whole: on
    /// the same rubric, on different rubrics (by completion, with reference evaluators), with
    /// and without each evaluator's levels and notes.
    #[test]
    fn a_document_read_as_it_streams_compares_as_its_results() {
        let dirs = [
            "samples/mongolia-2016-2018",
            "samples/mongolia-irm-legacy",
            "tests/fixtures/worked-example",
        ];
        for detail in [Detail::Combined, Detail::Evaluators] {
            let results: Vec<Results> = dirs.iter().map(|d| built(d, detail)).collect();
            let json: Vec<Vec<u8>> = results
                .iter()
                .map(|r| crate::render::json::pretty(r).unwrap().into_bytes())
                .collect();
            for (i, j) in [(0, 0), (0, 1), (1, 0), (2, 2)] {
                let streamed = crate::compare::compare(
                    read(&json[i]).expect(dirs[i]),
                    "a",
                    read(&json[j]).expect(dirs[j]),
                    "b",
                );
                let whole =
                    crate::compare::compare(read_whole(&json[i]), "a", read_whole(&json[j]), "b");
                assert_eq!(streamed, whole, "{} against {}", dirs[i], dirs[j]);
                assert!(whole.unwrap().summary.compared > 0);
            }
        }
    }

    /// Whatever reading the document whole would refuse, or read otherwise, is left to it.
    #[test]
    fn what_is_not_a_well_formed_document_is_left_to_the_whole_reading() {
        let json =
            crate::render::json::pretty(&built("samples/mongolia-2016-2018", Detail::Combined))
                .unwrap();
        assert!(read(json.as_bytes()).is_some());
        let first = "\"schema_version\": 1,";
        assert!(json.contains(first));
        let with = |extra: &str| json.replacen(first, &format!("{first} {extra}"), 1);
        let deep = format!("\"x\": {}{},", "[".repeat(200), "]".repeat(200));
        for bad in [
            json.replacen(first, "\"schema_version\": 2,", 1),
            with("\"schema_version\": 1,"),
            with("\"as_of\": \"2019-01-01\","),
            with(&deep),
            with("\"x\": \"\\ud800\","),
            with("\"x\": 1e999,"),
            json.replacen("\"summary\"", "\"summary_\"", 1),
            format!("{json} x"),
            "[1, 2]".to_string(),
        ] {
            assert!(read(bad.as_bytes()).is_none(), "{}", &bad[..80]);
        }
        // What the whole reading accepts and ignores is ignored here too.
        assert!(read(with("\"x\": {\"y\": [1, \"z\"]},").as_bytes()).is_some());
    }
}
