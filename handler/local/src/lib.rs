//! azfn-local
