//! Fuzz target: arbitrary bytes as the rubric file of an assessment. Nothing may panic.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run(data, common::Replace::Rubric);
});
