//! The embedded broker: librdkafka's mock cluster, hosted by a client of ours and advertised
//! at the proxy's public address. Safe `rdkafka::mocking::MockCluster` methods wherever they
//! exist; raw calls only for what has no safe API.

use std::ffi::CString;
use std::net::SocketAddr;
use std::time::Duration;

use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, DefaultProducerContext, Producer};
use rdkafka::types::{RDKafkaApiKey, RDKafkaErrorCode, RDKafkaRespErr};
use rdkafka::ClientConfig;

use super::{kafka, BrokerError};

/// The mock cluster's only broker.
const BROKER_ID: i32 = 1;

pub(super) struct Embedded {
    /// The client that hosts the mock cluster (the cluster lives and dies with it).
    host: BaseProducer,
    /// The mock's own random listener, reached through our fixed-address proxy.
    pub internal_addr: String,
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
        Ok(Embedded {
            host,
            internal_addr,
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
