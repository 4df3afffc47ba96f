//! SyncGroup over frames captured between two kafka-python 3.0.12 consumers of group "g7" and
//! the mock cluster (librdkafka 2.12.1), generation 4: the leader (member 0x7f6d30002f80)
//! synced 0.5 ms before the follower (0x7f6d30008520), and the mock refused the follower.

use super::*;
use crate::broker::wire::tests::hex;

/// The leader's SyncGroup v3 (correlation id 9): both members' assignments, partitions 0, 1
/// of cap-topic7 to itself and 2, 3 to the follower.
pub const LEADER_SYNC: &str = "00 0e 00 03 00 00 00 09 00 13 6b 61 66 6b 61 2d 70 79 74 68 6f 6e \
    2d 33 2e 30 2e 31 32 00 02 67 37 00 00 00 04 00 0e 30 78 37 66 36 64 33 30 30 30 32 66 38 30 \
    ff ff 00 00 00 02 00 0e 30 78 37 66 36 64 33 30 30 30 32 66 38 30 00 00 00 22 00 00 00 00 00 \
    01 00 0a 63 61 70 2d 74 6f 70 69 63 37 00 00 00 02 00 00 00 00 00 00 00 01 00 00 00 00 00 0e \
    30 78 37 66 36 64 33 30 30 30 38 35 32 30 00 00 00 22 00 00 00 00 00 01 00 0a 63 61 70 2d 74 \
    6f 70 69 63 37 00 00 00 02 00 00 00 02 00 00 00 03 00 00 00 00";
/// The mock's answer to it: no error, the leader's own assignment.
pub const LEADER_SYNC_ANSWER: &str = "00 00 00 09 00 00 00 00 00 00 00 00 00 22 00 00 00 00 00 01 \
    00 0a 63 61 70 2d 74 6f 70 69 63 37 00 00 00 02 00 00 00 00 00 00 00 01 00 00 00 00";
/// The follower's SyncGroup v3 (correlation id 3), no assignments.
pub const FOLLOWER_SYNC: &str = "00 0e 00 03 00 00 00 03 00 13 6b 61 66 6b 61 2d 70 79 74 68 6f \
    6e 2d 33 2e 30 2e 31 32 00 02 67 37 00 00 00 04 00 0e 30 78 37 66 36 64 33 30 30 30 38 35 32 \
    30 ff ff 00 00 00 00";
/// The mock's answer to it: throttle 0, `INVALID_REQUEST` (42), null assignment.
pub const FOLLOWER_REFUSED: &str = "00 00 00 03 00 00 00 00 00 2a ff ff ff ff";
/// What the mock sends a follower that synced first (same generation, its assignment):
/// partitions 2, 3. The answer the proxy gives instead of the refusal.
pub const FOLLOWER_ANSWER: &str = "00 00 00 03 00 00 00 00 00 00 00 00 00 22 00 00 00 00 00 01 \
    00 0a 63 61 70 2d 74 6f 70 69 63 37 00 00 00 02 00 00 00 02 00 00 00 03 00 00 00 00";

const LEADER: &str = "0x7f6d30002f80";
const FOLLOWER: &str = "0x7f6d30008520";

fn follower_assignment() -> Assignment {
    Some(hex(
        "00 00 00 00 00 01 00 0a 63 61 70 2d 74 6f 70 69 63 37 00 00 00 02 00 00 00 02 \
        00 00 00 03 00 00 00 00",
    ))
}

fn parse(bytes: &str) -> SyncGroupRequest {
    let b = hex(bytes);
    SyncGroupRequest::parse(i16::from_be_bytes([b[2], b[3]]), &b).expect("a SyncGroup request")
}

#[test]
fn captured_requests_parse() {
    let leader = parse(LEADER_SYNC);
    assert_eq!((leader.group.as_str(), leader.generation), ("g7", 4));
    assert_eq!(leader.member, LEADER);
    let members: Vec<&str> = leader.assignments.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(members, [LEADER, FOLLOWER]);
    assert_eq!(leader.assignments[1].1, follower_assignment());

    let follower = parse(FOLLOWER_SYNC);
    assert_eq!(
        follower,
        SyncGroupRequest {
            group: "g7".into(),
            generation: 4,
            member: FOLLOWER.into(),
            assignments: vec![],
        }
    );
}

#[test]
fn answers_read_and_written_as_the_mock_does() {
    assert_eq!(response_error(3, &hex(FOLLOWER_REFUSED)), Some(42));
    assert_eq!(response_error(3, &hex(LEADER_SYNC_ANSWER)), Some(0));
    assert_eq!(
        response_error(0, &hex("00 00 00 03 00 2a ff ff ff ff")),
        Some(42)
    );
    assert_eq!(response_error(3, &hex("00 00 00 03 00 00 00 00 00")), None);
    assert_eq!(answer(3, 3, &follower_assignment()), hex(FOLLOWER_ANSWER));
    // v0 has no throttle time; a null assignment stays null.
    assert_eq!(
        answer(0, 7, &Some(vec![1, 2])),
        hex("00 00 00 07 00 00 00 00 00 02 01 02")
    );
    assert_eq!(
        answer(1, 7, &None),
        hex("00 00 00 07 00 00 00 00 00 00 ff ff ff ff")
    );
}

#[test]
fn v0_to_v2_have_no_group_instance_id() {
    // v2 of the follower's request: the same without the `ff ff` null group_instance_id.
    let mut b = hex(FOLLOWER_SYNC);
    b[3] = 2;
    let at = b.len() - 6;
    b.drain(at..at + 2);
    let r = SyncGroupRequest::parse(2, &b).expect("v2 parses");
    assert_eq!((r.member.as_str(), r.assignments.len()), (FOLLOWER, 0));
    // Read as v3 it is one byte short.
    assert_eq!(SyncGroupRequest::parse(3, &b), None);
}

#[test]
fn malformed_or_truncated_requests_are_not_read() {
    let whole = hex(LEADER_SYNC);
    for cut in 0..whole.len() {
        assert_eq!(
            SyncGroupRequest::parse(3, &whole[..cut]),
            None,
            "cut at {cut}"
        );
    }
    let mut bad = whole.clone();
    // A negative assignment count; then a huge one.
    let count_at = 8 + 2 + 0x13 + 2 + 2 + 4 + 2 + 14 + 2;
    assert_eq!(&bad[count_at..count_at + 4], &[0, 0, 0, 2]);
    bad[count_at..count_at + 4].copy_from_slice(&(-1i32).to_be_bytes());
    assert_eq!(SyncGroupRequest::parse(3, &bad), None);
    bad[count_at..count_at + 4].copy_from_slice(&i32::MAX.to_be_bytes());
    assert_eq!(SyncGroupRequest::parse(3, &bad), None);
    // A null group id; a flexible version; not UTF-8.
    let mut null_group = whole.clone();
    null_group[29..31].copy_from_slice(&[0xff, 0xff]);
    assert_eq!(SyncGroupRequest::parse(3, &null_group), None);
    assert_eq!(SyncGroupRequest::parse(4, &whole), None);
    let mut not_utf8 = whole;
    not_utf8[31] = 0xff;
    assert_eq!(SyncGroupRequest::parse(3, &not_utf8), None);
}

#[test]
fn a_follower_gets_the_assignment_of_its_leaders_request() {
    let leaders = LeaderAssignments::default();
    let leader = parse(LEADER_SYNC);
    leaders.offer(&parse(FOLLOWER_SYNC)); // no assignments: nothing to remember
    assert_eq!(leaders.assignment("g7", 4, FOLLOWER), None);
    leaders.offer(&leader);
    // Before the leader's answer passes (another connection) and after.
    assert_eq!(
        leaders.assignment("g7", 4, FOLLOWER),
        Some(follower_assignment())
    );
    leaders.answered(&leader, true);
    assert_eq!(
        leaders.assignment("g7", 4, FOLLOWER),
        Some(follower_assignment())
    );
    // Not another generation, group or member.
    assert_eq!(leaders.assignment("g7", 3, FOLLOWER), None);
    assert_eq!(leaders.assignment("g7", 5, FOLLOWER), None);
    assert_eq!(leaders.assignment("g8", 4, FOLLOWER), None);
    assert_eq!(leaders.assignment("g7", 4, "0xother"), None);
}

#[test]
fn refused_offers_are_never_answered() {
    let leaders = LeaderAssignments::default();
    let leader = parse(LEADER_SYNC);
    leaders.offer(&leader);
    leaders.answered(&leader, false);
    assert_eq!(leaders.assignment("g7", 4, FOLLOWER), None);

    // Two members claim to lead generation 4: nothing is answered until the mock accepts one.
    let mut impostor = leader.clone();
    impostor.member = FOLLOWER.into();
    impostor.assignments[1].1 = Some(vec![9]);
    leaders.offer(&leader);
    leaders.offer(&impostor);
    assert_eq!(leaders.assignment("g7", 4, FOLLOWER), None);
    leaders.answered(&impostor, false);
    assert_eq!(
        leaders.assignment("g7", 4, FOLLOWER),
        Some(follower_assignment())
    );
    leaders.offer(&impostor);
    leaders.answered(&leader, true);
    leaders.answered(&impostor, false);
    assert_eq!(
        leaders.assignment("g7", 4, FOLLOWER),
        Some(follower_assignment())
    );
    // Once accepted, a later request of the same generation changes nothing (the mock, in
    // state Up, refuses it).
    leaders.offer(&impostor);
    leaders.answered(&impostor, true);
    assert_eq!(
        leaders.assignment("g7", 4, FOLLOWER),
        Some(follower_assignment())
    );
}

#[test]
fn a_newer_generation_replaces_the_older_and_an_older_one_is_ignored() {
    let leaders = LeaderAssignments::default();
    let mut gen5 = parse(LEADER_SYNC);
    gen5.generation = 5;
    gen5.assignments[1].1 = Some(vec![5]);
    leaders.offer(&parse(LEADER_SYNC));
    leaders.offer(&gen5);
    assert_eq!(leaders.assignment("g7", 4, FOLLOWER), None);
    assert_eq!(leaders.assignment("g7", 5, FOLLOWER), Some(Some(vec![5])));
    leaders.offer(&parse(LEADER_SYNC));
    assert_eq!(leaders.assignment("g7", 5, FOLLOWER), Some(Some(vec![5])));
    assert_eq!(leaders.assignment("g7", 4, FOLLOWER), None);
}

#[test]
fn the_record_is_bounded() {
    let leaders = LeaderAssignments::default();
    let mut r = parse(LEADER_SYNC);
    for i in 0..MAX_GROUPS + 10 {
        r.group = format!("group-{i}");
        leaders.offer(&r);
    }
    assert_eq!(leaders.lock().by_id.len(), MAX_GROUPS);
    // The oldest went first; the newest are kept.
    assert_eq!(leaders.assignment("group-0", 4, FOLLOWER), None);
    let newest = format!("group-{}", MAX_GROUPS + 9);
    assert_eq!(
        leaders.assignment(&newest, 4, FOLLOWER),
        Some(follower_assignment())
    );
}
