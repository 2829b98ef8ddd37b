//! tenant-sim
