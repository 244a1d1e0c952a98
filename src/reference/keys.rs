//! Every key of a scenario file, once: its table, type, unit, default, the
//! models that read it and what it means (spec §1, §3, §3.1). A unit test
//! holds this list to the loader's own structs.

use super::Kind::*;
use super::Models::*;
use super::{Key, Table};

const fn key(
    table: &'static str,
    name: &'static str,
    kind: super::Kind,
    default: &'static str,
    models: super::Models,
    about: &'static str,
) -> Key {
    Key {
        table,
        name,
        kind,
        default,
        models,
        about,
    }
}

/// `default` is "required" for keys a table must have, "" where there is
/// nothing to say beyond the meaning.
#[rustfmt::skip]
pub const KEYS: &[Key] = &[
    key("", "extends", Text, "", Both, "A base scenario this file changes (a path, relative to this file): keys replace the base's, entries with an id the base has replace that entry's keys, others are added (one level; README, What-ifs)."),
    key("", "name", Text, "the file's name", Both, "The scenario's title, shown at the top of every report."),
    key("", "description", Text, "", Both, "Free text: what the scenario describes."),
    key("", "sources", Texts, "", Both, "Where the facts come from (URLs, papers): keep them beside the facts."),
    key("simulation", "model", Choice(&["snapshot", "timeline"]), "snapshot", Both, "Which model `run` uses: the snapshot model (is each provider up or down in a trial; spec §2) or the timeline model (outages in time, resolver caches, retries; spec §3)."),
    key("simulation", "trials", Integer { min: 1, max: None }, "10000 (snapshot), 100 (timeline)", Both, "Monte Carlo trials. A timeline trial is a whole horizon and costs far more than a snapshot one, hence its smaller default; `--fail-only` runs 1 snapshot trial (exact) or 10 timeline trials unless --trials says."),
    key("simulation", "seed", Integer { min: 0, max: None }, "0", Both, "The seed of every random stream (spec §5): same seed, same bytes."),
    key("simulation", "horizon", Duration, "365d", Timeline, "The time a timeline trial covers."),
    key("simulation", "start", Instant, "", Timeline, "The wall-clock time of t = 0 (RFC 3339), so that events can be written as clock times and reports show dates."),
    key("region", "id", Id, "required", Both, "The region's id. Without any [[region]], one region \"global\" of weight 1."),
    key("region", "weight", Number { min: 0.0, max: None, }, "1", Both, "The region's share of clients; weights are normalised to sum to 1."),
    key("provider", "id", Id, "required", Both, "The provider's id, unique across providers, common causes and services."),
    key("provider", "name", Text, "the id", Both, "A readable name, shown in reports."),
    key("provider", "ns", Texts, "", Import, "NS host patterns (`*` is one or more characters within a label), for `check` and the importers."),
    key("provider", "p_outage", Probability, "outages_per_year × mean duration ÷ 1 year", Snapshot, "The chance that the provider is down everywhere in a snapshot trial."),
    key("provider", "regional_p_outage", RegionShares, "", Snapshot, "Extra, independent outage chances per region: { us-east = 0.01 }."),
    key("provider", "regional_outages_per_year", RegionShares, "", Both, "Timeline: extra, independent random outages per region, a Poisson rate a year each ({ us-east = 2 }), lasting outage_duration with the provider's loss. Without regional_p_outage, also the snapshot model's regional chances (rate × mean duration ÷ 1 year)."),
    key("provider", "outages_per_year", Number { min: 0.0, max: None, }, "0", Timeline, "The Poisson rate of random outages."),
    key("provider", "outage_duration", OutageDuration, "1h", Timeline, "How long a random outage lasts: fixed (\"2h\") or lognormal ({ median = \"45m\", p95 = \"6h\" })."),
    key("provider", "loss", Probability, "1", Timeline, "The share of queries lost while out (see loss_by)."),
    key("provider", "loss_by", Choice(&["query", "resolver"]), "query", Timeline, "How loss falls: each query independently, or each resolver of a region losing every query with probability `loss` (spec §3.1)."),
    key("common_cause", "id", Id, "required", Both, "The common cause's id."),
    key("common_cause", "providers", Ids, "required", Both, "The providers it takes out together."),
    key("common_cause", "regions", Ids, "all regions", Both, "Where it strikes."),
    key("common_cause", "p", Probability, "per_year × mean duration ÷ 1 year", Snapshot, "The chance that it strikes in a snapshot trial."),
    key("common_cause", "per_year", Number { min: 0.0, max: None, }, "0", Timeline, "The Poisson rate at which it strikes."),
    key("common_cause", "duration", OutageDuration, "1h", Timeline, "How long it lasts: fixed or lognormal, as outage_duration."),
    key("common_cause", "loss", Probability, "1", Timeline, "The share of queries lost while it lasts."),
    key("common_cause", "loss_by", Choice(&["query", "resolver"]), "query", Timeline, "How the loss falls, as for a provider."),
    key("service", "id", Id, "required", Both, "The name users resolve and reach (a service of the plan)."),
    key("service", "dns", Ids, "required", Both, "The delegated providers, the NS set: resolvers may ask any of them. At least one."),
    key("service", "standby", Ids, "", Timeline, "Providers added to the delegation by hand once every delegated one is out (manual failover), after failover_after."),
    key("service", "failover_after", Duration, "30m", Timeline, "The operator's reaction time before a standby joins the delegation."),
    key("service", "ttl", Duration, "1h", Timeline, "The record's TTL: how long resolvers cache an answer (capped by resolvers.max_cache_ttl)."),
    key("service", "ns_ttl", Duration, "1d", Timeline, "The child-side NS TTL: how soon child-centric resolvers see a delegation change."),
    key("service", "delegation_ttl", Duration, "2d", Timeline, "The parent-side NS TTL (2 days in .com): how soon parent-centric resolvers see a delegation change."),
    key("service", "query_rate", Number { min: 0.0, max: None, }, "60", Timeline, "Lookups per resolver per hour."),
    key("service", "weight", Number { min: 0.0, max: None, }, "1", Both, "Impact weight (users, revenue…): impacts are sums of weights."),
    key("service", "requires", Ids, "", Both, "Services that must all be reachable too (a site and its CDN)."),
    key("service", "requires_any", IdGroups, "", Both, "Groups of services; from each group at least one must be reachable."),
    key("service", "parent", Id, "", Both, "The zone this one is delegated from: a service of the plan (its providers serve the delegation) or a provider (a TLD operator). A resolver whose NS set for this zone has expired needs the parent's referral; snapshot: weighted by that share of lookups; timeline: an NS set per resolver and zone (README, the delegation chain)."),
    key("service", "allow", Choices(&["single_provider", "hidden_single_provider"]), "", Import, "Lint warnings `dnsim check` accepts for this service (known and meant: a CDN back-end in a redundant group, say)."),
    key("resolvers", "profile", Choice(&["measured", "ideal"]), "measured", Timeline, "Resolvers as DNS measurements saw them (spec §3.1), or the ideal resolver of the closed forms (spec §3). The keys below override the profile."),
    key("resolvers", "per_region", Integer { min: 1, max: Some(65535) }, "100", Timeline, "Resolvers simulated per region in each trial."),
    key("resolvers", "attempts", Integer { min: 1, max: None }, "3", Timeline, "Tries per lookup within the client's patience, over the delegated providers."),
    key("resolvers", "retry_timeout", Duration, "800ms", Timeline, "What each lost try costs before the next."),
    key("resolvers", "serve_stale", ShareOrBool, "false", Timeline, "RFC 8767 serve-stale: true, false, or the share of resolvers that serve stale answers."),
    key("resolvers", "max_stale", Duration, "1d", Timeline, "How long after expiry a stale answer may be served."),
    key("resolvers", "max_cache_ttl", Duration, "1d", Timeline, "The cap on any cached TTL."),
    key("resolvers", "parent_centric_share", Probability, "0.1", Timeline, "The share of resolvers that keep the parent's NS TTL (delegation_ttl) rather than the child's."),
    key("resolvers", "cache_share", Probability, "0.7 (ideal: 1)", Timeline, "The share of clients whose lookups a cache can help (Moura et al. 2018: about 70%)."),
    key("resolvers", "max_queries", Integer { min: 1, max: None }, "6 (ideal: attempts)", Timeline, "Queries one resolution may send before the resolver gives up; at least attempts."),
    key("resolvers", "failure_ttl", Duration, "5s (ideal: 0s)", Timeline, "How long a failed resolution is remembered (RFC 9520; at most 5m)."),
    key("resolvers", "holddown", Duration, "15m (ideal: 0s)", Timeline, "How long a provider that timed out is avoided while another can be asked."),
    key("resolvers", "initial_cache", Choice(&["stationary", "empty", "full"]), "stationary", Timeline, "Caches at t = 0: the stationary law, empty, or full (primed)."),
    key("event", "provider", Id, "", Timeline, "The provider an incident takes out (or common_cause; exactly one of the two)."),
    key("event", "common_cause", Id, "", Timeline, "The common cause an incident takes out (or provider)."),
    key("event", "regions", Ids, "all regions", Timeline, "Where the incident strikes."),
    key("event", "start", Instant, "required", Timeline, "When it starts: \"HH:MM\" on simulation.start's day, a duration from t = 0 (\"1d2h\"), or RFC 3339."),
    key("event", "end", Instant, "required", Timeline, "When it ends, written as start."),
    key("event", "loss", Probability, "1", Timeline, "The share of queries lost while it lasts."),
    key("event", "loss_by", Choice(&["query", "resolver"]), "query", Timeline, "How the loss falls, as for a provider."),
    key("include", "services", Text, "required", Both, "A CSV of services (columns id, dns and optionally standby, ttl, ns_ttl, delegation_ttl, query_rate, weight, requires; lists `;`-separated), relative to this file."),
];

/// The tables, in file order.
#[rustfmt::skip]
pub const TABLES: &[Table] = &[
    Table { name: "", array: false, about: "Top-level keys.", },
    Table { name: "simulation", array: false, about: "How a run samples.", },
    Table { name: "region", array: true, about: "Client regions; optional (one region \"global\" by default).", },
    Table { name: "provider", array: true, about: "Authoritative DNS providers.", },
    Table { name: "common_cause", array: true, about: "One event that takes several providers out together.", },
    Table { name: "service", array: true, about: "Names that users resolve and reach. At least one, here or through [[include]].", },
    Table { name: "resolvers", array: false, about: "The recursive resolvers of the timeline model (spec §3, §3.1; sources in docs/resolvers.md).", },
    Table { name: "event", array: true, about: "Scheduled incidents to replay (timeline model).", },
    Table { name: "include", array: true, about: "Services in bulk, from CSV files.", },
];
