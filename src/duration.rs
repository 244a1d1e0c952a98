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

/// In days, hours, minutes, seconds and milliseconds, largest first, as a
/// scenario file could write it: `365d`, `7d`, `1h 30m`, `800ms` (no
/// months of 30.44 days, no "7days").
impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return write!(f, "0s");
        }
        const UNITS: [(u64, &str); 5] = [
            (86_400_000, "d"),
            (3_600_000, "h"),
            (60_000, "m"),
            (1000, "s"),
            (1, "ms"),
        ];
        let mut left = self.0;
        let mut sep = "";
        for (unit, name) in UNITS {
            let n = left / unit;
            if n > 0 {
                write!(f, "{sep}{n}{name}")?;
                left %= unit;
                sep = " ";
            }
        }
        Ok(())
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
    fn shown_as_a_file_would_write_it_and_read_back() {
        for (ms, text) in [
            (0, "0s"),
            (800, "800ms"),
            (90_000, "1m 30s"),
            (5_400_000, "1h 30m"),
            (7 * 86_400_000, "7d"),
            (365 * 86_400_000, "365d"),
            (93_600_000 + 1, "1d 2h 1ms"),
        ] {
            assert_eq!(Millis(ms).to_string(), text);
            assert_eq!(parse(text), Ok(Millis(ms)), "{text}");
        }
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse("soon").is_err());
        assert!(parse("-5m").is_err());
        assert!(parse("").is_err());
    }
}
