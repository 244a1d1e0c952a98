//! Service ids to their indices, for resolving requirements by name.

use std::hash::BuildHasher;

use crate::scenario::Service;

/// Service ids to their indices: a table of the indices, hashed by the id
/// each points to, so 4 bytes a service where a map of (id, index) takes
/// 24 (a plan of ten million services resolves its requirements with
/// 40 MB of index, not 400).
pub(super) struct IdIndex<'s> {
    services: &'s [Service],
    table: hashbrown::HashTable<u32>,
    state: foldhash::fast::FixedState,
}

impl<'s> IdIndex<'s> {
    pub(super) fn new(services: &'s [Service]) -> IdIndex<'s> {
        IdIndex {
            services,
            table: hashbrown::HashTable::with_capacity(services.len()),
            state: foldhash::fast::FixedState::default(),
        }
    }

    fn hash(&self, id: &str) -> u64 {
        self.state.hash_one(id)
    }

    /// The index of the service `id`, if it has been inserted.
    pub(super) fn get(&self, id: &str) -> Option<u32> {
        let services = self.services;
        self.table
            .find(self.hash(id), |&i| &*services[i as usize].id == id)
            .copied()
    }

    /// Adds service `i` (its id not yet in the table).
    pub(super) fn insert(&mut self, i: u32) {
        let (services, state) = (self.services, self.state.clone());
        let hash = self.hash(&services[i as usize].id);
        self.table
            .insert_unique(hash, i, |&j| state.hash_one(&*services[j as usize].id));
    }

    /// The ids inserted, in the order of the services.
    pub(super) fn keys(&self) -> impl Iterator<Item = &'s str> + '_ {
        let mut at: Vec<u32> = self.table.iter().copied().collect();
        at.sort_unstable();
        at.into_iter().map(|i| &*self.services[i as usize].id)
    }
}
