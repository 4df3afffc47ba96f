//! The embedded broker's fixed address: a TCP proxy from the public address (127.0.0.1:9092
//! by default) to the mock cluster's random port, so the course's own terminal commands
//! find the broker where the lab page says it is. Each connection is a Kafka frame relay
//! (`relay.rs`) that corrects the few answers the mock gets wrong for non-librdkafka clients.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use super::relay::{self, FetchWait};
use super::sync_group::LeaderAssignments;
use super::BrokerError;

/// Pause after a failed `accept` (e.g. EMFILE: out of file descriptors), so the loop does not
/// spin on an error that persists until some connection closes.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Binds the public address; if it is taken, a random port on the same interface, with a
/// warning.
pub async fn bind(bind: SocketAddr) -> Result<TcpListener, BrokerError> {
    match TcpListener::bind(bind).await {
        Ok(l) => Ok(l),
        Err(e) if bind.port() != 0 => {
            tracing::warn!(%bind, error = %e, "embedded broker address taken; using a random port");
            TcpListener::bind(SocketAddr::new(bind.ip(), 0))
                .await
                .map_err(|e| BrokerError::Other(format!("bind broker proxy: {e}")))
        }
        Err(e) => Err(BrokerError::Other(format!("bind broker proxy {bind}: {e}"))),
    }
}

/// Relays every connection on the public address to the mock cluster's random port.
pub async fn run(
    listener: TcpListener,
    target: String,
    fetch_wait: Arc<FetchWait>,
    shutdown: CancellationToken,
) {
    let leaders = Arc::new(LeaderAssignments::default());
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let (mut client, _) = match accepted {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "broker proxy accept failed");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                }
                continue;
            }
        };
        let target = target.clone();
        let shutdown = shutdown.clone();
        let leaders = leaders.clone();
        let fetch_wait = fetch_wait.clone();
        tokio::spawn(async move {
            let mut upstream = match TcpStream::connect(&target).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "broker proxy cannot reach the mock cluster");
                    return;
                }
            };
            // Kafka is request/response with small frames: never wait for Nagle.
            let _ = client.set_nodelay(true);
            let _ = upstream.set_nodelay(true);
            let (client_read, client_write) = client.split();
            let (upstream_read, upstream_write) = upstream.split();
            tokio::select! {
                _ = shutdown.cancelled() => {}
                r = relay::relay(&leaders, &*fetch_wait, client_read, client_write, upstream_read, upstream_write) => {
                    match r {
                        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                            tracing::warn!(error = %e, "broker proxy: closing a connection");
                        }
                        Err(e) => tracing::debug!(error = %e, "broker proxy: connection ended"),
                        Ok(()) => {}
                    }
                }
            }
        });
    }
}
