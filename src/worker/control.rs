//! The trainee's hand on a running consumer: control lines from stdin, and [`Flow`], the
//! state machine of pause / resume / step that decides whether the poll loop may process.

use std::io::BufRead;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;

use crate::domain::protocol::Control;

/// Whether the poll loop may process the records it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Polling and processing freely.
    Running,
    /// Paused: the loop only polls to serve the group; records that arrive are held.
    Paused,
    /// Paused, but `records` more may be processed (a step), and with `next_batch` the whole
    /// next poll batch too (a "step batch" given while nothing was held).
    Stepping { records: u64, next_batch: bool },
}

/// What the poll loop must do after a change of [`Flow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowChange {
    Nothing,
    /// Just paused: stop fetching and say `paused`.
    Paused,
    /// Just resumed: fetch again and say `resumed`.
    Resumed,
    /// A step: fetch again (the step needs records), still paused.
    Fetch,
}

impl Flow {
    pub fn is_paused(self) -> bool {
        self != Flow::Running
    }

    /// Whether records may be processed (or a poll made for them) now.
    pub fn may_process(self) -> bool {
        match self {
            Flow::Running => true,
            Flow::Paused => false,
            Flow::Stepping {
                records,
                next_batch,
            } => records > 0 || next_batch,
        }
    }

    /// Pause (by control or after N records). Pausing a paused consumer changes nothing.
    pub fn pause(&mut self) -> FlowChange {
        if self.is_paused() {
            return FlowChange::Nothing;
        }
        *self = Flow::Paused;
        FlowChange::Paused
    }

    fn steps(self) -> (u64, bool) {
        match self {
            Flow::Stepping {
                records,
                next_batch,
            } => (records, next_batch),
            _ => (0, false),
        }
    }

    /// Applies one control line; `held` is how many polled records wait to be processed.
    /// Returns what to do first (`Paused` when a step paused a running consumer) and then.
    pub fn control(&mut self, control: &Control, held: usize) -> [FlowChange; 2] {
        match control {
            Control::Pause => [self.pause(), FlowChange::Nothing],
            Control::Resume => {
                let was_paused = self.is_paused();
                *self = Flow::Running;
                let change = if was_paused {
                    FlowChange::Resumed
                } else {
                    FlowChange::Nothing
                };
                [change, FlowChange::Nothing]
            }
            Control::Step { records: n } => {
                let first = self.pause();
                let (records, next_batch) = self.steps();
                *self = Flow::Stepping {
                    records: records + n,
                    next_batch,
                };
                [first, FlowChange::Fetch]
            }
            // The shutdown hook's, not the flow's.
            Control::StopAndHold | Control::Leave => [FlowChange::Nothing, FlowChange::Nothing],
            Control::StepBatch => {
                let first = self.pause();
                let (records, next_batch) = self.steps();
                *self = if held == 0 {
                    Flow::Stepping {
                        records,
                        next_batch: true,
                    }
                } else {
                    Flow::Stepping {
                        records: records + held as u64,
                        next_batch,
                    }
                };
                [first, FlowChange::Fetch]
            }
        }
    }

    /// A poll returned: a pending "step batch" takes the `held` records it brought.
    pub fn polled(&mut self, held: usize) {
        if let Flow::Stepping {
            records,
            next_batch: true,
        } = *self
        {
            if held > 0 {
                *self = Flow::Stepping {
                    records: records + held as u64,
                    next_batch: false,
                };
            }
        }
    }

    /// One record processed. True when that used up a step: the consumer pauses again.
    pub fn processed_one(&mut self) -> bool {
        let Flow::Stepping {
            records,
            next_batch,
        } = *self
        else {
            return false;
        };
        if records == 0 {
            return false;
        }
        *self = match (records - 1, next_batch) {
            (0, false) => Flow::Paused,
            (left, next_batch) => Flow::Stepping {
                records: left,
                next_batch,
            },
        };
        records == 1
    }
}

/// Reads control lines from stdin and hands each to every consumer thread (setting its
/// `wake` flag so a waiting poll returns). EOF means the server is gone: stop gracefully.
pub fn spawn_stdin_reader(
    stop: Arc<AtomicBool>,
    outboxes: Vec<(Sender<Control>, Arc<AtomicBool>)>,
) {
    std::thread::Builder::new()
        .name("controls".into())
        .spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                match serde_json::from_str::<Control>(&line) {
                    Ok(control) => {
                        for (tx, wake) in &outboxes {
                            let _ = tx.send(control.clone());
                            wake.store(true, Ordering::SeqCst);
                        }
                        // After the threads have it: they find it when they stop.
                        if control == Control::StopAndHold {
                            stop.store(true, Ordering::SeqCst);
                        }
                    }
                    Err(e) => eprintln!("worker: ignoring control line {line:?}: {e}"),
                }
            }
            stop.store(true, Ordering::SeqCst);
        })
        .expect("spawn control reader thread");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_resume() {
        let mut f = Flow::Running;
        assert!(f.may_process());
        assert_eq!(f.control(&Control::Pause, 3)[0], FlowChange::Paused);
        assert!(!f.may_process());
        assert_eq!(f.control(&Control::Pause, 3)[0], FlowChange::Nothing);
        assert_eq!(f.control(&Control::Resume, 3)[0], FlowChange::Resumed);
        assert_eq!(f, Flow::Running);
        assert_eq!(f.control(&Control::Resume, 3)[0], FlowChange::Nothing);
    }

    #[test]
    fn a_step_pauses_a_running_consumer_then_runs_out() {
        let mut f = Flow::Running;
        let changes = f.control(&Control::Step { records: 2 }, 0);
        assert_eq!(changes, [FlowChange::Paused, FlowChange::Fetch]);
        assert!(f.may_process());
        assert!(!f.processed_one());
        assert!(f.processed_one(), "the second record ends the step");
        assert_eq!(f, Flow::Paused);
        assert!(!f.processed_one(), "nothing to count while paused");
    }

    #[test]
    fn step_batch_takes_what_is_held_or_the_next_batch() {
        let mut f = Flow::Paused;
        assert_eq!(
            f.control(&Control::StepBatch, 3),
            [FlowChange::Nothing, FlowChange::Fetch]
        );
        assert_eq!(
            f,
            Flow::Stepping {
                records: 3,
                next_batch: false
            }
        );
        let mut f = Flow::Paused;
        f.control(&Control::StepBatch, 0);
        assert!(f.may_process(), "polls for the next batch");
        f.polled(0);
        assert!(f.may_process(), "an empty poll is no batch");
        f.polled(4);
        assert_eq!(
            f,
            Flow::Stepping {
                records: 4,
                next_batch: false
            }
        );
        for _ in 0..3 {
            assert!(!f.processed_one());
        }
        assert!(f.processed_one());
        assert_eq!(f, Flow::Paused);
    }

    #[test]
    fn steps_add_up_and_a_resume_forgets_them() {
        let mut f = Flow::Paused;
        f.control(&Control::Step { records: 1 }, 0);
        f.control(&Control::Step { records: 2 }, 0);
        assert_eq!(
            f,
            Flow::Stepping {
                records: 3,
                next_batch: false
            }
        );
        f.control(&Control::Resume, 0);
        assert_eq!(f, Flow::Running);
        assert_eq!(f.pause(), FlowChange::Paused);
    }
}
