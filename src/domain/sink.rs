//! The sinks lab's data, without I/O: where a consumer stores what it read (a CSV file and a
//! SQLite database per run), the payment a record carries, and which stored rows are
//! duplicates — the same record (topic, partition, offset) written twice.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// The naive CSV sink: one line appended per write, whatever was written before.
pub const CSV_NAIVE: &str = "payments.csv";
/// The idempotent CSV sink: a line is skipped when its record's key is already in the file.
pub const CSV_IDEMPOTENT: &str = "payments_idempotent.csv";
/// The SQLite database with both tables.
pub const SQLITE_FILE: &str = "payments.sqlite";
/// The plain `INSERT` table: a record processed twice is two rows (a double charge).
pub const TABLE_NAIVE: &str = "payments_naive";
/// `UNIQUE(topic, partition, offset)` and `INSERT … ON CONFLICT DO NOTHING`.
pub const TABLE_IDEMPOTENT: &str = "payments_idempotent";

/// The files a run's sink directory may hold, as the download route names them.
pub const FILES: [&str; 3] = [CSV_NAIVE, CSV_IDEMPOTENT, SQLITE_FILE];

/// The columns of both CSV files (and, in this order, of both tables).
pub const CSV_HEADER: [&str; 9] = [
    "topic",
    "partition",
    "offset",
    "order_id",
    "item",
    "amount",
    "value",
    "consumer",
    "written_at",
];

/// A payment as a record's value carries it: `order-17,1 ice cream,3000`
/// (order id, item, amount). A value of another shape is kept as it is, with no amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub order_id: String,
    pub item: String,
    pub amount: Option<i64>,
}

impl Payment {
    pub fn parse(value: &str) -> Payment {
        let mut parts = value.splitn(3, ',').map(str::trim);
        match (parts.next(), parts.next(), parts.next()) {
            (Some(order), Some(item), Some(amount)) if !order.is_empty() => Payment {
                order_id: order.to_string(),
                item: item.to_string(),
                amount: amount.parse().ok(),
            },
            _ => Payment {
                order_id: value.trim().to_string(),
                item: String::new(),
                amount: None,
            },
        }
    }

    /// The lab's producer button: the `n`th payment of a small menu (deterministic).
    pub fn sample(n: u64) -> String {
        const MENU: [(&str, i64); 4] = [
            ("1 ice cream", 3000),
            ("2 coffee", 9000),
            ("1 sandwich", 6500),
            ("3 donuts", 4500),
        ];
        let (item, amount) = MENU[(n % MENU.len() as u64) as usize];
        format!("order-{n},{item},{amount}")
    }
}

/// One stored row, as read back from a table or a CSV file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SinkRow {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub order_id: String,
    pub item: String,
    pub amount: Option<i64>,
    pub value: String,
    /// The consumer incarnation that wrote it (`c1`, `c2`, …).
    pub consumer: String,
    /// Unix time in milliseconds.
    pub written_at: i64,
    /// Set when an earlier row holds the same record: this row is the double.
    #[serde(default)]
    pub duplicate: bool,
    /// How many rows hold this row's record (1: once, as it should be).
    #[serde(default)]
    pub copies: u32,
}

impl SinkRow {
    pub fn key(&self) -> (&str, i32, i64) {
        (&self.topic, self.partition, self.offset)
    }

    /// The row's fields in `CSV_HEADER` order.
    pub fn csv_fields(&self) -> [String; 9] {
        [
            self.topic.clone(),
            self.partition.to_string(),
            self.offset.to_string(),
            self.order_id.clone(),
            self.item.clone(),
            self.amount.map(|a| a.to_string()).unwrap_or_default(),
            self.value.clone(),
            self.consumer.clone(),
            self.written_at.to_string(),
        ]
    }

    /// A row from CSV fields in `CSV_HEADER` order.
    pub fn from_csv(fields: &[&str]) -> Option<SinkRow> {
        let [topic, partition, offset, order_id, item, amount, value, consumer, written_at] =
            fields
        else {
            return None;
        };
        Some(SinkRow {
            topic: topic.to_string(),
            partition: partition.parse().ok()?,
            offset: offset.parse().ok()?,
            order_id: order_id.to_string(),
            item: item.to_string(),
            amount: amount.parse().ok(),
            value: value.to_string(),
            consumer: consumer.to_string(),
            written_at: written_at.parse().ok()?,
            duplicate: false,
            copies: 0,
        })
    }
}

/// Marks every row after the first of the same record as a duplicate, and counts copies.
/// Returns how many rows are doubles (rows − distinct records).
pub fn mark_duplicates(rows: &mut [SinkRow]) -> u64 {
    let mut copies: HashMap<(String, i32, i64), u32> = HashMap::new();
    for row in rows.iter_mut() {
        let n = copies
            .entry((row.topic.clone(), row.partition, row.offset))
            .or_default();
        *n += 1;
        row.duplicate = *n > 1;
    }
    for row in rows.iter_mut() {
        row.copies = copies[&(row.topic.clone(), row.partition, row.offset)];
    }
    rows.iter().filter(|r| r.duplicate).count() as u64
}

/// One sink (a table or a CSV file) as read back from disk.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SinkContents {
    /// Rows (or CSV lines after the header) it holds.
    pub count: u64,
    /// Distinct records among them.
    pub records: u64,
    /// Rows that repeat an earlier row's record: the double charges.
    pub duplicates: u64,
    /// The rows, oldest first (the last [`MAX_ROWS`] when there are more).
    pub rows: Vec<SinkRow>,
    pub truncated: bool,
}

/// Rows a read-back returns per sink (counts cover every row).
pub const MAX_ROWS: usize = 1000;

impl SinkContents {
    pub fn from_rows(mut rows: Vec<SinkRow>) -> SinkContents {
        let duplicates = mark_duplicates(&mut rows);
        let count = rows.len() as u64;
        let truncated = rows.len() > MAX_ROWS;
        if truncated {
            rows.drain(..rows.len() - MAX_ROWS);
        }
        SinkContents {
            count,
            records: count - duplicates,
            duplicates,
            rows,
            truncated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(offset: i64, consumer: &str) -> SinkRow {
        SinkRow {
            topic: "t".into(),
            partition: 0,
            offset,
            order_id: format!("order-{offset}"),
            item: "1 ice cream".into(),
            amount: Some(3000),
            value: format!("order-{offset},1 ice cream,3000"),
            consumer: consumer.into(),
            written_at: 1,
            duplicate: false,
            copies: 0,
        }
    }

    #[test]
    fn a_payment_is_order_item_amount() {
        assert_eq!(
            Payment::parse("order-17, 1 ice cream ,3000"),
            Payment {
                order_id: "order-17".into(),
                item: "1 ice cream".into(),
                amount: Some(3000)
            }
        );
        assert_eq!(Payment::parse("4").order_id, "4");
        assert_eq!(Payment::parse("4").amount, None);
        assert_eq!(Payment::parse(&Payment::sample(17)).order_id, "order-17");
    }

    #[test]
    fn the_second_copy_of_a_record_is_the_duplicate() {
        let mut rows = vec![row(0, "c1"), row(1, "c1"), row(1, "c2"), row(2, "c2")];
        assert_eq!(mark_duplicates(&mut rows), 1);
        let flags: Vec<(bool, u32)> = rows.iter().map(|r| (r.duplicate, r.copies)).collect();
        assert_eq!(flags, [(false, 1), (false, 2), (true, 2), (false, 1)]);
    }

    #[test]
    fn csv_fields_round_trip() {
        let r = row(3, "c1");
        let fields = r.csv_fields();
        let back = SinkRow::from_csv(&fields.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(back, Some(r));
        assert_eq!(SinkRow::from_csv(&["t", "x"]), None);
    }

    #[test]
    fn contents_keep_the_last_rows_and_count_all() {
        let rows: Vec<SinkRow> = (0..MAX_ROWS as i64 + 5).map(|o| row(o, "c1")).collect();
        let c = SinkContents::from_rows(rows);
        assert_eq!(
            (c.count, c.duplicates, c.rows.len()),
            (MAX_ROWS as u64 + 5, 0, MAX_ROWS)
        );
        assert!(c.truncated);
        assert_eq!(c.rows[0].offset, 5);
    }
}
