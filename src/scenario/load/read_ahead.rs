//! An include read ahead: a thread of its own reads the file and feeds its
//! bytes to the scenario's content hash while the rows read so far are
//! parsed (`check` of a 100,000-service plan spent 8% of its time in
//! `read` and SHA-256 before, on the one thread that parses).

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, sync_channel};

use sha2::{Digest, Sha256};

/// Bytes a block, and blocks read ahead of the parser at most.
const BLOCK: usize = 1 << 16;
const AHEAD: usize = 4;

/// Runs `parse` on the bytes of `file`, read (and hashed into `hasher`, in
/// order) on another thread; returns what `parse` returns. When `parse`
/// stops early, the reader stops too.
pub(super) fn read_ahead<T>(
    mut file: impl Read + Send,
    hasher: &mut Sha256,
    parse: impl FnOnce(&mut Blocks) -> T,
) -> T {
    std::thread::scope(|scope| {
        let (blocks, rx) = sync_channel(AHEAD);
        // The reader ends (and with it the stream) at the file's end or an
        // error, or when the parser has stopped and dropped its end.
        scope.spawn(move || {
            loop {
                let mut block = vec![0u8; BLOCK];
                match fill(&mut file, &mut block) {
                    Ok(0) => break,
                    Ok(n) => {
                        hasher.update(&block[..n]);
                        block.truncate(n);
                        if blocks.send(Ok(block)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = blocks.send(Err(e));
                        break;
                    }
                }
            }
        });
        let mut input = Blocks {
            rx,
            block: Vec::new(),
            at: 0,
        };
        let out = parse(&mut input);
        drop(input);
        out
    })
}

/// Reads into `block` until it is full or the file ends; the bytes read.
fn fill(file: &mut impl Read, block: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < block.len() {
        match file.read(&mut block[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The parser's end: the blocks in order, as one stream.
pub(super) struct Blocks {
    rx: Receiver<io::Result<Vec<u8>>>,
    block: Vec<u8>,
    at: usize,
}

impl Read for Blocks {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.block.len() {
            match self.rx.recv() {
                Ok(Ok(block)) => (self.block, self.at) = (block, 0),
                Ok(Err(e)) => return Err(e),
                // The reader ended after the last block (or an error).
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out a few bytes at a time, then fails or ends.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        fail_at_end: bool,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.at == self.data.len() && self.fail_at_end {
                return Err(io::Error::other("disk on fire"));
            }
            let n = buf.len().min(7).min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn trickle(len: usize, fail_at_end: bool) -> Trickle {
        let data = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        Trickle {
            data,
            at: 0,
            fail_at_end,
        }
    }

    /// The parser sees the file's bytes in order and the hash covers them
    /// all, for files empty, shorter than a block, and many blocks long.
    #[test]
    fn the_bytes_and_the_hash_are_the_files() {
        for len in [0, 1, 1000, BLOCK, BLOCK + 1, 10 * BLOCK + 123] {
            let file = trickle(len, false);
            let expected = file.data.clone();
            let mut hasher = Sha256::new();
            let mut seen = Vec::new();
            read_ahead(file, &mut hasher, |input| input.read_to_end(&mut seen)).unwrap();
            assert_eq!(seen, expected, "{len} bytes");
            assert_eq!(hasher.finalize(), Sha256::digest(&expected), "{len} bytes");
        }
    }

    /// A read error reaches the parser, after the bytes before it.
    #[test]
    fn an_error_reaches_the_parser() {
        let mut hasher = Sha256::new();
        let mut seen = Vec::new();
        let err = read_ahead(trickle(3 * BLOCK, true), &mut hasher, |input| {
            input.read_to_end(&mut seen)
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk on fire");
        assert_eq!(seen.len(), 3 * BLOCK);
    }

    /// A parser that stops after its first bytes does not wait for the
    /// rest of a long file: the reader stops too (a hang fails the test).
    #[test]
    fn a_parser_that_stops_stops_the_reader() {
        let mut hasher = Sha256::new();
        let first = read_ahead(trickle(100 * BLOCK, false), &mut hasher, |input| {
            let mut byte = [0u8; 1];
            input.read_exact(&mut byte).map(|_| byte[0])
        });
        assert_eq!(first.unwrap(), 0);
    }
}
