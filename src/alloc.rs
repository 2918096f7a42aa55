//! What the server asks of the allocator. The `archsite` binary allocates with mimalloc
//! (`main.rs`), which hands freed memory back to the system lazily, on a later allocation: after
//! a preview rebuild at 10,000 pages that is ~13 ms of `madvise` spent inside the next rebuild.

// Linked here, not only by the binary, so that every program using the library (tests, fuzz
// targets) has the symbol below.
extern crate mimalloc as _;

extern "C" {
    fn mi_collect(force: bool);
}

/// Gives the memory freed so far back to the system now, while the server is idle. Harmless
/// when mimalloc is not the global allocator (the library's tests): its heaps are then empty.
pub fn release_free_memory() {
    // SAFETY: mimalloc's documented entry point; it only touches mimalloc's own state.
    unsafe { mi_collect(true) };
}
