//! The real-resolver testbed: dnsim's timeline experiments run through
//! Unbound and BIND on loopback, beside dnsim's own figures for the same
//! files. docs/testbed.md says how to run it and what it showed.
//!
//! An experiment (`experiment`) is a dnsim scenario; `bed` runs it for
//! real: NSD and the resolvers (`daemon`), a loss relay per provider
//! (`relay`) and Poisson clients (`client`), then `bed::simulate` runs it
//! in dnsim and `table` puts the two side by side.

pub mod bed;
pub mod client;
pub mod daemon;
pub mod experiment;
pub mod relay;
pub mod table;
