//! Python's `struct` module: packing values into bytes the way CPython 3.11's `_struct.c` does.
//!
//! This file holds the integer codes (`b B h H i I l L q Q`) with the exact range checks and
//! messages of CPython's native (`@`) and standard (`< > ! =`) tables. The two tables disagree
//! in instructive ways: `struct.pack('@H', -1)` says "ushort format requires 0 <= number <=
//! 65535" while `struct.pack('>H', -1)` says "argument out of range".

use crate::pyerror::{Hint, PyExcClass, PyException};
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

    /// Does packing `code` run the native table's function (and so raise its messages)?
    ///
    /// At import, CPython's `_struct` copies the native pack functions into the table of the
    /// host's own byte order wherever the sizes agree. On a little-endian host (x86-64,
    /// AArch64) that makes `<h` and `=q` behave like `@h` and `@q`, while `<l` (4 bytes, not
    /// the native 8) keeps the standard checks.
    pub fn packs_natively(self, code: IntCode) -> bool {
        match self {
            Prefix::Native => true,
            Prefix::Little | Prefix::NativeStandard => code.size(self) == code.size(Prefix::Native),
            Prefix::Big | Prefix::Network => false,
        }
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

    /// The C type name CPython's native-table messages use (`short format requires ...`).
    fn native_name(self) -> &'static str {
        match self {
            IntCode::Byte => "byte",
            IntCode::UByte => "ubyte",
            IntCode::Short => "short",
            IntCode::UShort => "ushort",
            _ => "",
        }
    }
}

fn struct_error(msg: impl Into<String>) -> PyException {
    PyException::new(PyExcClass::StructError, msg)
}

fn out_of_range() -> PyException {
    struct_error("argument out of range")
}

/// CPython's `_range_error`: "'H' format requires 0 <= number <= 65535".
fn range_error(code: IntCode, size: usize) -> PyException {
    let bits = 8 * size as u32;
    let msg = if code.is_unsigned() {
        format!(
            "'{}' format requires 0 <= number <= {}",
            code.char(),
            u64::MAX >> (64 - bits)
        )
    } else {
        let largest = i64::MAX >> (64 - bits);
        format!(
            "'{}' format requires {} <= number <= {largest}",
            code.char(),
            !largest
        )
    };
    struct_error(msg)
}

/// The native table's message for b, B, h, H: "short format requires -32768 <= number <= 32767".
fn native_range_error(code: IntCode) -> PyException {
    let (lo, hi): (i64, i64) = match code {
        IntCode::Byte => (-128, 127),
        IntCode::UByte => (0, 255),
        IntCode::Short => (-32768, 32767),
        _ => (0, 65535),
    };
    struct_error(format!(
        "{} format requires {lo} <= number <= {hi}",
        code.native_name()
    ))
}

/// `get_pylong`: ints and bools pass, anything else is "required argument is not an integer".
fn get_pylong(v: &PyValue) -> Result<PyInt, PyException> {
    v.as_index().ok_or_else(|| {
        struct_error("required argument is not an integer")
            .with_hint(Hint::new("hint.struct_needs_int").arg("type", v.type_name()))
    })
}

/// `get_long`: the value as a C long, or "argument out of range".
fn get_long(v: &PyValue) -> Result<i64, PyException> {
    get_pylong(v)?.to_i64().ok_or_else(out_of_range)
}

/// `get_ulong`: the value as a C unsigned long, or "argument out of range" (negatives too).
fn get_ulong(v: &PyValue) -> Result<u64, PyException> {
    get_pylong(v)?.to_u64().ok_or_else(out_of_range)
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
    let size = code.size(prefix);
    let value = check_int(prefix, code, size, v).map_err(|e| {
        let hint = e.hint.clone().unwrap_or_else(|| {
            Hint::new("hint.struct_range")
                .arg("code", code.char())
                .arg("size", size)
        });
        e.with_hint(hint)
    })?;
    let le = value.to_le_bytes();
    let mut out = le[..size].to_vec();
    if prefix.is_big_endian() {
        out.reverse();
    }
    Ok(out)
}

/// The range checks of `_struct.c`, table by table. Returns the value as two's complement.
fn check_int(prefix: Prefix, code: IntCode, size: usize, v: &PyValue) -> Result<i128, PyException> {
    use IntCode::*;
    let in_signed = |x: i64| {
        let bits = 8 * size as u32;
        bits == 64 || (x >= -(1i64 << (bits - 1)) && x < (1i64 << (bits - 1)))
    };
    let in_unsigned = |x: u64| size == 8 || x >> (8 * size) == 0;
    // b and B use the native functions in every table; h and H only in the native one.
    let native = prefix.packs_natively(code);
    let native_small = matches!(code, Byte | UByte) || (native && matches!(code, Short | UShort));
    if native_small {
        let x = get_long(v)?;
        let ok = if code.is_unsigned() {
            x >= 0 && in_unsigned(x as u64)
        } else {
            in_signed(x)
        };
        return if ok {
            Ok(i128::from(x))
        } else {
            Err(native_range_error(code))
        };
    }
    match code {
        Int | UInt if native => {
            // np_int reads a C long, np_uint a C unsigned long, then check the 32-bit range.
            let x = if code == Int {
                i128::from(get_long(v)?)
            } else {
                i128::from(get_ulong(v)?)
            };
            let range = if code == Int {
                i128::from(i32::MIN)..=i128::from(i32::MAX)
            } else {
                0..=i128::from(u32::MAX)
            };
            if range.contains(&x) {
                Ok(x)
            } else {
                Err(range_error(code, size))
            }
        }
        Byte | Short | Int | Long => {
            let x = get_long(v)?;
            if in_signed(x) {
                Ok(i128::from(x))
            } else {
                Err(range_error(code, size))
            }
        }
        UByte | UShort | UInt | ULong => {
            let x = get_ulong(v)?;
            if in_unsigned(x) {
                Ok(i128::from(x))
            } else {
                Err(range_error(code, size))
            }
        }
        LongLong | ULongLong => {
            let n = get_pylong(v)?;
            let fits = if code == LongLong {
                n.to_i64().map(i128::from)
            } else {
                n.to_u64().map(i128::from)
            };
            // Native q/Q convert with PyLong_AsLongLong; standard ones with _PyLong_AsByteArray,
            // which 3.11 reports as "int too large to convert".
            let message = if native {
                "argument out of range"
            } else {
                "int too large to convert"
            };
            fits.ok_or_else(|| struct_error(message))
        }
    }
}

/// Unpacks one integer as `struct.unpack(prefix + code, data)[0]` would.
///
/// ```
/// use socklab_core::pystruct::{unpack_int, IntCode, Prefix};
/// assert_eq!(unpack_int(Prefix::Big, IntCode::UShort, &[1, 0]).unwrap(), 256.into());
/// ```
pub fn unpack_int(prefix: Prefix, code: IntCode, data: &[u8]) -> Result<PyInt, PyException> {
    let size = code.size(prefix);
    if data.len() != size {
        return Err(
            struct_error(format!("unpack requires a buffer of {size} bytes")).with_hint(
                Hint::new("hint.unpack_size")
                    .arg("size", size)
                    .arg("got", data.len()),
            ),
        );
    }
    let mut be = data.to_vec();
    if !prefix.is_big_endian() {
        be.reverse();
    }
    Ok(crate::byteorder::int_from_bytes(
        &be,
        crate::byteorder::Endian::Big,
        !code.is_unsigned(),
    ))
}
