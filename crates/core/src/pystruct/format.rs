//! Format strings: parsing them the way `_struct.c`'s `prepare_s` does, and laying the fields
//! out with the sizes and alignment of a chosen ABI.

use super::{IntCode, Prefix};
use crate::pyerror::{Hint, PyExcClass, PyException};
use std::ops::Range;

/// A platform whose native (`@`) sizes and alignment socklab can lay a format out for.
///
/// All of them are little-endian. CPython itself only ever shows its own; socklab can put the
/// same format side by side on several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Abi {
    /// x86-64 Linux (LP64), what `python3` on this project's machines uses.
    #[default]
    LinuxX86_64,
    /// 64-bit Windows (LLP64): `long` is 4 bytes.
    WindowsX64,
    /// 32-bit x86 Linux (ILP32, i386 System V): `long` and pointers are 4 bytes, and
    /// `long long` and `double` are aligned to 4 inside a struct.
    LinuxI386,
    /// 64-bit ARM Linux (LP64).
    LinuxAarch64,
    /// Apple silicon macOS (LP64, Apple's arm64 ABI).
    MacosArm64,
}

impl Abi {
    /// Every ABI, in the order pages list them.
    pub const ALL: [Abi; 5] = [
        Abi::LinuxX86_64,
        Abi::WindowsX64,
        Abi::LinuxI386,
        Abi::LinuxAarch64,
        Abi::MacosArm64,
    ];

    /// The name used by `--platform` and in URLs.
    pub fn name(self) -> &'static str {
        match self {
            Abi::LinuxX86_64 => "linux-x86_64",
            Abi::WindowsX64 => "windows-x64",
            Abi::LinuxI386 => "linux-i386",
            Abi::LinuxAarch64 => "linux-aarch64",
            Abi::MacosArm64 => "macos-arm64",
        }
    }

    /// A short human title.
    pub fn title(self) -> &'static str {
        match self {
            Abi::LinuxX86_64 => "x86-64 Linux",
            Abi::WindowsX64 => "Windows x64",
            Abi::LinuxI386 => "32-bit x86 Linux",
            Abi::LinuxAarch64 => "AArch64 Linux",
            Abi::MacosArm64 => "macOS arm64",
        }
    }

    /// The ABI of a `--platform` name.
    pub fn from_name(name: &str) -> Option<Abi> {
        Abi::ALL.into_iter().find(|a| a.name() == name)
    }

    /// `sizeof(long)`.
    pub fn long_size(self) -> u64 {
        match self {
            Abi::WindowsX64 | Abi::LinuxI386 => 4,
            _ => 8,
        }
    }

    /// `sizeof(void *)`, which is also `sizeof(size_t)` and `sizeof(Py_ssize_t)`.
    pub fn pointer_size(self) -> u64 {
        match self {
            Abi::LinuxI386 => 4,
            _ => 8,
        }
    }

    /// `PY_SSIZE_T_MAX`: the largest struct size CPython accepts on the platform.
    pub fn ssize_max(self) -> u64 {
        (1u64 << (8 * self.pointer_size() - 1)) - 1
    }

    /// The native size and alignment of a code (alignment 0: never aligned).
    pub fn native(self, code: Code) -> (u64, u64) {
        let long = self.long_size();
        let ptr = self.pointer_size();
        // i386 System V aligns 8-byte long long and double to 4 inside structs.
        let align8 = if self == Abi::LinuxI386 { 4 } else { 8 };
        match code {
            Code::Pad | Code::Char | Code::Bytes | Code::Pascal => (1, 0),
            Code::Int(IntCode::Byte | IntCode::UByte) => (1, 0),
            Code::Bool => (1, 1),
            Code::Int(IntCode::Short | IntCode::UShort) | Code::Half => (2, 2),
            Code::Int(IntCode::Int | IntCode::UInt) | Code::Float => (4, 4),
            Code::Int(IntCode::Long | IntCode::ULong) => (long, long),
            Code::Int(IntCode::LongLong | IntCode::ULongLong) | Code::Double => (8, align8),
            Code::SSize | Code::USize | Code::Pointer => (ptr, ptr),
        }
    }
}

/// What one format character means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// `x`: a pad byte; takes no value.
    Pad,
    /// `c`: a bytes object of length 1.
    Char,
    /// `?`: a bool.
    Bool,
    /// An integer code: `b B h H i I l L q Q`.
    Int(IntCode),
    /// `n`: `ssize_t` (native only).
    SSize,
    /// `N`: `size_t` (native only).
    USize,
    /// `P`: `void *` (native only).
    Pointer,
    /// `e`: IEEE 754 half precision.
    Half,
    /// `f`: float.
    Float,
    /// `d`: double.
    Double,
    /// `s`: a bytes object; the count is its length.
    Bytes,
    /// `p`: a Pascal string: a length byte, then the bytes.
    Pascal,
}

impl Code {
    /// The code of a format character, if it is one.
    pub fn from_char(c: char) -> Option<Code> {
        if let Some(i) = IntCode::from_char(c) {
            return Some(Code::Int(i));
        }
        Some(match c {
            'x' => Code::Pad,
            'c' => Code::Char,
            '?' => Code::Bool,
            'n' => Code::SSize,
            'N' => Code::USize,
            'P' => Code::Pointer,
            'e' => Code::Half,
            'f' => Code::Float,
            'd' => Code::Double,
            's' => Code::Bytes,
            'p' => Code::Pascal,
            _ => return None,
        })
    }

    /// The format character.
    pub fn char(self) -> char {
        match self {
            Code::Pad => 'x',
            Code::Char => 'c',
            Code::Bool => '?',
            Code::Int(i) => i.char(),
            Code::SSize => 'n',
            Code::USize => 'N',
            Code::Pointer => 'P',
            Code::Half => 'e',
            Code::Float => 'f',
            Code::Double => 'd',
            Code::Bytes => 's',
            Code::Pascal => 'p',
        }
    }

    /// Its size in the standard tables (`< > ! =`); `None` for the native-only `n N P`.
    pub fn standard_size(self) -> Option<u64> {
        Some(match self {
            Code::Pad | Code::Char | Code::Bool | Code::Bytes | Code::Pascal => 1,
            Code::Int(i) => i.size(Prefix::Big) as u64,
            Code::Half => 2,
            Code::Float => 4,
            Code::Double => 8,
            Code::SSize | Code::USize | Code::Pointer => return None,
        })
    }

    /// The catalog key of its C type's description (`struct.code.h` = "short").
    pub fn catalog_key(self) -> &'static str {
        match self {
            Code::Pad => "struct.code.pad",
            Code::Char => "struct.code.char",
            Code::Bool => "struct.code.bool",
            Code::Int(IntCode::Byte) => "struct.code.byte",
            Code::Int(IntCode::UByte) => "struct.code.ubyte",
            Code::Int(IntCode::Short) => "struct.code.short",
            Code::Int(IntCode::UShort) => "struct.code.ushort",
            Code::Int(IntCode::Int) => "struct.code.int",
            Code::Int(IntCode::UInt) => "struct.code.uint",
            Code::Int(IntCode::Long) => "struct.code.long",
            Code::Int(IntCode::ULong) => "struct.code.ulong",
            Code::Int(IntCode::LongLong) => "struct.code.longlong",
            Code::Int(IntCode::ULongLong) => "struct.code.ulonglong",
            Code::SSize => "struct.code.ssize",
            Code::USize => "struct.code.size",
            Code::Pointer => "struct.code.pointer",
            Code::Half => "struct.code.half",
            Code::Float => "struct.code.float",
            Code::Double => "struct.code.double",
            Code::Bytes => "struct.code.bytes",
            Code::Pascal => "struct.code.pascal",
        }
    }
}

/// One item of a format string as laid out: `3h` is one field of three shorts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// What the character means.
    pub code: Code,
    /// The repeat count (for `s` and `p`, the length in bytes).
    pub count: u64,
    /// Where it is in the format string, repeat count included.
    pub span: Range<usize>,
    /// Alignment padding inserted before it (native mode only).
    pub pad_before: u64,
    /// The offset of its first byte.
    pub offset: u64,
    /// Bytes per value (for `s` and `p`, the whole length; for `x`, 1).
    pub item_size: u64,
    /// The alignment it asked for (0 or 1: none).
    pub align: u64,
    /// How many values it takes: 1 for `s`/`p`, 0 for `x`, otherwise the count.
    pub values: u64,
    /// The index of the first value it takes among all of the format's values.
    pub first_value: u64,
}

impl Field {
    /// How many bytes it occupies, padding before it excluded.
    pub fn len(&self) -> u64 {
        match self.code {
            Code::Bytes | Code::Pascal => self.count,
            _ => self.count * self.item_size,
        }
    }

    /// Does it occupy no bytes (`0h`, `0s`)?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A parsed format string: `struct.Struct(format)` for one ABI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The format string as given.
    pub format: String,
    /// Its byte-order/size/alignment prefix.
    pub prefix: Prefix,
    /// The ABI whose native sizes `@` uses.
    pub abi: Abi,
    /// The fields in order.
    pub fields: Vec<Field>,
    /// `struct.calcsize(format)`.
    pub size: u64,
    /// How many values `pack` takes and `unpack` returns.
    pub values: u64,
}

pub(super) fn struct_error(msg: impl Into<String>) -> PyException {
    PyException::new(PyExcClass::StructError, msg)
}

fn too_long(span: Range<usize>) -> PyException {
    struct_error("total struct size too long")
        .with_hint(Hint::new("hint.struct_too_long"))
        .at(span)
}

/// CPython turns a str format into bytes with the ASCII codec first.
fn ascii_check(format: &str) -> Result<(), PyException> {
    let chars: Vec<char> = format.chars().collect();
    let Some(start) = chars.iter().position(|c| !c.is_ascii()) else {
        return Ok(());
    };
    let end = start + chars[start..].iter().take_while(|c| !c.is_ascii()).count();
    let message = if end - start == 1 {
        let c = chars[start];
        format!(
            "'ascii' codec can't encode character '{}' in position {start}: ordinal not in range(128)",
            crate::pyrepr::codec_char_escape(c)
        )
    } else {
        format!(
            "'ascii' codec can't encode characters in position {start}-{}: ordinal not in range(128)",
            end - 1
        )
    };
    let byte_start: usize = chars[..start].iter().map(|c| c.len_utf8()).sum();
    let byte_end: usize = byte_start
        + chars[start..end]
            .iter()
            .map(|c| c.len_utf8())
            .sum::<usize>();
    Err(PyException::new(PyExcClass::UnicodeEncodeError, message)
        .with_hint(Hint::new("hint.struct_ascii"))
        .at(byte_start..byte_end))
}

fn is_py_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

impl Layout {
    /// Parses a format string as `struct.Struct(format)` does, for the given ABI.
    ///
    /// ```
    /// use socklab_core::pystruct::{Abi, Layout};
    /// let l = Layout::parse("@bi", Abi::LinuxX86_64).unwrap();
    /// assert_eq!((l.size, l.fields[1].pad_before, l.fields[1].offset), (8, 3, 4));
    /// let e = Layout::parse("3", Abi::LinuxX86_64).unwrap_err();
    /// assert_eq!(e.message, "repeat count given without format specifier");
    /// ```
    pub fn parse(format: &str, abi: Abi) -> Result<Layout, PyException> {
        ascii_check(format)?;
        if let Some(i) = format.find('\0') {
            return Err(struct_error("embedded null character").at(i..i + 1));
        }
        let bytes = format.as_bytes();
        let (prefix, start) = match bytes.first() {
            Some(b'<') => (Prefix::Little, 1),
            Some(b'>') => (Prefix::Big, 1),
            Some(b'!') => (Prefix::Network, 1),
            Some(b'=') => (Prefix::NativeStandard, 1),
            Some(b'@') => (Prefix::Native, 1),
            _ => (Prefix::Native, 0),
        };
        let max = abi.ssize_max();
        let mut fields = Vec::new();
        let mut size: u64 = 0;
        let mut values: u64 = 0;
        let mut i = start;
        while i < bytes.len() {
            let field_start = i;
            let mut c = bytes[i];
            i += 1;
            if is_py_space(c) {
                continue;
            }
            let mut num: u64 = 1;
            if c.is_ascii_digit() {
                num = u64::from(c - b'0');
                loop {
                    let Some(&d) = bytes.get(i) else {
                        return Err(struct_error("repeat count given without format specifier")
                            .with_hint(Hint::new("hint.struct_count_alone"))
                            .at(field_start..i));
                    };
                    i += 1;
                    if !d.is_ascii_digit() {
                        c = d;
                        break;
                    }
                    let digit = u64::from(d - b'0');
                    if num >= max / 10 && (num > max / 10 || digit > max % 10) {
                        return Err(too_long(field_start..i));
                    }
                    num = num * 10 + digit;
                }
            }
            let span = field_start..i;
            let code = Code::from_char(char::from(c))
                .filter(|code| prefix.is_native() || code.standard_size().is_some())
                .ok_or_else(|| bad_char(c, prefix, i - 1))?;
            let (item_size, align) = if prefix.is_native() {
                abi.native(code)
            } else {
                (code.standard_size().unwrap_or(1), 0)
            };
            let mut pad_before = 0;
            if align > 0 && size > 0 {
                let extra = (align - 1) - (size - 1) % align;
                if extra > max - size {
                    return Err(too_long(span));
                }
                pad_before = extra;
                size += extra;
            }
            if num > (max - size) / item_size {
                return Err(too_long(span));
            }
            let offset = size;
            size += num * item_size;
            let field_values = match code {
                Code::Bytes | Code::Pascal => 1,
                Code::Pad => 0,
                _ => num,
            };
            fields.push(Field {
                code,
                count: num,
                span,
                pad_before,
                offset,
                item_size: if matches!(code, Code::Bytes | Code::Pascal) {
                    num
                } else {
                    item_size
                },
                align,
                values: field_values,
                first_value: values,
            });
            values += field_values;
        }
        Ok(Layout {
            format: format.to_owned(),
            prefix,
            abi,
            fields,
            size,
            values,
        })
    }

    /// The fields that take or give values (not `x`), in order.
    pub fn value_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.values > 0)
    }
}

fn bad_char(c: u8, prefix: Prefix, at: usize) -> PyException {
    let ch = char::from(c);
    let hint = if matches!(ch, 'n' | 'N' | 'P') {
        Hint::new("hint.struct_native_only")
            .arg("code", ch)
            .arg("prefix", prefix.char())
    } else if matches!(ch, '<' | '>' | '!' | '=' | '@') {
        Hint::new("hint.struct_prefix_first").arg("code", ch)
    } else if is_py_space(c) {
        Hint::new("hint.struct_space_after_count")
    } else {
        Hint::new("hint.struct_bad_char").arg("code", ch.escape_default())
    };
    struct_error("bad char in struct format")
        .with_hint(hint)
        .at(at..at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calcsize(fmt: &str, abi: Abi) -> u64 {
        Layout::parse(fmt, abi).unwrap().size
    }

    #[test]
    fn documented_native_sizes_and_alignment() {
        // (code, x86-64 Linux, Windows x64, i386 Linux): sizes from each ABI's C data model.
        let table = [
            ("l", 8, 4, 4),
            ("L", 8, 4, 4),
            ("q", 8, 8, 8),
            ("P", 8, 8, 4),
            ("n", 8, 8, 4),
            ("d", 8, 8, 8),
            ("e", 2, 2, 2),
            ("?", 1, 1, 1),
        ];
        for (code, x64, win, i386) in table {
            assert_eq!(calcsize(code, Abi::LinuxX86_64), x64, "{code}");
            assert_eq!(calcsize(code, Abi::LinuxAarch64), x64, "{code}");
            assert_eq!(calcsize(code, Abi::MacosArm64), x64, "{code}");
            assert_eq!(calcsize(code, Abi::WindowsX64), win, "{code}");
            assert_eq!(calcsize(code, Abi::LinuxI386), i386, "{code}");
        }
        // Alignment: a char, then the type: the offset is its alignment.
        let align = [
            ("cq", 8, 8, 4),
            ("cd", 8, 8, 4),
            ("cl", 8, 4, 4),
            ("cP", 8, 8, 4),
            ("ch", 2, 2, 2),
            ("c?", 1, 1, 1),
        ];
        for (fmt, x64, win, i386) in align {
            let offset = |abi| Layout::parse(fmt, abi).unwrap().fields[1].offset;
            assert_eq!(offset(Abi::LinuxX86_64), x64, "{fmt}");
            assert_eq!(offset(Abi::WindowsX64), win, "{fmt}");
            assert_eq!(offset(Abi::LinuxI386), i386, "{fmt}");
        }
        // Standard sizes ignore the ABI.
        for abi in Abi::ALL {
            assert_eq!(calcsize("<lqd", abi), 20);
            assert_eq!(calcsize("=cq", abi), 9);
        }
        assert_eq!(
            calcsize("9223372036854775807x", Abi::LinuxX86_64),
            i64::MAX as u64
        );
        assert_eq!(
            Layout::parse("2147483648x", Abi::LinuxI386)
                .unwrap_err()
                .message,
            "total struct size too long"
        );
    }

    #[test]
    fn names_round_trip() {
        for abi in Abi::ALL {
            assert_eq!(Abi::from_name(abi.name()), Some(abi));
        }
    }

    #[test]
    fn errors_point_at_the_culprit() {
        let e = Layout::parse("<hh<", Abi::default()).unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.span),
            ("bad char in struct format", Some(3..4))
        );
        let e = Layout::parse("h 12", Abi::default()).unwrap_err();
        assert_eq!(e.span, Some(2..4));
        let e = Layout::parse(">3n", Abi::default()).unwrap_err();
        assert_eq!(e.span, Some(2..3));
        let e = Layout::parse("h中文x", Abi::default()).unwrap_err();
        assert_eq!(
            e.traceback_line(),
            "UnicodeEncodeError: 'ascii' codec can't encode characters in position 1-2: ordinal not in range(128)"
        );
        assert_eq!(e.span, Some(1..7));
    }
}
