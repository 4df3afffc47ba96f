//! The sinks lab's files: a CSV file and a SQLite database per run, each written twice —
//! naive (append / plain `INSERT`) and idempotent (the record's (topic, partition, offset)
//! as a unique key) — by the worker as its processing of a record ([`PaymentSinks`]), and
//! read back from disk by the server ([`read_back`], [`file_bytes`]). Blocking I/O: the
//! server calls the readers from `spawn_blocking`.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::Serialize;

use crate::domain::event::now_ms;
use crate::domain::sink::{
    Payment, SinkContents, SinkRow, CSV_HEADER, CSV_IDEMPOTENT, CSV_NAIVE, FILES, SQLITE_FILE,
    TABLE_IDEMPOTENT, TABLE_NAIVE,
};

/// A write (or read) that failed: the path and the OS's (or SQLite's) reason.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct SinkError {
    pub path: PathBuf,
    pub reason: String,
}

impl SinkError {
    fn at(path: &Path, reason: impl std::fmt::Display) -> SinkError {
        SinkError {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        }
    }
}

fn columns() -> &'static str {
    r#"topic TEXT NOT NULL, "partition" INTEGER NOT NULL, "offset" INTEGER NOT NULL,
       order_id TEXT NOT NULL, item TEXT NOT NULL, amount INTEGER, value TEXT NOT NULL,
       consumer TEXT NOT NULL, written_at INTEGER NOT NULL"#
}

fn schema() -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {TABLE_NAIVE} (id INTEGER PRIMARY KEY, {cols});
         CREATE INDEX IF NOT EXISTS {TABLE_NAIVE}_record ON {TABLE_NAIVE} (topic, \"partition\", \"offset\");
         CREATE TABLE IF NOT EXISTS {TABLE_IDEMPOTENT} (id INTEGER PRIMARY KEY, {cols},
           UNIQUE (topic, \"partition\", \"offset\"));",
        cols = columns()
    )
}

/// What one write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Rows of the naive table holding this record now (2 or more: a double charge).
    pub naive_rows: u64,
    /// False when the idempotent sinks already held the record and skipped it.
    pub idempotent_inserted: bool,
}

/// The worker's open sinks for one consumer incarnation.
pub struct PaymentSinks {
    dir: PathBuf,
    topic: String,
    consumer: String,
    db: Connection,
    csv_naive: csv::Writer<File>,
    csv_idempotent: csv::Writer<File>,
    /// Records already in `payments_idempotent.csv` (read when it is opened).
    csv_keys: HashSet<(i32, i64)>,
}

impl PaymentSinks {
    /// Opens (creating as needed) the run's directory, database and CSV files.
    pub fn open(dir: &Path, topic: &str, consumer: &str) -> Result<PaymentSinks, SinkError> {
        std::fs::create_dir_all(dir).map_err(|e| SinkError::at(dir, e))?;
        let db_path = dir.join(SQLITE_FILE);
        let db = Connection::open(&db_path).map_err(|e| SinkError::at(&db_path, e))?;
        db.busy_timeout(std::time::Duration::from_secs(5))
            .and_then(|_| db.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|_| db.execute_batch(&schema()))
            .map_err(|e| SinkError::at(&db_path, e))?;
        let idempotent_path = dir.join(CSV_IDEMPOTENT);
        let csv_keys = read_csv(&idempotent_path)?
            .iter()
            .filter(|r| r.topic == topic)
            .map(|r| (r.partition, r.offset))
            .collect();
        Ok(PaymentSinks {
            csv_naive: append_csv(&dir.join(CSV_NAIVE))?,
            csv_idempotent: append_csv(&idempotent_path)?,
            dir: dir.to_path_buf(),
            topic: topic.to_string(),
            consumer: consumer.to_string(),
            db,
            csv_keys,
        })
    }

    /// The consumer's processing of one record: both tables in one transaction, then both
    /// CSV files, each flushed to the OS (a SIGKILL after this keeps what it wrote).
    pub fn write(
        &mut self,
        partition: i32,
        offset: i64,
        value: &str,
    ) -> Result<Written, SinkError> {
        let payment = Payment::parse(value);
        let row = SinkRow {
            topic: self.topic.clone(),
            partition,
            offset,
            order_id: payment.order_id,
            item: payment.item,
            amount: payment.amount,
            value: value.to_string(),
            consumer: self.consumer.clone(),
            written_at: now_ms() as i64,
            duplicate: false,
            copies: 0,
        };
        let db_path = self.dir.join(SQLITE_FILE);
        let (naive_rows, inserted) = self
            .write_db(&row)
            .map_err(|e| SinkError::at(&db_path, e))?;
        let fields = row.csv_fields();
        let naive_path = self.dir.join(CSV_NAIVE);
        write_line(&mut self.csv_naive, &fields, &naive_path)?;
        if self.csv_keys.insert((partition, offset)) {
            write_line(
                &mut self.csv_idempotent,
                &fields,
                &self.dir.join(CSV_IDEMPOTENT),
            )?;
        }
        Ok(Written {
            naive_rows,
            idempotent_inserted: inserted,
        })
    }

    fn write_db(&mut self, row: &SinkRow) -> rusqlite::Result<(u64, bool)> {
        let tx = self.db.transaction()?;
        let values = params![
            row.topic,
            row.partition,
            row.offset,
            row.order_id,
            row.item,
            row.amount,
            row.value,
            row.consumer,
            row.written_at
        ];
        let insert = |table: &str, tail: &str| {
            format!(
                "INSERT INTO {table} (topic, \"partition\", \"offset\", order_id, item, amount, value, consumer, written_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9){tail}"
            )
        };
        tx.execute(&insert(TABLE_NAIVE, ""), values)?;
        let inserted = tx.execute(
            &insert(
                TABLE_IDEMPOTENT,
                " ON CONFLICT (topic, \"partition\", \"offset\") DO NOTHING",
            ),
            values,
        )? == 1;
        let naive_rows: i64 = tx.query_row(
            &format!("SELECT COUNT(*) FROM {TABLE_NAIVE} WHERE topic = ?1 AND \"partition\" = ?2 AND \"offset\" = ?3"),
            params![row.topic, row.partition, row.offset],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok((naive_rows as u64, inserted))
    }
}

/// A CSV file opened for appending; its header is written when the file is new.
fn append_csv(path: &Path) -> Result<csv::Writer<File>, SinkError> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| SinkError::at(path, e))?;
    let empty = file.metadata().map_err(|e| SinkError::at(path, e))?.len() == 0;
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(file);
    if empty {
        write_line(&mut w, &CSV_HEADER, path)?;
    }
    Ok(w)
}

fn write_line<S: AsRef<[u8]>>(
    w: &mut csv::Writer<File>,
    fields: &[S],
    path: &Path,
) -> Result<(), SinkError> {
    w.write_record(fields).map_err(|e| SinkError::at(path, e))?;
    w.flush().map_err(|e| SinkError::at(path, e))
}

/// Nothing there: no such file, or something that is not a directory on the way.
fn absent(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

/// Every row of a CSV sink (none when the file does not exist yet).
pub fn read_csv(path: &Path) -> Result<Vec<SinkRow>, SinkError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if absent(&e) => return Ok(vec![]),
        Err(e) => return Err(SinkError::at(path, e)),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(file);
    let mut rows = vec![];
    for record in reader.records() {
        let record = record.map_err(|e| SinkError::at(path, e))?;
        let fields: Vec<&str> = record.iter().collect();
        // A line cut short by a kill in the middle of a write is not a row.
        if let Some(row) = SinkRow::from_csv(&fields) {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Every row of a table, oldest first (none when the database does not exist yet).
fn read_table(db: &Connection, table: &str) -> rusqlite::Result<Vec<SinkRow>> {
    let exists: Option<String> = db
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [table],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Ok(vec![]);
    }
    let mut stmt = db.prepare(&format!(
        "SELECT topic, \"partition\", \"offset\", order_id, item, amount, value, consumer, written_at FROM {table} ORDER BY id"
    ))?;
    let rows = stmt.query_map([], |r| {
        Ok(SinkRow {
            topic: r.get(0)?,
            partition: r.get(1)?,
            offset: r.get(2)?,
            order_id: r.get(3)?,
            item: r.get(4)?,
            amount: r.get(5)?,
            value: r.get(6)?,
            consumer: r.get(7)?,
            written_at: r.get(8)?,
            duplicate: false,
            copies: 0,
        })
    })?;
    rows.collect()
}

/// An existing database, opened without creating one.
fn open_existing(path: &Path) -> Result<Option<Connection>, SinkError> {
    if !path.is_file() {
        return Ok(None);
    }
    let db = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| SinkError::at(path, e))?;
    db.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(|e| SinkError::at(path, e))?;
    Ok(Some(db))
}

/// A file of the run's sink directory.
#[derive(Debug, Clone, Serialize)]
pub struct FileInfo {
    pub name: &'static str,
    pub exists: bool,
    pub bytes: u64,
}

/// What the run's sinks hold, read from disk now.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReadBack {
    /// The SQLite tables, with their rows.
    pub naive: SinkContents,
    pub idempotent: SinkContents,
    /// The CSV files: counts only (download them for the lines).
    pub csv_naive: SinkContents,
    pub csv_idempotent: SinkContents,
    pub files: Vec<FileInfo>,
    /// What could not be read (path and reason).
    pub errors: Vec<String>,
}

/// Reads both tables and both CSV files of a run's sink directory.
pub fn read_back(dir: &Path) -> ReadBack {
    let mut out = ReadBack::default();
    let db_path = dir.join(SQLITE_FILE);
    match open_existing(&db_path) {
        Ok(Some(db)) => {
            for (table, slot) in [
                (TABLE_NAIVE, &mut out.naive),
                (TABLE_IDEMPOTENT, &mut out.idempotent),
            ] {
                match read_table(&db, table) {
                    Ok(rows) => *slot = SinkContents::from_rows(rows),
                    Err(e) => out.errors.push(SinkError::at(&db_path, e).to_string()),
                }
            }
        }
        Ok(None) => {}
        Err(e) => out.errors.push(e.to_string()),
    }
    for (name, slot) in [
        (CSV_NAIVE, &mut out.csv_naive),
        (CSV_IDEMPOTENT, &mut out.csv_idempotent),
    ] {
        match read_csv(&dir.join(name)) {
            Ok(rows) => {
                *slot = SinkContents::from_rows(rows);
                slot.rows.clear();
            }
            Err(e) => out.errors.push(e.to_string()),
        }
    }
    out.files = FILES
        .iter()
        .map(|&name| {
            let meta = std::fs::metadata(dir.join(name))
                .ok()
                .filter(|m| m.is_file());
            FileInfo {
                name,
                exists: meta.is_some(),
                bytes: meta.map(|m| m.len()).unwrap_or(0),
            }
        })
        .collect();
    out
}

/// A sink file's bytes for download: the CSV files as they are, the database as one
/// consistent image (its write-ahead log included). `None` when the name is not a sink file
/// or the file does not exist yet.
pub fn file_bytes(dir: &Path, name: &str) -> Result<Option<Vec<u8>>, SinkError> {
    if !FILES.contains(&name) {
        return Ok(None);
    }
    let path = dir.join(name);
    if name == SQLITE_FILE {
        let Some(db) = open_existing(&path)? else {
            return Ok(None);
        };
        let data = db
            .serialize(rusqlite::MAIN_DB)
            .map_err(|e| SinkError::at(&path, e))?;
        return Ok(Some(data.to_vec()));
    }
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if absent(&e) => Ok(None),
        Err(e) => Err(SinkError::at(&path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "kcl-sinks-{name}-{}-{}",
            std::process::id(),
            now_ms() as u64
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_record_written_twice_is_two_naive_rows_and_one_idempotent() {
        let dir = temp_dir("twice");
        let mut c1 = PaymentSinks::open(&dir, "t", "c1").unwrap();
        let w = c1.write(0, 0, "order-0,1 ice cream,3000").unwrap();
        assert_eq!(
            w,
            Written {
                naive_rows: 1,
                idempotent_inserted: true
            }
        );
        c1.write(0, 1, "order-1,2 coffee,9000").unwrap();
        drop(c1);
        // The next incarnation processes offset 1 again.
        let mut c2 = PaymentSinks::open(&dir, "t", "c2").unwrap();
        let w = c2.write(0, 1, "order-1,2 coffee,9000").unwrap();
        assert_eq!(
            w,
            Written {
                naive_rows: 2,
                idempotent_inserted: false
            }
        );
        let back = read_back(&dir);
        assert!(back.errors.is_empty(), "{:?}", back.errors);
        assert_eq!((back.naive.count, back.naive.duplicates), (3, 1));
        assert_eq!((back.idempotent.count, back.idempotent.duplicates), (2, 0));
        assert_eq!((back.csv_naive.count, back.csv_naive.duplicates), (3, 1));
        assert_eq!(
            (back.csv_idempotent.count, back.csv_idempotent.duplicates),
            (2, 0)
        );
        assert!(back.naive.rows[2].duplicate);
        assert_eq!(back.naive.rows[2].consumer, "c2");
        let csv = read_csv(&dir.join(CSV_NAIVE)).unwrap();
        let db: Vec<_> = back.naive.rows.iter().map(|r| r.key()).collect();
        assert_eq!(csv.iter().map(|r| r.key()).collect::<Vec<_>>(), db);
        let image = file_bytes(&dir, SQLITE_FILE).unwrap().unwrap();
        assert!(image.starts_with(b"SQLite format 3\0"));
        assert_eq!(file_bytes(&dir, "../etc/passwd").unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_where_the_directory_should_be_is_a_clear_error() {
        let dir = temp_dir("blocked");
        std::fs::write(&dir, b"not a directory").unwrap();
        let err = PaymentSinks::open(&dir, "t", "c1").err().expect("refused");
        assert_eq!(err.path, dir);
        assert!(err.to_string().contains("os error"), "{err}");
        assert!(read_back(&dir).naive.rows.is_empty());
        std::fs::remove_file(&dir).unwrap();
    }
}
