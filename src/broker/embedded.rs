//! The embedded broker: librdkafka's mock cluster, hosted by a client of ours and advertised
//! at the proxy's public address. Safe `rdkafka::mocking::MockCluster` methods wherever they
//! exist; raw calls only for what has no safe API.

use std::ffi::CString;
use std::net::SocketAddr;
use std::time::Duration;

use rdkafka::mocking::MockCluster;
use rdkafka::producer::{
    BaseProducer, DefaultProducerContext, FutureProducer, FutureRecord, Producer,
};
use rdkafka::types::{RDKafkaApiKey, RDKafkaErrorCode, RDKafkaRespErr};
use rdkafka::ClientConfig;

use super::{kafka, BrokerError};

/// The mock cluster's only broker.
const BROKER_ID: i32 = 1;

/// The mock keeps at most 5 MiB of batches per partition and drops the oldest batches past
/// that, but always keeps the newest one (`rd_kafka_mock_partition_log_append`). One batch
/// larger than that alone drops everything before it; one empty batch after it drops it and
/// leaves the log empty (its start offset moves to its end).
const MOCK_RETENTION_BYTES: usize = 5 * 1024 * 1024;
/// The purge record's value: just over the retention on its own.
const PURGE_VALUE_BYTES: usize = MOCK_RETENTION_BYTES + 1024;
/// The purge producer's `message.max.bytes` and `batch.size`: room for the purge record.
const PURGE_MAX_BYTES: usize = 2 * MOCK_RETENTION_BYTES;

/// Fields drop in order: the purge producer closes before the cluster it talks to goes.
pub(super) struct Embedded {
    /// Sends the purge records (its size limits are above the trainees' producer's).
    purger: FutureProducer,
    /// The client that hosts the mock cluster (the cluster lives and dies with it).
    host: BaseProducer,
    /// The mock's own random listener, reached through our fixed-address proxy.
    pub internal_addr: String,
    /// One purge at a time: each holds a few retention-sized records in memory.
    purging: tokio::sync::Mutex<()>,
}

impl Embedded {
    /// Starts the mock cluster and makes it advertise `public` (the proxy), so every client,
    /// ours and the trainee's, goes through the proxy.
    pub fn start(public: SocketAddr) -> Result<Embedded, BrokerError> {
        let host: BaseProducer = ClientConfig::new()
            .set("test.mock.num.brokers", "1")
            .create()
            .map_err(kafka("create mock cluster"))?;
        let internal_addr = host
            .client()
            .mock_cluster()
            .ok_or_else(|| BrokerError::Other("librdkafka has no mock cluster".into()))?
            .bootstrap_servers();
        let host_ip = CString::new(public.ip().to_string()).expect("an IP address has no NUL");
        // SAFETY: the host client is alive, so the handle it returns is the live cluster it
        // created; neither call has a safe API in rdkafka. librdkafka copies the host string.
        unsafe {
            let raw = rdkafka::bindings::rd_kafka_handle_mock_cluster(host.client().native_ptr());
            // The course's rebalances should start at once, as on a tuned classroom cluster.
            rdkafka::bindings::rd_kafka_mock_group_initial_rebalance_delay_ms(raw, 0);
            rdkafka::bindings::rd_kafka_mock_broker_set_host_port(
                raw,
                BROKER_ID,
                host_ip.as_ptr(),
                i32::from(public.port()),
            );
        }
        let purger: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", public.to_string())
            .set("message.max.bytes", PURGE_MAX_BYTES.to_string())
            .set("batch.size", PURGE_MAX_BYTES.to_string())
            .set("message.timeout.ms", "10000")
            .set("linger.ms", "0")
            .create()
            .map_err(kafka("create the purge producer"))?;
        Ok(Embedded {
            host,
            internal_addr,
            purger,
            purging: tokio::sync::Mutex::new(()),
        })
    }

    /// The cluster's safe API, borrowed from its host client.
    fn cluster(&self) -> Result<MockCluster<'_, DefaultProducerContext>, BrokerError> {
        self.host
            .client()
            .mock_cluster()
            .ok_or_else(|| BrokerError::Other("librdkafka has no mock cluster".into()))
    }

    /// Creates `topic` (replication 1); an existing topic is fine. Blocks on the mock thread.
    pub fn create_topic_blocking(&self, topic: &str, partitions: i32) -> Result<(), BrokerError> {
        match self.cluster()?.create_topic(topic, partitions, 1) {
            Ok(()) => Ok(()),
            Err(rdkafka::error::KafkaError::MockCluster(RDKafkaErrorCode::TopicAlreadyExists)) => {
                Ok(())
            }
            Err(e) => Err(BrokerError::Other(format!("create topic {topic}: {e}"))),
        }
    }

    /// Frees the memory a gone run's topic holds: the mock has no DeleteTopics, so this uses
    /// its retention instead. Into each partition goes one record larger than the retention
    /// (everything older is dropped), then one empty record (which drops the large one). The
    /// topic stays, with nothing left to read.
    pub async fn purge_topic(&self, topic: &str, partitions: i32) -> Result<(), BrokerError> {
        let _one_at_a_time = self.purging.lock().await;
        let large = vec![0u8; PURGE_VALUE_BYTES];
        for payload in [&large[..], &[][..]] {
            let sends = (0..partitions).map(|partition| {
                self.purger.send(
                    FutureRecord::<(), [u8]>::to(topic)
                        .partition(partition)
                        .payload(payload),
                    Duration::from_secs(5),
                )
            });
            for delivery in futures::future::join_all(sends).await {
                delivery.map_err(|(e, _)| kafka("purge a gone run's topic")(e))?;
            }
        }
        Ok(())
    }

    /// The next `count` OffsetCommit requests fail with `error`.
    pub fn inject_commit_errors(&self, error: RDKafkaRespErr, count: usize) {
        if let Ok(cluster) = self.cluster() {
            cluster.request_errors(RDKafkaApiKey::OffsetCommit, &vec![error; count]);
        }
    }

    /// Takes the broker down (its connections close, new ones are refused) or brings it back.
    pub fn set_broker_down(&self, down: bool) -> Result<(), BrokerError> {
        let cluster = self.cluster()?;
        if down {
            cluster.broker_down(BROKER_ID)
        } else {
            cluster.broker_up(BROKER_ID)
        }
        .map_err(|e| BrokerError::Other(format!("mock broker down/up: {e}")))
    }

    /// Every request to the broker takes `rtt` longer (0 to clear).
    pub fn set_round_trip_time(&self, rtt: Duration) {
        if let Ok(cluster) = self.cluster() {
            if let Err(e) = cluster.broker_round_trip_time(BROKER_ID, rtt) {
                tracing::warn!(error = %e, "cannot set the mock broker's round-trip time");
            }
        }
    }
}
