//! Command-line flags, as clap parses them (the low-level arguments). Each
//! command turns them into typed, cross-checked options before any work
//! starts; the library never sees clap.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use dnsim::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "dnsim",
    version,
    about = "DNS outage impact simulator: who is unreachable when a DNS provider goes down"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and report who is unreachable, how likely, and the impact.
    Run(Box<RunArgs>),
    /// Validate a scenario and lint it for single points of failure, without simulating.
    Check(CheckArgs),
    /// Merge the partial results of `run --shard` and `run --part` into the final result.
    Merge(MergeArgs),
    /// Turn a saved JSON result (of run, merge, analyze, compare or sweep) into an HTML report.
    Report(ReportArgs),
    /// Exact analysis (snapshot model): probabilities, importance measures, cut sets.
    Analyze(AnalyzeArgs),
    /// Write the plan in another tool's format (Open-PSA MEF fault trees for SCRAM).
    Export(ExportArgs),
    /// Run two plans on the same random draws and report what changed (B − A).
    Compare(CompareArgs),
    /// Write a scenario from an NS list, an octoDNS config, DNSControl's IR or a zone file.
    Import(ImportArgs),
    /// Write a large seeded scenario (PLAN.toml plus PLAN-services.csv) for benchmarks.
    Generate(GenerateArgs),
    /// Run a plan at every point of a grid of --set values: a table, CSV, JSON and an HTML heat map.
    Sweep(SweepArgs),
    /// Write a commented starter plan.
    Init(InitArgs),
    /// Say what a scenario key means: its type, default and the models that read it.
    Explain(ExplainArgs),
    /// Write the JSON Schema of scenario files (for editor completion and checks).
    Schema(SchemaArgs),
}

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// An axis of the grid: a key as --set takes it and its values,
    /// comma-separated (service.www.ttl=1m,1h,1d). Repeatable: the grid is
    /// every combination; the HTML heat map has the first two as rows and columns.
    #[arg(long = "vary", value_name = "KEY=V1,V2,…", required = true)]
    pub vary: Vec<String>,
    /// Set a key at every point, as run --set does. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Override `simulation.model`.
    #[arg(long, value_enum)]
    pub model: Option<ModelArg>,
    #[command(flatten)]
    pub sampling: Sampling,
    #[arg(long, value_enum, default_value_t = SweepFormat::Table)]
    pub format: SweepFormat,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a self-contained HTML report with the heat map to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// No progress line.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SweepFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The plan to write [default: stdout]. An existing file is not replaced.
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// A key (`ttl`), a table's key (`service.ttl`) or a table (`resolvers`); none: every key.
    pub key: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Services to generate (besides the CDN-like ones).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub services: u64,
    /// Third-party DNS providers (the first seven are named, with published shares).
    #[arg(long, value_name = "M", default_value_t = 100,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub providers: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The scenario to write; the services go to FILE-services.csv beside it.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// Client regions.
    #[arg(long, default_value_t = 3,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=64))]
    pub regions: usize,
    /// Share of services hosting their own DNS (default 0.108: Kashaf et al., IMC 2020).
    #[arg(long, value_name = "SHARE", default_value_t = 0.108)]
    pub self_hosted: f64,
    /// Share of services on two providers (default 0.044: Kashaf et al., IMC 2020).
    #[arg(long, value_name = "SHARE", default_value_t = 0.044)]
    pub multi: f64,
    /// Share of services that require a CDN-like service.
    #[arg(long, value_name = "SHARE", default_value_t = 0.3)]
    pub cdn_share: f64,
    /// CDN-like services, each on two providers.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub cdns: usize,
    /// Self-hosting providers the self-hosted services are spread over.
    #[arg(long, value_name = "N", default_value_t = 1000,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub self_hosted_providers: usize,
    /// `simulation.trials` of the generated plan.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: u64,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub kind: ImportKind,
    /// More catalog entries (TOML, as src/import/catalog.toml), checked first.
    #[arg(long, value_name = "FILE", global = true)]
    pub catalog: Option<PathBuf>,
    /// Write the scenario to FILE (atomically) instead of stdout; more than
    /// 10,000 services go to FILE's stem + "-services.csv" beside it, which
    /// FILE includes.
    #[arg(long, short = 'o', value_name = "FILE", global = true)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ImportKind {
    /// Domains and NS hosts: `domain ns-host` lines, or CSV `domain,ns1;ns2`.
    NsList { file: PathBuf },
    /// A BIND master file (zone file).
    Zone {
        file: PathBuf,
        /// The zone's origin (e.g. example.com), for relative names
        /// [default: the file's first $ORIGIN].
        #[arg(long)]
        origin: Option<String>,
    },
    /// An octoDNS config (YAML) and the zone files of its YamlProvider source.
    Octodns { config: PathBuf },
    /// The JSON that `dnscontrol print-ir` writes.
    Dnscontrol { ir: PathBuf },
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The first plan (A).
    pub a: PathBuf,
    /// The second plan (B), compared with A.
    pub b: PathBuf,
    /// The model that compares them [default: the plans' own, when they agree].
    #[arg(long, value_enum)]
    pub model: Option<ModelArg>,
    /// Set a key of B for this comparison, as run --set does (B may be A's
    /// file: a what-if without a copy). Repeatable.
    #[arg(long = "set-b", value_name = "KEY=VALUE")]
    pub set_b: Vec<String>,
    #[command(flatten)]
    pub sampling: Sampling,
    #[command(flatten)]
    pub out: TableJsonHtml,
}

/// How many trials, from which seed, on how many cores (`run`, `compare`).
#[derive(Debug, clap::Args)]
pub struct Sampling {
    /// Override `simulation.trials` (compare: A's). Without either: 10000
    /// (snapshot), 100 (timeline).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: Option<u64>,
    /// Override `simulation.seed` (compare: A's; default 0).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeFormat {
    Table,
    Json,
}

/// Where `analyze` and `compare` write: a table or JSON, and HTML beside.
#[derive(Debug, clap::Args)]
pub struct TableJsonHtml {
    /// Output format (default: table).
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Table)]
    pub format: AnalyzeFormat,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Rows in each table (default 20); 0: all.
    #[arg(long, value_name = "N", value_parser = parse_top, default_value_t = 20)]
    pub top: usize,
    /// Also write a self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Largest minimal cut sets listed.
    #[arg(long, value_name = "K", default_value_t = dnsim::analysis::DEFAULT_ORDER,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=6))]
    pub order: usize,
    /// Largest decision diagram (nodes) per service and region; services
    /// beyond it fall back to Monte Carlo.
    #[arg(long, value_name = "N", default_value_t = dnsim::analysis::DEFAULT_MAX_BDD_NODES,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(2..))]
    pub max_bdd_nodes: usize,
    /// Monte Carlo fallback: override `simulation.trials`.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: Option<u64>,
    /// Monte Carlo fallback: override `simulation.seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub out: TableJsonHtml,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Open-PSA Model Exchange Format: one fault tree per service and region.
    OpenPsa,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A JSON result of `dnsim run` (or `merge`), `analyze`, `compare` or `sweep`.
    pub result: PathBuf,
    /// Write a self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// A run's result in another format (table, json, csv, markdown,
    /// series-csv), as `run --format` writes it; default: table when
    /// there is no --html.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write that format to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Services in the report's tables and graph (default 25); 0: all.
    #[arg(long, value_name = "N", value_parser = parse_top)]
    pub top: Option<usize>,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Part files written by `dnsim run --shard K/N`.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// The scenario, if not at the path the shards recorded. Its content
    /// must be the same (checked by hash).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Where and how results are written, for `run` and `merge`.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output format (default: table).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Services shown in the table (default 20) and in Markdown (default all); 0: all.
    #[arg(long, value_name = "N", value_parser = parse_top)]
    pub top: Option<usize>,
    /// Also write a self-contained HTML report (charts, no network) to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Show only the services whose id matches PATTERN (`*` is any run of
    /// characters: 'twitter.com', '*.example.com'), in the table, Markdown
    /// and HTML; the summary still covers every service, JSON and CSV hold
    /// every row. Repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub only: Vec<String>,
}

/// `--format` of `run` and `merge`: [`Format`], as clap sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Table,
    Json,
    Csv,
    Markdown,
    /// Timeline only: the failed-share series, one row per service, region
    /// and step.
    SeriesCsv,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::SeriesCsv => Format::SeriesCsv,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    Snapshot,
    Timeline,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Override `simulation.model`.
    #[arg(long, value_enum)]
    pub model: Option<ModelArg>,
    #[command(flatten)]
    pub sampling: Sampling,
    /// Force a provider or common cause down in every trial, everywhere or in
    /// one region (ID@REGION). Repeatable.
    #[arg(long = "fail", value_name = "ID[@REGION]")]
    pub fail: Vec<String>,
    /// Make every event not named by --fail certain not to happen: one exact
    /// snapshot trial; 10 timeline trials unless --trials says.
    #[arg(long)]
    pub fail_only: bool,
    /// Timeline: add an incident, as an [[event]] of the file would: e.g.
    /// dyn@us-east=11:10-13:20:0.75 (times as in the file; loss 1 if not given). Repeatable.
    #[arg(long = "event", value_name = "ID[@REGION]=START-END[:LOSS]")]
    pub event: Vec<String>,
    /// Set any key of the scenario for this run: resolvers.serve_stale=true,
    /// service.ID.ttl=1h, provider.ID.loss=0.5, event.N.end=14:00. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    #[command(flatten)]
    pub out: OutputArgs,
    /// Run only shard K of N (K/N), or take it from the scheduler's
    /// environment (auto): writes a partial result for `dnsim merge`.
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<String>,
    /// Run only part K of N of the plan's services (a contiguous slice,
    /// with what it requires), in either model: writes a partial result for `dnsim
    /// merge`, which adds the parts (and their --shard splits) into the
    /// whole run's bytes.
    #[arg(long, value_name = "K/N", conflicts_with = "checkpoint")]
    pub part: Option<String>,
    /// Save finished blocks to FILE as the run goes, and resume from it when
    /// it exists. Ctrl-C saves and stops (exit code 130).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// The shard count for --shard auto where the environment does not give it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub shards: Option<u64>,
    /// Timeline: record the failed share per STEP (e.g. 5m) for every
    /// service; on by default (horizon / 288) when the scenario has events,
    /// `off` for none.
    #[arg(long, value_name = "STEP|off")]
    pub series: Option<String>,
    /// Snapshot: importance sampling for rare outages (biased draws, weighted
    /// trials). Chosen by default when plain sampling would see almost no
    /// failure.
    #[arg(long, conflicts_with = "no_rare")]
    pub rare: bool,
    /// Snapshot: plain sampling even when outages are rare.
    #[arg(long)]
    pub no_rare: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// CI gate (snapshot model): exit with code 3 when the expected impact
    /// is above X, after writing the report.
    #[arg(long, value_name = "X", conflicts_with_all = ["shard", "part"])]
    pub max_impact: Option<f64>,
    /// CI gate (timeline model): exit with code 3 when a service is down
    /// longer than DURATION (e.g. 30m) over the horizon.
    #[arg(long, value_name = "DURATION", conflicts_with_all = ["shard", "part"])]
    pub max_downtime: Option<String>,
    /// CI gate: exit with code 3 when a service has fewer than N nines
    /// (−log10 of its unreachable probability, or of its failed share of
    /// lookups in the timeline model).
    #[arg(long, value_name = "N", conflicts_with_all = ["shard", "part"])]
    pub min_nines: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// Exit with code 3 when there are warnings.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Warn about providers whose failure alone takes down more than this
    /// share of the total weight.
    #[arg(long, value_name = "SHARE", default_value_t = dnsim::lint::DEFAULT_MAX_SHARE, value_parser = parse_share)]
    pub max_share: f64,
    /// Warnings of each kind shown in the table (default 20; JSON lists all); 0: all.
    #[arg(long, value_name = "N", value_parser = parse_top, default_value_t = 20)]
    pub top: usize,
    /// Accept warnings of KIND (single_provider, hidden_single_provider,
    /// provider_share), for one service or provider ID or all. Repeatable.
    #[arg(long, value_name = "KIND[:ID]")]
    pub allow: Vec<String>,
    /// Accept the warnings of an earlier `check --format json` (a baseline):
    /// only new ones are reported and fail --deny-warnings.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

fn parse_share(s: &str) -> Result<f64, String> {
    let x: f64 = s
        .parse()
        .map_err(|_| format!("expected a number in [0, 1], got \"{s}\""))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("expected a number in [0, 1], got {x}"))
    }
}

/// `--top N`: rows in a table; 0 means all of them.
fn parse_top(text: &str) -> Result<usize, String> {
    let n: usize = text
        .parse()
        .map_err(|_| format!("expected a number of rows (0: all), got \"{text}\""))?;
    Ok(if n == 0 { usize::MAX } else { n })
}
