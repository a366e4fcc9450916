//! The yardstick of `scripts/bench.sh`: a loop that only parses a CSV file with the `csv`
//! crate (records checked as UTF-8, as any reader of text must) and counts the rows and cells.
//! `checkmyogp assess` and `validate` are measured against it (see docs/performance.md).
//!
//!     cargo run --release --example csv_parse -- FILE [--bytes]
//!
//! With `--bytes` the records are not checked as UTF-8 (the csv crate's fastest loop).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: csv_parse FILE [--bytes]")?;
    let bytes_only = args.next().as_deref() == Some("--bytes");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(&path)?;
    let (mut rows, mut cells) = (0u64, 0u64);
    if bytes_only {
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record)? {
            rows += 1;
            cells += record.len() as u64;
        }
    } else {
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record)? {
            rows += 1;
            cells += record.len() as u64;
        }
    }
    use std::io::Write;
    writeln!(std::io::stdout(), "{rows} rows, {cells} cells")?;
    Ok(())
}
