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

/// A poll batch of more than this many records is processed faster than a trainee can watch
/// (a consumer catching up on a backlog, or a load test), so its records are reported
/// coalesced: consecutive offsets of a partition as one `record_range` event instead of a
/// `record` each (see `emit::EventSink::record`). At the course's pace every record keeps its
/// own event (its key and value, the Java trace's step, the lane's cell): a trainee's produce
/// (the labs' buttons make at most 200 records, `wakeup-vs-kill`), the background producer at
/// up to 500 a second polled every few milliseconds. Stepping, a pause, a processing delay, the
/// sinks lab and the worker pool always report record by record. 250 is above every batch the
/// labs make by hand and half of Java's default `max.poll.records` (500): a consumer reading a
/// backlog with the defaults polls full batches of 500 and is coalesced. One event per record
/// costs the server ~4–8 µs of CPU; a range of a few hundred, about as much as one record.
pub(crate) const COALESCE_ABOVE_RECORDS: usize = 250;

/// librdkafka's `fetch.queue.backoff.ms` for lab consumers: how long a partition's next fetch
/// waits once its local queue is over `queued.min.messages`. librdkafka's default, 1,000 ms,
/// stalled a lab consumer reading a backlog for up to a second at a time — it drains its queue
/// more slowly than a bare loop, so it reaches the threshold — and held 1,000,000 records to
/// 250–350k records/s with both processes mostly idle; at 10 ms it reads 1.1–1.2M records/s
/// (benches/throughput). Java's consumer fetches again as soon as its buffer is used up, so
/// this is also closer to what the course describes. It costs nothing when idle (an empty
/// queue is never over the threshold).
pub const FETCH_QUEUE_BACKOFF_MS: u32 = 10;

/// Values longer than this are cut in events (the ledger needs offsets, not payloads).
const MAX_VALUE_CHARS: usize = 200;

/// A record's key or value as `poll` returned it: its bytes, inline up to 16 (a backlog's
/// small records cost no allocation each), made text only when an event shows it.
pub(crate) type Payload = smallvec::SmallVec<[u8; 16]>;

/// A key or value as an event shows it: lossy UTF-8, cut at `MAX_VALUE_CHARS`.
pub(crate) fn text(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    // A text of at most MAX_VALUE_CHARS bytes has at most as many chars: no count needed.
    if s.len() > MAX_VALUE_CHARS && s.chars().count() > MAX_VALUE_CHARS {
        s.chars().take(MAX_VALUE_CHARS).collect::<String>() + "…"
    } else {
        s.into_owned()
    }
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
