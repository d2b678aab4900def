//! Time-sheet files: Clockify's detailed-report CSV, Toggl Track CSV, Kimai CSV, and any CSV
//! with a column mapping. The format is recognised from the header row when it can be; the
//! encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else Windows-1252) and the separator
//! (`,` `;` tab) from the bytes.
//!
//! Parsing never stops at the first bad cell: every row is read, and each bad cell is
//! reported with the file, line and column and what was expected, so that the caller can
//! import all or nothing (or skip the bad rows when asked).

mod formats;
pub mod values;

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

pub use formats::{Field, Format};
use values::DateOrder;

/// One entry read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimesheetRow {
    /// Line in the file where the row starts (1-based).
    pub line: usize,
    /// Stable identity across imports: the file's id column, or a digest of the row (with an
    /// occurrence number for identical rows), prefixed by the format.
    pub external_id: String,
    pub client: Option<String>,
    pub project: String,
    pub task: Option<String>,
    pub user: String,
    pub email: Option<String>,
    pub description: String,
    /// Wall-clock start, in the time zone of whoever exported the file.
    pub start: NaiveDateTime,
    pub seconds: i64,
    pub billable: bool,
    /// Hourly rate recorded in the file.
    pub rate: Option<Decimal>,
    /// Currency named by the file (`Billable Rate (EUR)`), if any.
    pub currency: Option<String>,
    pub tags: Vec<String>,
}

/// A cell that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellError {
    pub file: String,
    pub line: usize,
    /// 1-based position of the column.
    pub column: usize,
    pub column_name: String,
    pub expected: String,
    pub found: String,
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{} (column `{}`): expected {}, found `{}`",
            self.file, self.line, self.column, self.column_name, self.expected, self.found
        )
    }
}

/// A file that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimesheetError {
    #[error("{0}: the file is empty")]
    Empty(String),
    #[error(
        "{file}: the format is not recognised from its header ({header}); pass --format clockify|toggl|kimai, or map the columns with --map date=…,duration=…,project=…"
    )]
    UnknownFormat { file: String, header: String },
    #[error("{file}:1: column for `{field}` not found in the {format} header ({header}){hint}")]
    MissingColumn {
        file: String,
        field: &'static str,
        format: Format,
        header: String,
        hint: &'static str,
    },
    #[error("{file}: --map names column `{column}`, which is not in the header ({header})")]
    UnknownMappedColumn {
        file: String,
        column: String,
        header: String,
    },
    #[error(
        "--map: `{0}` is not a field; use id, date, start, end_date, end, duration, project, client, task, user, email, description, billable, rate, amount, tags"
    )]
    UnknownField(String),
    #[error("--map: `{0}` is not of the form field=Column")]
    BadMapping(String),
    #[error("{file}:{line}: the CSV is malformed ({message})")]
    Csv {
        file: String,
        line: usize,
        message: String,
    },
}

/// A column mapping: field → header name, from `--map duration=Hours,project=Projet`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping(pub BTreeMap<Field, String>);

impl Mapping {
    pub fn parse(spec: &str) -> Result<Mapping, TimesheetError> {
        let mut m = BTreeMap::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| TimesheetError::BadMapping(part.to_owned()))?;
            let field = Field::parse(k).ok_or_else(|| TimesheetError::UnknownField(k.into()))?;
            if v.trim().is_empty() {
                return Err(TimesheetError::BadMapping(part.to_owned()));
            }
            m.insert(field, v.trim().to_owned());
        }
        Ok(Mapping(m))
    }
}

/// How to read a file.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Named in errors.
    pub file_name: String,
    /// Forced format; detected from the header when absent (mapped columns imply generic).
    pub format: Option<Format>,
    pub mapping: Mapping,
}

/// What was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timesheet {
    pub format: Format,
    pub encoding: &'static str,
    pub separator: char,
    pub rows: Vec<TimesheetRow>,
    /// Bad cells; rows with any are not in `rows`.
    pub errors: Vec<CellError>,
}

/// Decodes bytes: UTF-8 (BOM stripped), UTF-16 with a BOM, else Windows-1252.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (String::from_utf8_lossy(rest).into_owned(), "UTF-8 (BOM)");
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, enc, _) = encoding_rs::Encoding::for_bom(bytes)
            .map(|(e, _)| e)
            .unwrap_or(encoding_rs::UTF_16LE)
            .decode(bytes);
        let name = if enc == encoding_rs::UTF_16BE {
            "UTF-16BE"
        } else {
            "UTF-16LE"
        };
        return (text.into_owned(), name);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), "UTF-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text.into_owned(), "Windows-1252")
        }
    }
}

/// The separator of the header line: the most frequent of `,` `;` tab outside quotes.
pub fn detect_separator(text: &str) -> char {
    let header = text.lines().next().unwrap_or("");
    let mut counts = [(',', 0usize), (';', 0), ('\t', 0)];
    let mut quoted = false;
    for c in header.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            for (sep, n) in counts.iter_mut() {
                if c == *sep {
                    *n += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map(|(c, _)| *c)
        .unwrap_or(',')
}

struct Columns {
    at: BTreeMap<Field, usize>,
    currency: Option<String>,
}

fn columns(
    file: &str,
    headers: &[String],
    opts: &ReadOptions,
) -> Result<(Format, Columns), TimesheetError> {
    let header_list = headers.join(", ");
    let (format, mut at) = if !opts.mapping.0.is_empty() {
        let mut at = BTreeMap::new();
        for (field, name) in &opts.mapping.0 {
            let i = headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| TimesheetError::UnknownMappedColumn {
                    file: file.to_owned(),
                    column: name.clone(),
                    header: header_list.clone(),
                })?;
            at.insert(*field, i);
        }
        let base = opts.format.filter(|f| *f != Format::Generic);
        let mut located = base
            .map(|f| formats::locate(headers, formats::profile(f)))
            .unwrap_or_default();
        located.extend(at);
        (opts.format.unwrap_or(Format::Generic), located)
    } else {
        let format = opts
            .format
            .or_else(|| formats::detect(headers))
            .ok_or_else(|| TimesheetError::UnknownFormat {
                file: file.to_owned(),
                header: header_list.clone(),
            })?;
        (format, formats::locate(headers, formats::profile(format)))
    };
    for f in formats::required(format) {
        if !at.contains_key(f) {
            return Err(TimesheetError::MissingColumn {
                file: file.to_owned(),
                field: f.key(),
                format,
                header: header_list,
                hint: if format == Format::Generic {
                    "; map it with --map"
                } else {
                    ""
                },
            });
        }
    }
    if !at.contains_key(&Field::Duration) && !at.contains_key(&Field::EndTime) {
        return Err(TimesheetError::MissingColumn {
            file: file.to_owned(),
            field: "duration",
            format,
            header: header_list,
            hint: "; map a duration column, or start and end columns",
        });
    }
    let currency = at
        .get(&Field::Rate)
        .or_else(|| at.get(&Field::Amount))
        .and_then(|i| headers.get(*i))
        .and_then(|h| formats::header_currency(h));
    // An amount column is only used to derive a rate when no rate column exists.
    if at.contains_key(&Field::Rate) {
        at.remove(&Field::Amount);
    }
    Ok((format, Columns { at, currency }))
}

/// Reads a time-sheet file.
pub fn read(bytes: &[u8], opts: &ReadOptions) -> Result<Timesheet, TimesheetError> {
    let file = if opts.file_name.is_empty() {
        "<input>".to_owned()
    } else {
        opts.file_name.clone()
    };
    let (text, encoding) = decode(bytes);
    if text.trim().is_empty() {
        return Err(TimesheetError::Empty(file));
    }
    let separator = detect_separator(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator as u8)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(&file, &e))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let (format, cols) = columns(&file, &headers, opts)?;
    let mut records = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| csv_error(&file, &e))?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        records.push((line, rec));
    }
    let order = cols
        .at
        .get(&Field::Date)
        .map(|i| values::guess_date_order(records.iter().filter_map(|(_, r)| r.get(*i))))
        .unwrap_or(DateOrder::DayFirst);
    let mut out = Timesheet {
        format,
        encoding,
        separator,
        rows: Vec::with_capacity(records.len()),
        errors: Vec::new(),
    };
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    for (line, rec) in &records {
        let mut cell = RowReader {
            file: &file,
            headers: &headers,
            rec,
            line: *line,
            cols: &cols,
            errors: Vec::new(),
        };
        let row = cell.row(format, order, &mut occurrences);
        if cell.errors.is_empty() {
            if let Some(r) = row {
                out.rows.push(r);
            }
        } else {
            out.errors.append(&mut cell.errors);
        }
    }
    Ok(out)
}

fn csv_error(file: &str, e: &csv::Error) -> TimesheetError {
    TimesheetError::Csv {
        file: file.to_owned(),
        line: e.position().map(|p| p.line() as usize).unwrap_or(0),
        message: e.to_string(),
    }
}

struct RowReader<'a> {
    file: &'a str,
    headers: &'a [String],
    rec: &'a csv::StringRecord,
    line: usize,
    cols: &'a Columns,
    errors: Vec<CellError>,
}

impl RowReader<'_> {
    fn raw(&self, f: Field) -> Option<&str> {
        self.cols
            .at
            .get(&f)
            .and_then(|i| self.rec.get(*i))
            .map(str::trim)
    }

    fn text(&self, f: Field) -> Option<String> {
        self.raw(f).filter(|s| !s.is_empty()).map(str::to_owned)
    }

    fn fail(&mut self, f: Field, expected: &str) {
        let i = self.cols.at.get(&f).copied().unwrap_or(0);
        self.errors.push(CellError {
            file: self.file.to_owned(),
            line: self.line,
            column: i + 1,
            column_name: self.headers.get(i).cloned().unwrap_or_default(),
            expected: expected.to_owned(),
            found: self.raw(f).unwrap_or("").chars().take(60).collect(),
        });
    }

    /// A date cell, possibly holding a time too (`2026-10-03 09:00`, `2026-10-03T09:00:00`).
    fn date_time(&mut self, f: Field, order: DateOrder) -> Option<(NaiveDate, Option<NaiveTime>)> {
        let s = self.raw(f).unwrap_or("").to_owned();
        let (d, t) = match s.split_once(['T', ' ']) {
            Some((d, t)) if !t.trim().is_empty() => (d.to_owned(), Some(t.trim().to_owned())),
            _ => (s.clone(), None),
        };
        let date = values::date(&d, order);
        let time = t.as_deref().map(values::time);
        match (date, time) {
            (Some(d), None) => Some((d, None)),
            (Some(d), Some(Some(t))) => Some((d, Some(t))),
            _ => {
                self.fail(f, "a date such as 2026-10-31, 31/10/2026 or 31.10.2026");
                None
            }
        }
    }

    fn time_cell(&mut self, f: Field) -> Option<NaiveTime> {
        let s = self.raw(f)?.to_owned();
        if s.is_empty() {
            return None;
        }
        let t = values::time(&s);
        if t.is_none() {
            self.fail(f, "a time such as 09:30, 09:30:00 or 9:30 AM");
        }
        t
    }

    fn row(
        &mut self,
        format: Format,
        order: DateOrder,
        occurrences: &mut HashMap<String, usize>,
    ) -> Option<TimesheetRow> {
        let project = self.text(Field::Project);
        if project.is_none() {
            self.fail(Field::Project, "a project name");
        }
        let (date, time_in_date) = self.date_time(Field::Date, order)?;
        let start_time = self
            .time_cell(Field::StartTime)
            .or(time_in_date)
            .unwrap_or(NaiveTime::MIN);
        let start = date.and_time(start_time);
        let end_date = match self.cols.at.contains_key(&Field::EndDate) {
            true if self.text(Field::EndDate).is_some() => {
                self.date_time(Field::EndDate, order).map(|(d, _)| d)
            }
            _ => Some(date),
        };
        let end = self.time_cell(Field::EndTime);
        let seconds = match (end, end_date) {
            // Start and end are exact; the duration column may be rounded.
            (Some(t), Some(d))
                if format != Format::Generic || !self.cols.at.contains_key(&Field::Duration) =>
            {
                let mut e = d.and_time(t);
                if e < start && d == date {
                    e += chrono::Duration::days(1); // past midnight without an end date
                }
                Some((e - start).num_seconds())
            }
            _ => match self.raw(Field::Duration) {
                Some(s) => {
                    let v = values::duration_seconds(s);
                    if v.is_none() {
                        self.fail(
                            Field::Duration,
                            "a duration such as 1:30, 1:30:00, 1,5 or PT1H30M",
                        );
                    }
                    v
                }
                None => {
                    self.fail(Field::EndTime, "an end time (or a duration column)");
                    None
                }
            },
        };
        if seconds.is_some_and(|s| s < 0) {
            self.fail(Field::EndTime, "an end after the start");
        }
        let billable = match self.raw(Field::Billable) {
            None => true,
            Some(s) => match values::yes_no(s) {
                Some(b) => b,
                None => {
                    self.fail(Field::Billable, "Yes or No");
                    true
                }
            },
        };
        let rate = self.money(Field::Rate);
        let amount = self.money(Field::Amount);
        let seconds = seconds?;
        let rate = rate.or_else(|| {
            amount
                .filter(|a| !a.is_zero() && seconds > 0)
                .map(|a| (a * Decimal::from(3600) / Decimal::from(seconds)).round_dp(2))
        });
        let user = self
            .text(Field::User)
            .or_else(|| self.text(Field::Email))
            .unwrap_or_default();
        let description = self.text(Field::Description).unwrap_or_default();
        let task = self.text(Field::Task);
        let project = project?;
        let identity = match self.text(Field::Id) {
            Some(id) => format!("{}:{id}", format.as_str()),
            None => {
                let digest = hex::encode(Sha256::digest(
                    format!("{user}\u{1f}{project}\u{1f}{task:?}\u{1f}{start}\u{1f}{seconds}\u{1f}{description}").as_bytes(),
                ));
                let base = format!("{}:{}", format.as_str(), &digest[..32]);
                let n = occurrences.entry(base.clone()).or_insert(0);
                *n += 1;
                if *n == 1 { base } else { format!("{base}#{n}") }
            }
        };
        Some(TimesheetRow {
            line: self.line,
            external_id: identity,
            client: self.text(Field::Client),
            project,
            task,
            user,
            email: self.text(Field::Email),
            description,
            start,
            seconds,
            billable,
            rate,
            currency: self.cols.currency.clone(),
            tags: self
                .text(Field::Tags)
                .map(|t| {
                    t.split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    fn money(&mut self, f: Field) -> Option<Decimal> {
        let s = self.raw(f)?.to_owned();
        if s.is_empty() {
            return None;
        }
        let cleaned: String = s
            .chars()
            .filter(|c| !matches!(c, '€' | '$' | '£'))
            .collect();
        let cleaned = cleaned
            .trim()
            .trim_start_matches("CHF")
            .trim_start_matches("EUR")
            .trim();
        match values::decimal(cleaned) {
            Some(d) if !d.is_sign_negative() => Some(d),
            _ => {
                self.fail(f, "an amount such as 95 or 95,50");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests;
