//! One module per topic page, in the seed's order.

pub mod byteorder;
pub mod structs;
