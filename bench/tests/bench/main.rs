//! The bench's tests, one binary: the report's shapes, and the pipeline run end to end.

mod json_line;
mod pipeline;
