//! The shutdown hook of the poll loop: SIGTERM (or the server's `StopAndHold`) → `wakeup()` →
//! the final commit → (with the rest of the group: wait for `Leave`) → `close()`.

use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use super::PollLoop;
use crate::domain::event::LabEvent;
use crate::domain::protocol::Control;

/// How long a stopping consumer waits for the rest of its group to commit before it leaves
/// anyway (the server sends `Leave` as soon as they have).
const LEAVE_WAIT: Duration = Duration::from_secs(5);

impl PollLoop {
    /// Whether the server asked this consumer to wait for the rest of its group before
    /// leaving ([`Control::StopAndHold`]); other controls no longer matter.
    fn asked_to_hold(&mut self) -> bool {
        while let Ok(control) = self.controls.try_recv() {
            self.leave_with_group |= control == Control::StopAndHold;
        }
        self.leave_with_group
    }

    /// Commit before leave: says the final commit is done, then waits (bounded) until the
    /// server says every member of the group has committed.
    fn wait_to_leave(&mut self) {
        self.sink.emit(LabEvent::ReadyToLeave);
        self.sink.flush();
        let deadline = Instant::now() + LEAVE_WAIT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.controls.recv_timeout(left) {
                Ok(Control::Leave) | Err(RecvTimeoutError::Disconnected) => return,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => return,
            }
        }
    }

    /// The course's `finally { consumer.commitSync(); consumer.close(); }` after `wakeup()`.
    pub(super) fn shutdown(&mut self) -> i32 {
        let hold = self.asked_to_hold();
        self.settle_deferred();
        self.sink.emit(LabEvent::Wakeup);
        if let Some(pool) = &mut self.pool {
            self.sink.flush();
            pool.drain();
        }
        if let Some(action) = self.commits.shutdown() {
            self.commit(action);
        }
        self.sink.flush();
        if hold {
            self.wait_to_leave();
        }
        // close(): leave the group (the revoke callback runs inside).
        if let Err(e) = self.consumer.close_queue() {
            self.sink.emit(LabEvent::Error {
                message: format!("close: {e}"),
            });
        } else {
            let deadline = Instant::now() + Duration::from_secs(30);
            while !self.consumer.closed() && Instant::now() < deadline {
                self.consumer.poll(Duration::from_millis(100));
            }
        }
        self.sink.emit(LabEvent::Closed);
        self.sink.flush();
        0
    }
}
