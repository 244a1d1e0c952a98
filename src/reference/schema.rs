//! The JSON Schema of a scenario file, for editors (Taplo and the VS Code
//! TOML extensions complete and check TOML against one): generated from
//! the same list of keys as the reference. It says what a schema can say
//! (types, ranges, choices, required keys, no unknown keys); what needs the
//! whole plan (ids that exist, cycles, a horizon that holds the events)
//! stays with `dnsim check`.

use serde_json::{Map, Value, json};

use super::{KEYS, Kind, TABLES, keys_of};

/// Whole seconds, or text: a number of seconds, or numbers with the units
/// the duration parser (humantime) knows.
const DURATION_TEXT: &str = "^\\s*([0-9]+\\s*|([0-9]+\\s*(nsec|ns|usec|us|msec|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|months?|M|years?|y)\\s*)+)$";

fn duration() -> Value {
    json!({"anyOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "pattern": DURATION_TEXT}
    ]})
}

fn id() -> Value {
    json!({"type": "string", "minLength": 1, "pattern": "^[^\\s@;,]+$"})
}

fn probability() -> Value {
    json!({"type": "number", "minimum": 0, "maximum": 1})
}

fn value_schema(kind: Kind) -> Value {
    match kind {
        Kind::Text => json!({"type": "string"}),
        Kind::Texts => json!({"type": "array", "items": {"type": "string"}}),
        Kind::Id => id(),
        Kind::Ids => json!({"type": "array", "items": id()}),
        Kind::IdGroups => {
            json!({"type": "array", "items": {"type": "array", "items": id(), "minItems": 1}})
        }
        Kind::Integer { min, max } => {
            let mut v = json!({"type": "integer", "minimum": min});
            if let Some(max) = max {
                v["maximum"] = json!(max);
            }
            v
        }
        Kind::Number { min, max } => {
            let mut v = json!({"type": "number", "minimum": min});
            if let Some(max) = max {
                v["maximum"] = json!(max);
            }
            v
        }
        Kind::Probability => probability(),
        Kind::Duration => duration(),
        Kind::Instant => json!({"anyOf": [
            {"type": "integer", "minimum": 0},
            {"type": "string", "minLength": 1}
        ]}),
        Kind::Choice(options) => json!({"type": "string", "enum": options}),
        Kind::Choices(options) => {
            json!({"type": "array", "items": {"type": "string", "enum": options}})
        }
        Kind::ShareOrBool => json!({"anyOf": [{"type": "boolean"}, probability()]}),
        Kind::RegionShares => json!({"type": "object", "additionalProperties": probability()}),
        Kind::OutageDuration => json!({"anyOf": [
            duration(),
            {
                "type": "object",
                "properties": {"median": duration(), "p95": duration()},
                "required": ["median", "p95"],
                "additionalProperties": false
            }
        ]}),
    }
}

fn v_min_items(properties: &mut Map<String, Value>, name: &str) {
    if let Some(v) = properties.get_mut(name) {
        v["minItems"] = json!(1);
    }
}

/// The object schema of one table's keys.
fn table_schema(table: &str) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for k in keys_of(table) {
        let mut v = value_schema(k.kind);
        let mut about = k.about.to_string();
        if !k.default.is_empty() && !k.required() {
            about.push_str(&format!(" Default: {}.", k.default));
        }
        about.push_str(&format!(" Models: {}.", k.models.describe()));
        v["description"] = json!(about);
        properties.insert(k.name.to_string(), v);
        if k.required() {
            required.push(k.name);
            // A required list (a service's dns, a common cause's
            // providers) has at least one member.
            if matches!(k.kind, Kind::Ids) {
                v_min_items(&mut properties, k.name);
            }
        }
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false
    })
}

/// The scenario file's JSON Schema (draft 2020-12).
pub fn schema() -> Value {
    let mut root = table_schema("");
    let properties = root["properties"].as_object_mut().expect("an object");
    for table in TABLES.iter().filter(|t| !t.name.is_empty()) {
        let mut body = table_schema(table.name);
        body["description"] = json!(table.about);
        let v = if table.array {
            json!({"type": "array", "items": body, "description": table.about})
        } else {
            body
        };
        properties.insert(table.name.to_string(), v);
    }
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["title"] = json!("dnsim scenario");
    root["description"] = json!(format!(
        "A dnsim scenario file ({} keys; docs/scenario.md).",
        KEYS.len()
    ));
    root
}
