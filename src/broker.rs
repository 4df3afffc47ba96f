//! `Broker`: the Kafka cluster the labs talk to — librdkafka's embedded mock cluster behind a
//! fixed TCP address, or an external cluster from `KAFKA_BOOTSTRAP_SERVERS`. Nothing else
//! knows which.

use std::ffi::CString;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseProducer, FutureProducer, FutureRecord, Producer};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// Errors talking to the broker, with the operation named.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error("{op}: {source}")]
    Kafka {
        op: &'static str,
        #[source]
        source: rdkafka::error::KafkaError,
    },
    #[error("{0}")]
    Other(String),
}

fn kafka(op: &'static str) -> impl FnOnce(rdkafka::error::KafkaError) -> BrokerError {
    move |source| BrokerError::Kafka { op, source }
}

/// The raw mock-cluster handle. librdkafka's mock API posts each call to the mock cluster's
/// own thread, so the handle may be used from any thread while its host client lives.
struct MockHandle(*mut rdkafka::bindings::rd_kafka_mock_cluster_t);
// SAFETY: see above; the pointer stays valid as long as `Embedded::host` is alive.
unsafe impl Send for MockHandle {}
unsafe impl Sync for MockHandle {}

struct Embedded {
    mock: MockHandle,
    /// The client that hosts the mock cluster (the cluster dies with it). Declared after
    /// `mock` so the handle is gone first.
    _host: BaseProducer,
    /// The mock's own random listener, reached through our fixed-address proxy.
    internal_addr: String,
}

/// Fields drop in order: our clients close first, then the mock cluster, then the proxy
/// stops (so no client ever sees its broker vanish and logs "all brokers down").
struct BrokerInner {
    producer: FutureProducer,
    /// A group-less consumer for metadata and watermarks.
    meta: Arc<BaseConsumer>,
    embedded: Option<Embedded>,
    bootstrap: String,
    _stop_proxy: tokio_util::sync::DropGuard,
}

/// Cheap to clone; all clones share one cluster connection set.
#[derive(Clone)]
pub struct Broker {
    inner: Arc<BrokerInner>,
}

/// A record the server produced: where it landed.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Delivery {
    pub partition: i32,
    pub offset: i64,
}

fn client_config(bootstrap: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", bootstrap);
    config
}

impl Broker {
    /// Starts librdkafka's mock cluster and a TCP proxy on `bind` so the broker has a fixed,
    /// advertised address (the course's console-producer and kcat commands use it). If `bind`
    /// is taken, a random port is used instead, with a warning.
    pub async fn embedded(bind: SocketAddr) -> Result<Broker, BrokerError> {
        let listener = match TcpListener::bind(bind).await {
            Ok(l) => l,
            Err(e) if bind.port() != 0 => {
                tracing::warn!(%bind, error = %e, "embedded broker address taken; using a random port");
                TcpListener::bind(SocketAddr::new(bind.ip(), 0))
                    .await
                    .map_err(|e| BrokerError::Other(format!("bind broker proxy: {e}")))?
            }
            Err(e) => return Err(BrokerError::Other(format!("bind broker proxy {bind}: {e}"))),
        };
        let public = listener
            .local_addr()
            .map_err(|e| BrokerError::Other(e.to_string()))?;

        let host: BaseProducer = ClientConfig::new()
            .set("test.mock.num.brokers", "1")
            .create()
            .map_err(kafka("create mock cluster"))?;
        let (mock, internal_addr) = {
            let cluster = host
                .client()
                .mock_cluster()
                .ok_or_else(|| BrokerError::Other("librdkafka has no mock cluster".into()))?;
            let internal_addr = cluster.bootstrap_servers();
            // SAFETY: the host client is alive; this returns the cluster it created.
            let raw = unsafe {
                rdkafka::bindings::rd_kafka_handle_mock_cluster(host.client().native_ptr())
            };
            (MockHandle(raw), internal_addr)
        };
        let host_ip = CString::new(public.ip().to_string()).expect("ip has no NUL");
        // SAFETY: valid handle; librdkafka copies the host string.
        unsafe {
            // The course's rebalances should start at once, as on a tuned classroom cluster.
            rdkafka::bindings::rd_kafka_mock_group_initial_rebalance_delay_ms(mock.0, 0);
            // Advertise the proxy, so every client (ours and the trainee's) goes through it.
            rdkafka::bindings::rd_kafka_mock_broker_set_host_port(
                mock.0,
                1,
                host_ip.as_ptr(),
                public.port() as i32,
            );
        }
        let shutdown = CancellationToken::new();
        tokio::spawn(run_proxy(listener, internal_addr.clone(), shutdown.clone()));
        let bootstrap = public.to_string();
        tracing::info!(%bootstrap, internal = %internal_addr, "embedded broker (librdkafka mock cluster) ready");
        Self::finish(
            Some(Embedded {
                mock,
                _host: host,
                internal_addr,
            }),
            bootstrap,
            shutdown,
        )
    }

    /// Uses an existing cluster (`KAFKA_BOOTSTRAP_SERVERS`); nothing is started.
    pub async fn external(bootstrap: &str) -> Result<Broker, BrokerError> {
        Self::finish(None, bootstrap.to_string(), CancellationToken::new())
    }

    fn finish(
        embedded: Option<Embedded>,
        bootstrap: String,
        shutdown: CancellationToken,
    ) -> Result<Broker, BrokerError> {
        let producer: FutureProducer = client_config(&bootstrap)
            .set("message.timeout.ms", "10000")
            .set("linger.ms", "1")
            // Keyless records spread over partitions record by record (librdkafka's sticky
            // partitioner would put a whole "Produce 100" into one partition).
            .set("sticky.partitioning.linger.ms", "0")
            .create()
            .map_err(kafka("create producer"))?;
        let meta: BaseConsumer = client_config(&bootstrap)
            .create()
            .map_err(kafka("create metadata client"))?;
        Ok(Broker {
            inner: Arc::new(BrokerInner {
                producer,
                meta: Arc::new(meta),
                embedded,
                bootstrap,
                _stop_proxy: shutdown.drop_guard(),
            }),
        })
    }

    /// The address clients use (`--bootstrap-server`).
    pub fn bootstrap_servers(&self) -> &str {
        &self.inner.bootstrap
    }

    pub fn is_embedded(&self) -> bool {
        self.inner.embedded.is_some()
    }

    /// The mock's own listener (embedded only); tests use it to show the proxy is what clients see.
    pub fn internal_address(&self) -> Option<&str> {
        self.inner
            .embedded
            .as_ref()
            .map(|e| e.internal_addr.as_str())
    }

    /// Creates `topic` with `partitions` partitions (replication 1) unless it exists with
    /// that many; waits until its metadata shows every partition.
    pub async fn create_topic(&self, topic: &str, partitions: i32) -> Result<(), BrokerError> {
        match &self.inner.embedded {
            Some(embedded) => {
                let name = CString::new(topic)
                    .map_err(|_| BrokerError::Other("topic name has a NUL byte".into()))?;
                let raw = embedded.mock.0 as usize;
                // The mock API waits for the mock thread's reply: not on the async runtime.
                let err = tokio::task::spawn_blocking(move || unsafe {
                    rdkafka::bindings::rd_kafka_mock_topic_create(
                        raw as *mut _,
                        name.as_ptr(),
                        partitions,
                        1,
                    )
                })
                .await
                .map_err(|e| BrokerError::Other(e.to_string()))?;
                let code: RDKafkaErrorCode = err.into();
                if code != RDKafkaErrorCode::NoError && code != RDKafkaErrorCode::TopicAlreadyExists
                {
                    return Err(BrokerError::Other(format!("create topic {topic}: {code}")));
                }
            }
            None => {
                let admin: AdminClient<DefaultClientContext> = client_config(&self.inner.bootstrap)
                    .create()
                    .map_err(kafka("create admin client"))?;
                let new_topic = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
                let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
                let results = admin
                    .create_topics(&[new_topic], &options)
                    .await
                    .map_err(kafka("create topic"))?;
                for result in results {
                    if let Err((name, code)) = result {
                        if code != RDKafkaErrorCode::TopicAlreadyExists {
                            return Err(BrokerError::Other(format!("create topic {name}: {code}")));
                        }
                    }
                }
                // Dropping an admin client joins its threads: not on the runtime.
                tokio::task::spawn_blocking(move || drop(admin));
            }
        }
        self.wait_for_partitions(topic, partitions).await
    }

    async fn wait_for_partitions(&self, topic: &str, partitions: i32) -> Result<(), BrokerError> {
        let meta = self.inner.meta.clone();
        let topic = topic.to_string();
        tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + Duration::from_secs(15);
            loop {
                let found = meta
                    .fetch_metadata(Some(&topic), Duration::from_secs(5))
                    .ok()
                    .and_then(|m| {
                        m.topics()
                            .iter()
                            .find(|t| t.name() == topic && t.error().is_none())
                            .map(|t| t.partitions().len() as i32)
                    });
                match found {
                    Some(n) if n == partitions => return Ok(()),
                    Some(n) if n > partitions || std::time::Instant::now() > deadline => {
                        return Err(BrokerError::Other(format!(
                            "topic {topic} has {n} partitions, the lab needs {partitions}"
                        )))
                    }
                    _ if std::time::Instant::now() > deadline => {
                        return Err(BrokerError::Other(format!(
                            "topic {topic} did not appear in the cluster's metadata"
                        )))
                    }
                    // Metadata propagation has no event to wait on; this is a bounded retry.
                    _ => std::thread::sleep(Duration::from_millis(100)),
                }
            }
        })
        .await
        .map_err(|e| BrokerError::Other(e.to_string()))?
    }

    /// Produces records (in order, batched together) and waits for every acknowledgement.
    pub async fn produce(
        &self,
        topic: &str,
        records: &[(Option<String>, String)],
    ) -> Result<Vec<Delivery>, BrokerError> {
        // Queue everything first so librdkafka batches it, as a console producer piping a
        // file would; then wait for each delivery report.
        let mut pending = Vec::with_capacity(records.len());
        for (key, value) in records {
            let mut record = FutureRecord::<str, str>::to(topic).payload(value);
            if let Some(key) = key {
                record = record.key(key);
            }
            pending.push(self.inner.producer.send(record, Duration::from_secs(5)));
        }
        let mut out = Vec::with_capacity(records.len());
        for delivery in futures::future::join_all(pending).await {
            let d = delivery.map_err(|(e, _)| BrokerError::Kafka {
                op: "produce",
                source: e,
            })?;
            out.push(Delivery {
                partition: d.partition,
                offset: d.offset,
            });
        }
        Ok(out)
    }

    /// Log-end offsets (high watermarks) of partitions `0..partitions`. Blocking: call it from
    /// a blocking thread.
    pub fn log_end_offsets_blocking(
        &self,
        topic: &str,
        partitions: i32,
    ) -> Result<Vec<i64>, BrokerError> {
        (0..partitions)
            .map(|p| {
                self.inner
                    .meta
                    .fetch_watermarks(topic, p, Duration::from_secs(3))
                    .map(|(_, high)| high)
                    .map_err(kafka("fetch watermarks"))
            })
            .collect()
    }

    /// A client that reads one group's committed offsets without joining the group.
    pub fn group_probe(&self, group: &str) -> Result<GroupProbe, BrokerError> {
        let consumer: BaseConsumer = client_config(&self.inner.bootstrap)
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .create()
            .map_err(kafka("create group probe"))?;
        Ok(GroupProbe { consumer })
    }

    /// Embedded only: the next `count` OffsetCommit requests fail with `error` (a lesson in
    /// commit failures). Returns false on an external cluster.
    pub fn inject_commit_errors(
        &self,
        error: rdkafka::types::RDKafkaRespErr,
        count: usize,
    ) -> bool {
        let Some(embedded) = &self.inner.embedded else {
            return false;
        };
        let errors = vec![error; count];
        const OFFSET_COMMIT: i16 = 8;
        // SAFETY: valid handle; librdkafka copies the array.
        unsafe {
            rdkafka::bindings::rd_kafka_mock_push_request_errors_array(
                embedded.mock.0,
                OFFSET_COMMIT,
                errors.len(),
                errors.as_ptr(),
            );
        }
        true
    }

    /// Embedded only: every request to the broker takes `rtt` longer (0 to clear).
    pub fn set_round_trip_time(&self, rtt: Duration) -> bool {
        let Some(embedded) = &self.inner.embedded else {
            return false;
        };
        // SAFETY: valid handle.
        unsafe {
            rdkafka::bindings::rd_kafka_mock_broker_set_rtt(
                embedded.mock.0,
                1,
                rtt.as_millis() as i32,
            );
        }
        true
    }
}

/// Reads a group's committed offsets (OffsetFetch) as a non-member.
pub struct GroupProbe {
    consumer: BaseConsumer,
}

impl GroupProbe {
    /// Committed offsets for partitions `0..partitions`; `None` where the group has none.
    /// Blocking: call it from a blocking thread.
    pub fn committed_blocking(
        &self,
        topic: &str,
        partitions: i32,
    ) -> Result<Vec<Option<i64>>, BrokerError> {
        let mut tpl = TopicPartitionList::new();
        for p in 0..partitions {
            tpl.add_partition(topic, p);
        }
        let committed = self
            .consumer
            .committed_offsets(tpl, Duration::from_secs(3))
            .map_err(kafka("fetch committed offsets"))?;
        let mut out = vec![None; partitions as usize];
        for element in committed.elements() {
            if let (Offset::Offset(o), Some(slot)) =
                (element.offset(), out.get_mut(element.partition() as usize))
            {
                *slot = Some(o);
            }
        }
        Ok(out)
    }
}

/// Forwards every connection on the public address to the mock cluster's random port.
async fn run_proxy(listener: TcpListener, target: String, shutdown: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let (mut client, _) = match accepted {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "broker proxy accept failed");
                continue;
            }
        };
        let target = target.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            let mut upstream = match TcpStream::connect(&target).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "broker proxy cannot reach the mock cluster");
                    return;
                }
            };
            // Kafka is request/response with small frames: never wait for Nagle.
            let _ = client.set_nodelay(true);
            let _ = upstream.set_nodelay(true);
            tokio::select! {
                _ = shutdown.cancelled() => {}
                _ = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {}
            }
        });
    }
}
