//! Python's `struct` module, as CPython 3.11's `_struct.c` behaves on x86-64 Linux, and as it
//! would lay formats out on other ABIs.
//!
//! [`Layout::parse`] is `struct.Struct(format)`: it checks the format like `prepare_s` and
//! records every field's offset, size and alignment padding, so a page can draw them.
//! [`Layout::pack`], [`Layout::unpack`] and friends run the table functions CPython would run,
//! which is what decides the messages: `struct.pack('@H', -1)` says "ushort format requires
//! 0 <= number <= 65535" while `struct.pack('>H', -1)` says "'H' format requires 0 <= number
//! <= 65535", and `struct.pack('>q', 2**64)` says "int too large to convert".

mod format;
mod half;
mod pack;

pub use format::{Abi, Code, Field, Layout};
pub use pack::MAX_RESULT_BYTES;

use crate::pyerror::PyException;
use crate::pyint::PyInt;
use crate::pyliteral::PyValue;

/// The first character of a format string: byte order, sizes and alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Prefix {
    /// `@` (or none): native order, native sizes and alignment.
    Native,
    /// `=`: native order, standard sizes, no alignment.
    NativeStandard,
    /// `<`: little-endian, standard sizes.
    Little,
    /// `>`: big-endian, standard sizes.
    Big,
    /// `!`: network order, which is big-endian.
    Network,
}

impl Prefix {
    /// The prefix character.
    pub fn char(self) -> char {
        match self {
            Prefix::Native => '@',
            Prefix::NativeStandard => '=',
            Prefix::Little => '<',
            Prefix::Big => '>',
            Prefix::Network => '!',
        }
    }

    /// Does it use the native table (sizes, alignment, and its error messages)?
    pub fn is_native(self) -> bool {
        self == Prefix::Native
    }

    /// Are the bytes laid out big-endian? Native order is little-endian on the platforms
    /// socklab models (x86-64, AArch64).
    pub fn is_big_endian(self) -> bool {
        matches!(self, Prefix::Big | Prefix::Network)
    }
}

/// An integer format character.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntCode {
    /// `b`: signed char
    Byte,
    /// `B`: unsigned char
    UByte,
    /// `h`: short
    Short,
    /// `H`: unsigned short
    UShort,
    /// `i`: int
    Int,
    /// `I`: unsigned int
    UInt,
    /// `l`: long
    Long,
    /// `L`: unsigned long
    ULong,
    /// `q`: long long
    LongLong,
    /// `Q`: unsigned long long
    ULongLong,
}

impl IntCode {
    /// The format character.
    pub fn char(self) -> char {
        match self {
            IntCode::Byte => 'b',
            IntCode::UByte => 'B',
            IntCode::Short => 'h',
            IntCode::UShort => 'H',
            IntCode::Int => 'i',
            IntCode::UInt => 'I',
            IntCode::Long => 'l',
            IntCode::ULong => 'L',
            IntCode::LongLong => 'q',
            IntCode::ULongLong => 'Q',
        }
    }

    /// The code for a character, if it is an integer code.
    pub fn from_char(c: char) -> Option<IntCode> {
        Some(match c {
            'b' => IntCode::Byte,
            'B' => IntCode::UByte,
            'h' => IntCode::Short,
            'H' => IntCode::UShort,
            'i' => IntCode::Int,
            'I' => IntCode::UInt,
            'l' => IntCode::Long,
            'L' => IntCode::ULong,
            'q' => IntCode::LongLong,
            'Q' => IntCode::ULongLong,
            _ => return None,
        })
    }

    /// The code of a given size in standard mode: 1 `b`, 2 `h`, 4 `i`, 8 `q` (and unsigned).
    pub fn for_width(width: usize, signed: bool) -> Option<IntCode> {
        Some(match (width, signed) {
            (1, true) => IntCode::Byte,
            (1, false) => IntCode::UByte,
            (2, true) => IntCode::Short,
            (2, false) => IntCode::UShort,
            (4, true) => IntCode::Int,
            (4, false) => IntCode::UInt,
            (8, true) => IntCode::LongLong,
            (8, false) => IntCode::ULongLong,
            _ => return None,
        })
    }

    /// Is it an unsigned code?
    pub fn is_unsigned(self) -> bool {
        self.char().is_ascii_uppercase()
    }

    /// `struct.calcsize(prefix + code)` on x86-64 Linux.
    pub fn size(self, prefix: Prefix) -> usize {
        match self {
            IntCode::Byte | IntCode::UByte => 1,
            IntCode::Short | IntCode::UShort => 2,
            IntCode::Int | IntCode::UInt => 4,
            IntCode::Long | IntCode::ULong if prefix.is_native() => 8,
            IntCode::Long | IntCode::ULong => 4,
            IntCode::LongLong | IntCode::ULongLong => 8,
        }
    }
}

fn single(prefix: Prefix, code: IntCode) -> Layout {
    let format = format!("{}{}", prefix.char(), code.char());
    // A prefix and one integer code always parse.
    Layout::parse(&format, Abi::default()).unwrap_or_else(|_| unreachable!("{format}"))
}

/// Packs one integer as `struct.pack(prefix + code, v)` would, on x86-64 Linux.
///
/// ```
/// use socklab_core::pystruct::{pack_int, IntCode, Prefix};
/// use socklab_core::pyliteral::PyValue;
/// let v = PyValue::Int(256.into());
/// assert_eq!(pack_int(Prefix::Big, IntCode::UShort, &v).unwrap(), vec![1, 0]);
/// let big = PyValue::Int(70000.into());
/// assert_eq!(
///     pack_int(Prefix::Big, IntCode::UShort, &big).unwrap_err().message,
///     "'H' format requires 0 <= number <= 65535"
/// );
/// ```
pub fn pack_int(prefix: Prefix, code: IntCode, v: &PyValue) -> Result<Vec<u8>, PyException> {
    single(prefix, code).pack(std::slice::from_ref(v))
}

/// Unpacks one integer as `struct.unpack(prefix + code, data)[0]` would.
///
/// ```
/// use socklab_core::pystruct::{unpack_int, IntCode, Prefix};
/// assert_eq!(unpack_int(Prefix::Big, IntCode::UShort, &[1, 0]).unwrap(), 256.into());
/// ```
pub fn unpack_int(prefix: Prefix, code: IntCode, data: &[u8]) -> Result<PyInt, PyException> {
    match single(prefix, code).unpack(data)?.pop() {
        Some(PyValue::Int(n)) => Ok(n),
        other => unreachable!("an integer code unpacked to {other:?}"),
    }
}
