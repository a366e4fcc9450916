//! `assess --format json` matches docs/assessment.schema.json.
//!
//! The check uses a small validator written here (no schema crate): it knows exactly the keywords
//! the schema uses, refuses any other, and reports each problem with its path in the document,
//! e.g. `commitments[2].criteria.completion.level: expected string or null, found 3`.

use std::collections::BTreeSet;
use std::fs;

use serde_json::{Map, Value};

use crate::util::{root, run_in};

const SAMPLES: [&str; 2] = ["mongolia-2016-2018", "mongolia-irm-legacy"];

/// Keywords the validator checks.
const ASSERTIONS: [&str; 15] = [
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "prefixItems",
    "minItems",
    "$ref",
    "const",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "anyOf",
    "format",
];

/// Keywords that only annotate (or hold definitions) and are not checked.
const ANNOTATIONS: [&str; 4] = ["$schema", "title", "description", "$defs"];

pub(crate) fn load_schema() -> Value {
    let path = root().join("docs").join("assessment.schema.json");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

/// Runs the real binary: `checkmyogp assess samples/NAME --format json --details`.
fn assess_json(sample: &str) -> Value {
    assess_json_with(sample, true)
}

/// The same, with or without `--details`.
fn assess_json_with(sample: &str, details: bool) -> Value {
    let dir = format!("samples/{sample}");
    let mut args = vec!["assess", dir.as_str(), "--format", "json"];
    if details {
        args.push("--details");
    }
    let run = run_in(&root(), &args);
    assert_eq!(run.code, 0, "assess {sample} failed:\n{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "assess {sample} printed invalid JSON ({e}):\n{}",
            run.stdout
        )
    })
}

/// A path for messages: `(document)` for the root.
fn shown(path: &str) -> &str {
    if path.is_empty() { "(document)" } else { path }
}

/// `path.key`, or `path["key"]` when the key has spaces or punctuation.
fn join_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (plain, path.is_empty()) {
        (true, true) => key.to_string(),
        (true, false) => format!("{path}.{key}"),
        (false, _) => format!("{path}[{}]", Value::from(key)),
    }
}

/// A value in a message: scalars as JSON (long strings cut), containers by kind.
fn describe(value: &Value) -> String {
    match value {
        Value::Object(_) => "an object".into(),
        Value::Array(_) => "an array".into(),
        Value::String(s) if s.chars().count() > 40 => {
            let cut: String = s.chars().take(40).collect();
            format!("{}…", Value::from(cut))
        }
        other => other.to_string(),
    }
}

/// Whether `value` has the JSON Schema type `name`. Stricter than JSON Schema for `integer`:
/// `2.0` is not one, so that a count turning into a float is caught.
fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        other => panic!("the schema uses an unknown type `{other}`"),
    }
}

/// `YYYY-MM-DD`, with a plausible month and day.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) {
        return false;
    }
    if !digits(5..7) || !digits(8..10) {
        return false;
    }
    let month: u32 = s[5..7].parse().unwrap_or(0);
    let day: u32 = s[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// A number for messages, as JSON writes it.
fn number(v: &Value) -> String {
    v.to_string()
}

struct Validator<'s> {
    root: &'s Value,
    /// Also require the properties of fixed-shape objects in the schema's order.
    check_order: bool,
    errors: Vec<String>,
    /// The `$defs` entries a valid document went through.
    used_defs: BTreeSet<String>,
}

impl<'s> Validator<'s> {
    fn new(root: &'s Value) -> Self {
        Validator {
            root,
            check_order: false,
            errors: Vec::new(),
            used_defs: BTreeSet::new(),
        }
    }

    fn fail(&mut self, path: &str, message: impl AsRef<str>) {
        self.errors
            .push(format!("{}: {}", shown(path), message.as_ref()));
    }

    fn lookup(&self, reference: &str) -> &'s Value {
        let root: &'s Value = self.root;
        let name = reference
            .strip_prefix("#/$defs/")
            .unwrap_or_else(|| panic!("unsupported $ref `{reference}`: only #/$defs/NAME"));
        root.get("$defs")
            .and_then(|d| d.get(name))
            .unwrap_or_else(|| panic!("$ref `{reference}` points to nothing"))
    }

    /// The types a schema accepts at its top level (following `$ref`), for messages.
    fn top_types(&self, schema: &'s Value) -> Vec<String> {
        if let Some(t) = schema.get("type") {
            return type_names(t);
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            return self.top_types(self.lookup(r));
        }
        if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            return branches.iter().flat_map(|b| self.top_types(b)).collect();
        }
        vec!["anything".into()]
    }

    fn check(&mut self, schema: &'s Value, value: &Value, path: &str) {
        let schema: &'s Map<String, Value> = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => return self.fail(path, "not allowed here"),
            Value::Object(m) => m,
            other => panic!("the schema for {} is not a schema: {other}", shown(path)),
        };
        for key in schema.keys() {
            assert!(
                ASSERTIONS.contains(&key.as_str()) || ANNOTATIONS.contains(&key.as_str()),
                "the schema for {} uses `{key}`, which this validator does not check",
                shown(path)
            );
        }
        if let Some(r) = schema.get("$ref") {
            let r = r.as_str().expect("$ref is a string");
            let name = r.trim_start_matches("#/$defs/").to_string();
            let target = self.lookup(r);
            let before = self.errors.len();
            self.check(target, value, path);
            if self.errors.len() == before {
                self.used_defs.insert(name);
            }
        }
        if let Some(t) = schema.get("type") {
            let names = type_names(t);
            if !names.iter().any(|n| has_type(value, n)) {
                return self.fail(
                    path,
                    format!("expected {}, found {}", names.join(" or "), describe(value)),
                );
            }
        }
        if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            self.any_of(branches, value, path);
        }
        if let Some(c) = schema.get("const")
            && value != c
        {
            self.fail(path, format!("expected {c}, found {}", describe(value)));
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array)
            && !options.contains(value)
        {
            let list: Vec<String> = options.iter().map(Value::to_string).collect();
            self.fail(
                path,
                format!(
                    "expected one of {}, found {}",
                    list.join(", "),
                    describe(value)
                ),
            );
        }
        if let Some(x) = value.as_f64() {
            self.bounds(schema, x, value, path);
        }
        if let (Some(format), Value::String(s)) = (schema.get("format"), value) {
            assert_eq!(format, "date", "only the `date` format is supported");
            if !is_date(s) {
                self.fail(
                    path,
                    format!("expected a date (YYYY-MM-DD), found {}", describe(value)),
                );
            }
        }
        match value {
            Value::Object(object) => self.object(schema, object, path),
            Value::Array(items) => self.array(schema, items, path),
            _ => {}
        }
    }

    fn bounds(&mut self, schema: &Map<String, Value>, x: f64, value: &Value, path: &str) {
        let limit = |k: &str| schema.get(k).filter(|v| v.is_number());
        if let Some(min) = limit("minimum")
            && x < min.as_f64().unwrap_or(f64::NAN)
        {
            self.fail(
                path,
                format!("{} is below the minimum {}", number(value), number(min)),
            );
        }
        if let Some(max) = limit("maximum")
            && x > max.as_f64().unwrap_or(f64::NAN)
        {
            self.fail(
                path,
                format!("{} is above the maximum {}", number(value), number(max)),
            );
        }
        if let Some(min) = limit("exclusiveMinimum")
            && x <= min.as_f64().unwrap_or(f64::NAN)
        {
            self.fail(
                path,
                format!(
                    "expected more than {}, found {}",
                    number(min),
                    number(value)
                ),
            );
        }
    }

    /// Valid when one branch is; otherwise reports the errors of the only branch of the
    /// value's type, or else what types were expected.
    fn any_of(&mut self, branches: &'s [Value], value: &Value, path: &str) {
        let mut failed = Vec::new();
        for branch in branches {
            let mut sub = Validator {
                root: self.root,
                check_order: self.check_order,
                errors: Vec::new(),
                used_defs: BTreeSet::new(),
            };
            sub.check(branch, value, path);
            if sub.errors.is_empty() {
                self.used_defs.extend(sub.used_defs);
                return;
            }
            failed.push((self.top_types(branch), sub.errors));
        }
        let of_type: Vec<&(Vec<String>, Vec<String>)> = failed
            .iter()
            .filter(|(types, _)| types.iter().any(|t| t == "anything" || has_type(value, t)))
            .collect();
        if let [(_, errors)] = of_type.as_slice() {
            self.errors.extend(errors.iter().cloned());
        } else {
            let types: Vec<String> = failed.into_iter().flat_map(|(t, _)| t).collect();
            self.fail(
                path,
                format!("expected {}, found {}", types.join(" or "), describe(value)),
            );
        }
    }

    fn object(&mut self, schema: &'s Map<String, Value>, object: &Map<String, Value>, path: &str) {
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(name) {
                    self.fail(path, format!("missing required property \"{name}\""));
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        for (key, item) in object {
            let sub = join_key(path, key);
            match (properties.and_then(|p| p.get(key)), additional) {
                (Some(p), _) => self.check(p, item, &sub),
                (None, Some(Value::Bool(false))) => {
                    self.fail(&sub, "unknown property (not in the schema)");
                }
                (None, Some(a)) => self.check(a, item, &sub),
                (None, None) => {}
            }
        }
        if let (true, Some(properties)) = (self.check_order, properties) {
            let expected: Vec<&String> = properties
                .keys()
                .filter(|k| object.contains_key(*k))
                .collect();
            let found: Vec<&String> = object
                .keys()
                .filter(|k| properties.contains_key(*k))
                .collect();
            if expected != found {
                self.fail(
                    path,
                    format!(
                        "properties come in the order {found:?}, but the schema lists them as {expected:?}"
                    ),
                );
            }
        }
    }

    fn array(&mut self, schema: &'s Map<String, Value>, items: &[Value], path: &str) {
        let prefix: &'s [Value] = schema
            .get("prefixItems")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
            && (items.len() as u64) < min
        {
            self.fail(
                path,
                format!("expected at least {min} items, found {}", items.len()),
            );
        }
        for (i, item) in items.iter().enumerate() {
            let sub = format!("{path}[{i}]");
            match (prefix.get(i), schema.get("items")) {
                (Some(p), _) => self.check(p, item, &sub),
                (None, Some(Value::Bool(false))) => self.fail(
                    &sub,
                    format!("unexpected item (the schema allows {})", prefix.len()),
                ),
                (None, Some(s)) => self.check(s, item, &sub),
                (None, None) => {}
            }
        }
    }
}

fn type_names(t: &Value) -> Vec<String> {
    match t {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().expect("type names are strings").to_string())
            .collect(),
        other => panic!("`type` is neither a name nor a list of names: {other}"),
    }
}

/// The problems of `doc` against the schema (empty when it conforms).
pub(crate) fn validate(schema: &Value, doc: &Value) -> Vec<String> {
    let mut v = Validator::new(schema);
    v.check(schema, doc, "");
    v.errors
}

fn listed(errors: &[String]) -> String {
    errors
        .iter()
        .take(30)
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn assess_json_of_both_samples_conforms_to_the_schema() {
    let schema = load_schema();
    let mut used = BTreeSet::new();
    for (sample, details) in SAMPLES.iter().flat_map(|s| [(*s, false), (*s, true)]) {
        let doc = assess_json_with(sample, details);
        assert_eq!(
            doc["commitments"][0].get("notes").is_some(),
            details,
            "--details adds notes"
        );
        let mut v = Validator::new(&schema);
        v.check_order = true;
        v.check(&schema, &doc, "");
        assert!(
            v.errors.is_empty(),
            "assess {sample} --format json does not match docs/assessment.schema.json \
             ({} problems):\n{}",
            v.errors.len(),
            listed(&v.errors)
        );
        used.extend(v.used_defs);
    }
    // Every shape the schema defines was met, so none of it is unchecked guesswork.
    let defined: BTreeSet<String> = schema["$defs"]
        .as_object()
        .expect("$defs")
        .keys()
        .cloned()
        .collect();
    let unused: Vec<&String> = defined.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "no sample output went through $defs {unused:?}"
    );
}

#[test]
fn the_irm_sample_fills_the_optional_parts() {
    let doc = assess_json("mongolia-irm-legacy");
    let commitments = doc["commitments"].as_array().expect("commitments");
    assert!(
        commitments
            .iter()
            .any(|c| c["reference"].as_object().is_some_and(|r| !r.is_empty())),
        "the reference evaluator's views are filled"
    );
    assert!(commitments.iter().any(|c| c.get("ogp_id").is_some()));
    assert!(commitments.iter().any(|c| c.get("ogp_id").is_none()));
    assert!(doc["summary"]["quadrant"].is_object());
}

/// Every schema object in `schema`, with where it is.
fn subschemas<'a>(
    schema: &'a Value,
    path: String,
    out: &mut Vec<(String, &'a Map<String, Value>)>,
) {
    let Value::Object(m) = schema else { return };
    out.push((path.clone(), m));
    for (key, child) in m {
        match key.as_str() {
            "properties" | "$defs" => {
                for (name, s) in child.as_object().into_iter().flatten() {
                    subschemas(s, format!("{path}/{key}/{name}"), out);
                }
            }
            "prefixItems" | "anyOf" => {
                for (i, s) in child.as_array().into_iter().flatten().enumerate() {
                    subschemas(s, format!("{path}/{key}/{i}"), out);
                }
            }
            "items" | "additionalProperties" => subschemas(child, format!("{path}/{key}"), out),
            _ => {}
        }
    }
}

#[test]
fn the_schema_describes_every_property_and_uses_only_checked_keywords() {
    let schema = load_schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["properties"]["schema_version"]["const"], 1);
    let mut all = Vec::new();
    subschemas(&schema, "#".into(), &mut all);
    let v = Validator::new(&schema);
    let mut problems = Vec::new();
    for (path, s) in &all {
        for key in s.keys() {
            if !ASSERTIONS.contains(&key.as_str()) && !ANNOTATIONS.contains(&key.as_str()) {
                problems.push(format!("{path}: unsupported keyword `{key}`"));
            }
        }
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            v.lookup(r);
        }
        if let Some(properties) = s.get("properties").and_then(Value::as_object) {
            if s.get("additionalProperties") != Some(&Value::Bool(false)) {
                problems.push(format!(
                    "{path}: fixed-shape object without additionalProperties: false"
                ));
            }
            for (name, p) in properties {
                if p.get("description")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    problems.push(format!("{path}/properties/{name}: no description"));
                }
            }
            for name in s["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap_or_default();
                if !properties.contains_key(name) {
                    problems.push(format!("{path}: required \"{name}\" is not a property"));
                }
            }
        }
        if s.get("type")
            .is_some_and(|t| type_names(t).contains(&"object".to_string()))
            && s.get("properties").is_none()
            && !s.get("additionalProperties").is_some_and(Value::is_object)
        {
            problems.push(format!(
                "{path}: an object with neither properties nor a schema for its values"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", listed(&problems));
}

/// A change to a valid document that makes it invalid.
type Mutation = fn(&mut Value);

#[test]
fn the_validator_reports_where_the_output_and_the_schema_disagree() {
    let schema = load_schema();
    let doc = assess_json("mongolia-irm-legacy");
    assert_eq!(validate(&schema, &doc), Vec::<String>::new());

    let errors_after = |mutate: Mutation| {
        let mut d = doc.clone();
        mutate(&mut d);
        validate(&schema, &d)
    };
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "commitments[2].criteria.completion: missing required property \"level\"",
            |d| {
                obj(d, "/commitments/2/criteria/completion").shift_remove("level");
            },
        ),
        (
            "commitments[2].criteria.completion.level: expected string or null, found 3",
            |d| *ptr(d, "/commitments/2/criteria/completion/level") = 3.into(),
        ),
        ("summary.extra: unknown property (not in the schema)", |d| {
            obj(d, "/summary").insert("extra".into(), true.into());
        }),
        ("schema_version: expected 1, found 2", |d| {
            *ptr(d, "/schema_version") = 2.into()
        }),
        (
            "summary.quadrant: expected object or null, found \"x\"",
            |d| *ptr(d, "/summary/quadrant") = "x".into(),
        ),
        ("summary.quadrant.both: -1 is below the minimum 0", |d| {
            *ptr(d, "/summary/quadrant/both") = (-1).into()
        }),
        (
            "summary.by_completion[0][2]: unexpected item (the schema allows 2)",
            |d| {
                ptr(d, "/summary/by_completion/0")
                    .as_array_mut()
                    .expect("a pair")
                    .push(0.into());
            },
        ),
        (
            "summary.by_rating[\"Not Started\"]: expected integer, found \"1\"",
            |d| *ptr(d, "/summary/by_rating/Not Started") = "1".into(),
        ),
        (
            "commitments[0].overdue_milestones: expected integer, found 1.5",
            |d| *ptr(d, "/commitments/0/overdue_milestones") = 1.5.into(),
        ),
        (
            "as_of: expected a date (YYYY-MM-DD), found \"30/06/2018\"",
            |d| *ptr(d, "/as_of") = "30/06/2018".into(),
        ),
        (
            "evaluators[0].role: expected one of \"civil-society\", \"government\", \"irm\", \
             \"other\", \"consensus\", found \"donor\"",
            |d| *ptr(d, "/evaluators/0/role") = "donor".into(),
        ),
        (
            "commitments[0].reference.irm: missing required property \"differs\"",
            |d| {
                obj(d, "/commitments/0/reference/irm").shift_remove("differs");
            },
        ),
        (
            "commitments[0].milestones[0].weight: expected more than 0, found 0",
            |d| *ptr(d, "/commitments/0/milestones/0/weight") = 0.into(),
        ),
    ];
    for (expected, mutate) in &cases {
        assert_eq!(errors_after(*mutate), vec![expected.to_string()]);
    }

    // The order of properties is checked on request: `country` moved to the end of `plan`.
    let mut moved = doc.clone();
    let plan = obj(&mut moved, "/plan");
    let country = plan.shift_remove("country").expect("plan.country");
    plan.insert("country".into(), country);
    assert!(validate(&schema, &moved).is_empty());
    let mut v = Validator::new(&schema);
    v.check_order = true;
    v.check(&schema, &moved, "");
    assert_eq!(v.errors.len(), 1, "{:?}", v.errors);
    assert!(
        v.errors[0].starts_with("plan: properties come in the order [\"title\""),
        "{}",
        v.errors[0]
    );
}

fn ptr<'a>(d: &'a mut Value, pointer: &str) -> &'a mut Value {
    d.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("the sample output has no {pointer}"))
}

fn obj<'a>(d: &'a mut Value, pointer: &str) -> &'a mut Map<String, Value> {
    ptr(d, pointer)
        .as_object_mut()
        .unwrap_or_else(|| panic!("{pointer} is not an object"))
}
