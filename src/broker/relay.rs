//! One proxied connection as a Kafka frame relay: requests client → mock, responses mock →
//! client, each frame read as `Size INT32` + header prefix and the rest streamed through
//! unchanged. The only frames held whole are ApiVersions answers (corrected:
//! [`wire::fix_api_versions`]), SyncGroup requests and answers (a follower refused for
//! syncing after its leader gets its assignment: [`sync_group`]) and Fetch requests (their
//! wait raised to the class's: [`FetchWait`]). A malformed or truncated frame ends the connection.

use std::collections::HashMap;
use std::io;
use std::sync::Mutex;

use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, BufWriter,
};

use super::sync_group::{self, LeaderAssignments, SyncGroupRequest};
use super::wire::{self, RequestHead, REQUEST_PREFIX, RESPONSE_PREFIX};

/// Read and write buffers per direction: Kafka frames are mostly small, and a read that holds
/// several of them is forwarded in one write.
const BUF: usize = 64 * 1024;

/// A request whose answer the relay reads.
enum Awaited {
    /// ApiVersions of this version.
    ApiVersions(i16),
    /// SyncGroup of this version.
    SyncGroup(i16, SyncGroupRequest),
}

/// What the proxy raises each Fetch request's `max_wait_ms` to, asked per request (a longer
/// wait, and `None`, leave it as the client sent it). The mock holds an empty fetch for its
/// whole wait even when a record arrives meanwhile, so the wait is both a record's delay and
/// what an idle consumer costs: at least the whole class's wait, following its size now (a
/// consumer's own `fetch.wait.max.ms` is fixed when it starts, so consumers started first in a
/// class would keep fetching every 5 ms). Never shorter than asked: a client never fetches
/// more often than it chose to (kafka-python's 500 ms stays 500 ms).
pub type FetchWait = dyn Fn() -> Option<i32> + Send + Sync;

/// Correlation id → the requests awaiting an answer the relay reads. Only those are
/// remembered: no other response is read, and a request without a response (Produce with
/// acks=0) must not leave an entry behind.
type Pending = Mutex<HashMap<i32, Awaited>>;

/// Relays one connection until either side closes it or sends a frame that cannot be read
/// (then `Err`, and the caller drops both sockets). `leaders` is shared by all the proxy's
/// connections.
pub async fn relay<CR, CW, UR, UW>(
    leaders: &LeaderAssignments,
    fetch_wait: &FetchWait,
    client_read: CR,
    client_write: CW,
    upstream_read: UR,
    upstream_write: UW,
) -> io::Result<()>
where
    CR: AsyncRead + Unpin,
    CW: AsyncWrite + Unpin,
    UR: AsyncRead + Unpin,
    UW: AsyncWrite + Unpin,
{
    let pending = Pending::default();
    let requests = requests(
        Pump::new(client_read, upstream_write),
        &pending,
        leaders,
        fetch_wait,
    );
    let responses = responses(Pump::new(upstream_read, client_write), &pending, leaders);
    tokio::select! {
        r = requests => r,
        r = responses => r,
    }
}

/// Client → mock: forwards every request, remembering the ApiVersions and SyncGroup ones (a
/// leader's assignments go to `leaders` before the mock sees them) and raising each Fetch's
/// wait to `fetch_wait`'s.
async fn requests<R, W>(
    mut p: Pump<R, W>,
    pending: &Pending,
    leaders: &LeaderAssignments,
    fetch_wait: &FetchWait,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    while let Some((size, len, head)) = p.frame_head::<REQUEST_PREFIX>().await? {
        let h = RequestHead::parse(head);
        if h.api_key == wire::API_VERSIONS {
            lock(pending).insert(h.correlation_id, Awaited::ApiVersions(h.api_version));
        }
        let sync_group = h.api_key == sync_group::SYNC_GROUP
            && (0..=sync_group::MAX_VERSION).contains(&h.api_version)
            && len <= sync_group::MAX_REQUEST;
        if h.api_key == wire::FETCH && len <= wire::MAX_FETCH_REQUEST {
            if let Some(wait_ms) = fetch_wait() {
                let mut frame = p.read_whole(head, len).await?;
                wire::set_fetch_wait(h.api_version, &mut frame, wait_ms);
                p.w.write_all(&size).await?;
                p.w.write_all(&frame).await?;
                continue;
            }
        }
        if !sync_group {
            p.w.write_all(&size).await?;
            p.w.write_all(&head).await?;
            p.forward(len - REQUEST_PREFIX).await?;
            continue;
        }
        let frame = p.read_whole(head, len).await?;
        if let Some(r) = SyncGroupRequest::parse(h.api_version, &frame) {
            leaders.offer(&r);
            lock(pending).insert(h.correlation_id, Awaited::SyncGroup(h.api_version, r));
        }
        p.w.write_all(&size).await?;
        p.w.write_all(&frame).await?;
    }
    Ok(())
}

/// Mock → client: forwards every response, correcting the answers to ApiVersions requests and
/// a follower's SyncGroup refused for syncing after its leader.
async fn responses<R, W>(
    mut p: Pump<R, W>,
    pending: &Pending,
    leaders: &LeaderAssignments,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    while let Some((size, len, head)) = p.frame_head::<RESPONSE_PREFIX>().await? {
        let correlation_id = wire::response_correlation_id(head);
        let awaited = {
            let mut pending = lock(pending);
            if pending.is_empty() {
                None
            } else {
                pending.remove(&correlation_id)
            }
        };
        let body = match awaited {
            Some(Awaited::ApiVersions(version)) if len <= wire::MAX_API_VERSIONS_BODY => {
                let mut body = p.read_whole(head, len).await?;
                if wire::fix_api_versions(version, &mut body) {
                    tracing::debug!(version, "broker proxy: corrected an ApiVersions answer");
                }
                body
            }
            Some(Awaited::SyncGroup(version, r)) if len <= sync_group::MAX_RESPONSE => {
                let body = p.read_whole(head, len).await?;
                sync_group_answer(leaders, version, &r, correlation_id, body)
            }
            _ => {
                p.w.write_all(&size).await?;
                p.w.write_all(&head).await?;
                p.forward(len - RESPONSE_PREFIX).await?;
                continue;
            }
        };
        let size = i32::try_from(body.len()).map_err(invalid)?;
        p.w.write_all(&size.to_be_bytes()).await?;
        p.w.write_all(&body).await?;
    }
    Ok(())
}

/// The answer to SyncGroup request `r` as the client gets it: a leader's answer tells
/// `leaders` whether the mock took its assignments; a follower's `INVALID_REQUEST` becomes its
/// assignment from its leader's request, when the proxy has it.
fn sync_group_answer(
    leaders: &LeaderAssignments,
    version: i16,
    r: &SyncGroupRequest,
    correlation_id: i32,
    body: Vec<u8>,
) -> Vec<u8> {
    let error = sync_group::response_error(version, &body);
    if !r.assignments.is_empty() {
        leaders.answered(r, error == Some(0));
        return body;
    }
    if error != Some(sync_group::INVALID_REQUEST) {
        return body;
    }
    match leaders.assignment(&r.group, r.generation, &r.member) {
        Some(assignment) => {
            tracing::debug!(group = %r.group, generation = r.generation, member = %r.member,
                "broker proxy: a follower synced after its leader; answered its assignment");
            sync_group::answer(version, correlation_id, &assignment)
        }
        None => body,
    }
}

fn lock(pending: &Pending) -> std::sync::MutexGuard<'_, HashMap<i32, Awaited>> {
    pending.lock().unwrap_or_else(|e| e.into_inner())
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// One direction: a buffered reader and writer. Output is flushed whenever the next read
/// would wait for the network, so no frame sits in the buffer while its peer waits for it.
struct Pump<R, W> {
    r: BufReader<R>,
    w: BufWriter<W>,
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> Pump<R, W> {
    fn new(r: R, w: W) -> Self {
        Pump {
            r: BufReader::with_capacity(BUF, r),
            w: BufWriter::with_capacity(BUF, w),
        }
    }

    /// The next frame's `Size` bytes, its body length (checked: at least the `N` header
    /// bytes) and those header bytes; `None` when the stream ended cleanly between frames.
    async fn frame_head<const N: usize>(
        &mut self,
    ) -> io::Result<Option<([u8; 4], usize, [u8; N])>> {
        let mut size = [0; 4];
        if !self.read(&mut size).await? {
            return Ok(None);
        }
        let len = wire::frame_size(size, N).map_err(invalid)?;
        let mut head = [0; N];
        self.read_more(&mut head).await?;
        Ok(Some((size, len, head)))
    }

    /// Fills `buf`; `false` if the stream ended cleanly before its first byte.
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<bool> {
        if self.r.buffer().len() < buf.len() {
            self.w.flush().await?;
        }
        let mut got = 0;
        while got < buf.len() {
            let n = self.r.read(&mut buf[got..]).await?;
            if n == 0 {
                if got == 0 {
                    return Ok(false);
                }
                return Err(truncated());
            }
            got += n;
        }
        Ok(true)
    }

    /// The whole frame after `Size` (`len` bytes), of which `head` is already read.
    async fn read_whole<const N: usize>(
        &mut self,
        head: [u8; N],
        len: usize,
    ) -> io::Result<Vec<u8>> {
        let mut frame = vec![0; len];
        frame[..N].copy_from_slice(&head);
        self.read_more(&mut frame[N..]).await?;
        Ok(frame)
    }

    /// Fills `buf` from the middle of a frame: the end of the stream is an error.
    async fn read_more(&mut self, buf: &mut [u8]) -> io::Result<()> {
        if buf.is_empty() || self.read(buf).await? {
            Ok(())
        } else {
            Err(truncated())
        }
    }

    /// Streams the next `n` bytes through unchanged, straight from the read buffer.
    async fn forward(&mut self, mut n: usize) -> io::Result<()> {
        while n > 0 {
            if self.r.buffer().is_empty() {
                self.w.flush().await?;
            }
            let chunk = self.r.fill_buf().await?;
            if chunk.is_empty() {
                return Err(truncated());
            }
            let k = chunk.len().min(n);
            self.w.write_all(&chunk[..k]).await?;
            self.r.consume(k);
            n -= k;
        }
        Ok(())
    }
}

fn truncated() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "truncated Kafka frame")
}

#[cfg(test)]
#[path = "relay_tests.rs"]
mod tests;
