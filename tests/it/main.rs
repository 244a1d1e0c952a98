//! Integration tests: one binary, modules by subject.

mod bad_input;
mod cli;
mod engine;
mod html;
mod shard;
mod support;
mod timeline;
