//! Single values: probabilities, rates, durations, whole seconds, outage
//! durations, instants and offsets in time, each checked against its range
//! and reported at its position.

use toml::Value;

use super::Loader;
use crate::duration::{self, Millis};
use crate::error::{InputError, did_you_mean, unknown};
use crate::scenario::raw::S;
use crate::scenario::*;

impl Loader<'_> {
    pub(super) fn loss_by(&self, v: &Option<S<String>>, key: &str) -> Result<LossBy, InputError> {
        match v {
            None => Ok(LossBy::default()),
            Some(v) => parse_loss_by(v.get_ref()).map_err(|m| self.err(v.span(), key, m)),
        }
    }

    pub(super) fn probability(&self, v: &S<f64>, key: &str) -> Result<f64, InputError> {
        check_probability(*v.get_ref()).map_err(|m| self.err(v.span(), key, m))
    }

    pub(super) fn non_negative(&self, v: &S<f64>, key: &str) -> Result<f64, InputError> {
        check_non_negative(*v.get_ref()).map_err(|m| self.err(v.span(), key, m))
    }

    pub(super) fn positive_int(&self, v: &S<i64>, key: &str) -> Result<u32, InputError> {
        match u32::try_from(*v.get_ref()) {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(self.err(
                v.span(),
                key,
                format!(
                    "expected a whole number from 1 to {}, got {}",
                    u32::MAX,
                    v.get_ref()
                ),
            )),
        }
    }

    pub(super) fn duration(&self, v: &S<Value>, key: &str) -> Result<Millis, InputError> {
        duration_value(v.get_ref()).map_err(|m| self.err(v.span(), key, m))
    }

    pub(super) fn whole_seconds(&self, v: &S<Value>, key: &str) -> Result<u32, InputError> {
        let d = self.duration(v, key)?;
        seconds_u32(d).map_err(|m| self.err(v.span(), key, m))
    }

    pub(super) fn outage_duration(
        &self,
        v: &S<Value>,
        key: &str,
    ) -> Result<OutageDuration, InputError> {
        let Value::Table(t) = v.get_ref() else {
            return Ok(OutageDuration::Fixed(self.duration(v, key)?));
        };
        let err = |m: String| self.err(v.span(), key, m);
        for k in t.keys() {
            if k != "median" && k != "p95" {
                let hint = did_you_mean(k, ["median", "p95"])
                    .map_or(String::new(), |h| format!(" (did you mean \"{h}\"?)"));
                return Err(err(format!(
                    "unknown key \"{k}\" in a lognormal duration{hint}; expected {{ median = \"…\", p95 = \"…\" }}"
                )));
            }
        }
        let (Some(median), Some(p95)) = (t.get("median"), t.get("p95")) else {
            return Err(err("a lognormal duration needs both median and p95, e.g. { median = \"45m\", p95 = \"6h\" }".into()));
        };
        let median = duration_value(median).map_err(&err)?;
        let p95 = duration_value(p95).map_err(&err)?;
        if p95 < median {
            return Err(err(format!(
                "p95 ({p95}) is below the median ({median}): a lognormal's p95 is at least its median"
            )));
        }
        Ok(OutageDuration::LogNormal { median, p95 })
    }

    pub(super) fn event_time(
        &self,
        v: &S<Value>,
        key: &str,
        sim: &Simulation,
    ) -> Result<Millis, InputError> {
        let text = self.time_text(v, key)?;
        let err = |m: String| self.err(v.span(), key, m);
        let start = sim.start_unix;
        if let Some((h, m)) = text.split_once(':').filter(|(h, m)| {
            !h.is_empty()
                && h.len() <= 2
                && m.len() == 2
                && h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
        }) {
            let (h, m): (u64, u64) = (h.parse().unwrap_or(99), m.parse().unwrap_or(99));
            if h > 23 || m > 59 {
                return Err(err(format!(
                    "\"{text}\" is not a time of day (HH:MM, 00:00 to 23:59)"
                )));
            }
            let secs = h * 3600 + m * 60;
            let day_start = start.map_or(0, |s| s.rem_euclid(86400) as u64);
            return secs
                .checked_sub(day_start)
                .map(Millis::from_secs)
                .ok_or_else(|| err(format!("{text} is before simulation.start")));
        }
        if text.len() >= 10 && text.as_bytes()[4] == b'-' {
            let Some(start) = start else {
                return Err(err(format!(
                    "\"{text}\" is an instant, which needs simulation.start to place it"
                )));
            };
            let at = parse_instant(&text).map_err(&err)?;
            return u64::try_from(at - start)
                .map(Millis::from_secs)
                .map_err(|_| err(format!("{text} is before simulation.start")));
        }
        duration_value(&toml::Value::String(text.clone())).map_err(err)
    }

    pub(super) fn time_text(&self, v: &S<Value>, key: &str) -> Result<String, InputError> {
        match v.get_ref() {
            Value::String(s) => Ok(s.clone()),
            Value::Datetime(d) => Ok(d.to_string()),
            Value::Integer(i) if *i >= 0 => Ok(i.to_string()),
            other => Err(self.err(
                v.span(),
                key,
                format!(
                    "expected a time (\"HH:MM\", a duration such as \"1d2h\", or RFC 3339), got {}",
                    other.type_str()
                ),
            )),
        }
    }
}

/// Seconds since the Unix epoch of an RFC 3339 instant.
pub(super) fn parse_instant(text: &str) -> Result<i64, String> {
    let t = humantime::parse_rfc3339_weak(text.trim_end_matches('Z')).map_err(|e| {
        format!("\"{text}\" is not an RFC 3339 instant such as 2016-10-21T00:00:00Z: {e}")
    })?;
    match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => Ok(d.as_secs() as i64),
        Err(e) => Ok(-(e.duration().as_secs() as i64)),
    }
}

pub(super) fn parse_model(text: &str) -> Result<ModelKind, String> {
    match text {
        "snapshot" => Ok(ModelKind::Snapshot),
        "timeline" => Ok(ModelKind::Timeline),
        other => Err(unknown("model", other, ["snapshot", "timeline"])
            + "; expected \"snapshot\" or \"timeline\""),
    }
}

/// `loss_by = "query" | "resolver"`.
pub(super) fn parse_loss_by(text: &str) -> Result<LossBy, String> {
    match text {
        "query" => Ok(LossBy::Query),
        "resolver" => Ok(LossBy::Resolver),
        other => Err(unknown("loss_by value", other, ["query", "resolver"])
            + "; expected \"query\" or \"resolver\""),
    }
}

/// `[resolvers] profile = "measured" | "ideal"`.
pub(super) fn parse_profile(text: &str) -> Result<Profile, String> {
    match text {
        "measured" => Ok(Profile::Measured),
        "ideal" => Ok(Profile::Ideal),
        other => Err(unknown("resolver profile", other, ["measured", "ideal"])
            + "; expected \"measured\" or \"ideal\""),
    }
}

/// `[resolvers] initial_cache = "stationary" | "empty" | "full"`.
pub(super) fn parse_initial_cache(text: &str) -> Result<InitialCache, String> {
    let known = ["stationary", "empty", "full"];
    match text {
        "stationary" => Ok(InitialCache::Stationary),
        "empty" => Ok(InitialCache::Empty),
        "full" => Ok(InitialCache::Full),
        other => Err(unknown("initial_cache value", other, known)
            + "; expected \"stationary\", \"empty\" or \"full\""),
    }
}

/// A share in [0, 1], or a boolean (true = 1).
pub(super) fn share_or_bool(v: &Value) -> Result<f64, String> {
    match v {
        Value::Boolean(b) => Ok(if *b { 1.0 } else { 0.0 }),
        Value::Float(f) => check_probability(*f),
        Value::Integer(i) => check_probability(*i as f64),
        other => Err(format!(
            "expected true, false or a share in [0, 1], got {}",
            other.type_str()
        )),
    }
}

/// Long-run unavailability from an outage rate and duration (spec §1),
/// capped at 1.
pub(super) fn unavailability(per_year: f64, duration: OutageDuration) -> f64 {
    (per_year * duration.mean_secs() / YEAR_SECS).min(1.0)
}

/// Whether `id` is a valid id of a provider, service or region (spec §2).
pub fn check_id_text(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("an id must not be empty".into());
    }
    if let Some(c) = id
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, '@' | ';' | ','))
    {
        return Err(format!(
            "id {} contains {c:?}; ids contain no whitespace, '@', ';' or ','",
            shown(id)
        ));
    }
    Ok(())
}

/// An id or name as a message quotes it: cut after 60 characters, with its
/// length, so that a runaway value does not flood the terminal.
pub fn shown(id: &str) -> String {
    match id.char_indices().nth(60) {
        Some((at, _)) => format!("\"{}…\" ({} characters)", &id[..at], id.chars().count()),
        None => format!("{id:?}"),
    }
}

pub(super) fn check_probability(p: f64) -> Result<f64, String> {
    if p.is_nan() {
        return Err("expected a probability in [0, 1], got NaN".into());
    }
    if !(0.0..=1.0).contains(&p) {
        return Err(format!("expected a probability in [0, 1], got {p}"));
    }
    Ok(p)
}

pub(super) fn check_non_negative(x: f64) -> Result<f64, String> {
    if x.is_nan() || x.is_infinite() || x < 0.0 {
        return Err(format!("expected a finite number ≥ 0, got {x}"));
    }
    Ok(x)
}

pub(super) fn duration_value(v: &Value) -> Result<Millis, String> {
    match v {
        Value::Integer(i) if *i >= 0 => Ok(Millis((*i as u64).saturating_mul(1000))),
        Value::Integer(i) => Err(format!("expected a duration, got the negative number {i}")),
        Value::String(s) => duration::parse(s),
        other => Err(format!(
            "expected a duration (seconds, or a string such as \"30m\"), got {}",
            other.type_str()
        )),
    }
}

pub(super) fn seconds_u32(d: Millis) -> Result<u32, String> {
    if d.0 % 1000 != 0 {
        return Err(format!(
            "expected whole seconds (DNS TTLs have no fractions), got {d}"
        ));
    }
    u32::try_from(d.0 / 1000).map_err(|_| format!("duration {d} is longer than a DNS TTL can be"))
}
