//! A group's ownership of partitions, from a run's assigned / revoked / exited events alone.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Partitions each live (not exited) consumer — or consumer thread — owns, from the
/// assigned / revoked events alone.
pub fn ownership(events: &[Value]) -> BTreeMap<String, BTreeSet<i64>> {
    let mut owned: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    let mut dead = BTreeSet::new();
    for e in events {
        let Some(cid) = e["consumer"].as_str() else {
            continue;
        };
        let who = match e["thread"].as_str() {
            Some(t) => format!("{cid}/{t}"),
            None => cid.to_string(),
        };
        let parts = || {
            e["partitions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_i64().unwrap())
        };
        match e["type"].as_str().unwrap() {
            "partitions_assigned" => owned.entry(who).or_default().extend(parts()),
            "partitions_revoked" => {
                let set = owned.entry(who).or_default();
                for p in parts() {
                    set.remove(&p);
                }
            }
            "exited" => {
                dead.insert(cid.to_string());
            }
            _ => {}
        }
    }
    owned.retain(|who, _| !dead.contains(who.split('/').next().unwrap()));
    owned
}

/// Every partition owned by exactly one of exactly `members` live owners, none idle.
pub fn balanced(events: &[Value], partitions: i64, members: usize) -> bool {
    let owned = ownership(events);
    let total: usize = owned.values().map(BTreeSet::len).sum();
    let union: BTreeSet<i64> = owned.values().flatten().copied().collect();
    owned.len() == members
        && owned.values().all(|s| !s.is_empty())
        && total == partitions as usize
        && union == (0..partitions).collect()
}
