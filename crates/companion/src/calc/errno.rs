//! `socklab errno`: what an error number or name means, as Python shows it and for a learner.
//!
//! The first line of stdout is exactly what Python prints for the error
//! (`ConnectionRefusedError: [Errno 111] Connection refused`), so scripts can diff it; the
//! lines after it are the catalog entry. `--list` prints every errno the way `errno -l` does.

use clap::Args;
use socklab_core::errno::{
    self, CatalogEntry, ExampleRuns, Found, LookupError, OsErrorClass, Reading, System,
};
use socklab_core::i18n::Lang;
use std::io::Write;
use std::process::ExitCode;

/// The arguments of `socklab errno`.
#[derive(Debug, Args)]
pub(crate) struct ErrnoArgs {
    /// A name (ECONNREFUSED, EWOULDBLOCK, WSAECONNREFUSED, EAI_NONAME) or a number (111,
    /// 10061 from Windows, 61 from macOS, -2 from getaddrinfo).
    #[arg(allow_negative_numbers = true, required_unless_present = "list")]
    query: Option<String>,
    /// List every Linux errno, one `NAME NUMBER strerror` per line, like `errno -l`.
    #[arg(long, conflicts_with = "query")]
    list: bool,
    /// The language of the explanations: en or zh-CN.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    lang: Lang,
}

fn parse_lang(tag: &str) -> Result<Lang, String> {
    let lower = tag.trim().to_ascii_lowercase();
    if lower.starts_with("zh") {
        Ok(Lang::Zh)
    } else if lower.starts_with("en") {
        Ok(Lang::En)
    } else {
        Err(format!("unknown language {tag:?}; use en or zh-CN"))
    }
}

/// Runs `socklab errno`.
pub(crate) fn run(args: &ErrnoArgs) -> ExitCode {
    if args.list {
        let mut list = String::new();
        for entry in errno::errnos() {
            for name in entry.names() {
                list += &format!("{name} {} {}\n", entry.number(), entry.strerror());
            }
        }
        return emit(&list);
    }
    match errno::lookup(args.query.as_deref().unwrap_or_default()) {
        Ok(found) => emit(&describe(&found, args.lang)),
        Err(e) => {
            eprint!("{}", explain_failure(&e));
            ExitCode::FAILURE
        }
    }
}

/// Writes to stdout; a reader that went away (`| head`) ends the output quietly.
fn emit(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("socklab: cannot write the answer: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `label:` padded to a column, counting a CJK character as two columns.
fn label(text: &str) -> String {
    let width: usize = text
        .chars()
        .map(|c| if c >= '\u{1100}' { 2 } else { 1 })
        .sum::<usize>()
        + 1;
    format!("{text}:{}", " ".repeat(12usize.saturating_sub(width)))
}

/// The labels of the entry's lines, per language.
struct Labels {
    name: &'static str,
    aliases: &'static str,
    class: &'static str,
    no_macos: &'static str,
    no_windows: &'static str,
    summary: &'static str,
    explanation: &'static str,
    causes: &'static str,
    fixes: &'static str,
    platforms: &'static str,
    calls: &'static str,
    example: &'static str,
    runs_not_as_root: &'static str,
    runs_no: &'static str,
    no_lesson: &'static str,
    never_raised: &'static str,
    also: &'static str,
    decoded: &'static str,
}

const EN: Labels = Labels {
    name: "name",
    aliases: "aliases",
    class: "class",
    no_macos: "none (macOS has no errno of that name)",
    no_windows: "none (no Winsock WSAE... code)",
    summary: "summary",
    explanation: "explanation",
    causes: "causes",
    fixes: "fixes",
    platforms: "platforms",
    calls: "raised by",
    example: "example",
    runs_not_as_root: "(raises it when not run as root)",
    runs_no: "(this error cannot be made on loopback; the example shows code that meets it)",
    no_lesson:
        "no lesson: socklab explains the errors socket code meets, and this is not one of them",
    never_raised: "note: Python never raises this one; for EAI_SYSTEM it raises OSError from errno",
    also: "also",
    decoded: "decoded",
};

const ZH: Labels = Labels {
    name: "名称",
    aliases: "别名",
    class: "异常类",
    no_macos: "无（macOS 没有这个名字的 errno）",
    no_windows: "无（没有对应的 Winsock WSAE... 错误码）",
    summary: "概要",
    explanation: "解释",
    causes: "常见原因",
    fixes: "解决办法",
    platforms: "其他系统",
    calls: "会抛出它的调用",
    example: "示例",
    runs_not_as_root: "（不以 root 身份运行时会抛出它）",
    runs_no: "（这个错误无法在回环地址上制造；示例演示的是代码如何遇到它）",
    no_lesson: "暂无讲解：socklab 讲解 socket 代码会遇到的错误，这个不在其中",
    never_raised:
        "注意：Python 从不抛出这个错误码；遇到 EAI_SYSTEM 时它抛出由 errno 构造的 OSError",
    also: "另外",
    decoded: "解读",
};

fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// A reading as one phrase: `WSAECONNREFUSED 10061 on Windows`.
fn reading_phrase(r: &Reading) -> String {
    let numbering = match r.entry {
        CatalogEntry::Errno(_) => "",
        CatalogEntry::Gai(_) => " (getaddrinfo)",
        CatalogEntry::Host(_) => " (h_errno)",
    };
    format!("{} {} on {}{numbering}", r.name, r.number, r.system.name())
}

/// The whole answer: Python's line first, then the entry.
fn describe(found: &Found, lang: Lang) -> String {
    let l = labels(lang);
    let entry = found.primary();
    let mut out = format!("{}\n", entry.traceback_line());
    if let Found::Number { number, readings } = found {
        let first = &readings[0];
        if first.system != System::Linux {
            out += &format!(
                "{}: {number} = {}; Linux: {} {}\n",
                l.decoded,
                reading_phrase(first),
                entry.name(),
                entry.number()
            );
        }
        for other in &readings[1..] {
            out += &format!(
                "{}: {number} = {} -> socklab errno {}\n",
                l.also,
                reading_phrase(other),
                other.entry.name()
            );
        }
    }
    if let CatalogEntry::Gai(gai) = entry {
        if !gai.raised_as_gaierror() {
            out += &format!("{}\n", l.never_raised);
        }
    }
    out += &format!(
        "{} {} ({} {})\n",
        label(l.name),
        entry.name(),
        System::Linux.name(),
        entry.number()
    );
    match entry {
        CatalogEntry::Errno(e) => {
            if !e.aliases().is_empty() {
                out += &format!("{} {}\n", label(l.aliases), e.aliases().join(", "));
            }
            for system in [System::MacOs, System::Windows] {
                let codes: Vec<String> = e
                    .codes_on(system)
                    .iter()
                    .map(|c| format!("{} {}", c.name, c.number))
                    .collect();
                let text = if codes.is_empty() {
                    no_code(l, system).to_owned()
                } else {
                    codes.join(", ")
                };
                out += &format!("{} {text}\n", label(system.name()));
            }
        }
        CatalogEntry::Gai(g) => {
            for system in [System::MacOs, System::Windows] {
                let text = g
                    .code_on(system)
                    .map_or(no_code(l, system).to_owned(), |(name, n)| {
                        format!("{name} {n}")
                    });
                out += &format!("{} {text}\n", label(system.name()));
            }
        }
        CatalogEntry::Host(_) => {}
    }
    out += &format!("{} {}\n", label(l.class), class_chain(entry.class()));
    let Some(lesson) = entry.lesson() else {
        out += &format!("{}\n", l.no_lesson);
        return out;
    };
    let text = lesson.text(lang);
    out += &format!("{} {}\n", label(l.summary), text.summary);
    out += &format!("{} {}\n", label(l.explanation), text.explanation);
    out += &format!("{}:\n", l.causes);
    for cause in &text.causes {
        out += &format!("  - {cause}\n");
    }
    out += &format!("{}:\n", l.fixes);
    for fix in &text.fixes {
        out += &format!("  - {fix}\n");
    }
    out += &format!("{} {}\n", label(l.platforms), text.platforms);
    out += &format!("{} {}\n", label(l.calls), lesson.calls.join(", "));
    let note = match lesson.example_runs {
        ExampleRuns::Yes => "",
        ExampleRuns::NotAsRoot => l.runs_not_as_root,
        ExampleRuns::No => l.runs_no,
    };
    out += &format!(
        "{}:{}{note}\n",
        l.example,
        if note.is_empty() { "" } else { " " }
    );
    for line in lesson.example.lines() {
        out += &format!("    {line}\n");
    }
    out
}

/// What to print for a system that has no code for the error.
fn no_code(l: &Labels, system: System) -> &'static str {
    match system {
        System::Windows => l.no_windows,
        System::Linux | System::MacOs => l.no_macos,
    }
}

/// `ConnectionRefusedError -> ConnectionError -> OSError -> Exception -> BaseException`,
/// with the class's other names.
fn class_chain(class: OsErrorClass) -> String {
    let chain = class.mro().join(" -> ");
    let aliases = class.aliases();
    if aliases.is_empty() {
        chain
    } else {
        format!("{chain} (= {})", aliases.join(", "))
    }
}

/// What was wrong with the query, and what would have been right.
fn explain_failure(error: &LookupError) -> String {
    let mut out = format!("socklab: {error}\n");
    match error {
        LookupError::Empty => {}
        LookupError::UnknownName {
            closest,
            mentioned_by,
            class,
            ..
        } => {
            if !closest.is_empty() {
                out += &format!("  did you mean: {}?\n", closest.join(", "));
            }
            if let Some(class) = class {
                let raised: Vec<&str> = errno::caught_by(*class)
                    .iter()
                    .map(CatalogEntry::name)
                    .collect();
                out += &format!(
                    "  {} is an exception class, not an errno; `except {}:` catches: {}\n",
                    class.name(),
                    class.name(),
                    raised.join(", ")
                );
            }
            if !mentioned_by.is_empty() {
                out += &format!(
                    "  errors whose text mentions it: {}\n",
                    mentioned_by.join(", ")
                );
            }
            out += "  give a name like ECONNREFUSED or a number like 111; `socklab errno --list` lists them all\n";
        }
        LookupError::UnknownNumber { number } => {
            out +=
                "  Linux errnos are 1 to 133 (`socklab errno --list`), getaddrinfo's -1 to -12, \
                    macOS's 1 to 106, Winsock's 10004 to 10071\n";
            if let Ok(n) = i32::try_from(*number) {
                out += &format!(
                    "  for it, Python on Linux prints: {}\n",
                    errno::os_error_line(n)
                );
            }
        }
    }
    out
}
