//! Every random draw dnsim makes comes from here: stream keys with named
//! domain tags, the ChaCha8 streams they seed, and the samplers.
//!
//! A stream is keyed by SHA-256 of a domain tag, the seed and an id (an
//! event's, a provider's, a service's), and numbered by a fixed unit of work
//! (a block of trials, a trial, a resolver): spec §5. So a draw depends on
//! nothing but (seed, domain, id, number): not on threads, shards, the
//! trial count, or the other events of the plan. The domain tags keep the
//! streams of different uses apart even where ids coincide.
//!
//! The samplers are written out (not taken from `rand_distr`) so that every
//! transcendental goes through `libm`, whose results do not depend on the
//! platform's maths library: the same seed gives the same bytes everywhere.
//! `tests` below pins the first values of each: changing one changes every
//! user's results, and is a breaking change to note in the changelog.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

/// The generator behind every stream.
pub type Stream = ChaCha8Rng;

/// What a stream is for. Each domain hashes its own tag into the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// A snapshot event's states (numbered by block).
    Event,
    /// A timeline provider's or common cause's outages (numbered by trial).
    Outage,
    /// A timeline resolver's draws for one service (numbered by
    /// [`resolver_stream`]).
    Resolver,
    /// Whether a resolver is among those that lose every query to a
    /// provider during its `loss_by = "resolver"` outages (keyed by the
    /// provider, numbered by [`resolver_stream`]).
    ResolverLoss,
}

impl Domain {
    /// The bytes hashed before the seed. Fixed forever: they are part of
    /// every result.
    fn tag(self) -> &'static [u8] {
        match self {
            Domain::Event => b"dnsim/event/v1\0",
            Domain::Outage | Domain::Resolver | Domain::ResolverLoss => b"dnsim/timeline/v1\0",
        }
    }

    /// Hashed after the seed, before the id (the timeline's kind of key).
    fn kind(self) -> Option<&'static [u8]> {
        match self {
            Domain::Event => None,
            Domain::Outage => Some(b"outage\0"),
            Domain::Resolver => Some(b"resolver\0"),
            Domain::ResolverLoss => Some(b"resolver-loss\0"),
        }
    }
}

/// The key of the streams of `id` in `domain` for `seed`.
pub fn key(domain: Domain, seed: u64, id: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(domain.tag());
    h.update(seed.to_le_bytes());
    if let Some(kind) = domain.kind() {
        h.update(kind);
    }
    h.update(id.as_bytes());
    h.finalize().into()
}

/// Stream `number` of `key`.
pub fn stream(key: &[u8; 32], number: u64) -> Stream {
    let mut rng = ChaCha8Rng::from_seed(*key);
    rng.set_stream(number);
    rng
}

/// A generator from a bare seed, for synthetic plans (not for results).
pub fn seeded(seed: u64) -> Stream {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Bits of a resolver stream number that hold the resolver, and the region.
const RESOLVER_BITS: u32 = 16;
const REGION_BITS: u32 = 8;

/// The largest region and resolver indices [`resolver_stream`] packs; the
/// timeline model refuses plans beyond them.
pub const MAX_REGIONS: usize = 1 << REGION_BITS;
pub const MAX_RESOLVERS: usize = 1 << RESOLVER_BITS;

/// A resolver's stream number: trial, region and resolver packed in 64
/// bits (40, 8 and 16).
pub fn resolver_stream(trial: u64, region: usize, resolver: usize) -> u64 {
    debug_assert!(region < MAX_REGIONS && resolver < MAX_RESOLVERS);
    debug_assert!(trial < 1 << (64 - REGION_BITS - RESOLVER_BITS));
    (trial << (REGION_BITS + RESOLVER_BITS)) | ((region as u64) << RESOLVER_BITS) | resolver as u64
}

/// 2⁻⁵³: the spacing of the uniforms below.
const UNIT: f64 = 1.0 / (1u64 << 53) as f64;

/// Uniform on [0, 1), 53 bits.
#[inline]
pub fn uniform(rng: &mut Stream) -> f64 {
    (rng.next_u64() >> 11) as f64 * UNIT
}

/// Uniform on (0, 1], 53 bits: safe to take the logarithm of.
#[inline]
pub fn uniform_nonzero(rng: &mut Stream) -> f64 {
    ((rng.next_u64() >> 11) + 1) as f64 * UNIT
}

/// Exponential with the given rate (per second).
#[inline]
pub fn exponential(rng: &mut Stream, rate: f64) -> f64 {
    -libm::log(1.0 - uniform(rng)) / rate
}

/// Exponential with the given rate (per second), by Marsaglia and Tsang's
/// ziggurat (J. Stat. Softw. 5(8), 2000): one 64-bit draw and no logarithm
/// almost every time, exact in law, its tables and rare slow paths from
/// `libm`. Used where the ideal profile (spec §3) never draws, so that
/// [`exponential`]'s values, and with them the ideal profile's figures,
/// stay those of earlier versions.
#[inline]
pub fn exponential_fast(rng: &mut Stream, rate: f64) -> f64 {
    let z = &*ZIGGURAT;
    loop {
        let bits = rng.next_u64();
        let i = (bits & 0xff) as usize;
        let x = (bits >> 11) as f64 * UNIT * z.x[i];
        if x < z.x[i + 1] {
            return x / rate;
        }
        if i == 0 {
            // The base layer's part beyond R: the tail, R + Exp(1).
            return (ZIG_R - libm::log(uniform_nonzero(rng))) / rate;
        }
        if z.f[i] + uniform(rng) * (z.f[i + 1] - z.f[i]) < libm::exp(-x) {
            return x / rate;
        }
    }
}

/// The exponential ziggurat's 256 layers of equal area `ZIG_V` (Marsaglia
/// and Tsang's constants): `x` their right edges, falling from the base
/// layer's to 0, and `f` = e^(−x) there.
struct Ziggurat {
    x: [f64; 257],
    f: [f64; 257],
}

const ZIG_R: f64 = 7.697_117_470_131_05;
const ZIG_V: f64 = 0.003_949_659_822_581_557;

static ZIGGURAT: std::sync::LazyLock<Ziggurat> = std::sync::LazyLock::new(|| {
    let mut x = [0.0; 257];
    x[0] = ZIG_V / libm::exp(-ZIG_R);
    x[1] = ZIG_R;
    for i in 2..256 {
        x[i] = -libm::log(ZIG_V / x[i - 1] + libm::exp(-x[i - 1]));
    }
    let f = x.map(|x| libm::exp(-x));
    Ziggurat { x, f }
});

/// The number of failures before the first success of a Bernoulli(p)
/// sequence, by inversion, given `log_q` = ln(1 − p). A float, so that a
/// huge gap does not overflow.
#[inline]
pub fn geometric(rng: &mut Stream, log_q: f64) -> f64 {
    libm::floor(libm::log(uniform_nonzero(rng)) / log_q)
}

/// Poisson with the given mean: multiplication below 10, Hörmann's PTRS
/// transformed rejection above (exact, with `libm`'s functions).
pub fn poisson(rng: &mut Stream, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if mean < 10.0 {
        let limit = libm::exp(-mean);
        let (mut k, mut p) = (0, 1.0);
        loop {
            p *= uniform(rng);
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }
    let smu = libm::sqrt(mean);
    let b = 0.931 + 2.53 * smu;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    let log_mean = libm::log(mean);
    loop {
        let u = uniform(rng) - 0.5;
        let v = uniform(rng);
        let us = 0.5 - u.abs();
        let k = libm::floor((2.0 * a / us + b) * u + mean + 0.43);
        if us >= 0.07 && v <= vr {
            return k as u64;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if libm::log(v) + libm::log(inv_alpha) - libm::log(a / (us * us) + b)
            <= -mean + k * log_mean - libm::lgamma(k + 1.0)
        {
            return k as u64;
        }
    }
}

/// Standard normal, by Box–Muller (one value of the pair).
pub fn standard_normal(rng: &mut Stream) -> f64 {
    let (u1, u2) = (1.0 - uniform(rng), uniform(rng));
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
}

/// Lognormal with the given median and the σ of its logarithm.
pub fn lognormal(rng: &mut Stream, median: f64, sigma: f64) -> f64 {
    median * libm::exp(sigma * standard_normal(rng))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn first<T>(n: usize, mut draw: impl FnMut(&mut Stream) -> T) -> Vec<T> {
        let mut rng = stream(&key(Domain::Resolver, 7, "www.example.com"), 3);
        (0..n).map(|_| draw(&mut rng)).collect()
    }

    /// Value stability (as rand does it): the keys and the first draws of
    /// every sampler for a fixed key are pinned. A failure here means every
    /// result of every user changes.
    #[test]
    fn keys_are_stable() {
        assert_eq!(hex(&key(Domain::Event, 1, "dyn")[..8]), "ac7448ff68d9d8aa");
        assert_eq!(hex(&key(Domain::Outage, 1, "dyn")[..8]), "74efa7b8b2b9b53c");
        assert_eq!(
            hex(&key(Domain::Resolver, 1, "dyn")[..8]),
            "47d022d1321bddfc"
        );
        assert_eq!(
            hex(&key(Domain::ResolverLoss, 1, "dyn")[..8]),
            "9b9143b1fee19b36"
        );
    }

    #[test]
    fn draws_are_stable() {
        assert_eq!(
            first(3, |r| r.next_u64()),
            [
                17594211420231638679,
                8323017509334204443,
                8492137796184697921
            ]
        );
        assert_eq!(
            first(3, uniform),
            [0.9537841122492207, 0.45119168326275183, 0.4603597123834856]
        );
        assert_eq!(
            first(3, |r| exponential(r, 0.5)),
            [6.148863298603583, 1.2000120965613634, 1.2337049908663378]
        );
        assert_eq!(
            first(3, |r| exponential_fast(r, 0.5)),
            [2.664154072095311, 3.452094115428539, 2.456087181100902]
        );
        assert_eq!(
            first(3, |r| geometric(r, libm::log1p(-0.01))),
            [4.0, 79.0, 77.0]
        );
        assert_eq!(first(4, |r| poisson(r, 3.0)), [6, 5, 5, 1]);
        assert_eq!(first(4, |r| poisson(r, 250.0)), [287, 248, 268, 247]);
        assert_eq!(
            first(3, standard_normal),
            [-2.363996796148749, 0.4383094496463971, 0.8102979871763007]
        );
        assert_eq!(
            first(3, |r| lognormal(r, 600.0, 0.7)),
            [114.67842395176105, 815.4550247088638, 1058.002786586618]
        );
    }

    #[test]
    fn resolver_streams_pack_without_overlap() {
        assert_eq!(resolver_stream(0, 0, 1), 1);
        assert_eq!(resolver_stream(0, 1, 0), 1 << 16);
        assert_eq!(resolver_stream(1, 0, 0), 1 << 24);
        assert_eq!(
            resolver_stream(5, MAX_REGIONS - 1, MAX_RESOLVERS - 1),
            (5 << 24) | 0xff_ffff
        );
    }

    #[test]
    fn domains_never_share_a_stream() {
        let ids = [
            Domain::Event,
            Domain::Outage,
            Domain::Resolver,
            Domain::ResolverLoss,
        ]
        .map(|d| key(d, 1, "x"));
        for (i, a) in ids.iter().enumerate() {
            assert!(ids[i + 1..].iter().all(|b| a != b));
        }
    }

    /// The ziggurat's law, layer by layer: the share of draws above
    /// thresholds across the layers, the wedges and the tail (beyond
    /// R ≈ 7.70), each against e^(−t) within five standard errors.
    #[test]
    fn the_fast_exponential_has_the_exponential_law() {
        let n = 1_000_000;
        let xs = first(n, |r| exponential_fast(r, 1.0));
        for t in [0.01, 0.1, 0.5, 1.0, 2.0, 4.0, 7.0, 7.69, 8.0, 10.0] {
            let p = libm::exp(-t);
            let got = xs.iter().filter(|&&x| x > t).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!((got - p).abs() <= 5.0 * se, "P(X > {t}) = {got}, want {p}");
        }
        // The top layer, built last, has the area of every other one: the
        // constants and the recurrence agree.
        let z = &*ZIGGURAT;
        let top = z.x[255] * (1.0 - z.f[255]);
        assert!((top / ZIG_V - 1.0).abs() < 1e-6, "top layer's area {top}");
    }

    /// Moments of the samplers, so that a pinned value that is wrong from
    /// the start does not go unnoticed.
    #[test]
    fn samplers_have_their_moments() {
        let n = 200_000;
        let mean_var = |xs: Vec<f64>| {
            let m = xs.iter().sum::<f64>() / xs.len() as f64;
            let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64;
            (m, v)
        };
        let close = |got: f64, want: f64, tol: f64| {
            assert!((got - want).abs() <= tol, "got {got}, want {want} ± {tol}")
        };
        for mean in [0.5, 3.0, 9.9, 10.0, 42.0, 1000.0] {
            let (m, v) = mean_var(first(n, |r| poisson(r, mean) as f64));
            let se = (mean / n as f64).sqrt();
            close(m, mean, 5.0 * se);
            close(v, mean, 0.03 * mean);
        }
        let (m, v) = mean_var(first(n, |r| exponential(r, 0.25)));
        close(m, 4.0, 0.05);
        close(v, 16.0, 0.5);
        let (m, v) = mean_var(first(n, |r| exponential_fast(r, 0.25)));
        close(m, 4.0, 0.05);
        close(v, 16.0, 0.5);
        let (m, v) = mean_var(first(n, standard_normal));
        close(m, 0.0, 0.015);
        close(v, 1.0, 0.015);
        let p: f64 = 0.01;
        let (m, _) = mean_var(first(n, |r| geometric(r, libm::log1p(-p))));
        close(m, (1.0 - p) / p, 1.0);
        let mut logs = first(n, |r| libm::log(lognormal(r, 600.0, 0.7)));
        logs.sort_by(f64::total_cmp);
        close(logs[n / 2], libm::log(600.0), 0.01);
    }
}
