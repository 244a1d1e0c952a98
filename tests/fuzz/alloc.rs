//! A counting allocator with a budget: when live memory would pass it, the
//! input being run is printed and the process aborts, so that a blow-up is
//! a failure with its reproducer instead of the machine running out.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static BUDGET: AtomicUsize = AtomicUsize::new(usize::MAX);

thread_local! {
    /// The input this thread runs now (pointer and length), and whether it
    /// is already reporting.
    static CURRENT: Cell<(*const u8, usize)> = const { Cell::new((std::ptr::null(), 0)) };
    static REPORTING: Cell<bool> = const { Cell::new(false) };
}

pub fn set_budget(bytes: usize) {
    BUDGET.store(bytes, Ordering::SeqCst);
}

/// Marks `input` as this thread's current input (it must outlive the run).
pub fn set_current(input: &[u8]) {
    CURRENT.with(|c| c.set((input.as_ptr(), input.len())));
}

pub fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

fn over_budget(size: usize) -> ! {
    if !REPORTING.with(|r| r.replace(true)) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "fuzz: an allocation of {size} bytes would pass the memory budget; the input:"
        );
        let (ptr, len) = CURRENT.with(Cell::get);
        if !ptr.is_null() {
            // SAFETY: set_current's input outlives the run that allocates.
            let input = unsafe { std::slice::from_raw_parts(ptr, len.min(1 << 16)) };
            let _ = err.write_all(input);
            let _ = writeln!(err);
        }
    }
    std::process::abort()
}

/// Counts `by` more live bytes for an allocation of `size`, within budget.
fn grow(by: usize, size: usize) {
    let live = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    if live > BUDGET.load(Ordering::Relaxed) {
        over_budget(size);
    }
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call goes to the system allocator; only counts are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size(), layout.size());
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size(), layout.size());
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's pointer and layout, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grow(new_size - layout.size(), new_size);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: the caller's pointer, layout and size, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
