//! Integration tests, linked into one binary: they run the real `checkmyogp` on files in
//! temporary folders.

mod agreement;
mod assess;
mod cli;
mod corpus;
mod csv_reading;
mod docs_examples;
mod draft;
mod hardening;
mod import;
mod json_schema;
mod methodology;
mod never_panic;
mod pointing;
mod reliability;
mod report;
mod spreadsheets;
mod terminal;
mod util;
mod workbook;
mod workflow;
