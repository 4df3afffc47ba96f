//! File descriptors: the server raises its own soft limit to the hard limit at start (the
//! common default of 1,024 fits about 77 workers), and a worker starts only while enough
//! descriptors are left for it and the connections around it; otherwise the trainee gets a
//! clear 503 instead of a 500 and hung connections.

/// Descriptors a worker process costs the server (pipes, pidfd, its broker connections).
pub const PER_WORKER: u64 = 16;
/// Kept free for HTTP connections, event streams and the broker proxy.
pub const RESERVE: u64 = 256;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns the soft limit now in force.
pub fn raise_soft_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = limit.rlim_max;
            }
        }
    }
    limit.rlim_cur
}

/// The soft limit in force now.
pub fn soft_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 1024;
    }
    limit.rlim_cur
}

/// Descriptors this process has open now.
pub fn open_now() -> u64 {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count() as u64)
        .unwrap_or(0)
}

/// Whether one more worker fits: `open` descriptors in use under a soft `limit`.
pub fn worker_fits(open: u64, limit: u64) -> bool {
    open + PER_WORKER + RESERVE <= limit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_fits_while_its_descriptors_and_the_reserve_are_free() {
        assert!(worker_fits(100, 1024));
        assert!(worker_fits(1024 - RESERVE - PER_WORKER, 1024));
        assert!(!worker_fits(1024 - RESERVE - PER_WORKER + 1, 1024));
        assert!(!worker_fits(2000, 1024));
    }

    #[test]
    fn the_soft_limit_is_raised_to_the_hard_one() {
        let soft = raise_soft_limit();
        assert_eq!(soft, soft_limit());
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit only writes the struct we pass.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
            0
        );
        assert_eq!(limit.rlim_cur, limit.rlim_max);
        assert!(open_now() > 0);
    }
}
