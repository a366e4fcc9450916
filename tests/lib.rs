//! Integration tests, linked into one binary: they run the real `checkmyogp` on files in
//! temporary folders.

mod cli;
mod corpus;
mod never_panic;
mod util;
