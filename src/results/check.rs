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

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Warning {
    pub kind: WarningKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    pub provider: String,
    pub message: String,
}

/// A scenario that loaded: its size and its warnings.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub dnsim: &'static str,
    pub scenario: String,
    pub ok: bool,
    pub services: usize,
    pub providers: usize,
    pub common_causes: usize,
    pub regions: usize,
    pub warnings: Vec<Warning>,
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
