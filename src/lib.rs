//! dnsim: a DNS outage impact simulator.
//!
//! The library loads a scenario (`scenario`, reading files through
//! `files`), resolves the forced failures (`forcing`), compiles it into
//! dense arrays (`model`, or `timeline` for the time-domain model), samples
//! it (`engine`, with every draw from `random`), turns the counts into the
//! plain report structs of `results` and writes them (`report`). `run`
//! strings these together; the binary in `src/bin/dnsim/` only parses flags
//! and maps errors to exit codes. ARCHITECTURE.md has the map and the
//! invariants that `tests/it/architecture.rs` checks.

pub mod analysis;
pub mod checkpoint;
pub mod compare;
pub mod duration;
pub mod engine;
pub mod error;
pub mod export;
pub mod files;
pub mod forcing;
pub mod generate;
pub mod import;
pub mod lint;
pub mod merge;
pub mod model;
pub mod output;
pub mod part;
pub mod random;
pub mod reference;
pub mod report;
pub mod results;
pub mod run;
pub mod scenario;
pub mod shard;
pub mod stats;
pub mod sweep;
pub mod synth;
pub mod timeline;
