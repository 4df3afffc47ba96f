//! `LastActivity`: when something (a run, a watched group) was last used, so idle ones can be
//! torn down.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct LastActivity(Mutex<Instant>);

impl Default for LastActivity {
    fn default() -> Self {
        LastActivity(Mutex::new(Instant::now()))
    }
}

impl LastActivity {
    /// Used now.
    pub fn touch(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    /// How long since the last use.
    pub fn idle_for(&self) -> Duration {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).elapsed()
    }
}
