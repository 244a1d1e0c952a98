//! Requirements resolved to indices while a plan's names are still held
//! (for messages): one flat list of integers for every service that names
//! anything, not a list and a box per service (ten million services, three
//! million of them requiring a CDN, held 170 MB of such boxes).

use crate::scenario::Parent;

/// Lists of indices and parents, appended in order, read back in order.
#[derive(Default)]
pub(super) struct Flat(Vec<u32>);

impl Flat {
    /// Appends a list of indices, each once, in the order first given.
    pub fn list<E>(&mut self, items: impl IntoIterator<Item = Result<u32, E>>) -> Result<(), E> {
        let start = self.0.len();
        self.0.push(0);
        for q in items {
            let q = q?;
            if !self.0[start + 1..].contains(&q) {
                self.0.push(q);
            }
        }
        self.0[start] = (self.0.len() - start - 1) as u32;
        Ok(())
    }

    /// Appends a count (of the lists that follow).
    pub fn count(&mut self, n: usize) {
        self.0
            .push(u32::try_from(n).expect("fewer than 2^32 groups"));
    }

    pub fn parent(&mut self, parent: Option<Parent>) {
        self.0.extend(match parent {
            None => [0, 0],
            Some(Parent::Service(i)) => [1, i],
            Some(Parent::Provider(i)) => [2, i],
        });
    }

    pub fn reader(&self) -> Reader<'_> {
        Reader(&self.0)
    }
}

/// What [`Flat`] holds, read in the order it was appended.
pub(super) struct Reader<'a>(&'a [u32]);

impl<'a> Reader<'a> {
    fn next(&mut self) -> u32 {
        let (first, rest) = self.0.split_first().expect("read as written");
        self.0 = rest;
        *first
    }

    pub fn list(&mut self) -> &'a [u32] {
        let n = self.next() as usize;
        let (list, rest) = self.0.split_at(n);
        self.0 = rest;
        list
    }

    pub fn count(&mut self) -> usize {
        self.next() as usize
    }

    pub fn parent(&mut self) -> Option<Parent> {
        match (self.next(), self.next()) {
            (0, _) => None,
            (1, i) => Some(Parent::Service(i)),
            (_, i) => Some(Parent::Provider(i)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_parents_read_back_as_appended_without_repeats() {
        let mut flat = Flat::default();
        flat.list([3, 1, 3].map(Ok::<u32, ()>)).unwrap();
        flat.count(2);
        flat.list([7].map(Ok::<u32, ()>)).unwrap();
        flat.list([].map(Ok::<u32, ()>)).unwrap();
        flat.parent(Some(Parent::Provider(4)));
        flat.list([].map(Ok::<u32, ()>)).unwrap();
        flat.count(0);
        flat.parent(None);
        assert_eq!(flat.list([Ok(1), Err("bad"), Ok(2)]), Err("bad"));
        let mut r = flat.reader();
        assert_eq!(r.list(), &[3, 1]);
        assert_eq!(r.count(), 2);
        assert_eq!((r.list(), r.list()), (&[7][..], &[][..]));
        assert_eq!(r.parent(), Some(Parent::Provider(4)));
        assert_eq!((r.list(), r.count(), r.parent()), (&[][..], 0, None));
    }
}
