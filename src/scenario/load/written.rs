//! Where each service of a plan is written, and the names it gives, held
//! until every service is known and its requirements can be resolved: kept
//! small, since a plan of millions holds one for every service.

use std::path::PathBuf;
use std::sync::Arc;

use either::Either;

use super::diagnostics::Loc;

/// Where a service was written, and the names it gives (boxed, and only
/// when it gives any: most services of a large plan require nothing).
/// 24 bytes: a plan of millions holds one a service until its
/// requirements are resolved.
pub(in crate::scenario) struct Written {
    pub place: Place,
    pub names: Option<Box<Names>>,
}

/// Where a service is written.
pub(in crate::scenario) enum Place {
    /// Its `id`'s span in the scenario's TOML (a file dnsim reads is at
    /// most 4 GiB: offsets fit 32 bits).
    Toml { start: u32, end: u32 },
    /// A row of a CSV include.
    Csv { file: Arc<CsvFile>, line: u64 },
}

/// A CSV include, as its rows' places name it.
pub(in crate::scenario) struct CsvFile {
    pub path: Arc<PathBuf>,
    /// 1-based.
    pub id_column: u32,
    pub requires_column: u32,
}

impl Place {
    pub fn toml(span: std::ops::Range<usize>) -> Place {
        let at = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        Place::Toml {
            start: at(span.start),
            end: at(span.end),
        }
    }

    /// Where the service's `id` is.
    pub fn loc(&self) -> Loc {
        self.at(|f| f.id_column)
    }

    fn at(&self, column: impl Fn(&CsvFile) -> u32) -> Loc {
        match self {
            Place::Toml { start, end } => Loc::Toml(*start as usize..*end as usize),
            Place::Csv { file, line } => Loc::Csv {
                file: file.path.clone(),
                line: *line,
                column: column(file),
            },
        }
    }
}

/// A service's `requires`, `requires_any` and `parent`, as written.
pub(in crate::scenario) enum Names {
    /// In the scenario's TOML, each name with its own place.
    Toml(Box<TomlNames>),
    /// A CSV row's `requires` cell as read (names between `;`): the text,
    /// not a list of names and places (ten million services, three million
    /// of them requiring a CDN, held 380 MB of those).
    Cell(Box<str>),
}

#[derive(Default)]
pub(in crate::scenario) struct TomlNames {
    pub requires: Vec<Name>,
    pub requires_any: Vec<Vec<Name>>,
    pub parent: Option<Name>,
}

/// A service's name as written, and where.
pub(in crate::scenario) type Name = (Box<str>, Loc);

/// The names in a CSV cell that lists them.
pub(super) fn cell_names(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty())
}

impl Names {
    /// `requires`: each name and where it is written (`place`: where the
    /// service is).
    pub fn requires<'a>(&'a self, place: &Place) -> impl Iterator<Item = (&'a str, Loc)> {
        match self {
            Names::Toml(t) => Either::Left(t.requires.iter().map(|(n, loc)| (&**n, loc.clone()))),
            Names::Cell(text) => {
                let loc = place.at(|f| f.requires_column);
                Either::Right(cell_names(text).map(move |n| (n, loc.clone())))
            }
        }
    }

    pub fn requires_any(&self) -> &[Vec<Name>] {
        match self {
            Names::Toml(t) => &t.requires_any,
            Names::Cell(_) => &[],
        }
    }

    pub fn parent(&self) -> Option<&Name> {
        match self {
            Names::Toml(t) => t.parent.as_ref(),
            Names::Cell(_) => None,
        }
    }
}

impl Written {
    pub(super) fn new(place: Place, names: TomlNames) -> Written {
        let empty =
            names.requires.is_empty() && names.requires_any.is_empty() && names.parent.is_none();
        Written {
            place,
            names: (!empty).then(|| Box::new(Names::Toml(Box::new(names)))),
        }
    }

    /// A CSV row's service, with its `requires` cell (empty: none).
    pub(super) fn row(place: Place, cell: &str) -> Written {
        let names = cell_names(cell)
            .next()
            .is_some()
            .then(|| Box::new(Names::Cell(cell.into())));
        Written { place, names }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_and_a_cell_of_names_stay_small() {
        assert_eq!(std::mem::size_of::<Written>(), 24);
        assert_eq!(std::mem::size_of::<Names>(), 16);
    }

    #[test]
    fn a_cells_names_are_placed_at_its_column_of_the_row() {
        let file = Arc::new(CsvFile {
            path: Arc::new(PathBuf::from("plan.csv")),
            id_column: 1,
            requires_column: 4,
        });
        let place = Place::Csv { file, line: 7 };
        let w = Written::row(place, " a ; ;b");
        let names = w.names.as_deref().expect("names given");
        let got: Vec<(&str, Loc)> = names.requires(&w.place).collect();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].0, got[1].0), ("a", "b"));
        assert!(matches!(
            &got[1].1,
            Loc::Csv {
                line: 7,
                column: 4,
                ..
            }
        ));
        assert!(matches!(
            w.place.loc(),
            Loc::Csv {
                line: 7,
                column: 1,
                ..
            }
        ));
        assert!(Written::row(w.place, " ; ").names.is_none());
    }
}
