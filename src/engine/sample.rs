//! Drawing each event's states for a block of trials.
//!
//! Every event has its own ChaCha8 stream: the key is SHA-256 of the seed and
//! the event's id, the stream number is the block index (spec §5). Adding or
//! removing an event therefore changes no other event's draws, and a block's
//! draws do not depend on the trial count, the thread count or the shard.
//!
//! Two samplers, chosen by the probability alone:
//!
//! - below [`GEOMETRIC_BELOW`], the gap to the next failure is drawn
//!   (geometric, by inversion with `libm`), so rare events cost almost
//!   nothing;
//! - otherwise a word of 64 Bernoulli(p) bits is built from the 32-bit binary
//!   expansion of p, one random word per bit, least significant first:
//!   `acc = bit ? acc | r : acc & r`. Each bit then has probability p rounded
//!   to a multiple of 2⁻³² (an error below 1.2e-10).

use rand_chacha::rand_core::Rng;

use crate::random::{self, Domain, Stream};

/// Trials per block: 64 words of 64 trials.
pub const BLOCK_WORDS: usize = 64;
pub const BLOCK_TRIALS: u64 = (BLOCK_WORDS * 64) as u64;

/// Probabilities below this are sampled by geometric gaps.
pub const GEOMETRIC_BELOW: f64 = 1.0 / 32.0;

/// The key of an event's random stream.
pub fn stream_key(seed: u64, event_id: &str) -> [u8; 32] {
    random::key(Domain::Event, seed, event_id)
}

/// The generator for one event in one block.
pub fn stream(key: &[u8; 32], block: u64) -> Stream {
    random::stream(key, block)
}

/// Fills `words` (one bit per trial) with independent Bernoulli(p) draws.
pub fn fill(words: &mut [u64; BLOCK_WORDS], p: f64, key: &[u8; 32], block: u64) {
    if p <= 0.0 {
        *words = [0; BLOCK_WORDS];
        return;
    }
    if p >= 1.0 {
        *words = [u64::MAX; BLOCK_WORDS];
        return;
    }
    let mut rng = stream(key, block);
    if p < GEOMETRIC_BELOW {
        fill_geometric(words, p, &mut rng);
    } else {
        fill_bits(words, p, &mut rng);
    }
}

fn fill_geometric(words: &mut [u64; BLOCK_WORDS], p: f64, rng: &mut Stream) {
    *words = [0; BLOCK_WORDS];
    let log_q = libm::log1p(-p);
    let mut pos: u64 = 0;
    loop {
        let gap = random::geometric(rng, log_q);
        if gap >= (BLOCK_TRIALS - pos) as f64 {
            return;
        }
        pos += gap as u64;
        words[(pos / 64) as usize] |= 1 << (pos % 64);
        pos += 1;
        if pos >= BLOCK_TRIALS {
            return;
        }
    }
}

fn fill_bits(words: &mut [u64; BLOCK_WORDS], p: f64, rng: &mut Stream) {
    let q = libm::round(p * 4294967296.0) as u64;
    if q >= 1 << 32 {
        *words = [u64::MAX; BLOCK_WORDS];
        return;
    }
    let low = q.trailing_zeros().min(32);
    for w in words.iter_mut() {
        let mut acc = 0u64;
        for bit in low..32 {
            let r = rng.next_u64();
            acc = if q >> bit & 1 == 1 { acc | r } else { acc & r };
        }
        *w = acc;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(p: f64, blocks: u64) -> f64 {
        let key = stream_key(7, "x");
        let mut words = [0; BLOCK_WORDS];
        let mut ones = 0u64;
        for b in 0..blocks {
            fill(&mut words, p, &key, b);
            ones += words.iter().map(|w| w.count_ones() as u64).sum::<u64>();
        }
        ones as f64 / (blocks * BLOCK_TRIALS) as f64
    }

    #[test]
    fn both_samplers_hit_their_probability() {
        for &p in &[1e-3, 0.01, 0.03, 0.05, 0.3, 0.5, 0.9] {
            let n = 200 * BLOCK_TRIALS;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            let got = share(p, 200);
            assert!((got - p).abs() < 5.0 * se, "p={p} got={got}");
        }
    }

    #[test]
    fn certain_and_impossible_events() {
        assert_eq!(share(0.0, 2), 0.0);
        assert_eq!(share(1.0, 2), 1.0);
    }

    #[test]
    fn streams_depend_on_seed_block_and_id_only() {
        let (mut a, mut b) = ([0; BLOCK_WORDS], [0; BLOCK_WORDS]);
        fill(&mut a, 0.5, &stream_key(1, "dyn"), 3);
        fill(&mut b, 0.5, &stream_key(1, "dyn"), 3);
        assert_eq!(a, b);
        fill(&mut b, 0.5, &stream_key(1, "dyn"), 4);
        assert_ne!(a, b);
        fill(&mut b, 0.5, &stream_key(2, "dyn"), 3);
        assert_ne!(a, b);
        fill(&mut b, 0.5, &stream_key(1, "ns1"), 3);
        assert_ne!(a, b);
    }
}
