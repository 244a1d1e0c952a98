//! Durations as scenario files write them: whole seconds, or a string with
//! units (`800ms`, `300s`, `5m`, `2h`, `1d`, `1h30m`), parsed by humantime.

use std::fmt;

/// A non-negative duration in whole milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Millis(pub u64);

impl Millis {
    pub const fn from_secs(s: u64) -> Millis {
        Millis(s * 1000)
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = std::time::Duration::from_millis(self.0);
        write!(f, "{}", humantime::format_duration(d))
    }
}

/// Parses a duration written as text, e.g. `1h30m`. Returns a message that
/// says what was expected when the text is not a duration.
pub fn parse(text: &str) -> Result<Millis, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("expected a duration such as \"30m\", got an empty string".into());
    }
    // A bare number in a string is seconds, as it is outside one.
    if let Ok(secs) = trimmed.parse::<u64>() {
        return secs
            .checked_mul(1000)
            .map(Millis)
            .ok_or_else(|| format!("duration \"{text}\" is too long"));
    }
    match humantime::parse_duration(trimmed) {
        Ok(d) => u64::try_from(d.as_millis())
            .map(Millis)
            .map_err(|_| format!("duration \"{text}\" is too long")),
        Err(e) => Err(format!(
            "bad duration \"{text}\": {e} (expected e.g. \"800ms\", \"300s\", \"5m\", \"2h\", \"1d\", \"1h30m\")"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        assert_eq!(parse("800ms"), Ok(Millis(800)));
        assert_eq!(parse("300s"), Ok(Millis::from_secs(300)));
        assert_eq!(parse("5m"), Ok(Millis::from_secs(300)));
        assert_eq!(parse("2h"), Ok(Millis::from_secs(7200)));
        assert_eq!(parse("1d"), Ok(Millis::from_secs(86400)));
        assert_eq!(parse("1h30m"), Ok(Millis::from_secs(5400)));
        assert_eq!(parse("1d2h"), Ok(Millis::from_secs(93600)));
        assert_eq!(parse("60"), Ok(Millis::from_secs(60)));
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse("soon").is_err());
        assert!(parse("-5m").is_err());
        assert!(parse("").is_err());
    }
}
