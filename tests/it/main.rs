//! Integration tests: one binary, modules by subject.

mod analysis;
mod architecture;
mod bad_input;
mod calibration;
mod cli;
mod compare;
mod delegation;
mod engine;
mod extends;
mod golden;
mod html;
mod import;
mod incidents;
mod lab;
mod parts;
mod plans;
mod rare;
mod real_tools;
mod reference;
mod shard;
mod support;
mod sweep;
mod timeline;
