//! What the fuzzer generates: JSON of any shape, field values, request bodies, content types,
//! path segments; and every route of the app, by method and path template.

use proptest::prelude::*;
use serde_json::{json, Value};

/// A JSON value of any shape (bounded).
pub fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,16}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{0,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A value a field might get: extremes, wrong types, and the words the API knows.
pub fn field_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec![
            json!(0),
            json!(1),
            json!(-1),
            json!(2),
            json!(100),
            json!(10_000),
            json!(10_001),
            json!(i64::MIN),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(u32::MAX),
            json!(1.5),
            json!(1e300),
            json!(null),
            json!(true),
            json!(""),
            json!("earliest"),
            json!("auto"),
            json!("auto_naive"),
            json!("sync_batch"),
            json!("sync_record"),
            json!("range"),
            json!("roundrobin"),
            json!("cooperative_sticky"),
            json!("distinct"),
            json!("same"),
            json!("simple-consumer"),
            json!("rebalance"),
            json!([]),
            json!({}),
            json!(["a", "b"]),
            json!([null, "k"]),
        ]),
        any_json(),
        ".{0,40}".prop_map(Value::from),
        prop::collection::vec(".{0,20}", 0..5).prop_map(|v| json!(v)),
    ]
}

/// The fields the routes' bodies know (and a few they do not).
pub const FIELDS: &[&str] = &[
    "lab",
    "params",
    "burrow",
    "intervals",
    "min_distance_ms",
    "commit_mode",
    "auto_commit_interval_ms",
    "commit_every_records",
    "processing_delay_ms",
    "pause_after_records",
    "session_timeout_ms",
    "commit_on_revoke",
    "retry_failed_commits",
    "commit_on_shutdown",
    "threads",
    "thread_groups",
    "worker_pool",
    "assign_partition",
    "poll_timeout_ms",
    "max_poll_records",
    "assignment_strategy",
    "records",
    "batch",
    "values",
    "keys",
    "rate_per_sec",
    "reset",
    "commit_errors",
    "rtt_ms",
    "group",
    "topic",
    "name",
    "token",
    "run",
    "unknown",
];

pub fn structured_body() -> impl Strategy<Value = Value> {
    let field = prop::sample::select(FIELDS);
    let nested = prop::collection::btree_map(field, field_value(), 0..4)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()));
    let value = prop_oneof![4 => field_value(), 1 => nested];
    prop::collection::btree_map(prop::sample::select(FIELDS), value, 0..5)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

pub fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => structured_body().prop_map(|v| v.to_string().into_bytes()),
        2 => any_json().prop_map(|v| v.to_string().into_bytes()),
        1 => any::<String>().prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..64),
        1 => structured_body().prop_map(|v| {
            // Cut short: a truncated JSON document.
            let s = v.to_string().into_bytes();
            s[..s.len() / 2].to_vec()
        }),
    ]
}

pub fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        8 => Just(Some("application/json")),
        1 => Just(None),
        1 => prop::sample::select(vec![
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("application/json; charset=latin1"),
            Some("multipart/form-data; boundary=x"),
        ]),
    ]
}

/// A path segment: arbitrary text percent-encoded, or something a router might trip on.
pub fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>().prop_map(|s| encode(s.as_bytes())),
        2 => prop::collection::vec(any::<u8>(), 0..12).prop_map(|b| encode(&b)),
        2 => prop::sample::select(vec![
            "c01", "c+1", "c1", "c0", "c-1", "c99999999999999999999", "%", "%zz", "%00", "%2F",
            "%2e%2e", "..", ".", "r000000", "local", "__consumer_offsets", "0", "-1",
            "stop", "kill", "pause", "resume", "step", "wakeup", "csv", "sqlite", "%C0%AF",
        ])
        .prop_map(str::to_string),
        1 => (1usize..400).prop_map(|n| "a".repeat(n)),
        1 => "[a-zA-Z0-9._~-]{1,30}",
    ]
}

pub fn encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every route, by method and path template.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/labs"),
    ("GET", "/api/labs/{lab}"),
    ("POST", "/api/runs"),
    ("GET", "/api/runs"),
    ("GET", "/api/runs/{run}"),
    ("DELETE", "/api/runs/{run}"),
    ("POST", "/api/runs/{run}/produce"),
    ("GET", "/api/runs/{run}/ledger"),
    ("GET", "/api/runs/{run}/sink"),
    ("GET", "/api/runs/{run}/sink/{file}"),
    ("POST", "/api/runs/{run}/faults"),
    ("POST", "/api/runs/{run}/offsets"),
    ("POST", "/api/runs/{run}/producer"),
    ("GET", "/api/runs/{run}/events"),
    ("POST", "/api/runs/{run}/consumers"),
    ("POST", "/api/runs/{run}/consumers/{consumer}/{action}"),
    ("POST", "/api/watch"),
    ("GET", "/api/watch"),
    ("GET", "/api/watch/{watch}"),
    ("DELETE", "/api/watch/{watch}"),
    ("GET", "/api/watch/{watch}/events"),
    ("GET", "/api/session"),
    ("PUT", "/api/session"),
    ("GET", "/api/demo"),
    ("POST", "/api/instructor/login"),
    ("GET", "/api/instructor/class"),
    ("GET", "/api/instructor/events"),
    ("PUT", "/api/instructor/demo"),
    ("POST", "/api/instructor/trainees/{trainee}/stop"),
    ("GET", "/api/{any}"),
    ("GET", "/v3/kafka"),
    ("GET", "/v3/kafka/{cluster}"),
    ("GET", "/v3/kafka/{cluster}/topic"),
    ("GET", "/v3/kafka/{cluster}/topic/{topic}"),
    ("GET", "/v3/kafka/{cluster}/topic/{topic}/consumers"),
    ("GET", "/v3/kafka/{cluster}/consumer"),
    ("GET", "/v3/kafka/{cluster}/consumer/{group}"),
    ("GET", "/v3/kafka/{cluster}/consumer/{group}/status"),
    ("GET", "/v3/kafka/{cluster}/consumer/{group}/lag"),
    ("GET", "/"),
    ("GET", "/labs/{lab}"),
    ("GET", "/watch"),
    ("GET", "/metrics"),
    ("GET", "/static/{file}"),
];
