//! Mutations: byte edits, splices from another input of the corpus, and
//! values swapped for the ones that break programs (huge, negative, NaN,
//! empty, long), at the value of a `key = value` or `key: value` line.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::Rng;

const TOKENS: &[&str] = &[
    "0",
    "-1",
    "1",
    "1e308",
    "-1e308",
    "1e-320",
    "nan",
    "inf",
    "-inf",
    "NaN",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "9223372036854775807",
    "-9223372036854775808",
    "1e9",
    "1e15",
    "0.5",
    "\"\"",
    "''",
    "[]",
    "{}",
    "[[]]",
    "\"100000000y\"",
    "\"1s\"",
    "\"0s\"",
    "\"-5m\"",
    "\"1d\"",
    "\"999999999d\"",
    "true",
    "false",
    "\"measured\"",
    "\"ideal\"",
    "\"resolver\"",
    "\"query\"",
    "\"/dev/zero\"",
    "\"/dev/urandom\"",
    "\"../\"",
    "\"\\u0000\"",
    "\u{0}",
    "\n[[service]]\nid = \"x\"\ndns = [\"a\"]\n",
    "\n[[provider]]\nid = \"a\"\n",
    "requires = [",
    "\"",
    "'",
    "#",
    "=",
    ",",
    "\n",
    ":",
    "- ",
    "? ''",
    "@",
    "IN NS",
    "$ORIGIN",
    "$TTL",
    "(",
    ")",
    "\\",
    "é",
    "\u{202e}",
    "\u{feff}",
];

pub fn mutate(rng: &mut ChaCha8Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    let n = 1 + rng.next_u32() % 4;
    for _ in 0..n {
        match rng.next_u32() % 9 {
            0 => flip(rng, &mut out),
            1 => delete(rng, &mut out),
            2 => duplicate(rng, &mut out),
            3 => splice(rng, &mut out, other),
            4 => insert_token(rng, &mut out),
            5 => long_run(rng, &mut out),
            _ => replace_value(rng, &mut out),
        }
    }
    out.truncate(1 << 20);
    out
}

fn pick(rng: &mut ChaCha8Rng, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        (rng.next_u64() % len as u64) as usize
    }
}

fn flip(rng: &mut ChaCha8Rng, out: &mut [u8]) {
    if !out.is_empty() {
        let i = pick(rng, out.len());
        out[i] ^= 1 << (rng.next_u32() % 8);
    }
}

fn delete(rng: &mut ChaCha8Rng, out: &mut Vec<u8>) {
    if !out.is_empty() {
        let i = pick(rng, out.len());
        let len = (pick(rng, 64) + 1).min(out.len() - i);
        out.drain(i..i + len);
    }
}

fn duplicate(rng: &mut ChaCha8Rng, out: &mut Vec<u8>) {
    if !out.is_empty() {
        let i = pick(rng, out.len());
        let len = (pick(rng, 256) + 1).min(out.len() - i);
        let chunk = out[i..i + len].to_vec();
        let at = pick(rng, out.len() + 1);
        out.splice(at..at, chunk);
    }
}

fn splice(rng: &mut ChaCha8Rng, out: &mut Vec<u8>, other: &[u8]) {
    if !other.is_empty() {
        let i = pick(rng, other.len());
        let len = (pick(rng, 512) + 1).min(other.len() - i);
        let at = pick(rng, out.len() + 1);
        out.splice(at..at, other[i..i + len].iter().copied());
    }
}

fn insert_token(rng: &mut ChaCha8Rng, out: &mut Vec<u8>) {
    let token = TOKENS[pick(rng, TOKENS.len())].as_bytes();
    let at = pick(rng, out.len() + 1);
    out.splice(at..at, token.iter().copied());
}

/// A long id, name or value: thousands of one character.
fn long_run(rng: &mut ChaCha8Rng, out: &mut Vec<u8>) {
    let len = 1 << (8 + rng.next_u32() % 10);
    let c = [b'a', b'9', b'.', b'-', b'x'][pick(rng, 5)];
    let at = pick(rng, out.len() + 1);
    out.splice(at..at, std::iter::repeat_n(c, len));
}

/// The value of a random `key = value` / `key: value` line, swapped for a
/// token.
fn replace_value(rng: &mut ChaCha8Rng, out: &mut Vec<u8>) {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(
            out.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .filter(|&i| i < out.len())
        .collect();
    if starts.is_empty() {
        return insert_token(rng, out);
    }
    let start = starts[pick(rng, starts.len())];
    let end = out[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(out.len(), |p| start + p);
    let line = &out[start..end];
    let Some(sep) = line.iter().position(|&b| b == b'=' || b == b':') else {
        return insert_token(rng, out);
    };
    let token = TOKENS[pick(rng, TOKENS.len())].as_bytes().to_vec();
    let from = start + sep + 1;
    out.splice(from..end, std::iter::once(b' ').chain(token));
}
