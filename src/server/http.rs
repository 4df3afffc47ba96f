//! The HTTP connection loop: hyper's HTTP/1 server with a header read timeout (axum::serve has
//! none, so a client sending half a header held its connection forever), a paused accept on
//! errors such as EMFILE, and a graceful shutdown bounded by a grace period.

use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_layer::Layer;

use crate::web::ClientAddr;

/// Pause after a failed `accept` that is not about one connection (e.g. EMFILE).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(250);

/// Serves `router` on `listener` until `stop` is cancelled; then lets open requests finish
/// for at most `grace` and drops whatever connection is still open.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    stop: CancellationToken,
    grace: Duration,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    // Cancelled when the grace period is over: connections still open are dropped.
    let drop_all = CancellationToken::new();
    loop {
        let accepted = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                }
            }
        };
        // Each request learns the client's address (per-address limits, see `ClientAddr`).
        let service =
            TowerToHyperService::new(axum::Extension(ClientAddr(peer.ip())).layer(router.clone()));
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let drop_all = drop_all.clone();
        tokio::spawn(async move {
            tokio::select! {
                ended = connection => {
                    if let Err(e) = ended {
                        tracing::debug!(error = %e, "connection ended");
                    }
                }
                _ = drop_all.cancelled() => {}
            }
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(grace) => {
            tracing::warn!("connections still open {grace:?} after shutdown began: closing them");
            drop_all.cancel();
        }
    }
}

/// Errors about one connection (it went away before it was accepted): accept the next.
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}
