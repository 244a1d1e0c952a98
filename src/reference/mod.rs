//! The scenario file's reference, from one list of keys (`keys.rs`):
//! `docs/scenario.md` ([`markdown`]), the JSON Schema for editors
//! ([`schema`]), and `dnsim explain` ([`explain`]). Depends on nothing
//! else of the crate; a unit test in `scenario::raw` holds the list to the
//! loader's structs, key for key.

mod keys;
mod schema;

pub use self::keys::{KEYS, TABLES};
pub use self::schema::schema;

/// What a key's value is.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    Texts,
    Id,
    Ids,
    /// Lists of ids.
    IdGroups,
    Integer {
        min: i64,
        max: Option<i64>,
    },
    /// A finite number, at least `min`, at most `max`.
    Number {
        min: f64,
        max: Option<f64>,
    },
    /// A number in [0, 1].
    Probability,
    /// Whole seconds, or text with units ("800ms", "5m", "1h30m").
    Duration,
    /// A clock time "HH:MM", a duration from t = 0, or RFC 3339.
    Instant,
    Choice(&'static [&'static str]),
    /// A list of choices.
    Choices(&'static [&'static str]),
    /// true, false, or a share in [0, 1].
    ShareOrBool,
    /// A table of region id → probability.
    RegionShares,
    /// A duration, or a lognormal { median, p95 } of durations.
    OutageDuration,
}

impl Kind {
    /// How the reference writes the type.
    pub fn describe(self) -> String {
        match self {
            Kind::Text => "text".into(),
            Kind::Texts => "list of text".into(),
            Kind::Id => "id".into(),
            Kind::Ids => "list of ids".into(),
            Kind::IdGroups => "list of lists of ids".into(),
            Kind::Integer { min, max: None } => format!("integer ≥ {min}"),
            Kind::Integer {
                min,
                max: Some(max),
            } => format!("integer in [{min}, {max}]"),
            Kind::Number { min, max: None } => format!("number ≥ {min}"),
            Kind::Number {
                min,
                max: Some(max),
            } => format!("number in [{min}, {max}]"),
            Kind::Probability => "probability, [0, 1]".into(),
            Kind::Duration => "duration".into(),
            Kind::Instant => "instant".into(),
            Kind::Choice(options) => options
                .iter()
                .map(|o| format!("\"{o}\""))
                .collect::<Vec<_>>()
                .join(" | "),
            Kind::Choices(options) => format!(
                "list of {}",
                options
                    .iter()
                    .map(|o| format!("\"{o}\""))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            Kind::ShareOrBool => "bool or share in [0, 1]".into(),
            Kind::RegionShares => "table: region id → probability".into(),
            Kind::OutageDuration => "duration or { median, p95 }".into(),
        }
    }
}

/// Which model reads a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Models {
    Both,
    Snapshot,
    Timeline,
    /// Read by `check` and the importers, by no model.
    Import,
}

impl Models {
    pub fn describe(self) -> &'static str {
        match self {
            Models::Both => "both",
            Models::Snapshot => "snapshot",
            Models::Timeline => "timeline",
            Models::Import => "check, import",
        }
    }
}

/// One key of one table.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// "" for the top level.
    pub table: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    /// "required", or the default as a reader would write it.
    pub default: &'static str,
    pub models: Models,
    pub about: &'static str,
}

impl Key {
    pub fn required(&self) -> bool {
        self.default == "required"
    }

    /// `table.name`, or `name` at the top level.
    pub fn path(&self) -> String {
        if self.table.is_empty() {
            self.name.to_string()
        } else {
            format!("{}.{}", self.table, self.name)
        }
    }
}

/// A table of the file.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    /// `[[name]]` (many) rather than `[name]`.
    pub array: bool,
    pub about: &'static str,
}

impl Table {
    pub fn header(&self) -> String {
        match (self.name, self.array) {
            ("", _) => "Top level".into(),
            (n, true) => format!("[[{n}]]"),
            (n, false) => format!("[{n}]"),
        }
    }
}

/// What `dnsim init` writes: a commented plan that loads and runs in both
/// models (a test checks it).
pub const STARTER: &str = include_str!("starter.toml");

/// The keys of `table`, in file order.
pub fn keys_of(table: &str) -> impl Iterator<Item = &'static Key> + '_ {
    KEYS.iter().filter(move |k| k.table == table)
}

/// The keys a query names: `table.key` exactly, or every key called `key`,
/// or every key of a table named so.
pub fn lookup(query: &str) -> Vec<&'static Key> {
    let q = query.trim().trim_start_matches('[').trim_end_matches(']');
    let q = q.trim_start_matches('[').trim_end_matches(']');
    let exact: Vec<_> = KEYS.iter().filter(|k| k.path() == q).collect();
    if !exact.is_empty() {
        return exact;
    }
    let named: Vec<_> = KEYS.iter().filter(|k| k.name == q).collect();
    if !named.is_empty() {
        return named;
    }
    keys_of(q).collect()
}

/// What `dnsim explain` prints of one key.
pub fn explain(key: &Key) -> String {
    let table = TABLES
        .iter()
        .find(|t| t.name == key.table)
        .map_or_else(String::new, Table::header);
    let default = match key.default {
        "" => "none".to_string(),
        "required" => "none: required".to_string(),
        d => d.to_string(),
    };
    format!(
        "{path}  ({table})\n  type     {kind}\n  default  {default}\n  models   {models}\n  {about}\n",
        path = key.path(),
        kind = key.kind.describe(),
        models = key.models.describe(),
        about = key.about,
    )
}

/// `docs/scenario.md`: every key, table by table.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Scenario file reference\n\n\
         Every key a scenario file may hold, generated from dnsim's own list of\n\
         keys (`src/reference/keys.rs`), which a test holds to the loader key for\n\
         key: `dnsim explain KEY` prints the same. The contract, with the models'\n\
         definitions, is `docs/spec.md`; a commented starter plan is what\n\
         `dnsim init` writes; the JSON Schema for editors is\n\
         `docs/scenario.schema.json` (`dnsim schema`).\n\n\
         Units: a *duration* is whole seconds or text with units (`800ms`,\n\
         `300s`, `5m`, `2h`, `1d`, `1h30m`); an *instant* is `\"HH:MM\"` on\n\
         `simulation.start`'s day, a duration from t = 0, or RFC 3339; an *id*\n\
         is non-empty, without whitespace, `@`, `;` or `,`, and unique across\n\
         providers, common causes and services. Unknown keys are errors. One\n\
         file serves both models: a key of the other model is accepted and\n\
         ignored (the *models* column says who reads it).\n",
    );
    for table in TABLES {
        out.push_str(&format!("\n## {}\n\n{}\n\n", table.header(), table.about));
        out.push_str("| key | type | default | models | meaning |\n|---|---|---|---|---|\n");
        for k in keys_of(table.name) {
            let default = if k.default.is_empty() { "" } else { k.default };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                k.name,
                k.kind.describe().replace('|', "\\|"),
                default,
                k.models.describe(),
                k.about.replace('|', "\\|"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(lookup("service.ttl").len(), 1);
        assert_eq!(lookup("ttl")[0].path(), "service.ttl");
        assert!(lookup("loss").len() >= 3);
        assert_eq!(lookup("[resolvers]").len(), keys_of("resolvers").count());
        assert!(lookup("nonsense").is_empty());
    }

    #[test]
    fn every_key_in_a_known_table_once() {
        for k in KEYS {
            assert!(TABLES.iter().any(|t| t.name == k.table), "{}", k.path());
            assert_eq!(KEYS.iter().filter(|o| o.path() == k.path()).count(), 1);
        }
    }
}
