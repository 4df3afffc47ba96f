//! `Broker`: the Kafka cluster the labs talk to — librdkafka's embedded mock cluster behind a
//! fixed TCP address, or an external cluster from `KAFKA_BOOTSTRAP_SERVERS`. Nothing else
//! knows which.

mod admin;
mod embedded;
mod proxy;
mod relay;
mod sync_group;
mod wire;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use tokio_util::sync::CancellationToken;

use embedded::Embedded;
pub use relay::FetchWait;

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

pub(crate) fn kafka(op: &'static str) -> impl FnOnce(rdkafka::error::KafkaError) -> BrokerError {
    move |source| BrokerError::Kafka { op, source }
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
    config
        .set("bootstrap.servers", bootstrap)
        // A broker that comes back (the instructor's "broker up") is found within a second,
        // not after librdkafka's 10 s backoff, which would outlast a produce's timeout.
        .set("reconnect.backoff.max.ms", "1000");
    config
}

impl Broker {
    /// Starts librdkafka's mock cluster and a TCP proxy on `bind` so the broker has a fixed,
    /// advertised address (the course's console-producer and kcat commands use it). If `bind`
    /// is taken, a random port is used instead, with a warning. Every Fetch through the proxy
    /// waits at least what `fetch_wait` says when it is sent (see [`relay::FetchWait`]).
    pub async fn embedded(
        bind: SocketAddr,
        fetch_wait: Arc<relay::FetchWait>,
    ) -> Result<Broker, BrokerError> {
        let listener = proxy::bind(bind).await?;
        let public = listener
            .local_addr()
            .map_err(|e| BrokerError::Other(e.to_string()))?;
        let embedded = Embedded::start(public)?;
        let shutdown = CancellationToken::new();
        tokio::spawn(proxy::run(
            listener,
            embedded.internal_addr.clone(),
            fetch_wait,
            shutdown.clone(),
        ));
        let bootstrap = public.to_string();
        tracing::info!(%bootstrap, internal = %embedded.internal_addr, "embedded broker (librdkafka mock cluster) ready");
        Self::finish(Some(embedded), bootstrap, shutdown)
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
            Some(_) => {
                let broker = self.clone();
                let topic = topic.to_string();
                // The mock API waits for the mock thread's reply: not on the async runtime.
                tokio::task::spawn_blocking(move || {
                    broker.mock()?.create_topic_blocking(&topic, partitions)
                })
                .await
                .map_err(|e| BrokerError::Other(e.to_string()))??;
            }
            None => admin::create_topic(&self.inner.bootstrap, topic, partitions).await?,
        }
        self.wait_for_partitions(topic, partitions).await
    }

    /// Lets go of a gone run's topic: deleted on an external cluster; on the embedded broker
    /// (no DeleteTopics) its records are dropped so that it holds almost no memory.
    pub async fn discard_topic(&self, topic: &str, partitions: i32) -> Result<(), BrokerError> {
        match &self.inner.embedded {
            Some(embedded) => embedded.purge_topic(topic, partitions).await,
            None => admin::delete_topic(&self.inner.bootstrap, topic).await,
        }
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
        // One ListOffsets request for every partition (per leader), asking each for its latest
        // offset (the timestamp -1), instead of two requests per partition with
        // `fetch_watermarks`: a class's samplers ask every half second for every run.
        let mut latest = TopicPartitionList::new();
        for p in 0..partitions {
            latest
                .add_partition_offset(topic, p, Offset::End)
                .map_err(kafka("list offsets"))?;
        }
        let answered = self
            .inner
            .meta
            .offsets_for_times(latest, Duration::from_secs(3))
            .map_err(kafka("list offsets"))?;
        (0..partitions)
            .map(|p| {
                let element = answered.find_partition(topic, p);
                match element.as_ref().map(|e| (e.error(), e.offset())) {
                    Some((Ok(()), Offset::Offset(end))) => Ok(end),
                    Some((Err(e), _)) => Err(kafka("list offsets")(e)),
                    _ => Err(BrokerError::Other(format!(
                        "list offsets: no log end offset for {topic}/{p}"
                    ))),
                }
            })
            .collect()
    }

    /// How many partitions `topic` has, from the cluster's metadata; `None` when the cluster
    /// does not know the topic. Blocking: call it from a blocking thread.
    pub fn partition_count_blocking(&self, topic: &str) -> Result<Option<i32>, BrokerError> {
        let metadata = self
            .inner
            .meta
            .fetch_metadata(Some(topic), Duration::from_secs(5))
            .map_err(kafka("fetch metadata"))?;
        Ok(metadata
            .topics()
            .iter()
            .find(|t| t.name() == topic && t.error().is_none() && !t.partitions().is_empty())
            .map(|t| t.partitions().len() as i32))
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

    /// Sets the group's committed offsets from outside it, as the admin's
    /// `kafka-consumer-groups.sh --reset-offsets` does; the group must have no members.
    /// A Kafka broker takes a commit with no member id from an empty group; librdkafka's mock
    /// answers it UNKNOWN_MEMBER_ID, so on the embedded broker the reset briefly joins the
    /// group as its only member, commits, and leaves. Blocking.
    pub fn reset_group_offsets_blocking(
        &self,
        group: &str,
        topic: &str,
        offsets: &[(i32, i64)],
    ) -> Result<(), BrokerError> {
        if !self.is_embedded() {
            return self.group_probe(group)?.commit_blocking(topic, offsets);
        }
        let member: BaseConsumer = client_config(&self.inner.bootstrap)
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("session.timeout.ms", "6000")
            .create()
            .map_err(kafka("create the reset member"))?;
        member
            .subscribe(&[topic])
            .map_err(kafka("subscribe the reset member"))?;
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        // Poll until the group gave this member every partition (nothing is processed: the
        // member is paused as soon as it has them).
        loop {
            let _ = member.poll(Duration::from_millis(100));
            let assigned = member.assignment().map(|a| a.count()).unwrap_or(0);
            if assigned >= offsets.len() {
                break;
            }
            if std::time::Instant::now() >= deadline {
                return Err(BrokerError::Other(
                    "the offset reset could not join the group in 15 s".into(),
                ));
            }
        }
        let mut tpl = TopicPartitionList::new();
        for &(p, o) in offsets {
            tpl.add_partition_offset(topic, p, Offset::Offset(o))
                .map_err(kafka("offset list"))?;
        }
        // The join may still be settling (a rebalance in progress): poll and try again.
        loop {
            match member.commit(&tpl, rdkafka::consumer::CommitMode::Sync) {
                Ok(()) => break,
                Err(e) if std::time::Instant::now() < deadline => {
                    tracing::debug!(error = %e, "offset reset commit refused, retrying");
                    let _ = member.poll(Duration::from_millis(100));
                }
                Err(e) => return Err(kafka("commit offsets")(e)),
            }
        }
        member.unsubscribe();
        Ok(())
    }

    fn mock(&self) -> Result<&Embedded, BrokerError> {
        self.inner
            .embedded
            .as_ref()
            .ok_or_else(|| BrokerError::Other("not the embedded broker".into()))
    }

    /// Embedded only: the next `count` OffsetCommit requests fail with `error` (a lesson in
    /// commit failures). Returns false on an external cluster.
    pub fn inject_commit_errors(
        &self,
        error: rdkafka::types::RDKafkaRespErr,
        count: usize,
    ) -> bool {
        self.mock()
            .map(|e| e.inject_commit_errors(error, count))
            .is_ok()
    }

    /// Embedded only: takes the broker down or brings it back (blocks on the mock's thread).
    pub fn set_down_blocking(&self, down: bool) -> Result<(), BrokerError> {
        self.mock()?.set_broker_down(down)
    }

    /// Embedded only: every request to the broker takes `rtt` longer (0 to clear).
    pub fn set_round_trip_time(&self, rtt: Duration) -> bool {
        self.mock().map(|e| e.set_round_trip_time(rtt)).is_ok()
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

    /// Commits `(partition, offset)` for the group from outside it (the admin's offset reset;
    /// a broker accepts it while the group has no members). Blocking.
    pub fn commit_blocking(&self, topic: &str, offsets: &[(i32, i64)]) -> Result<(), BrokerError> {
        let mut tpl = TopicPartitionList::new();
        for &(p, o) in offsets {
            tpl.add_partition_offset(topic, p, Offset::Offset(o))
                .map_err(kafka("offset list"))?;
        }
        self.consumer
            .commit(&tpl, rdkafka::consumer::CommitMode::Sync)
            .map_err(kafka("commit offsets"))
    }
}
