//! The struct page's state, its actions, and what it shows: plain Rust, no yew.
//!
//! [`StructState::view`] parses the format with socklab-core, packs or unpacks, and lays every
//! byte out with the field it belongs to, so the page only has to draw.

use socklab_core::pyerror::PyException;
use socklab_core::pyliteral::{self, PyValue};
use socklab_core::pyrepr::{bytes_repr, str_repr, tuple_repr, value_repr};
use socklab_core::pystruct::{Abi, Code, Layout, Prefix};

use crate::route::{get, parse_query};

/// The most bytes the annotated view draws; longer results are summarised.
pub const MAX_CELLS: usize = 512;

/// Which way the calculator works.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Values in, bytes out: `struct.pack`.
    #[default]
    Pack,
    /// Bytes in, a tuple out: `struct.unpack` (or `iter_unpack`).
    Unpack,
}

/// Ready-made examples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// The seed's `struct.pack('>H', 256)`.
    Seed,
    /// A length-prefixed message: a 2-byte big-endian header length, then a JSON header.
    LengthPrefixed,
    /// A C struct in native mode, to see alignment padding.
    Aligned,
    /// An IPv4-ish header in network order.
    Network,
}

impl Preset {
    /// Every preset, in the order the page offers them.
    pub const ALL: [Preset; 4] = [
        Preset::Seed,
        Preset::LengthPrefixed,
        Preset::Aligned,
        Preset::Network,
    ];

    /// The catalog key of its button.
    pub fn key(self) -> &'static str {
        match self {
            Preset::Seed => "st.preset_seed",
            Preset::LengthPrefixed => "st.preset_length",
            Preset::Aligned => "st.preset_aligned",
            Preset::Network => "st.preset_network",
        }
    }

    /// A stable name for tests and URLs.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Seed => "seed",
            Preset::LengthPrefixed => "length",
            Preset::Aligned => "aligned",
            Preset::Network => "network",
        }
    }

    /// The page's address with this example loaded, for links from other pages.
    pub fn href(self) -> String {
        format!(
            "/struct{}",
            crate::route::build_query(&crate::pages::PageState::to_query(&self.state()))
        )
    }

    fn state(self) -> StructState {
        let (format, args, data) = match self {
            Preset::Seed => (">H", "256", "01 00"),
            // The guide's protocol: a length, a JSON header that names the content's encoding
            // and length, then the content ('中文' in UTF-8).
            Preset::LengthPrefixed => (
                ">H50s6s",
                "50, b'{\"content-encoding\": \"utf-8\", \"content-length\": 6}', \
                 b'\\xe4\\xb8\\xad\\xe6\\x96\\x87'",
                "",
            ),
            Preset::Aligned => ("@bhiq", "1, 2, 3, 4", ""),
            Preset::Network => (
                "!BBHHHBBH4s4s",
                "0x45, 0, 40, 1, 0, 64, 6, 0, b'\\x7f\\x00\\x00\\x01', b'\\x7f\\x00\\x00\\x01'",
                "",
            ),
        };
        let mut s = StructState {
            format: format.to_owned(),
            args: args.to_owned(),
            data: data.to_owned(),
            ..StructState::default()
        };
        if s.data.is_empty() {
            // Unpacking should start from what packing makes.
            s.data = s
                .packed()
                .map_or_else(|_| String::new(), |b| socklab_core::pyrepr::hex_spaced(&b));
        }
        s
    }
}

/// Everything the learner has typed or chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructState {
    /// Pack or unpack.
    pub mode: Mode,
    /// The format string, as typed.
    pub format: String,
    /// The values to pack, as typed after the format in a call: `1, 2, b'data'`.
    pub args: String,
    /// The bytes to unpack: hex pairs or a bytes literal.
    pub data: String,
    /// Unpack every whole struct in the bytes (`iter_unpack`) rather than exactly one.
    pub iter: bool,
    /// The ABI whose native layout `@` uses.
    pub abi: Abi,
}

impl Default for StructState {
    /// The seed's example: `struct.pack('>H', 256)`.
    fn default() -> StructState {
        StructState {
            mode: Mode::Pack,
            format: ">H".to_owned(),
            args: "256".to_owned(),
            data: "01 00".to_owned(),
            iter: false,
            abi: Abi::LinuxX86_64,
        }
    }
}

/// What the learner can do on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Switched between pack and unpack.
    SetMode(Mode),
    /// Typed in the format field.
    SetFormat(String),
    /// Typed in the values field.
    SetArgs(String),
    /// Typed in the bytes field.
    SetData(String),
    /// Ticked or unticked iter_unpack.
    SetIter(bool),
    /// Chose a native ABI.
    SetAbi(Abi),
    /// Loaded an example.
    Preset(Preset),
    /// Took the packed bytes over to unpack them.
    UnpackThese,
}

/// What one byte of the annotated view belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The `item`-th value of field `field`.
    Value {
        /// Index into the layout's fields.
        field: usize,
        /// Which of its repeated values.
        item: u64,
    },
    /// A pad byte the format asked for (`x`), or an unused byte of `s`/`p`.
    Pad {
        /// Index into the layout's fields.
        field: usize,
    },
    /// Padding inserted so that `field` is aligned.
    Align {
        /// Index into the layout's fields.
        field: usize,
    },
}

impl Role {
    /// The field the byte belongs to, for highlighting.
    pub fn field(self) -> usize {
        match self {
            Role::Value { field, .. } | Role::Pad { field } | Role::Align { field } => field,
        }
    }
}

/// One byte of the annotated view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    /// Its offset in the struct.
    pub offset: u64,
    /// Its value, when there are bytes (a failed pack still shows the layout).
    pub byte: Option<u8>,
    /// What it belongs to.
    pub role: Role,
}

/// One field in the legend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRow {
    /// Index into the layout's fields.
    pub index: usize,
    /// The field as written in the format (`3h`, `4s`).
    pub text: String,
    /// The code's character.
    pub code: char,
    /// The catalog key describing its C type.
    pub key: &'static str,
    /// Where it starts.
    pub offset: u64,
    /// Bytes it occupies.
    pub len: u64,
    /// Alignment padding before it, and the alignment that asked for it.
    pub pad_before: u64,
    /// Its alignment in this mode.
    pub align: u64,
    /// The values it holds, as Python prints them (unpack, or pack when it succeeded).
    pub values: Vec<String>,
}

/// One platform's column in the side-by-side comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformColumn {
    /// The ABI.
    pub abi: Abi,
    /// `calcsize`, or the error (e.g. a size over that platform's limit).
    pub size: Result<u64, PyException>,
    /// Each field's offset there.
    pub offsets: Vec<u64>,
}

/// Everything the page shows, computed.
#[derive(Clone, Debug, PartialEq)]
pub struct StructView {
    /// The parsed format, or why it is not one.
    pub layout: Result<Layout, PyException>,
    /// `struct.calcsize(...)` as typed at `>>>`.
    pub calcsize_call: String,
    /// The Python call the calculator runs, as typed at `>>>`.
    pub call: String,
    /// What CPython prints for it.
    pub result: Result<String, PyException>,
    /// Which input the error points into, when it points somewhere.
    pub error_in: Option<Input>,
    /// The annotated bytes (at most [`MAX_CELLS`]).
    pub cells: Vec<Cell>,
    /// How many bytes there are in all.
    pub total_bytes: u64,
    /// The legend.
    pub fields: Vec<FieldRow>,
    /// The layout on every ABI, when the format is native.
    pub platforms: Vec<PlatformColumn>,
    /// The packed bytes, when packing worked.
    pub packed: Option<Vec<u8>>,
}

/// An input field of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// The format string.
    Format,
    /// The values.
    Args,
    /// The bytes.
    Data,
}

impl crate::pages::PageState for StructState {
    type Action = Action;

    fn update(self, action: Action) -> StructState {
        StructState::update(self, action)
    }

    fn to_query(&self) -> Vec<(&'static str, String)> {
        StructState::to_query(self)
    }

    /// The examples are the presets; a state typed by hand steps to the first (or last).
    fn step(&self, step: crate::present::Step) -> Option<Action> {
        let current = Preset::ALL.into_iter().find(|p| p.state() == *self);
        Some(Action::Preset(
            step.cycle(&Preset::ALL.map(Some), &current)?,
        ))
    }
}

impl StructState {
    /// The state after an action.
    pub fn update(mut self, action: Action) -> StructState {
        match action {
            Action::SetMode(m) => self.mode = m,
            Action::SetFormat(f) => self.format = f,
            Action::SetArgs(a) => self.args = a,
            Action::SetData(d) => self.data = d,
            Action::SetIter(i) => self.iter = i,
            Action::SetAbi(a) => self.abi = a,
            Action::Preset(p) => {
                let mode = self.mode;
                self = p.state();
                self.mode = mode;
            }
            Action::UnpackThese => {
                if let Ok(bytes) = self.packed() {
                    self.data = socklab_core::pyrepr::hex_spaced(&bytes);
                    self.mode = Mode::Unpack;
                }
            }
        }
        self
    }

    fn packed(&self) -> Result<Vec<u8>, PyException> {
        let layout = Layout::parse(&self.format, self.abi)?;
        layout.pack(&pyliteral::parse_args(&self.args)?)
    }

    /// The state as query pairs; defaults are left out to keep links short.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let d = StructState::default();
        let mut q = Vec::new();
        if self.mode == Mode::Unpack {
            q.push(("mode", "unpack".to_owned()));
        }
        if self.format != d.format {
            q.push(("fmt", self.format.clone()));
        }
        if self.args != d.args {
            q.push(("args", self.args.clone()));
        }
        if self.data != d.data {
            q.push(("data", self.data.clone()));
        }
        if self.iter {
            q.push(("iter", "1".to_owned()));
        }
        if self.abi != d.abi {
            q.push(("abi", self.abi.name().to_owned()));
        }
        q
    }

    /// The state a query string describes; anything missing or unreadable takes its default.
    pub fn from_query(query: &str) -> StructState {
        let pairs = parse_query(query);
        let d = StructState::default();
        StructState {
            mode: if get(&pairs, "mode") == Some("unpack") {
                Mode::Unpack
            } else {
                Mode::Pack
            },
            format: get(&pairs, "fmt").map_or(d.format, str::to_owned),
            args: get(&pairs, "args").map_or(d.args, str::to_owned),
            data: get(&pairs, "data").map_or(d.data, str::to_owned),
            iter: get(&pairs, "iter") == Some("1"),
            abi: get(&pairs, "abi").and_then(Abi::from_name).unwrap_or(d.abi),
        }
    }

    /// Everything the page shows, computed.
    pub fn view(&self) -> StructView {
        let fmt_repr = str_repr(&self.format);
        let layout = Layout::parse(&self.format, self.abi);
        let calcsize_call = format!("struct.calcsize({fmt_repr})");
        let mut view = StructView {
            layout: layout.clone(),
            calcsize_call,
            call: String::new(),
            result: Ok(String::new()),
            error_in: None,
            cells: Vec::new(),
            total_bytes: 0,
            fields: Vec::new(),
            platforms: Vec::new(),
            packed: None,
        };
        let (bytes, values): (Option<Vec<u8>>, Vec<PyValue>) = match self.mode {
            Mode::Pack => {
                let args_text = self.args.trim().trim_end_matches(',').trim();
                view.call = if args_text.is_empty() {
                    format!("struct.pack({fmt_repr})")
                } else {
                    format!("struct.pack({fmt_repr}, {args_text})")
                };
                let outcome: Result<(Vec<u8>, Vec<PyValue>), (Input, PyException)> = match &layout {
                    Err(e) => Err((Input::Format, e.clone())),
                    Ok(l) => pyliteral::parse_args(&self.args)
                        .map_err(|e| (Input::Args, e))
                        .and_then(|args| {
                            l.pack(&args).map(|b| (b, args)).map_err(|e| {
                                // Value errors point at their field in the format.
                                let input = if e.span.is_some() {
                                    Input::Format
                                } else {
                                    Input::Args
                                };
                                (input, e)
                            })
                        }),
                };
                match outcome {
                    Err((input, e)) => {
                        view.error_in = Some(input);
                        view.result = Err(e);
                        (None, Vec::new())
                    }
                    Ok((bytes, args)) => {
                        view.result = Ok(bytes_repr(&bytes));
                        view.packed = Some(bytes.clone());
                        (Some(bytes), args)
                    }
                }
            }
            Mode::Unpack => {
                let data = pyliteral::parse_bytes_input(&self.data);
                let shown = match &data {
                    Ok(b) => bytes_repr(b),
                    Err(_) => self.data.trim().to_owned(),
                };
                let function = if self.iter { "iter_unpack" } else { "unpack" };
                view.call = if self.iter {
                    format!("list(struct.iter_unpack({fmt_repr}, {shown}))")
                } else {
                    format!("struct.{function}({fmt_repr}, {shown})")
                };
                match (&layout, data) {
                    (Err(e), _) => {
                        view.error_in = Some(Input::Format);
                        view.result = Err(e.clone());
                        (None, Vec::new())
                    }
                    (Ok(_), Err(e)) => {
                        view.error_in = Some(Input::Data);
                        view.result = Err(e);
                        (None, Vec::new())
                    }
                    (Ok(l), Ok(data)) => {
                        let outcome = if self.iter {
                            l.iter_unpack(&data).and_then(|rows| {
                                let reprs = rows
                                    .iter()
                                    .map(|r| tuple_repr(r))
                                    .collect::<Result<Vec<_>, _>>()?;
                                Ok((format!("[{}]", reprs.join(", ")), rows.into_iter().next()))
                            })
                        } else {
                            l.unpack(&data)
                                .and_then(|vals| Ok((tuple_repr(&vals)?, Some(vals))))
                        };
                        match outcome {
                            Ok((repr, first)) => {
                                view.result = Ok(repr);
                                let shown = if self.iter {
                                    data.get(..l.size as usize).map(<[u8]>::to_vec)
                                } else {
                                    Some(data)
                                };
                                (shown, first.unwrap_or_default())
                            }
                            Err(e) => {
                                view.error_in = Some(Input::Data);
                                view.result = Err(e);
                                (None, Vec::new())
                            }
                        }
                    }
                }
            }
        };
        if let Ok(l) = &layout {
            view.total_bytes = l.size;
            view.cells = cells(l, bytes.as_deref());
            view.fields = legend(l, &values);
            if l.prefix == Prefix::Native {
                view.platforms = Abi::ALL
                    .iter()
                    .map(|&abi| {
                        let other = Layout::parse(&self.format, abi);
                        PlatformColumn {
                            abi,
                            size: other.as_ref().map(|o| o.size).map_err(Clone::clone),
                            offsets: other
                                .map(|o| o.fields.iter().map(|f| f.offset).collect())
                                .unwrap_or_default(),
                        }
                    })
                    .collect();
            }
        }
        view
    }
}

/// Every byte of the layout with its role, up to [`MAX_CELLS`].
fn cells(layout: &Layout, bytes: Option<&[u8]>) -> Vec<Cell> {
    let mut out = Vec::new();
    let cap = MAX_CELLS as u64;
    for (i, f) in layout.fields.iter().enumerate() {
        let align = (0..f.pad_before.min(cap))
            .map(|k| (f.offset - f.pad_before + k, Role::Align { field: i }));
        let body = (0..f.len().min(cap)).map(|k| {
            let role = match f.code {
                Code::Pad => Role::Pad { field: i },
                Code::Bytes | Code::Pascal => Role::Value { field: i, item: 0 },
                _ => Role::Value {
                    field: i,
                    item: k / f.item_size,
                },
            };
            (f.offset + k, role)
        });
        for (offset, role) in align.chain(body) {
            if out.len() >= MAX_CELLS {
                return out;
            }
            let byte = bytes.and_then(|b| b.get(offset as usize).copied());
            out.push(Cell { offset, byte, role });
        }
    }
    out
}

fn legend(layout: &Layout, values: &[PyValue]) -> Vec<FieldRow> {
    layout
        .fields
        .iter()
        .enumerate()
        .map(|(index, f)| {
            let first = f.first_value as usize;
            let taken = values
                .get(first..first + f.values as usize)
                .unwrap_or_default();
            FieldRow {
                index,
                text: layout.format[f.span.clone()].trim().to_owned(),
                code: f.code.char(),
                key: f.code.catalog_key(),
                offset: f.offset,
                len: f.len(),
                pad_before: f.pad_before,
                align: f.align,
                values: taken
                    .iter()
                    .map(|v| value_repr(v).unwrap_or_else(|e| e.traceback_line()))
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_packs_256_big_endian() {
        let v = StructState::default().view();
        assert_eq!(v.call, "struct.pack('>H', 256)");
        assert_eq!(v.result, Ok("b'\\x01\\x00'".to_owned()));
        assert_eq!(v.cells.len(), 2);
        assert_eq!(v.cells[0].byte, Some(1));
        assert!(v.platforms.is_empty(), "standard sizes need no comparison");
    }

    #[test]
    fn alignment_padding_is_shown_as_such() {
        let s = StructState::default().update(Action::Preset(Preset::Aligned));
        let v = s.view();
        assert_eq!(v.total_bytes, 16);
        let roles: Vec<Role> = v.cells.iter().map(|c| c.role).collect();
        assert_eq!(roles[1], Role::Align { field: 1 });
        assert_eq!(v.fields[1].pad_before, 1);
        assert_eq!(v.fields[3].offset, 8);
        assert_eq!(v.platforms.len(), Abi::ALL.len());
        let i386 = v
            .platforms
            .iter()
            .find(|p| p.abi == Abi::LinuxI386)
            .unwrap();
        assert_eq!(i386.size, Ok(16));
        assert_eq!(v.fields[0].values, vec!["1".to_owned()]);
    }

    #[test]
    fn errors_say_where() {
        let s = StructState::default().update(Action::SetFormat(">hh<".to_owned()));
        let v = s.view();
        assert_eq!(v.error_in, Some(Input::Format));
        let e = v.result.unwrap_err();
        assert_eq!(e.span, Some(3..4));
        let s = StructState::default().update(Action::SetArgs("70000".to_owned()));
        let e = s.view().result.unwrap_err();
        assert_eq!(e.message, "'H' format requires 0 <= number <= 65535");
        assert_eq!(e.span, Some(1..2));
        let s = StructState::default().update(Action::SetArgs("1, 2".to_owned()));
        let v = s.view();
        assert_eq!(v.error_in, Some(Input::Args));
        assert!(!v.cells.is_empty(), "the layout still shows");
    }

    /// The text page links here to show a header that names its content's encoding.
    #[test]
    fn the_length_prefixed_example_names_its_encoding() {
        let href = Preset::LengthPrefixed.href();
        let (path, query) = href.split_once('?').unwrap();
        assert_eq!(path, "/struct");
        let s = StructState::from_query(query);
        assert_eq!(s, Preset::LengthPrefixed.state());
        assert!(
            s.args.contains(r#""content-encoding": "utf-8""#),
            "{}",
            s.args
        );
        let packed = s.packed().expect("the example packs");
        let header_len = usize::from(u16::from_be_bytes([packed[0], packed[1]]));
        let header: serde_json::Value =
            serde_json::from_slice(&packed[2..2 + header_len]).expect("a JSON header");
        assert_eq!(header["content-encoding"], "utf-8");
        let body = &packed[2 + header_len..];
        assert_eq!(header["content-length"], body.len());
        assert_eq!(std::str::from_utf8(body), Ok("中文"));
    }

    #[test]
    fn unpacking_and_the_query_round_trip() {
        let s = StructState::default()
            .update(Action::Preset(Preset::LengthPrefixed))
            .update(Action::UnpackThese);
        assert_eq!(s.mode, Mode::Unpack);
        let v = s.view();
        assert_eq!(
            v.result,
            Ok(
                "(50, b'{\"content-encoding\": \"utf-8\", \"content-length\": 6}', \
                b'\\xe4\\xb8\\xad\\xe6\\x96\\x87')"
                    .to_owned()
            )
        );
        assert_eq!(
            StructState::from_query(&crate::route::build_query(&s.to_query())),
            s
        );
        let s = s
            .update(Action::SetIter(true))
            .update(Action::SetFormat(">H".to_owned()));
        let v = s.view();
        assert!(
            v.result.as_ref().unwrap().starts_with("[(50,), (31522,)"),
            "{:?}",
            v.result
        );
        assert_eq!(v.call.split('(').next(), Some("list"));
    }

    #[test]
    fn a_huge_format_is_summarised_not_drawn() {
        let s = StructState::default()
            .update(Action::SetFormat("100000x".to_owned()))
            .update(Action::SetArgs(String::new()));
        let v = s.view();
        assert_eq!(v.total_bytes, 100_000);
        assert_eq!(v.cells.len(), MAX_CELLS);
        let s = s.update(Action::SetFormat("99999999999x".to_owned()));
        let e = s.view().result.unwrap_err();
        assert!(e.message.contains("at most"), "{e:?}");
    }
}
