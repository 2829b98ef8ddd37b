//! The watch on the admin groups (issue 8).
