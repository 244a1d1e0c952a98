//! Which services a load keeps: all, or for a part of a plan (`run --part
//! K/N`) only its slice and every service that anything requires (in the
//! timeline model also every service that requires something: names that
//! requirements connect share caches, so are simulated together), so that
//! a part never holds the whole plan. A part reads the plan twice: a survey
//! that keeps nothing but counts the services, sums their weights and
//! notes every name that is required and every service that requires,
//! then the load that keeps.

use std::ops::Range;

use foldhash::HashSet;

use crate::scenario::{Resolvers, Service};

#[derive(Default)]
pub(in crate::scenario) enum Keep {
    #[default]
    All,
    Survey(Survey),
    Slice(Filter),
}

/// What every part needs to know of the whole plan.
#[derive(Default)]
pub(in crate::scenario) struct Survey {
    pub count: usize,
    /// Summed in scenario order, as [`crate::scenario::Scenario::total_weight`].
    pub total_weight: f64,
    /// Every name in a `requires`, `requires_any` or `parent`.
    pub required: HashSet<Box<str>>,
    /// A bit per service: whether it has a `requires` or `requires_any`.
    pub requiring: Vec<u64>,
    /// The distinct (query rate, ttl, ns_ttl, delegation_ttl) of services
    /// with a parent: whether their cold-NS shares are all 0 or 1 is known
    /// once the resolvers are.
    cold: HashSet<(u64, u32, u32, u32)>,
}

impl Survey {
    /// Whether every cold-NS event of the plan is certain or impossible.
    pub fn cold_exact(&self, resolvers: &Resolvers) -> bool {
        self.cold
            .iter()
            .all(|&(rate, ttl, ns_ttl, delegation_ttl)| {
                let mut s = Service::new("", Vec::new());
                (s.query_rate, s.ttl, s.ns_ttl, s.delegation_ttl) =
                    (f64::from_bits(rate), ttl, ns_ttl, delegation_ttl);
                resolvers.cold_ns_certain(&s)
            })
    }
}

/// The second pass: which services to keep.
pub(in crate::scenario) struct Filter {
    /// Services seen so far: the next one's index in the whole plan.
    pub seen: usize,
    pub slice: Range<usize>,
    pub required: HashSet<Box<str>>,
    /// A bit per service: kept too (empty: none).
    pub also: Vec<u64>,
    /// Per kept service: its index in the whole plan.
    pub kept: Vec<u32>,
}

impl Keep {
    /// Whether to keep `service`, which names `required` (its `requires`,
    /// `requires_any` and `parent`), may require something (`requiring`)
    /// and may have a parent, noting what the mode notes.
    pub fn keeps<'a>(
        &mut self,
        service: &Service,
        required: impl Iterator<Item = &'a str>,
        requiring: bool,
        has_parent: bool,
    ) -> bool {
        match self {
            Keep::All => true,
            Keep::Survey(s) => {
                if s.count % 64 == 0 {
                    s.requiring.push(0);
                }
                if requiring {
                    s.requiring[s.count / 64] |= 1 << (s.count % 64);
                }
                s.count += 1;
                s.total_weight += service.weight;
                for name in required {
                    if !s.required.contains(name) {
                        s.required.insert(name.into());
                    }
                }
                if has_parent {
                    s.cold.insert((
                        service.query_rate.to_bits(),
                        service.ttl,
                        service.ns_ttl,
                        service.delegation_ttl,
                    ));
                }
                false
            }
            Keep::Slice(f) => {
                let i = f.seen;
                f.seen += 1;
                let keep = f.slice.contains(&i) || f.also(i) || f.required.contains(&*service.id);
                if keep {
                    f.kept.push(i as u32);
                }
                keep
            }
        }
    }

    /// Whether the next service, of id `id`, is one that a part's second
    /// pass drops (counted as seen): its row was checked by the survey, so
    /// it need not be read further.
    pub fn drops(&mut self, id: &str) -> bool {
        match self {
            Keep::Slice(f)
                if !f.slice.contains(&f.seen) && !f.also(f.seen) && !f.required.contains(id) =>
            {
                f.seen += 1;
                true
            }
            _ => false,
        }
    }

    /// Services seen, kept or not.
    pub fn seen(&self) -> Option<usize> {
        match self {
            Keep::All => None,
            Keep::Survey(s) => Some(s.count),
            Keep::Slice(f) => Some(f.seen),
        }
    }
}

impl Filter {
    pub fn new(slice: Range<usize>, required: HashSet<Box<str>>, also: Vec<u64>) -> Filter {
        Filter {
            seen: 0,
            slice,
            required,
            also,
            kept: Vec::new(),
        }
    }

    /// Whether service `i` of the whole plan is kept whatever its slice.
    fn also(&self, i: usize) -> bool {
        self.also
            .get(i / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }
}
