//! The relay over in-memory sockets, with frames captured from kafka-python 3.0.12 and the
//! mock cluster (librdkafka 2.12.1); the SyncGroup frames are described in
//! `sync_group_tests.rs`.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{duplex, AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::task::JoinHandle;

use super::relay;
use crate::broker::sync_group::tests::{
    FOLLOWER_ANSWER, FOLLOWER_REFUSED, FOLLOWER_SYNC, LEADER_SYNC, LEADER_SYNC_ANSWER,
};
use crate::broker::sync_group::LeaderAssignments;
use crate::broker::wire::tests::{
    fetch, hex, KP_API_VERSIONS_V4, MOCK_API_VERSIONS_V2, MOCK_UNSUPPORTED,
};
use crate::broker::wire::{fix_api_versions, MAX_FRAME};

/// kafka-python's retry after the fallback: ApiVersions v2, correlation id 2.
const KP_API_VERSIONS_V2: &str = "00 12 00 02 00 00 00 02 00 17 6b 61 66 6b 61 2d 70 79 74 68 \
    6f 6e 2d 70 72 6f 64 75 63 65 72 2d 31";
/// kafka-python's LeaveGroup v2 (group "capg") and the mock's 10-byte answer.
const KP_LEAVE_GROUP_V2: &str = "00 0d 00 02 00 00 00 0b 00 13 6b 61 66 6b 61 2d 70 79 74 68 6f \
    6e 2d 33 2e 30 2e 31 32 00 04 63 61 70 67 00 0e 30 78 37 66 37 65 39 34 30 30 36 36 32 30";
const MOCK_LEAVE_GROUP_V2: &str = "00 00 00 0b 00 00 00 00 00 00";

const WAIT: Duration = Duration::from_secs(5);

/// A client and a fake mock joined by a relay.
struct Rig {
    client: DuplexStream,
    mock: DuplexStream,
    relay: JoinHandle<io::Result<()>>,
}

fn rig() -> Rig {
    rig_of(Arc::default())
}

/// A connection of a proxy whose connections share `leaders`.
fn rig_of(leaders: Arc<LeaderAssignments>) -> Rig {
    rig_with(leaders, None)
}

/// A connection of a proxy that sets every Fetch's wait to `fetch_wait` (`None`: as sent).
fn rig_with(leaders: Arc<LeaderAssignments>, fetch_wait: Option<i32>) -> Rig {
    let (client, proxy_client) = duplex(1 << 20);
    let (proxy_upstream, mock) = duplex(1 << 20);
    let relay = tokio::spawn(async move {
        let (cr, cw) = tokio::io::split(proxy_client);
        let (ur, uw) = tokio::io::split(proxy_upstream);
        relay(&leaders, &move || fetch_wait, cr, cw, ur, uw).await
    });
    Rig {
        client,
        mock,
        relay,
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut f = i32::try_from(body.len()).unwrap().to_be_bytes().to_vec();
    f.extend_from_slice(body);
    f
}

async fn read_frame(s: &mut DuplexStream) -> Vec<u8> {
    tokio::time::timeout(WAIT, async {
        let len = usize::try_from(s.read_i32().await.unwrap()).unwrap();
        let mut body = vec![0; len];
        s.read_exact(&mut body).await.unwrap();
        body
    })
    .await
    .expect("a frame within 5 s")
}

async fn read_to_end(s: &mut DuplexStream) -> Vec<u8> {
    let mut all = Vec::new();
    tokio::time::timeout(WAIT, s.read_to_end(&mut all))
        .await
        .expect("EOF within 5 s")
        .unwrap();
    all
}

async fn relay_result(r: Rig) -> (io::Result<()>, DuplexStream, DuplexStream) {
    let result = tokio::time::timeout(WAIT, r.relay)
        .await
        .expect("the relay ends")
        .expect("the relay does not panic");
    (result, r.client, r.mock)
}

#[tokio::test]
async fn api_versions_v4_gets_the_fallback_and_v2_the_capped_list() {
    let mut r = rig();
    r.client
        .write_all(&frame(&hex(KP_API_VERSIONS_V4)))
        .await
        .unwrap();
    assert_eq!(read_frame(&mut r.mock).await, hex(KP_API_VERSIONS_V4));
    r.mock
        .write_all(&frame(&hex(MOCK_UNSUPPORTED)))
        .await
        .unwrap();
    assert_eq!(
        read_frame(&mut r.client).await,
        hex("00 00 00 01 00 23 00 00 00 01 00 12 00 00 00 02")
    );

    r.client
        .write_all(&frame(&hex(KP_API_VERSIONS_V2)))
        .await
        .unwrap();
    assert_eq!(read_frame(&mut r.mock).await, hex(KP_API_VERSIONS_V2));
    r.mock
        .write_all(&frame(&hex(MOCK_API_VERSIONS_V2)))
        .await
        .unwrap();
    let mut expected = hex(MOCK_API_VERSIONS_V2);
    assert!(fix_api_versions(2, &mut expected));
    assert_eq!(read_frame(&mut r.client).await, expected);

    r.client.shutdown().await.unwrap();
    let (result, _, _) = relay_result(r).await;
    result.unwrap();
}

#[tokio::test]
async fn a_fetch_gets_the_class_wait_and_the_frames_around_it_pass_unchanged() {
    // The request asks for 500 ms: a longer class wait raises it, `None` leaves it.
    for wait in [Some(900), None] {
        let mut r = rig_with(Arc::default(), wait);
        let request = fetch(16, "00");
        let mut pipelined = frame(&request);
        pipelined.extend(frame(&hex(KP_LEAVE_GROUP_V2)));
        r.client.write_all(&pipelined).await.unwrap();
        let seen = read_frame(&mut r.mock).await;
        let at = request.len() - 12;
        let mut expected = request.clone();
        expected[at..at + 4].copy_from_slice(&wait.unwrap_or(500).to_be_bytes());
        assert_eq!(seen, expected, "wait {wait:?}");
        assert_eq!(read_frame(&mut r.mock).await, hex(KP_LEAVE_GROUP_V2));
        r.client.shutdown().await.unwrap();
        let (result, _, _) = relay_result(r).await;
        result.unwrap();
    }
}

#[tokio::test]
async fn other_frames_pass_byte_for_byte_even_pipelined_and_large() {
    let mut r = rig();
    // A 300 KiB "Produce" request (api key 0, v9, correlation id 7) and a LeaveGroup, in one write.
    let mut produce = hex("00 00 00 09 00 00 00 07");
    produce.extend((0..300 * 1024).map(|i| (i % 251) as u8));
    let mut requests = frame(&produce);
    requests.extend(frame(&hex(KP_LEAVE_GROUP_V2)));
    r.client.write_all(&requests).await.unwrap();
    assert_eq!(read_frame(&mut r.mock).await, produce);
    assert_eq!(read_frame(&mut r.mock).await, hex(KP_LEAVE_GROUP_V2));

    // Answers, one of them shaped like the refused ApiVersions but for no ApiVersions request.
    let mut responses = frame(&hex("00 00 00 07 00 00 00 00"));
    responses.extend(frame(&hex(MOCK_LEAVE_GROUP_V2)));
    responses.extend(frame(&hex(MOCK_UNSUPPORTED)));
    r.mock.write_all(&responses).await.unwrap();
    assert_eq!(
        read_frame(&mut r.client).await,
        hex("00 00 00 07 00 00 00 00")
    );
    assert_eq!(read_frame(&mut r.client).await, hex(MOCK_LEAVE_GROUP_V2));
    assert_eq!(read_frame(&mut r.client).await, hex(MOCK_UNSUPPORTED));

    r.mock.shutdown().await.unwrap();
    let (result, _, _) = relay_result(r).await;
    result.unwrap();
}

#[tokio::test]
async fn a_truncated_request_closes_the_connection() {
    let mut r = rig();
    let request = frame(&hex(KP_API_VERSIONS_V4));
    r.client.write_all(&request[..14]).await.unwrap();
    r.client.shutdown().await.unwrap();
    let (result, mut client, _) = relay_result(r).await;
    assert_eq!(result.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    assert!(read_to_end(&mut client).await.is_empty());
}

#[tokio::test]
async fn a_truncated_header_closes_the_connection() {
    for cut in [2, 4, 7] {
        let mut r = rig();
        r.client
            .write_all(&frame(&hex(KP_API_VERSIONS_V4))[..cut])
            .await
            .unwrap();
        r.client.shutdown().await.unwrap();
        let (result, _, mut mock) = relay_result(r).await;
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        assert!(read_to_end(&mut mock).await.is_empty(), "cut at {cut}");
    }
}

#[tokio::test]
async fn bad_request_sizes_close_the_connection_before_anything_is_sent() {
    let too_big = i32::try_from(MAX_FRAME + 1).unwrap();
    for size in [-1, 0, 7, too_big, i32::MAX] {
        let mut r = rig();
        let mut bytes = size.to_be_bytes().to_vec();
        bytes.extend(hex(KP_API_VERSIONS_V4));
        r.client.write_all(&bytes).await.unwrap();
        let (result, _, mut mock) = relay_result(r).await;
        assert_eq!(
            result.unwrap_err().kind(),
            io::ErrorKind::InvalidData,
            "{size}"
        );
        assert!(read_to_end(&mut mock).await.is_empty(), "{size}");
    }
}

#[tokio::test]
async fn bad_or_truncated_responses_close_the_connection() {
    let truncated_api_versions = frame(&hex(MOCK_API_VERSIONS_V2))[..30].to_vec();
    let cases: [(&[u8], io::ErrorKind); 4] = [
        (&[0, 0, 0, 3, 0, 0, 0], io::ErrorKind::InvalidData),
        (&[0xff, 0xff, 0xff, 0xf0], io::ErrorKind::InvalidData),
        (&[0, 0, 0, 10, 0, 0], io::ErrorKind::UnexpectedEof),
        (&truncated_api_versions, io::ErrorKind::UnexpectedEof),
    ];
    for (bytes, kind) in cases {
        let mut r = rig();
        r.client
            .write_all(&frame(&hex(KP_API_VERSIONS_V2)))
            .await
            .unwrap();
        read_frame(&mut r.mock).await;
        r.mock.write_all(bytes).await.unwrap();
        r.mock.shutdown().await.unwrap();
        let (result, mut client, _) = relay_result(r).await;
        assert_eq!(result.unwrap_err().kind(), kind, "{bytes:02x?}");
        assert!(read_to_end(&mut client).await.is_empty(), "{bytes:02x?}");
    }
}

/// One request through the rig, and the mock's answer back; returns what the client got.
async fn exchange(r: &mut Rig, request: &str, answer: &[u8]) -> Vec<u8> {
    r.client.write_all(&frame(&hex(request))).await.unwrap();
    assert_eq!(read_frame(&mut r.mock).await, hex(request));
    r.mock.write_all(&frame(answer)).await.unwrap();
    read_frame(&mut r.client).await
}

#[tokio::test]
async fn a_follower_refused_after_its_leader_gets_its_assignment() {
    let leaders = Arc::new(LeaderAssignments::default());
    let mut leader = rig_of(leaders.clone());
    let mut follower = rig_of(leaders);
    // The leader's request reaches the mock first; its answer is still on the way (another
    // connection) when the mock refuses the follower.
    leader
        .client
        .write_all(&frame(&hex(LEADER_SYNC)))
        .await
        .unwrap();
    assert_eq!(read_frame(&mut leader.mock).await, hex(LEADER_SYNC));
    let got = exchange(&mut follower, FOLLOWER_SYNC, &hex(FOLLOWER_REFUSED)).await;
    assert_eq!(got, hex(FOLLOWER_ANSWER));
    // The leader's own answer passes unchanged.
    leader
        .mock
        .write_all(&frame(&hex(LEADER_SYNC_ANSWER)))
        .await
        .unwrap();
    assert_eq!(
        read_frame(&mut leader.client).await,
        hex(LEADER_SYNC_ANSWER)
    );
    // The follower syncs again in the same generation: the same answer.
    let got = exchange(&mut follower, FOLLOWER_SYNC, &hex(FOLLOWER_REFUSED)).await;
    assert_eq!(got, hex(FOLLOWER_ANSWER));
    for mut r in [leader, follower] {
        r.client.shutdown().await.unwrap();
        relay_result(r).await.0.unwrap();
    }
}

#[tokio::test]
async fn sync_group_answers_pass_unchanged_unless_the_leader_assigned_the_member() {
    let leaders = Arc::new(LeaderAssignments::default());
    let mut follower = rig_of(leaders.clone());
    // No leader request seen: the mock's refusal stands.
    let got = exchange(&mut follower, FOLLOWER_SYNC, &hex(FOLLOWER_REFUSED)).await;
    assert_eq!(got, hex(FOLLOWER_REFUSED));

    // A leader request the mock refused (NOT_LEADER_FOR_PARTITION, 6) assigns nothing.
    let mut leader = rig_of(leaders);
    let refused = hex("00 00 00 09 00 00 00 00 00 06 ff ff ff ff");
    assert_eq!(exchange(&mut leader, LEADER_SYNC, &refused).await, refused);
    let got = exchange(&mut follower, FOLLOWER_SYNC, &hex(FOLLOWER_REFUSED)).await;
    assert_eq!(got, hex(FOLLOWER_REFUSED));

    // Accepted this time; other refusals (REBALANCE_IN_PROGRESS, 27) and answers pass as
    // they are.
    let got = exchange(&mut leader, LEADER_SYNC, &hex(LEADER_SYNC_ANSWER)).await;
    assert_eq!(got, hex(LEADER_SYNC_ANSWER));
    let rebalancing = hex("00 00 00 03 00 00 00 00 00 1b ff ff ff ff");
    let got = exchange(&mut follower, FOLLOWER_SYNC, &rebalancing).await;
    assert_eq!(got, rebalancing);
    let got = exchange(&mut follower, FOLLOWER_SYNC, &hex(FOLLOWER_ANSWER)).await;
    assert_eq!(got, hex(FOLLOWER_ANSWER));
    let got = exchange(&mut follower, FOLLOWER_SYNC, &hex(FOLLOWER_REFUSED)).await;
    assert_eq!(got, hex(FOLLOWER_ANSWER));
}

#[tokio::test]
async fn malformed_sync_group_requests_pass_through_unread() {
    let mut r = rig();
    // A SyncGroup whose assignment count runs past the frame: the mock's to refuse.
    let mut bad = hex(FOLLOWER_SYNC);
    let n = bad.len();
    bad[n - 4..].copy_from_slice(&[0, 0, 0, 9]);
    r.client.write_all(&frame(&bad)).await.unwrap();
    assert_eq!(read_frame(&mut r.mock).await, bad);
    r.mock
        .write_all(&frame(&hex(FOLLOWER_REFUSED)))
        .await
        .unwrap();
    assert_eq!(read_frame(&mut r.client).await, hex(FOLLOWER_REFUSED));
    r.client.shutdown().await.unwrap();
    relay_result(r).await.0.unwrap();
}

#[tokio::test]
async fn truncated_sync_group_frames_close_the_connection() {
    // A request cut in its body: nothing of it reaches the mock.
    let request = frame(&hex(LEADER_SYNC));
    for cut in [12, 40, request.len() - 1] {
        let mut r = rig();
        r.client.write_all(&request[..cut]).await.unwrap();
        r.client.shutdown().await.unwrap();
        let (result, _, mut mock) = relay_result(r).await;
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        assert!(read_to_end(&mut mock).await.is_empty(), "cut at {cut}");
    }
    // An answer cut in its body: nothing of it reaches the client.
    let answer = frame(&hex(FOLLOWER_REFUSED));
    for cut in [6, answer.len() - 1] {
        let mut r = rig();
        r.client
            .write_all(&frame(&hex(FOLLOWER_SYNC)))
            .await
            .unwrap();
        read_frame(&mut r.mock).await;
        r.mock.write_all(&answer[..cut]).await.unwrap();
        r.mock.shutdown().await.unwrap();
        let (result, mut client, _) = relay_result(r).await;
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        assert!(read_to_end(&mut client).await.is_empty(), "cut at {cut}");
    }
}

#[tokio::test]
async fn a_streamed_frame_cut_in_its_body_closes_the_connection() {
    // A 300 KiB Produce request that stops 1 KiB short; a response likewise.
    let mut produce = hex("00 00 00 09 00 00 00 07");
    produce.extend((0..300 * 1024).map(|i| (i % 251) as u8));
    let request = frame(&produce);
    let mut r = rig();
    r.client
        .write_all(&request[..request.len() - 1024])
        .await
        .unwrap();
    r.client.shutdown().await.unwrap();
    let (result, _, mut mock) = relay_result(r).await;
    assert_eq!(result.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    // What was forwarded is less than the frame: the mock sees a cut frame and the close.
    assert!(read_to_end(&mut mock).await.len() < request.len());

    let mut r = rig();
    let mut response = 8i32.to_be_bytes().to_vec();
    response.extend(hex("00 00 00 07 00 00"));
    r.mock.write_all(&response).await.unwrap();
    r.mock.shutdown().await.unwrap();
    let (result, mut client, _) = relay_result(r).await;
    assert_eq!(result.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    assert!(read_to_end(&mut client).await.len() < 12);
}

#[test]
fn any_bytes_from_either_side_end_the_relay_without_a_panic() {
    use proptest::prelude::*;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let cfg = ProptestConfig::with_cases(256);
    proptest!(cfg, |(from_client in proptest::collection::vec(any::<u8>(), 0..300),
                     from_mock in proptest::collection::vec(any::<u8>(), 0..300),
                     sync_group in any::<bool>())| {
        rt.block_on(async {
            let mut r = rig();
            // Half the cases open with a well-formed SyncGroup, so the answers are read whole.
            if sync_group {
                r.client.write_all(&frame(&hex(FOLLOWER_SYNC))).await.unwrap();
            }
            r.client.write_all(&from_client).await.unwrap();
            r.client.shutdown().await.unwrap();
            r.mock.write_all(&from_mock).await.unwrap();
            r.mock.shutdown().await.unwrap();
            let _ = read_to_end(&mut r.client).await;
            let _ = read_to_end(&mut r.mock).await;
            // Ends (either side's EOF or a bad frame), and does not panic.
            let _ = relay_result(r).await;
        });
    });
}
