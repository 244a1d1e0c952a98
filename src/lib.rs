//! dnsim: a DNS outage impact simulator.
//!
//! The library loads a scenario (`scenario`), compiles it into dense arrays
//! (`model`), samples it (`engine`), turns the counts into probabilities and
//! intervals (`stats`, `results`) and writes them (`report`). `run` strings
//! these together; the binary in `main.rs` only parses flags and maps errors
//! to exit codes.

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
pub mod model;
pub mod output;
pub mod random;
pub mod report;
pub mod results;
pub mod run;
pub mod scenario;
pub mod shard;
pub mod stats;
pub mod synth;
pub mod timeline;
