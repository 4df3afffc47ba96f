//! The consumer process: a Java-style poll loop over librdkafka with commit modes, step
//! controls, and the course's shutdown hook (SIGTERM → wakeup → commitSync → close).

mod commit;
pub mod context;
mod control;
pub mod emit;
mod poll_loop;
mod pool;

use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration;

use crate::domain::event::LabEvent;
use crate::domain::group;
use crate::domain::protocol::{Control, WorkerSpec};
use emit::EventSink;
use poll_loop::PollLoop;

/// How long one blocking poll may run before the loop looks at signals and controls again:
/// this is how fast `wakeup()` takes effect.
const POLL_SLICE: Duration = Duration::from_millis(50);

/// Values longer than this are cut in events (the ledger needs offsets, not payloads).
const MAX_VALUE_CHARS: usize = 200;

/// A record the application has received but not yet processed.
pub(crate) struct HeldRecord {
    partition: i32,
    offset: i64,
    key: Option<String>,
    value: String,
}

fn text(bytes: Option<&[u8]>) -> Option<String> {
    bytes.map(|b| {
        let s = String::from_utf8_lossy(b);
        if s.chars().count() > MAX_VALUE_CHARS {
            s.chars().take(MAX_VALUE_CHARS).collect::<String>() + "…"
        } else {
            s.into_owned()
        }
    })
}

/// Entry point of `kafka-consumer-labs worker`: runs the consumer thread(s) until SIGTERM,
/// stdin EOF or a fatal error. Returns the process exit code.
pub fn run(spec: WorkerSpec) -> i32 {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        if let Err(e) = signal_hook::flag::register(signal, stop.clone()) {
            eprintln!("worker: cannot install signal handler: {e}");
            return 2;
        }
    }
    let threads = spec.consumer.threads.max(1) as usize;
    let mut inboxes = Vec::with_capacity(threads);
    let mut outboxes = Vec::with_capacity(threads);
    for _ in 0..threads {
        let (tx, rx) = std::sync::mpsc::channel();
        let wake = Arc::new(AtomicBool::new(false));
        outboxes.push((tx, wake.clone()));
        inboxes.push((rx, wake));
    }
    control::spawn_stdin_reader(stop.clone(), outboxes);
    let root = EventSink::stdout(None);
    let code = if threads == 1 {
        let (rx, wake) = inboxes.pop().expect("one inbox");
        run_consumer(spec, root.clone(), stop, wake, rx)
    } else {
        // The course's "1 process + n threads": each thread is its own consumer.
        let handles: Vec<_> = inboxes
            .into_iter()
            .enumerate()
            .map(|(i, (rx, wake))| {
                let name = format!("t{}", i + 1);
                let mut thread_spec = spec.clone();
                thread_spec.group_id = group::thread_group(&spec.group_id, &spec.consumer, &name);
                let sink = root.for_thread(name.clone());
                let stop = stop.clone();
                std::thread::Builder::new()
                    .name(name)
                    .spawn(move || run_consumer(thread_spec, sink, stop, wake, rx))
                    .expect("spawn consumer thread")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(4))
            .max()
            .unwrap_or(0)
    };
    root.flush();
    code
}

fn run_consumer(
    spec: WorkerSpec,
    sink: Arc<EventSink>,
    stop: Arc<AtomicBool>,
    wake: Arc<AtomicBool>,
    controls: Receiver<Control>,
) -> i32 {
    match PollLoop::new(spec, sink.clone(), stop, wake, controls) {
        Ok(mut poll_loop) => poll_loop.run(),
        Err(e) => {
            sink.emit(LabEvent::Error {
                message: format!("cannot create consumer: {e}"),
            });
            sink.flush();
            3
        }
    }
}
