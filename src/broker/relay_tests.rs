//! The relay over in-memory sockets, with frames captured from kafka-python 3.0.12 and the
//! mock cluster (librdkafka 2.12.1).

use std::io;
use std::time::Duration;

use tokio::io::{duplex, AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::task::JoinHandle;

use super::relay;
use crate::broker::wire::tests::{hex, KP_API_VERSIONS_V4, MOCK_API_VERSIONS_V2, MOCK_UNSUPPORTED};
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
    let (client, proxy_client) = duplex(1 << 20);
    let (proxy_upstream, mock) = duplex(1 << 20);
    let relay = tokio::spawn(async move {
        let (cr, cw) = tokio::io::split(proxy_client);
        let (ur, uw) = tokio::io::split(proxy_upstream);
        relay(cr, cw, ur, uw).await
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
