//! An experiment is a dnsim scenario (timeline model, one region, one
//! service) read with dnsim's own loader; this module derives from it what
//! the real testbed runs: how many resolver processes, how many names each
//! one looks up, the TTL, the lookup rate, and the loss schedule of each
//! provider's relay.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use dnsim::scenario::{EventTarget, LossBy, ModelKind, Scenario, load};

/// Resolver processes when an event cuts off whole resolvers
/// (`loss_by = "resolver"`); one otherwise.
pub const INSTANCES_UNDER_RESOLVER_LOSS: u32 = 4;

/// One scheduled loss at one provider's relay, from the start of the run.
#[derive(Debug, Clone)]
pub struct Loss {
    /// Index into [`Experiment::providers`].
    pub provider: usize,
    pub start: Duration,
    pub end: Duration,
    pub loss: f64,
    pub by_resolver: bool,
}

#[derive(Debug, Clone)]
pub struct Experiment {
    /// The file's stem: the experiment's short name.
    pub name: String,
    /// The scenario's `name`.
    pub title: String,
    pub scenario: Scenario,
    /// The service's delegated providers, in the file's order: one relay
    /// (a name server of the test zone) each.
    pub providers: Vec<String>,
    /// The records' TTL, in seconds.
    pub ttl: u32,
    /// Lookups of each name per second (the service's `query_rate` / 3600).
    pub rate: f64,
    pub horizon: Duration,
    pub losses: Vec<Loss>,
    /// Resolver processes, and names each looks up: together the
    /// scenario's `per_region` (resolver, name) pairs.
    pub instances: u32,
    pub names: u32,
    pub serve_stale: bool,
    /// How long a client waits for an answer: `attempts` × `retry_timeout`,
    /// the patience dnsim's clients have.
    pub client_timeout: Duration,
}

impl Experiment {
    pub fn load(path: &Path) -> Result<Experiment> {
        let scenario = load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .context("an experiment file has a name")?
            .to_string();
        Experiment::from_scenario(name, scenario)
            .with_context(|| format!("{}: not a testbed experiment", path.display()))
    }

    fn from_scenario(name: String, scenario: Scenario) -> Result<Experiment> {
        if scenario.simulation.model != ModelKind::Timeline {
            bail!("the experiment must use the timeline model");
        }
        if scenario.regions.len() != 1 || scenario.services.len() != 1 {
            bail!("an experiment has one region and one service");
        }
        let service = &scenario.services[0];
        if !service.standby().is_empty() || !service.dependencies().is_empty() {
            bail!("the service may have no standby providers and no requirements");
        }
        let providers: Vec<String> = service
            .dns
            .iter()
            .map(|&p| scenario.providers[p as usize].id.clone())
            .collect();
        let mut losses = Vec::new();
        for event in &scenario.events {
            let EventTarget::Provider(p) = event.target else {
                bail!("events must name a provider, not a common cause");
            };
            let provider = service
                .dns
                .iter()
                .position(|&d| d == p)
                .context("an event names a provider the service does not use")?;
            losses.push(Loss {
                provider,
                start: Duration::from_millis(event.start.0),
                end: Duration::from_millis(event.end.0),
                loss: event.loss,
                by_resolver: event.loss_by == LossBy::Resolver,
            });
        }
        if losses.is_empty() {
            bail!("an experiment has at least one [[event]]");
        }
        let resolvers = &scenario.resolvers;
        if resolvers.serve_stale != 0.0 && resolvers.serve_stale != 1.0 {
            bail!("serve_stale must be true or false: one real resolver serves stale or not");
        }
        let instances = if losses.iter().any(|l| l.by_resolver) {
            INSTANCES_UNDER_RESOLVER_LOSS
        } else {
            1
        };
        if !resolvers.per_region.is_multiple_of(instances) {
            bail!("per_region must be a multiple of {instances}, the resolver processes");
        }
        let client_timeout =
            Duration::from_millis(resolvers.retry_timeout.0 * u64::from(resolvers.attempts));
        Ok(Experiment {
            title: scenario.name.clone(),
            providers,
            ttl: service.ttl,
            rate: service.query_rate / 3600.0,
            horizon: Duration::from_millis(scenario.simulation.horizon.0),
            losses,
            names: resolvers.per_region / instances,
            instances,
            serve_stale: resolvers.serve_stale == 1.0,
            client_timeout,
            name,
            scenario,
        })
    }

    /// The first event: the one the table's figures are about.
    pub fn event(&self) -> &Loss {
        &self.losses[0]
    }

    /// Resolver processes cut off by `loss` (per-resolver loss): the first
    /// `round(loss × instances)` of them, so the share is exact rather
    /// than drawn.
    pub fn cut_off(&self, loss: &Loss) -> u32 {
        (loss.loss * f64::from(self.instances)).round() as u32
    }

    /// Queries the event's provider would see during the event with no
    /// outage: each (resolver, name) pair fetches once per cache lifetime
    /// (TTL plus the wait for the next lookup, a rate λ/(1+λT)), from one
    /// delegated provider at random: dnsim's own baseline (docs/resolvers.md).
    pub fn baseline_queries(&self) -> f64 {
        let event = self.event();
        let pairs = f64::from(self.instances * self.names);
        let lambda = self.rate;
        let fetch_rate = lambda / (1.0 + lambda * f64::from(self.ttl));
        pairs * fetch_rate * (event.end - event.start).as_secs_f64() / self.providers.len() as f64
    }
}
