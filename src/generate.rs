//! `dnsim generate`: large seeded scenarios for benchmark runs.
//!
//! Writes `PLAN.toml` and `PLAN-services.csv` beside it (an `[[include]]`),
//! streaming the services one row at a time, so memory stays flat whatever
//! the size (up to 10,000,000 services and beyond). Same options and seed,
//! same bytes.
//!
//! Calibration (sources in the generated file's header):
//! - provider shares: the top-100K shares of August 2017 (chameth.com, "Top
//!   sites' DNS providers"): Cloudflare 19%, Route 53 10%, GoDaddy 4%,
//!   DNSPod 3%, Dyn 2%, Akamai 2%, UltraDNS 1%; the rest of the third-party
//!   share falls on the other providers along a Zipf law (s = 1),
//!   continuing the ranks;
//! - 10.8% self-hosted and 4.4% with more than one provider, from Kashaf,
//!   Sekar and Agarwal (IMC 2020) on the 2020 top-100K: 89.2% use
//!   third-party DNS and 84.8% a single provider with no backup, leaving
//!   4.4% with a backup;
//! - popularity (the `weight` column) Zipf by rank, like site traffic,
//!   adding up to 100 (an impact is then a percentage of all traffic).
//!
//! Everything else (outage rates, regions, TTLs, CDN requirements) is
//! synthetic and the file says so.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::InputError;
use crate::output::write_atomic;
use crate::random::{self, Stream, uniform};
use crate::synth::pick;

#[derive(Debug, Clone, Copy)]
pub struct GenerateSpec {
    pub services: u64,
    pub providers: usize,
    pub regions: usize,
    pub seed: u64,
    /// Share of services that host their own DNS.
    pub self_hosted: f64,
    /// Share of services delegated to two providers.
    pub multi: f64,
    /// Share of services that require a CDN-like service.
    pub cdn_share: f64,
    /// CDN-like services (each delegated to two providers).
    pub cdns: usize,
    /// Self-hosting providers the self-hosted services are spread over.
    pub self_hosted_providers: usize,
    /// `simulation.trials` of the generated plan.
    pub trials: u64,
}

impl Default for GenerateSpec {
    fn default() -> GenerateSpec {
        GenerateSpec {
            services: 100_000,
            providers: 100,
            regions: 3,
            seed: 0,
            self_hosted: 0.108,
            multi: 0.044,
            cdn_share: 0.3,
            cdns: 20,
            self_hosted_providers: 1000,
            trials: 10_000,
        }
    }
}

/// Providers with published shares of the top-100K sites (August 2017).
const NAMED: [(&str, &str, f64); 7] = [
    ("cloudflare", "Cloudflare DNS", 0.19),
    ("route53", "Amazon Route 53", 0.10),
    ("godaddy", "GoDaddy DNS", 0.04),
    ("dnspod", "DNSPod", 0.03),
    ("dyn", "Dyn Managed DNS", 0.02),
    ("akamai", "Akamai Edge DNS", 0.02),
    ("ultradns", "UltraDNS", 0.01),
];

struct Provider {
    id: String,
    name: String,
    share: f64,
}

/// Third-party providers and their shares of all services.
fn providers(count: usize, third_party: f64) -> Vec<Provider> {
    let named = count.min(NAMED.len());
    let mut list: Vec<Provider> = NAMED[..named]
        .iter()
        .map(|&(id, name, share)| Provider {
            id: id.to_string(),
            name: name.to_string(),
            share,
        })
        .collect();
    let named_total: f64 = list.iter().map(|p| p.share).sum();
    if count <= NAMED.len() {
        for p in &mut list {
            p.share *= third_party / named_total;
        }
        return list;
    }
    // The tail continues the ranks along Zipf (s = 1), scaled to the rest.
    let tail: Vec<f64> = (NAMED.len() + 1..=count).map(|k| 1.0 / k as f64).collect();
    let tail_total: f64 = tail.iter().sum();
    let rest = (third_party - named_total).max(0.0);
    for (i, w) in tail.iter().enumerate() {
        let rank = NAMED.len() + 1 + i;
        list.push(Provider {
            id: format!("provider-{rank:04}"),
            name: format!("Synthetic provider {rank}"),
            share: rest * w / tail_total,
        });
    }
    list
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The CSV written beside `plan`: `plan.toml` → `plan-services.csv`.
pub fn csv_path(plan: &Path) -> PathBuf {
    let stem = plan
        .file_stem()
        .map_or("plan".into(), |s| s.to_string_lossy().into_owned());
    plan.with_file_name(format!("{stem}-services.csv"))
}

pub fn check(spec: &GenerateSpec) -> Result<(), InputError> {
    let share = |flag: &str, x: f64| {
        if (0.0..=1.0).contains(&x) {
            Ok(())
        } else {
            Err(InputError::flag(
                flag,
                format!("expected a share in [0, 1], got {x}"),
            ))
        }
    };
    share("--self-hosted", spec.self_hosted)?;
    share("--multi", spec.multi)?;
    share("--cdn-share", spec.cdn_share)?;
    if spec.self_hosted + spec.multi > 1.0 {
        return Err(InputError::flag(
            "--multi",
            "--self-hosted and --multi add up to more than 1",
        ));
    }
    if spec.multi > 0.0 && spec.providers < 2 {
        return Err(InputError::flag("--multi", "needs at least 2 providers"));
    }
    if spec.cdn_share > 0.0 && spec.cdns == 0 {
        return Err(InputError::flag(
            "--cdns",
            "--cdn-share needs at least one CDN",
        ));
    }
    Ok(())
}

/// Writes the plan and its CSV. `progress` is called every 65,536 rows.
pub fn generate(
    spec: &GenerateSpec,
    plan_path: &Path,
    progress: &dyn Fn(u64),
) -> crate::error::Result<PathBuf> {
    check(spec)?;
    let csv = csv_path(plan_path);
    let provs = providers(spec.providers, 1.0 - spec.self_hosted);
    let cumulative: Vec<f64> = provs
        .iter()
        .scan(0.0, |acc, p| {
            *acc += p.share;
            Some(*acc)
        })
        .collect();
    let cdn_cumulative = crate::synth::zipf(spec.cdns.max(1), 1.0);
    let mut rng = random::seeded(spec.seed);
    let width = spec.services.max(1).to_string().len();
    let self_buckets = spec.self_hosted_providers.max(1);
    let harmonic: f64 = (1..=spec.services).map(|k| 1.0 / k as f64).sum();

    // Services first: the plan must never name a CSV that is not complete.
    write_atomic(&csv, "--output", |out| {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["id", "dns", "weight", "ttl", "requires"])?;
        let pick_two = |rng: &mut Stream| -> String {
            let a = pick(rng, &cumulative);
            let mut b = pick(rng, &cumulative);
            while b == a {
                b = pick(rng, &cumulative);
            }
            format!("{};{}", provs[a].id, provs[b].id)
        };
        for c in 0..spec.cdns {
            let dns = pick_two(&mut rng);
            w.write_record([
                format!("cdn-{:02}.example", c + 1).as_str(),
                dns.as_str(),
                "0",
                "300",
                "",
            ])?;
        }
        let ttls = [(0.2, "60"), (0.5, "300"), (0.85, "3600"), (1.0, "86400")];
        for i in 0..spec.services {
            let x = uniform(&mut rng);
            let dns = if x < spec.self_hosted {
                format!("self-hosted-{:04}", 1 + (i as usize % self_buckets))
            } else if x < spec.self_hosted + spec.multi {
                pick_two(&mut rng)
            } else {
                provs[pick(&mut rng, &cumulative)].id.clone()
            };
            let rank = i + 1;
            // Popularity, Zipf by rank, normalised so the services' weights
            // add up to 100: an impact reads as a share of all traffic, in %.
            let weight = 100.0 / (rank as f64 * harmonic);
            let t = uniform(&mut rng);
            let ttl = ttls.iter().find(|(c, _)| t < *c).map_or("3600", |x| x.1);
            let requires = if spec.cdns > 0 && uniform(&mut rng) < spec.cdn_share {
                format!("cdn-{:02}.example", 1 + pick(&mut rng, &cdn_cumulative))
            } else {
                String::new()
            };
            w.write_record([
                format!("s{rank:0width$}.example").as_str(),
                dns.as_str(),
                format!("{weight}").as_str(),
                ttl,
                requires.as_str(),
            ])?;
            if rank % 65_536 == 0 {
                progress(65_536);
            }
        }
        w.flush()?;
        Ok(())
    })?;

    let csv_name = csv
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    write_atomic(plan_path, "--output", |out| {
        write_plan(spec, &provs, &csv_name, &mut rng, out)
    })?;
    Ok(csv)
}

/// Writes the scenario TOML: the commented header, `[simulation]`, regions,
/// providers and the include. One function, over the usual length, on
/// purpose: it is one file written top to bottom, and its parts draw from
/// one seeded generator in file order, so moving a part would change every
/// generated plan.
fn write_plan(
    spec: &GenerateSpec,
    provs: &[Provider],
    csv_name: &str,
    rng: &mut Stream,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "# Generated by dnsim {} (dnsim generate --services {} --providers {} --regions {} --seed {}",
        crate::results::VERSION,
        spec.services,
        spec.providers,
        spec.regions,
        spec.seed
    )?;
    writeln!(
        out,
        "#   --self-hosted {} --multi {} --cdn-share {} --cdns {}).",
        spec.self_hosted, spec.multi, spec.cdn_share, spec.cdns
    )?;
    writeln!(out, "#")?;
    writeln!(
        out,
        "# Calibrated: provider shares of the top-100K sites in August 2017 (chameth.com,"
    )?;
    writeln!(
        out,
        "# \"Top sites' DNS providers\": Cloudflare 19%, Route 53 10%, GoDaddy 4%, DNSPod 3%,"
    )?;
    writeln!(
        out,
        "# Dyn 2%, Akamai 2%, UltraDNS 1%), the rest along a Zipf law; self-hosted and"
    )?;
    writeln!(
        out,
        "# multi-provider shares from Kashaf, Sekar, Agarwal, IMC 2020 (89.2% third-party,"
    )?;
    writeln!(
        out,
        "# 84.8% on one provider with no backup). Synthetic, not measured: outage rates,"
    )?;
    writeln!(
        out,
        "# regions, TTLs, weights (Zipf by rank, adding up to 100), CDN requirements, and self-hosted services"
    )?;
    writeln!(
        out,
        "# spread over {} self-hosting providers.",
        spec.self_hosted_providers.max(1)
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "name = {}",
        quote(&format!(
            "Generated: {} services, {} providers, seed {}",
            spec.services, spec.providers, spec.seed
        ))
    )?;
    writeln!(
        out,
        "description = \"Synthetic benchmark plan; provider shares calibrated to published measurements (see the header).\""
    )?;
    writeln!(out, "\n[simulation]\nmodel = \"snapshot\"")?;
    writeln!(out, "trials = {}\nseed = {}", spec.trials, spec.seed)?;
    let regions = spec.regions.max(1);
    for r in 1..=regions {
        writeln!(
            out,
            "\n[[region]]\nid = \"region-{r}\"\nweight = {}",
            1.0 / regions as f64
        )?;
    }
    let mut write_provider = |id: &str, name: &str, rng: &mut Stream, k: usize| {
        let p = libm::pow(10.0, -4.0 + 2.0 * uniform(rng));
        let per_year = 0.5 + 3.5 * uniform(rng);
        writeln!(
            out,
            "\n[[provider]]\nid = {}\nname = {}",
            quote(id),
            quote(name)
        )?;
        writeln!(out, "p_outage = {p:.3e}")?;
        if regions > 1 && k % 3 == 0 {
            writeln!(
                out,
                "regional_p_outage = {{ region-{} = {:.3e} }}",
                1 + k % regions,
                p / 2.0
            )?;
        }
        writeln!(
            out,
            "outages_per_year = {per_year:.2}\noutage_duration = {{ median = \"30m\", p95 = \"4h\" }}"
        )
    };
    for (k, p) in provs.iter().enumerate() {
        write_provider(&p.id, &p.name, rng, k)?;
    }
    if spec.self_hosted > 0.0 {
        for b in 1..=spec.self_hosted_providers.max(1) {
            write_provider(
                &format!("self-hosted-{b:04}"),
                &format!("Self-hosting operators, group {b}"),
                rng,
                provs.len() + b,
            )?;
        }
    }
    if provs.len() >= 3 {
        writeln!(
            out,
            "\n[[common_cause]]\nid = \"botnet\"\nproviders = [{}, {}, {}]\nregions = [\"region-1\"]\np = 1e-4\nper_year = 0.1\nduration = \"3h\"\nloss = 0.9",
            quote(&provs[0].id),
            quote(&provs[1].id),
            quote(&provs[2].id)
        )?;
    }
    writeln!(out, "\n[[include]]\nservices = {}", quote(csv_name))
}
