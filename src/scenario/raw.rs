//! The scenario file as written: serde structs that mirror spec §1 key for key.
//!
//! Values that validation may reject are wrapped in [`Spanned`] so that the
//! error can point at them. Durations arrive as [`toml::Value`] (an integer
//! number of seconds or a string with units) and are parsed in `load`, where
//! a bad one gets a message of ours rather than serde's.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::{Spanned, Value};

pub type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Read by `extends.rs` before the rest; here so that a base is known
    /// to extend another.
    pub extends: Option<S<String>>,
    pub name: Option<S<String>>,
    pub description: Option<String>,
    pub sources: Option<Vec<String>>,
    pub simulation: Option<RawSimulation>,
    #[serde(default)]
    pub region: Vec<RawRegion>,
    #[serde(default)]
    pub provider: Vec<RawProvider>,
    #[serde(default)]
    pub common_cause: Vec<RawCommonCause>,
    #[serde(default)]
    pub service: Vec<RawService>,
    pub resolvers: Option<RawResolvers>,
    #[serde(default)]
    pub event: Vec<RawEvent>,
    #[serde(default)]
    pub include: Vec<RawInclude>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub model: Option<S<String>>,
    pub trials: Option<S<i64>>,
    pub seed: Option<S<i64>>,
    pub horizon: Option<S<Value>>,
    pub start: Option<S<Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    pub id: S<String>,
    pub weight: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProvider {
    pub id: S<String>,
    pub name: Option<String>,
    pub ns: Option<Vec<String>>,
    pub p_outage: Option<S<f64>>,
    pub regional_p_outage: Option<BTreeMap<S<String>, S<f64>>>,
    pub regional_outages_per_year: Option<BTreeMap<S<String>, S<f64>>>,
    pub outages_per_year: Option<S<f64>>,
    pub outage_duration: Option<S<Value>>,
    pub loss: Option<S<f64>>,
    pub loss_by: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCommonCause {
    pub id: S<String>,
    pub providers: S<Vec<S<String>>>,
    pub regions: Option<Vec<S<String>>>,
    pub p: Option<S<f64>>,
    pub per_year: Option<S<f64>>,
    pub duration: Option<S<Value>>,
    pub loss: Option<S<f64>>,
    pub loss_by: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    pub id: S<String>,
    pub dns: S<Vec<S<String>>>,
    pub standby: Option<Vec<S<String>>>,
    pub failover_after: Option<S<Value>>,
    pub ttl: Option<S<Value>>,
    pub ns_ttl: Option<S<Value>>,
    pub delegation_ttl: Option<S<Value>>,
    pub query_rate: Option<S<f64>>,
    pub weight: Option<S<f64>>,
    pub requires: Option<Vec<S<String>>>,
    pub requires_any: Option<Vec<S<Vec<S<String>>>>>,
    pub parent: Option<S<String>>,
    pub allow: Option<Vec<S<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResolvers {
    pub per_region: Option<S<i64>>,
    pub attempts: Option<S<i64>>,
    pub retry_timeout: Option<S<Value>>,
    pub serve_stale: Option<S<Value>>,
    pub max_stale: Option<S<Value>>,
    pub max_cache_ttl: Option<S<Value>>,
    pub parent_centric_share: Option<S<f64>>,
    pub profile: Option<S<String>>,
    pub cache_share: Option<S<f64>>,
    pub max_queries: Option<S<i64>>,
    pub failure_ttl: Option<S<Value>>,
    pub holddown: Option<S<Value>>,
    pub initial_cache: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub provider: Option<S<String>>,
    pub common_cause: Option<S<String>>,
    pub regions: Option<Vec<S<String>>>,
    pub start: S<Value>,
    pub end: S<Value>,
    pub loss: Option<S<f64>>,
    pub loss_by: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInclude {
    pub services: S<String>,
}

/// The keys each table accepts, for "did you mean" on an unknown key.
pub const KNOWN_KEYS: &[&str] = &[
    "name",
    "description",
    "sources",
    "extends",
    "simulation",
    "region",
    "provider",
    "common_cause",
    "service",
    "resolvers",
    "event",
    "include",
    "model",
    "trials",
    "seed",
    "horizon",
    "start",
    "id",
    "weight",
    "ns",
    "p_outage",
    "regional_p_outage",
    "regional_outages_per_year",
    "outages_per_year",
    "outage_duration",
    "loss",
    "loss_by",
    "providers",
    "regions",
    "p",
    "per_year",
    "duration",
    "dns",
    "standby",
    "failover_after",
    "ttl",
    "ns_ttl",
    "delegation_ttl",
    "query_rate",
    "requires",
    "requires_any",
    "parent",
    "per_region",
    "attempts",
    "retry_timeout",
    "serve_stale",
    "max_stale",
    "max_cache_ttl",
    "parent_centric_share",
    "profile",
    "cache_share",
    "max_queries",
    "failure_ttl",
    "holddown",
    "initial_cache",
    "common_cause",
    "end",
    "services",
    "median",
    "p95",
    "allow",
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::{self, Deserializer, Visitor};

    /// A deserializer that only records the field names serde asks a
    /// struct for, then stops: the keys the loader accepts, from the
    /// structs themselves.
    struct FieldNames<'a>(&'a mut Vec<&'static str>);

    #[derive(Debug)]
    struct Stop;

    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("stop")
        }
    }

    impl std::error::Error for Stop {}

    impl de::Error for Stop {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Stop
        }
    }

    impl<'de> Deserializer<'de> for FieldNames<'_> {
        type Error = Stop;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0.extend_from_slice(fields);
            Err(Stop)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }

    fn fields_of<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
        let mut names = Vec::new();
        let _ = T::deserialize(FieldNames(&mut names));
        names.sort_unstable();
        names
    }

    fn reference(table: &str) -> Vec<&'static str> {
        let mut names: Vec<_> = crate::reference::keys_of(table).map(|k| k.name).collect();
        names.sort_unstable();
        names
    }

    /// docs/scenario.md, the JSON Schema and `dnsim explain` come from
    /// `reference::KEYS`: it must name every key the loader accepts, and
    /// nothing else.
    #[test]
    fn the_reference_names_every_key_the_loader_accepts() {
        let tables: Vec<&str> = crate::reference::TABLES
            .iter()
            .map(|t| t.name)
            .filter(|n| !n.is_empty())
            .collect();
        let mut top = fields_of::<RawScenario>();
        top.retain(|f| !tables.contains(f));
        assert_eq!(top, reference(""));
        assert_eq!(fields_of::<RawSimulation>(), reference("simulation"));
        assert_eq!(fields_of::<RawRegion>(), reference("region"));
        assert_eq!(fields_of::<RawProvider>(), reference("provider"));
        assert_eq!(fields_of::<RawCommonCause>(), reference("common_cause"));
        assert_eq!(fields_of::<RawService>(), reference("service"));
        assert_eq!(fields_of::<RawResolvers>(), reference("resolvers"));
        assert_eq!(fields_of::<RawEvent>(), reference("event"));
        assert_eq!(fields_of::<RawInclude>(), reference("include"));
        let mut all_tables = tables.clone();
        all_tables.sort_unstable();
        let mut raw_tables = fields_of::<RawScenario>();
        raw_tables.retain(|f| tables.contains(f));
        assert_eq!(raw_tables, all_tables);
    }

    #[test]
    fn did_you_mean_knows_every_key() {
        for k in crate::reference::KEYS {
            assert!(KNOWN_KEYS.contains(&k.name), "{}", k.path());
        }
    }
}
