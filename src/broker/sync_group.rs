//! SyncGroup for followers that sync after their leader, which the mock refuses.
//!
//! In the classic group protocol every member sends SyncGroup after JoinGroup; the leader's
//! carries the assignments of all members. A Kafka broker answers each member its assignment
//! whatever the order: a follower that syncs after the leader (group Stable) gets it at once.
//! The mock (librdkafka 2.12.1, `rdkafka_mock_cgrp.c`) completes the sync as soon as every
//! member *has an assignment* (`assignment_cnt >= member_cnt`), which the leader's request alone
//! achieves; it answers the members already waiting, forgets the assignments and goes to state
//! Up, where `rd_kafka_mock_cgrp_classic_check_state` refuses SyncGroup with
//! `INVALID_REQUEST` (42). So a follower whose SyncGroup arrives after its leader's gets 42:
//! librdkafka's leader fetches metadata before it assigns, so its followers sync first, but
//! kafka-python and kafkajs leaders often sync first (measured: 0.5 ms apart), and a Java
//! leader can too. The follower then rejoins, which restarts the race.
//!
//! The proxy remembers the assignments of each group's latest leader SyncGroup request and
//! answers a follower's `INVALID_REQUEST` for the same group and generation with what the mock
//! would have sent had the follower synced first: no error and its assignment. Given the mock's
//! checks, 42 to a SyncGroup means the coordinator, group, member and generation were all right
//! and only the state was Up — reached only through a leader's assignment of that generation.
//!
//! Wire shapes (<https://kafka.apache.org/protocol>, versions 0..3, request header v1):
//! request `client_id NULLABLE_STRING` (header) then `group_id STRING, generation_id INT32,
//! member_id STRING, group_instance_id NULLABLE_STRING (v3+), assignments ARRAY(member_id
//! STRING, assignment BYTES)`; response `throttle_time_ms INT32 (v1+), error_code INT16,
//! assignment BYTES`. v4+ are flexible and the proxy caps SyncGroup at v3 (`wire.rs`).

use std::collections::HashMap;
use std::sync::Mutex;

use super::wire::{REQUEST_PREFIX, RESPONSE_PREFIX};

/// SyncGroup (api key 14).
pub const SYNC_GROUP: i16 = 14;

/// The newest SyncGroup version read here (v4+ are flexible, and capped away).
pub const MAX_VERSION: i16 = 3;

/// `INVALID_REQUEST` (error code 42).
pub const INVALID_REQUEST: i16 = 42;

/// Largest SyncGroup request the proxy holds to read (a leader's lists every member's
/// assignment: a few dozen bytes per partition); a larger one passes through unread.
pub const MAX_REQUEST: usize = 1024 * 1024;

/// Largest SyncGroup answer the proxy holds; the refusals it replaces are 10 to 14 bytes.
pub const MAX_RESPONSE: usize = 64 * 1024;

/// Groups whose leader assignments are remembered; past this, the least recently synced group
/// is forgotten (its followers then see the mock's own answer).
const MAX_GROUPS: usize = 4096;

/// A member's assignment as sent (`BYTES`; `None` for a null).
pub type Assignment = Option<Vec<u8>>;

/// What the relay reads from a SyncGroup request (the whole frame after `Size`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncGroupRequest {
    pub group: String,
    pub generation: i32,
    pub member: String,
    /// The leader's assignments, by member id; empty from a follower.
    pub assignments: Vec<(String, Assignment)>,
}

impl SyncGroupRequest {
    /// Parses a SyncGroup request of `version` 0..=3; `None` if it is not one, or malformed.
    pub fn parse(version: i16, frame: &[u8]) -> Option<SyncGroupRequest> {
        if !(0..=MAX_VERSION).contains(&version) {
            return None;
        }
        let mut c = Cursor(frame.get(REQUEST_PREFIX..)?);
        c.nullable_string()?; // client_id
        let group = c.string()?;
        let generation = c.i32()?;
        let member = c.string()?;
        if version >= 3 {
            c.nullable_string()?; // group_instance_id
        }
        let count = usize::try_from(c.i32()?).ok()?;
        // Each entry takes at least 6 bytes: bound the allocation by what is there.
        let mut assignments = Vec::with_capacity(count.min(c.0.len() / 6));
        for _ in 0..count {
            let id = c.string()?;
            assignments.push((id, c.bytes()?));
        }
        Some(SyncGroupRequest {
            group,
            generation,
            member,
            assignments,
        })
    }
}

/// The `error_code` of a SyncGroup answer of `version` (the whole frame after `Size`).
pub fn response_error(version: i16, frame: &[u8]) -> Option<i16> {
    let at = RESPONSE_PREFIX + if version >= 1 { 4 } else { 0 };
    let b = frame.get(at..at + 2)?;
    Some(i16::from_be_bytes([b[0], b[1]]))
}

/// The answer a member gets when the sync succeeds, as the mock writes it
/// (`rd_kafka_mock_cgrp_classic_sync_done`): throttle 0 (v1+), no error, its assignment.
pub fn answer(version: i16, correlation_id: i32, assignment: &Assignment) -> Vec<u8> {
    let mut b = correlation_id.to_be_bytes().to_vec();
    if version >= 1 {
        b.extend_from_slice(&0i32.to_be_bytes());
    }
    b.extend_from_slice(&0i16.to_be_bytes());
    match assignment {
        Some(a) => {
            let len = i32::try_from(a.len()).expect("held assignments are under MAX_REQUEST");
            b.extend_from_slice(&len.to_be_bytes());
            b.extend_from_slice(a);
        }
        None => b.extend_from_slice(&(-1i32).to_be_bytes()),
    }
    b
}

/// The assignments of each group's latest leader SyncGroup requests, shared by every
/// connection of one proxy (the leader and its followers use different connections).
#[derive(Default)]
pub struct LeaderAssignments {
    groups: Mutex<Groups>,
}

#[derive(Default)]
struct Groups {
    by_id: HashMap<String, Round>,
    clock: u64,
}

/// One generation of a group: the requests that carried assignments. Normally one, the
/// leader's; a member that is not the leader and sends assignments anyway is refused by the
/// mock (`NOT_LEADER_FOR_PARTITION`) and dropped when that answer passes.
struct Round {
    generation: i32,
    last_used: u64,
    offers: Vec<Offer>,
}

struct Offer {
    sender: String,
    accepted: bool,
    assignments: HashMap<String, Assignment>,
}

impl LeaderAssignments {
    /// Remembers a request that carries assignments (sent to the mock right after).
    pub fn offer(&self, r: &SyncGroupRequest) {
        if r.assignments.is_empty() {
            return;
        }
        let mut g = self.lock();
        g.clock += 1;
        let now = g.clock;
        if !g.by_id.contains_key(&r.group) && g.by_id.len() >= MAX_GROUPS {
            if let Some(oldest) = g
                .by_id
                .iter()
                .min_by_key(|(_, round)| round.last_used)
                .map(|(id, _)| id.clone())
            {
                g.by_id.remove(&oldest);
            }
        }
        let round = g.by_id.entry(r.group.clone()).or_insert(Round {
            generation: r.generation,
            last_used: now,
            offers: Vec::new(),
        });
        if r.generation < round.generation {
            return;
        }
        if r.generation > round.generation {
            round.generation = r.generation;
            round.offers.clear();
        }
        round.last_used = now;
        // An accepted offer put the group in state Up: the mock refuses any later SyncGroup of
        // this generation, so nothing can replace what it assigned.
        if round.offers.iter().any(|o| o.accepted) {
            return;
        }
        round.offers.retain(|o| o.sender != r.member);
        round.offers.push(Offer {
            sender: r.member.clone(),
            accepted: false,
            assignments: r.assignments.iter().cloned().collect(),
        });
    }

    /// The mock's answer to an offering request: accepted (no error), or refused (its
    /// assignments were not applied, so followers must never get them).
    pub fn answered(&self, r: &SyncGroupRequest, accepted: bool) {
        let mut g = self.lock();
        let Some(round) = g.by_id.get_mut(&r.group) else {
            return;
        };
        if round.generation != r.generation {
            return;
        }
        if accepted {
            if let Some(o) = round.offers.iter_mut().find(|o| o.sender == r.member) {
                o.accepted = true;
            }
        } else {
            round.offers.retain(|o| o.accepted || o.sender != r.member);
        }
    }

    /// `member`'s assignment in the leader's request of `generation`: from the offer the mock
    /// accepted, or, while that answer has not passed the proxy yet (the leader's and the
    /// follower's answers travel on different connections), from the only offer there is.
    pub fn assignment(&self, group: &str, generation: i32, member: &str) -> Option<Assignment> {
        let g = self.lock();
        let round = g.by_id.get(group)?;
        if round.generation != generation {
            return None;
        }
        let offer = match round.offers.iter().find(|o| o.accepted) {
            Some(o) => o,
            None if round.offers.len() == 1 => &round.offers[0],
            None => return None,
        };
        offer.assignments.get(member).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Groups> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Big-endian reads over a byte slice; `None` past its end.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn i16(&mut self) -> Option<i16> {
        let b = self.take(2)?;
        Some(i16::from_be_bytes([b[0], b[1]]))
    }

    fn i32(&mut self) -> Option<i32> {
        let b = self.take(4)?;
        Some(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// `NULLABLE_STRING`: INT16 length, -1 for null.
    fn nullable_string(&mut self) -> Option<Option<String>> {
        match self.i16()? {
            -1 => Some(None),
            n => {
                let b = self.take(usize::try_from(n).ok()?)?;
                Some(Some(String::from_utf8(b.to_vec()).ok()?))
            }
        }
    }

    /// `STRING`: as `NULLABLE_STRING`, but null is malformed.
    fn string(&mut self) -> Option<String> {
        self.nullable_string()?
    }

    /// `BYTES`: INT32 length (-1 for null, which the mock passes on as it came).
    fn bytes(&mut self) -> Option<Assignment> {
        match self.i32()? {
            -1 => Some(None),
            n => Some(Some(self.take(usize::try_from(n).ok()?)?.to_vec())),
        }
    }
}

#[cfg(test)]
#[path = "sync_group_tests.rs"]
pub(crate) mod tests;
