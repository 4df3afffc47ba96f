//! `docker-compose.yml` (the Apache Kafka path, which cannot run here: no Docker engine) parses,
//! and matches what the README tells users to set.

use yaml_rust2::{Yaml, YamlLoader};

fn load(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn compose_file_is_single_node_kraft_kafka_tuned_for_the_labs() {
    let docs = YamlLoader::load_from_str(&load("docker-compose.yml")).expect("valid YAML");
    let kafka = &docs[0]["services"]["kafka"];
    assert!(kafka["image"]
        .as_str()
        .unwrap()
        .starts_with("apache/kafka:"));
    let ports: Vec<&str> = kafka["ports"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    assert!(ports.contains(&"9092:9092"), "{ports:?}");
    let env = &kafka["environment"];
    let var = |k: &str| {
        env[k]
            .as_str()
            .unwrap_or_else(|| panic!("{k} missing"))
            .to_string()
    };
    assert!(
        var("KAFKA_PROCESS_ROLES").contains("controller"),
        "KRaft: no ZooKeeper"
    );
    assert!(var("KAFKA_PROCESS_ROLES").contains("broker"));
    assert!(env["KAFKA_ZOOKEEPER_CONNECT"].is_badvalue());
    assert_eq!(
        var("KAFKA_ADVERTISED_LISTENERS"),
        "PLAINTEXT://localhost:9092"
    );
    assert_eq!(var("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"), "0");
    let min_session: u64 = var("KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS").parse().unwrap();
    assert!(
        min_session <= 2000,
        "the labs' classroom preset (2000 ms) must be allowed"
    );
    assert_eq!(
        var("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"),
        "1",
        "single node"
    );
}

#[test]
fn readme_documents_the_compose_path_with_the_same_address() {
    let readme = load("README.md");
    assert!(readme.contains("docker compose up -d"));
    assert!(readme.contains("KAFKA_BOOTSTRAP_SERVERS=localhost:9092"));
    assert!(
        readme.contains(super_install_line()),
        "README names the nisshi install command"
    );
}

fn super_install_line() -> &'static str {
    "cargo install nisshi@0.8.1 --locked --ignore-rust-version --no-default-features --features dynostore"
}
