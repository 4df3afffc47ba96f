//! The little of the Kafka wire protocol the broker proxy reads: frame sizes, the fixed part of
//! the request header, the ApiVersions answers it corrects and the Fetch wait it raises.
//! Everything here is a pure function over bytes (the relay in `relay.rs` does the I/O).
//!
//! Protocol references (<https://kafka.apache.org/protocol>): every message on the wire is
//! `Size INT32` followed by `Size` bytes. A request starts with the request header
//! (v0..v2) `request_api_key INT16, request_api_version INT16, correlation_id INT32,
//! client_id NULLABLE_STRING (v1+), TAG_BUFFER (v2, flexible versions)`; a response starts with
//! the response header `correlation_id INT32` (+ `TAG_BUFFER` in v1, which ApiVersions never
//! uses). Only the first three request fields are needed to pair a response with its request;
//! `client_id` and the tagged fields are read only to find a Fetch request's wait.

/// Largest frame the proxy relays: Kafka's own default `socket.request.max.bytes` (100 MiB).
/// A larger declared size is a broken or hostile peer, and the connection is closed.
pub const MAX_FRAME: usize = 100 * 1024 * 1024;

/// The fixed request header prefix: api_key INT16, api_version INT16, correlation_id INT32.
pub const REQUEST_PREFIX: usize = 8;

/// The response header: correlation_id INT32.
pub const RESPONSE_PREFIX: usize = 4;

/// ApiVersions (api key 18).
pub const API_VERSIONS: i16 = 18;

/// `UNSUPPORTED_VERSION` (error code 35).
pub const UNSUPPORTED_VERSION: i16 = 35;

/// The highest ApiVersions version the mock cluster serves (librdkafka 2.12.1,
/// `rd_kafka_mock_api_handlers[RD_KAFKAP_ApiVersion] = {0, 2, ...}`).
pub const MOCK_API_VERSIONS_MAX: i16 = 2;

/// Largest ApiVersions answer the proxy buffers to correct (the mock's is 140 bytes); a larger
/// one passes through untouched.
pub const MAX_API_VERSIONS_BODY: usize = 64 * 1024;

/// Version caps for the group APIs whose newer versions the mock advertises but decodes
/// wrongly (librdkafka itself never sends them, so they are untested there). Clients pick
/// `min(their max, the broker's max)` from the ApiVersions answer, so capping the advertised
/// maximum keeps every negotiating client on versions the mock handles:
/// - JoinGroup (11) v6 is flexible, but the mock reads its protocols array as INT32 instead of
///   a COMPACT_ARRAY and never answers (measured with kafka-python 3.0.12: no response);
/// - SyncGroup (14) v4 is flexible, and the mock reads its assignments array as INT32 too;
/// - LeaveGroup (13) v3+ carries `members ARRAY(member_id, group_instance_id)` where v0..v2
///   carry one `member_id`; by its source (`rd_kafka_mock_handle_LeaveGroup`) the mock reads
///   the v0 shape, so it looks up a member id made of the array's count bytes, and it answers
///   without the `members` array (kafkajs: "offset out of range" decoding it). Rewriting only
///   the answer would report a leave that did not happen, so the version is capped instead.
pub const VERSION_CAPS: [(i16, i16); 3] = [(11, 5), (14, 3), (13, 2)];

/// Why a frame cannot be relayed; the connection is closed.
#[derive(Debug, PartialEq, Eq)]
pub enum WireError {
    /// The declared size is negative, shorter than the header it must hold, or over
    /// [`MAX_FRAME`].
    BadSize(i32),
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::BadSize(n) => write!(f, "bad frame size {n}"),
        }
    }
}

/// The body length declared by a frame's `Size INT32`, checked against the smallest header
/// the frame must carry (`min`) and [`MAX_FRAME`].
pub fn frame_size(size: [u8; 4], min: usize) -> Result<usize, WireError> {
    let n = i32::from_be_bytes(size);
    match usize::try_from(n) {
        Ok(len) if (min..=MAX_FRAME).contains(&len) => Ok(len),
        _ => Err(WireError::BadSize(n)),
    }
}

/// The fixed request header prefix: which API, which version, and the correlation id the
/// response will carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestHead {
    pub api_key: i16,
    pub api_version: i16,
    pub correlation_id: i32,
}

impl RequestHead {
    pub fn parse(b: [u8; REQUEST_PREFIX]) -> RequestHead {
        RequestHead {
            api_key: i16::from_be_bytes([b[0], b[1]]),
            api_version: i16::from_be_bytes([b[2], b[3]]),
            correlation_id: i32::from_be_bytes([b[4], b[5], b[6], b[7]]),
        }
    }
}

/// The correlation id at the start of a response body.
pub fn response_correlation_id(b: [u8; RESPONSE_PREFIX]) -> i32 {
    i32::from_be_bytes(b)
}

/// Fetch (api key 1).
pub const FETCH: i16 = 1;

/// The first flexible Fetch version (request header v2, with a `TAG_BUFFER` after
/// `client_id`), and the last one that carries `replica_id INT32` before `max_wait_ms`
/// (librdkafka 2.12.1's mock: Fetch v0..v16, flexible from v12).
const FETCH_FIRST_FLEXIBLE: i16 = 12;
const FETCH_LAST_WITH_REPLICA_ID: i16 = 14;

/// Largest Fetch request the proxy reads whole to set its wait (librdkafka's for a few
/// partitions is under 200 bytes); a larger one passes through untouched.
pub const MAX_FETCH_REQUEST: usize = 64 * 1024;

/// Raises `max_wait_ms` of the Fetch request in `frame` (the whole request after `Size`, header
/// included) of `version` to at least `wait_ms`; `false`, with `frame` untouched, when the
/// request already waits that long or its wait cannot be found (a malformed request goes to
/// the mock as it came). A client never fetches more often than it asked. Fetch v0..v16:
/// `header, [replica_id INT32 (v0..v14)], max_wait_ms INT32, …`.
pub fn set_fetch_wait(version: i16, frame: &mut [u8], wait_ms: i32) -> bool {
    let Some(at) = fetch_wait_at(version, frame) else {
        return false;
    };
    let Some(field) = frame.get_mut(at..at + 4) else {
        return false;
    };
    let asked = i32::from_be_bytes([field[0], field[1], field[2], field[3]]);
    if asked >= wait_ms {
        return false;
    }
    field.copy_from_slice(&wait_ms.to_be_bytes());
    true
}

/// Where `max_wait_ms` starts: after the header's `client_id NULLABLE_STRING` and, in flexible
/// versions, its `TAG_BUFFER`, then `replica_id` where the version has it.
fn fetch_wait_at(version: i16, frame: &[u8]) -> Option<usize> {
    if !(0..=16).contains(&version) {
        return None;
    }
    let id_len = i16::from_be_bytes([*frame.get(REQUEST_PREFIX)?, *frame.get(REQUEST_PREFIX + 1)?]);
    let mut at = REQUEST_PREFIX + 2 + usize::try_from(id_len.max(0)).ok()?;
    if version >= FETCH_FIRST_FLEXIBLE {
        let tags = uvarint(frame, &mut at)?;
        for _ in 0..tags {
            uvarint(frame, &mut at)?;
            let size = uvarint(frame, &mut at)?;
            at = at.checked_add(usize::try_from(size).ok()?)?;
        }
    }
    if version <= FETCH_LAST_WITH_REPLICA_ID {
        at += 4;
    }
    (at + 4 <= frame.len()).then_some(at)
}

/// An `UNSIGNED_VARINT` at `*at` (at most 5 bytes), moving `*at` past it.
fn uvarint(b: &[u8], at: &mut usize) -> Option<u32> {
    let mut value = 0u32;
    for i in 0..5 {
        let byte = *b.get(*at)?;
        *at += 1;
        value |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// Corrects the mock's ApiVersions answer in `body` (the whole response after `Size`, header
/// included) to the request of `version`; `true` if `body` changed.
///
/// - A v3+ request the mock refuses with `UNSUPPORTED_VERSION`: the mock writes the error in
///   the flexible v3 shape with an empty `COMPACT_ARRAY` followed by one entry anyway (measured:
///   `00 23 01 00 12 00 00 00 02 00 00 00 00`). KIP-511 says a broker answers a version it does
///   not know with a v0-shaped body, `error_code INT16, api_keys ARRAY(api_key INT16,
///   min_version INT16, max_version INT16)`, listing ApiVersions' own range so that the client
///   retries with it; that is what a real broker sends, and what this writes.
/// - A v0..v2 answer without error (`error_code INT16, api_keys ARRAY, throttle_time_ms INT32`
///   (v1+)): each entry's max_version is lowered to [`VERSION_CAPS`], in place.
pub fn fix_api_versions(version: i16, body: &mut Vec<u8>) -> bool {
    if body.len() < RESPONSE_PREFIX + 2 {
        return false;
    }
    let error = i16::from_be_bytes([body[4], body[5]]);
    if version > MOCK_API_VERSIONS_MAX {
        if error != UNSUPPORTED_VERSION {
            return false;
        }
        body.truncate(RESPONSE_PREFIX);
        body.extend_from_slice(&UNSUPPORTED_VERSION.to_be_bytes());
        body.extend_from_slice(&1i32.to_be_bytes());
        body.extend_from_slice(&API_VERSIONS.to_be_bytes());
        body.extend_from_slice(&0i16.to_be_bytes());
        body.extend_from_slice(&MOCK_API_VERSIONS_MAX.to_be_bytes());
        return true;
    }
    if error != 0 || body.len() < RESPONSE_PREFIX + 6 {
        return false;
    }
    let count = i32::from_be_bytes([body[6], body[7], body[8], body[9]]);
    let entries = &mut body[RESPONSE_PREFIX + 6..];
    let Ok(count) = usize::try_from(count) else {
        return false;
    };
    if count.checked_mul(6).is_none_or(|n| n > entries.len()) {
        return false;
    }
    let mut changed = false;
    for entry in entries.chunks_exact_mut(6).take(count) {
        let key = i16::from_be_bytes([entry[0], entry[1]]);
        let max = i16::from_be_bytes([entry[4], entry[5]]);
        if let Some(&(_, cap)) = VERSION_CAPS.iter().find(|(k, _)| *k == key) {
            if max > cap {
                entry[4..6].copy_from_slice(&cap.to_be_bytes());
                changed = true;
            }
        }
    }
    changed
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    /// kafka-python 3.0.12's first request, ApiVersions v4 (after the 4-byte size, 55 bytes).
    pub const KP_API_VERSIONS_V4: &str = "00 12 00 04 00 00 00 01 00 17 6b 61 66 6b 61 2d 70 79 \
        74 68 6f 6e 2d 70 72 6f 64 75 63 65 72 2d 31 00 0d 6b 61 66 6b 61 2d 70 79 74 68 6f 6e 07 \
        33 2e 30 2e 31 32 00";
    /// The mock's answer to it (17 bytes).
    pub const MOCK_UNSUPPORTED: &str = "00 00 00 01 00 23 01 00 12 00 00 00 02 00 00 00 00";
    /// The mock's answer to ApiVersions v2 (140 bytes: 21 APIs).
    pub const MOCK_API_VERSIONS_V2: &str = "00 00 00 02 00 00 00 00 00 15 00 00 00 00 00 0a 00 01 \
        00 00 00 10 00 02 00 00 00 07 00 03 00 00 00 0c 00 08 00 00 00 09 00 09 00 00 00 06 00 0a \
        00 00 00 03 00 0b 00 00 00 06 00 0c 00 00 00 05 00 0d 00 00 00 04 00 0e 00 00 00 04 00 12 \
        00 00 00 02 00 16 00 00 00 04 00 17 00 02 00 02 00 18 00 00 00 01 00 19 00 00 00 01 00 1a \
        00 00 00 01 00 1c 00 00 00 03 00 44 00 01 00 01 00 47 00 00 00 00 00 48 00 00 00 00 00 00 \
        00 00";

    /// A Fetch request's header (api key 1, `version`, correlation id 7, client id "abc"), the
    /// tagged fields of a flexible header, then `[replica_id]`, `max_wait_ms` 500 and a tail.
    pub fn fetch(version: i16, tags: &str) -> Vec<u8> {
        let mut f = hex("00 01");
        f.extend_from_slice(&version.to_be_bytes());
        f.extend(hex("00 00 00 07 00 03 61 62 63"));
        f.extend(hex(tags));
        if version <= FETCH_LAST_WITH_REPLICA_ID {
            f.extend(hex("ff ff ff ff"));
        }
        f.extend(hex("00 00 01 f4 00 00 00 01 7f ff ff ff"));
        f
    }

    #[test]
    fn a_fetch_wait_is_set_in_every_shape_of_the_request() {
        for (version, tags) in [
            (4, ""),
            (11, ""),
            (12, "00"),
            (14, "00"),
            (15, "00"),
            (16, "00"),
            // One tagged field (tag 0, 2 bytes) in the header.
            (16, "01 00 02 aa bb"),
        ] {
            let mut f = fetch(version, tags);
            let before = f.clone();
            assert!(set_fetch_wait(version, &mut f, 900), "v{version} {tags}");
            let at = f.len() - 12;
            assert_eq!(f[at..at + 4], 900i32.to_be_bytes(), "v{version} {tags}");
            // Nothing else moved.
            assert_eq!(f[..at], before[..at]);
            assert_eq!(f[at + 4..], before[at + 4..]);
        }
    }

    #[test]
    fn a_fetch_that_already_waits_longer_is_left_alone() {
        let mut f = fetch(16, "00");
        assert!(!set_fetch_wait(16, &mut f, 500));
        assert!(!set_fetch_wait(16, &mut f, 50));
        assert_eq!(f, fetch(16, "00"));
    }

    #[test]
    fn a_fetch_that_cannot_be_read_is_left_alone() {
        let whole = fetch(11, "");
        for cut in [9, 13, whole.len() - 9] {
            let mut f = whole[..cut].to_vec();
            assert!(!set_fetch_wait(11, &mut f, 900), "cut at {cut}");
            assert_eq!(f, whole[..cut]);
        }
        // An unknown version, and a tag buffer whose varint never ends.
        let mut f = fetch(17, "00");
        assert!(!set_fetch_wait(17, &mut f, 900));
        let mut f = fetch(12, "ff ff ff ff ff ff");
        assert!(!set_fetch_wait(12, &mut f, 900));
    }

    #[test]
    fn request_head_of_a_captured_request() {
        let b = hex(KP_API_VERSIONS_V4);
        assert_eq!(b.len(), 55);
        let head = RequestHead::parse(b[..8].try_into().unwrap());
        assert_eq!(
            head,
            RequestHead {
                api_key: 18,
                api_version: 4,
                correlation_id: 1
            }
        );
    }

    #[test]
    fn frame_sizes_are_checked() {
        assert_eq!(frame_size([0, 0, 0, 55], REQUEST_PREFIX), Ok(55));
        assert_eq!(
            frame_size([0, 0, 0, 7], REQUEST_PREFIX),
            Err(WireError::BadSize(7))
        );
        assert_eq!(
            frame_size([0xff, 0xff, 0xff, 0xff], RESPONSE_PREFIX),
            Err(WireError::BadSize(-1))
        );
        assert_eq!(
            frame_size(i32::MAX.to_be_bytes(), RESPONSE_PREFIX),
            Err(WireError::BadSize(i32::MAX))
        );
        let max = i32::try_from(MAX_FRAME).unwrap();
        assert!(frame_size(max.to_be_bytes(), 4).is_ok());
        assert!(frame_size((max + 1).to_be_bytes(), 4).is_err());
    }

    #[test]
    fn unsupported_version_becomes_a_v0_body_listing_api_versions_0_to_2() {
        let mut body = hex(MOCK_UNSUPPORTED);
        assert!(fix_api_versions(4, &mut body));
        assert_eq!(body, hex("00 00 00 01 00 23 00 00 00 01 00 12 00 00 00 02"));
        let mut v3 = hex(MOCK_UNSUPPORTED);
        assert!(fix_api_versions(3, &mut v3));
        assert_eq!(v3, body);
    }

    #[test]
    fn a_v3_answer_without_the_error_is_left_alone() {
        let mut body = hex("00 00 00 01 00 00 01 00 00 00 00");
        assert!(!fix_api_versions(3, &mut body));
        assert_eq!(body, hex("00 00 00 01 00 00 01 00 00 00 00"));
    }

    #[test]
    fn the_v2_answer_caps_join_sync_and_leave_group_and_nothing_else() {
        let original = hex(MOCK_API_VERSIONS_V2);
        assert_eq!(original.len(), 140);
        let mut body = original.clone();
        assert!(fix_api_versions(2, &mut body));
        assert_eq!(body.len(), original.len());
        let entries = |b: &[u8]| -> Vec<(i16, i16, i16)> {
            b[10..10 + 21 * 6]
                .chunks_exact(6)
                .map(|e| {
                    let f = |i: usize| i16::from_be_bytes([e[i], e[i + 1]]);
                    (f(0), f(2), f(4))
                })
                .collect()
        };
        let before = entries(&original);
        let after = entries(&body);
        for (b, a) in before.iter().zip(&after) {
            let expected = match b.0 {
                11 => (11, 0, 5),
                13 => (13, 0, 2),
                14 => (14, 0, 3),
                _ => *b,
            };
            assert_eq!(*a, expected);
        }
        assert!(before.contains(&(11, 0, 6)) && before.contains(&(18, 0, 2)));
        // Throttle time untouched; a second pass changes nothing.
        assert_eq!(body[136..], original[136..]);
        assert!(!fix_api_versions(2, &mut body));
    }

    #[test]
    fn malformed_api_versions_answers_pass_untouched() {
        for bytes in [
            "",
            "00 00 00 02",
            "00 00 00 02 00",
            "00 00 00 02 00 00 00 00",
            // 21 entries declared, 1 present.
            "00 00 00 02 00 00 00 00 00 15 00 0b 00 00 00 06",
            // Negative count.
            "00 00 00 02 00 00 ff ff ff ff 00 0b 00 00 00 06",
            // Huge count.
            "00 00 00 02 00 00 7f ff ff ff 00 0b 00 00 00 06",
            // An error other than 35 on v4.
            "00 00 00 01 00 01 01 00 12 00 00 00 02 00 00 00 00",
            // Truncated v4 answer: no error code.
            "00 00 00 01 00",
        ] {
            let mut body = hex(bytes);
            let copy = body.clone();
            assert!(!fix_api_versions(2, &mut body), "{bytes}");
            assert_eq!(body, copy);
            assert!(!fix_api_versions(4, &mut body), "{bytes}");
            assert_eq!(body, copy);
        }
    }
}
