//! Integration tests, linked into one binary: they run the real `checkmyogp` on files in
//! temporary folders.

mod agreement;
mod assess;
mod cli;
mod corpus;
mod json_schema;
mod never_panic;
mod util;
