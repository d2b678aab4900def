//! Rendering lists as a table, JSON or CSV.

use anyhow::Result;
use clap::ValueEnum;
use serde::Serialize;

/// How a command prints its result.
#[derive(Clone, Copy, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
}

/// Prints rows: as a table with the given columns, or every field as JSON/CSV.
pub fn print_rows<T: Serialize>(
    rows: &[T],
    format: Format,
    columns: &[(&str, &str)],
) -> Result<()> {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(rows)?),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            let values: Vec<serde_json::Value> = rows
                .iter()
                .map(serde_json::to_value)
                .collect::<Result<_, _>>()?;
            if let Some(serde_json::Value::Object(first)) = values.first() {
                w.write_record(first.keys())?;
            }
            for v in &values {
                if let serde_json::Value::Object(m) = v {
                    w.write_record(m.values().map(cell))?;
                }
            }
            w.flush()?;
        }
        Format::Table => {
            let mut t = comfy_table::Table::new();
            t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
            t.set_header(columns.iter().map(|(_, h)| *h));
            for r in rows {
                let v = serde_json::to_value(r)?;
                t.add_row(
                    columns
                        .iter()
                        .map(|(k, _)| v.get(*k).map(cell).unwrap_or_default()),
                );
            }
            println!("{t}");
            println!("{} row(s)", rows.len());
        }
    }
    Ok(())
}

fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
