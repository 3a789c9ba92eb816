//! How the process gives memory back. One hostile upload must not leave the server
//! holding what it briefly needed: with glibc's defaults a freed multi-megabyte buffer
//! raises the threshold for using `mmap`, so later large buffers come from the heap and
//! stay resident after they are freed, and every blocking thread may get an arena of its
//! own. A fixed threshold (large buffers are mapped and unmapped) and two arenas keep the
//! resident size near idle after a burst. Called once at start, before any thread.

/// Tunes the C allocator for a long-running server (glibc only; a no-op elsewhere).
pub fn give_memory_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes glibc's tuning parameters (it takes the allocator's
        // own lock) and is given values its manual documents for these two options.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
