//! `dnsim check` results: the plan's size and its lint warnings, or the
//! error that stopped the load.

use serde::Serialize;

use crate::error::InputError;

/// What a lint warns about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// A service delegated to one provider only.
    SingleProvider,
    /// A service that one provider takes down through its requirements,
    /// although its own delegation does not hang on that provider alone.
    HiddenSingleProvider,
    /// A provider whose failure alone takes down more than the allowed
    /// share of the total weight.
    ProviderShare,
}

impl WarningKind {
    /// The name in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::SingleProvider => "single_provider",
            WarningKind::HiddenSingleProvider => "hidden_single_provider",
            WarningKind::ProviderShare => "provider_share",
        }
    }
}

/// One warning, borrowing its ids from the scenario: a plan of a million
/// services can have as many, and each is a few words until it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning<'a> {
    pub kind: WarningKind,
    pub service: Option<&'a str>,
    pub provider: &'a str,
    /// What the message says beyond the ids.
    pub detail: Detail,
}

/// The figures a warning's message gives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Detail {
    None,
    /// `hidden_single_provider`: how many DNS providers the service has.
    Providers(usize),
    /// `provider_share`: the weight the provider takes down, the total
    /// weight, and the `--max-share` it is above.
    Share {
        impact: f64,
        total: f64,
        max: f64,
    },
}

impl Warning<'_> {
    /// The message, written when it is shown.
    pub fn message(&self) -> Message<'_> {
        Message(self)
    }
}

/// A warning's message ([`Warning::message`]).
pub struct Message<'w>(&'w Warning<'w>);

impl std::fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let w = self.0;
        let service = w.service.unwrap_or("");
        match w.detail {
            Detail::Providers(n) => write!(
                f,
                "service \"{service}\" ({n} DNS provider{}) is taken down by \"{}\" alone through its requirements",
                if n == 1 { "" } else { "s" },
                w.provider
            ),
            Detail::Share { impact, total, max } => write!(
                f,
                "provider \"{}\" alone takes down {:.1}% of the weight (more than --max-share {}%)",
                w.provider,
                100.0 * impact / total,
                100.0 * max
            ),
            Detail::None => write!(
                f,
                "service \"{service}\" is delegated to a single provider, \"{}\"",
                w.provider
            ),
        }
    }
}

impl Serialize for Warning<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Warning", 4)?;
        st.serialize_field("kind", &self.kind)?;
        if let Some(service) = self.service {
            st.serialize_field("service", service)?;
        }
        st.serialize_field("provider", self.provider)?;
        st.serialize_field("message", &Collected(self.message()))?;
        st.end()
    }
}

/// A `Display` serialised as a string, without building it first.
pub struct Collected<T>(pub T);

impl<T: std::fmt::Display> Serialize for Collected<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// A scenario that loaded: its size and its warnings.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport<'a> {
    pub dnsim: &'static str,
    pub scenario: String,
    pub ok: bool,
    pub services: usize,
    pub providers: usize,
    pub common_causes: usize,
    pub regions: usize,
    pub warnings: Vec<Warning<'a>>,
    /// Warnings accepted by `--allow` or `--baseline`, not in `warnings`.
    #[serde(skip_serializing_if = "is_zero")]
    pub allowed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A scenario that did not load (`check --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct CheckFailure {
    pub dnsim: &'static str,
    pub ok: bool,
    pub error: ErrorJson,
}

/// An [`InputError`] as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorJson {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub key: Option<String>,
    pub message: String,
    /// The file's other errors found in the same pass.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub more: Vec<ErrorJson>,
}

impl From<&InputError> for ErrorJson {
    fn from(e: &InputError) -> ErrorJson {
        ErrorJson {
            file: e.file.as_ref().map(|f| f.display().to_string()),
            line: e.line,
            column: e.column,
            key: e.key.clone(),
            message: e.message.clone(),
            more: e.more.iter().map(ErrorJson::from).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WarningKind;

    /// The kinds a service may `allow` in the file are written as text in
    /// `scenario` (which may not use `results`): they must stay kinds.
    #[test]
    fn a_service_allows_only_kinds_that_exist() {
        let kinds = [
            WarningKind::SingleProvider,
            WarningKind::HiddenSingleProvider,
            WarningKind::ProviderShare,
        ];
        for name in crate::scenario::SERVICE_LINTS {
            assert!(kinds.iter().any(|k| k.as_str() == name), "{name}");
        }
    }
}
