//! Approval Adaptive Cards.
