//! One small SQL interface over the two engines: an embedded SQLite file and
//! PostgreSQL.
//!
//! The store writes its SQL once, in the subset both engines understand, with
//! `$1, $2, …` placeholders. SQLite reads `$N` as a named parameter and numbers named
//! parameters in order of first appearance, so **placeholders must first appear in
//! ascending order** in every statement (they do: the store builds them that way).
//! Values cross the boundary as [`Value`], which each engine binds in its own type:
//! exact decimals are `NUMERIC` in PostgreSQL and text in SQLite, dates are `DATE` and
//! ISO text, instants `TIMESTAMPTZ` and RFC 3339 text.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::StoreError;

/// Which engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        })
    }
}

/// A value bound to or read from a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Dec(Decimal),
    Date(NaiveDate),
    Time(DateTime<Utc>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}
impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::Int(i64::from(n))
    }
}
impl From<Decimal> for Value {
    fn from(d: Decimal) -> Self {
        Value::Dec(d)
    }
}
impl From<NaiveDate> for Value {
    fn from(d: NaiveDate) -> Self {
        Value::Date(d)
    }
}
impl From<DateTime<Utc>> for Value {
    fn from(t: DateTime<Utc>) -> Self {
        Value::Time(t)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn get(&self, i: usize) -> &Value {
        self.0.get(i).unwrap_or(&Value::Null)
    }

    fn wrong(&self, i: usize, want: &str) -> StoreError {
        StoreError::Corrupt(format!(
            "column {i} holds {:?}; expected {want}",
            self.get(i)
        ))
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.get(i) {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s.clone())),
            _ => Err(self.wrong(i, "text")),
        }
    }

    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        self.opt_text(i)?.ok_or_else(|| self.wrong(i, "text"))
    }

    /// A staircase code; one that names no staircase is corrupt data, never a default.
    /// A code column (staircase, channel, ledger action, …) read as its type; a value
    /// that is not one of the type's codes is a corrupt database, never a default.
    pub fn code<T>(&self, i: usize) -> Result<T, StoreError>
    where
        T: std::str::FromStr<Err = trappe_rules::agreement::UnknownCode>,
    {
        self.text(i)?
            .parse()
            .map_err(|e: trappe_rules::agreement::UnknownCode| {
                StoreError::Corrupt(format!("column {i}: {e}"))
            })
    }

    pub fn opt_code<T>(&self, i: usize) -> Result<Option<T>, StoreError>
    where
        T: std::str::FromStr<Err = trappe_rules::agreement::UnknownCode>,
    {
        match self.get(i) {
            Value::Null => Ok(None),
            _ => self.code(i).map(Some),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.get(i) {
            Value::Null => Ok(None),
            Value::Int(n) => Ok(Some(*n)),
            _ => Err(self.wrong(i, "an integer")),
        }
    }

    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.opt_int(i)?.ok_or_else(|| self.wrong(i, "an integer"))
    }

    pub fn u32(&self, i: usize) -> Result<u32, StoreError> {
        u32::try_from(self.int(i)?).map_err(|_| self.wrong(i, "a count"))
    }

    pub fn opt_dec(&self, i: usize) -> Result<Option<Decimal>, StoreError> {
        match self.get(i) {
            Value::Null => Ok(None),
            Value::Dec(d) => Ok(Some(*d)),
            Value::Int(n) => Ok(Some(Decimal::from(*n))),
            Value::Text(s) => s.parse().map(Some).map_err(|_| self.wrong(i, "a decimal")),
            _ => Err(self.wrong(i, "a decimal")),
        }
    }

    pub fn opt_date(&self, i: usize) -> Result<Option<NaiveDate>, StoreError> {
        match self.get(i) {
            Value::Null => Ok(None),
            Value::Date(d) => Ok(Some(*d)),
            Value::Text(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| self.wrong(i, "a date")),
            _ => Err(self.wrong(i, "a date")),
        }
    }

    pub fn date(&self, i: usize) -> Result<NaiveDate, StoreError> {
        self.opt_date(i)?.ok_or_else(|| self.wrong(i, "a date"))
    }

    pub fn time(&self, i: usize) -> Result<DateTime<Utc>, StoreError> {
        match self.get(i) {
            Value::Time(t) => Ok(*t),
            Value::Text(s) => DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| self.wrong(i, "a timestamp")),
            _ => Err(self.wrong(i, "a timestamp")),
        }
    }
}

/// A connection to either engine.
pub enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(Box<PgConn>),
}

/// A PostgreSQL connection with its prepared statements: a statement is parsed and
/// planned once per connection, not on every call (each prepare is a round trip).
pub struct PgConn {
    pub client: postgres::Client,
    statements: std::collections::HashMap<String, postgres::Statement>,
}

impl PgConn {
    pub fn new(client: postgres::Client) -> PgConn {
        PgConn {
            client,
            statements: std::collections::HashMap::new(),
        }
    }

    fn prepared(&mut self, sql: &str) -> Result<postgres::Statement, postgres::Error> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.prepare(sql)?;
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

impl Conn {
    pub fn engine(&self) -> Engine {
        match self {
            Conn::Sqlite(_) => Engine::Sqlite,
            Conn::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs one or more statements without parameters.
    pub fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match self {
            Conn::Sqlite(c) => c.execute_batch(sql)?,
            Conn::Postgres(c) => {
                c.client.batch_execute(sql)?;
                // A schema change may invalidate what was prepared.
                c.statements.clear();
            }
        }
        Ok(())
    }

    /// Runs one statement; returns the number of rows changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                Ok(st.execute(rusqlite::params_from_iter(params.iter()))? as u64)
            }
            Conn::Postgres(c) => {
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|p| p as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                let st = c.prepared(sql)?;
                Ok(c.client.execute(&st, &refs)?)
            }
        }
    }

    /// Runs a query and returns every row.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let n = st.column_count();
                let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    let mut vals = Vec::with_capacity(n);
                    for i in 0..n {
                        vals.push(match r.get_ref(i)? {
                            rusqlite::types::ValueRef::Null => Value::Null,
                            rusqlite::types::ValueRef::Integer(n) => Value::Int(n),
                            rusqlite::types::ValueRef::Real(f) => Value::Text(f.to_string()),
                            rusqlite::types::ValueRef::Text(t)
                            | rusqlite::types::ValueRef::Blob(t) => {
                                Value::Text(String::from_utf8_lossy(t).into_owned())
                            }
                        });
                    }
                    out.push(Row(vals));
                }
                Ok(out)
            }
            Conn::Postgres(c) => {
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|p| p as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                let st = c.prepared(sql)?;
                let rows = c.client.query(&st, &refs)?;
                rows.iter().map(pg_row).collect()
            }
        }
    }

    /// The first row of a query, if any.
    pub fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Inserts many rows: on SQLite (in-process) one prepared statement run per row,
    /// on PostgreSQL multi-row `INSERT … VALUES (…), (…)` statements, as few round
    /// trips as its parameter limit allows.
    pub fn insert_many(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Value>],
    ) -> Result<(), StoreError> {
        self.insert_rows(table, columns, rows, "")
    }

    /// Like [`Conn::insert_many`], but a row whose first column (the key) exists
    /// already updates the other columns when `condition` (SQL over `excluded.*`
    /// and the table's columns) holds. The rows' keys must be distinct.
    pub fn upsert_many(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Value>],
        condition: &str,
    ) -> Result<(), StoreError> {
        let sets: Vec<String> = columns[1..]
            .iter()
            .map(|col| format!("{col} = excluded.{col}"))
            .collect();
        let suffix = format!(
            " ON CONFLICT ({}) DO UPDATE SET {} WHERE {condition}",
            columns[0],
            sets.join(", ")
        );
        self.insert_rows(table, columns, rows, &suffix)
    }

    fn insert_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: &[Vec<Value>],
        suffix: &str,
    ) -> Result<(), StoreError> {
        let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        match self {
            Conn::Sqlite(c) => {
                // `?N`, not `$N`: SQLite takes `$N` for a named parameter.
                let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
                let sql = format!("{head}({}){suffix}", marks.join(", "));
                let mut st = c.prepare_cached(&sql)?;
                for row in rows {
                    st.execute(rusqlite::params_from_iter(row.iter()))?;
                }
                Ok(())
            }
            Conn::Postgres(c) => {
                let per_chunk = (60_000 / columns.len()).clamp(1, 1000);
                for chunk in rows.chunks(per_chunk) {
                    let mut sql = head.clone();
                    let mut n = 0;
                    for (r, row) in chunk.iter().enumerate() {
                        sql.push_str(if r > 0 { ", (" } else { "(" });
                        for c in 0..row.len() {
                            n += 1;
                            if c > 0 {
                                sql.push_str(", ");
                            }
                            sql.push('$');
                            sql.push_str(&n.to_string());
                        }
                        sql.push(')');
                    }
                    sql.push_str(suffix);
                    let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = chunk
                        .iter()
                        .flatten()
                        .map(|p| p as &(dyn postgres::types::ToSql + Sync))
                        .collect();
                    // Full chunks share one text: prepare it once; the last, shorter
                    // chunk runs unprepared rather than filling the cache.
                    if chunk.len() == per_chunk {
                        let st = c.prepared(&sql)?;
                        c.client.execute(&st, &refs)?;
                    } else {
                        c.client.execute(sql.as_str(), &refs)?;
                    }
                }
                Ok(())
            }
        }
    }

    /// Serialises writers on `key` until the end of the current transaction: on
    /// PostgreSQL a transaction-scoped advisory lock on the key's hash; on SQLite
    /// nothing, since `BEGIN IMMEDIATE` already holds the database's one write lock.
    /// Call it inside [`Conn::transaction`].
    pub fn lock(&mut self, key: &str) -> Result<(), StoreError> {
        match self.engine() {
            Engine::Sqlite => Ok(()),
            Engine::Postgres => self
                .execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[key.into()])
                .map(drop),
        }
    }

    /// [`Conn::lock`] on a fixed number (the migration lock, whose number every
    /// release of trappe shares so that old and new servers starting together wait
    /// for each other).
    pub fn lock_id(&mut self, id: i64) -> Result<(), StoreError> {
        match self.engine() {
            Engine::Sqlite => Ok(()),
            Engine::Postgres => self
                .execute("SELECT pg_advisory_xact_lock($1)", &[Value::Int(id)])
                .map(drop),
        }
    }

    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back
    /// otherwise (and by the engine when the process dies half-way).
    pub fn transaction<T>(
        &mut self,
        f: impl FnOnce(&mut Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // SQLite: take the write lock at once, so two writers queue instead of
        // failing on lock upgrade. PostgreSQL: the default isolation; writers that
        // must serialise take an advisory lock inside.
        self.batch(match self.engine() {
            Engine::Sqlite => "BEGIN IMMEDIATE",
            Engine::Postgres => "BEGIN",
        })?;
        match f(self) {
            Ok(v) => {
                self.batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                // The rollback's own failure would hide the cause; the cause wins.
                let _ = self.batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

fn pg_row(r: &postgres::Row) -> Result<Row, StoreError> {
    use postgres::types::Type;
    let mut vals = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let t = col.type_();
        let v = if *t == Type::INT8 {
            r.get::<_, Option<i64>>(i).map(Value::Int)
        } else if *t == Type::INT4 {
            r.get::<_, Option<i32>>(i).map(|n| Value::Int(i64::from(n)))
        } else if *t == Type::INT2 {
            r.get::<_, Option<i16>>(i).map(|n| Value::Int(i64::from(n)))
        } else if *t == Type::NUMERIC {
            r.get::<_, Option<Decimal>>(i).map(Value::Dec)
        } else if *t == Type::DATE {
            r.get::<_, Option<NaiveDate>>(i).map(Value::Date)
        } else if *t == Type::TIMESTAMPTZ {
            r.get::<_, Option<DateTime<Utc>>>(i).map(Value::Time)
        } else if *t == Type::TEXT || *t == Type::VARCHAR || *t == Type::BPCHAR || *t == Type::NAME
        {
            r.get::<_, Option<String>>(i).map(Value::Text)
        } else {
            return Err(StoreError::Corrupt(format!(
                "column {} has the type {t}, which the store does not read",
                col.name()
            )));
        };
        vals.push(v.unwrap_or(Value::Null));
    }
    Ok(Row(vals))
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value as V};
        Ok(match self {
            Value::Null => ToSqlOutput::Owned(V::Null),
            Value::Int(n) => ToSqlOutput::Owned(V::Integer(*n)),
            Value::Text(s) => ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(s.as_bytes())),
            Value::Dec(d) => ToSqlOutput::Owned(V::Text(d.normalize().to_string())),
            Value::Date(d) => ToSqlOutput::Owned(V::Text(d.format("%Y-%m-%d").to_string())),
            Value::Time(t) => ToSqlOutput::Owned(V::Text(
                t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            )),
        })
    }
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::{IsNull, Type};
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) if *ty == Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
            Value::Int(n) if *ty == Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
            Value::Int(n) if *ty == Type::NUMERIC => Decimal::from(*n).to_sql(ty, out),
            Value::Int(n) => n.to_sql(ty, out),
            Value::Text(s) => s.to_sql(ty, out),
            Value::Dec(d) => d.to_sql(ty, out),
            Value::Date(d) => d.to_sql(ty, out),
            Value::Time(t) => t.to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        // The variant decides at bind time; a mismatch is reported by the inner type.
        true
    }

    postgres::types::to_sql_checked!();
}
