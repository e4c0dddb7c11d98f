//! Components more than one page uses. They render and dispatch; they compute nothing.

pub mod bytes;
pub mod classroom;
pub mod predict;
pub mod python;
pub mod qr;
pub mod reading;
pub mod resolver;
pub mod scenario;
pub mod segmented;
