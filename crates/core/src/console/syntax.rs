//! The console's language, read: one line of Python becomes one [`Stmt`], or the
//! `SyntaxError` CPython would print for it, or socklab's one-line refusal of a statement the
//! console does not run (a loop, a `def`).
//!
//! The subset is what socket scripts are written in: imports, assignment (with tuple
//! unpacking), expression statements, literals, names, attributes, calls with keyword
//! arguments, indexing and slicing, `+ - * / // %`, comparisons, `not`/`and`/`or`.

use crate::pyliteral::{self, PyValue};

/// A statement: one line of the console.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// An empty line or a comment.
    Nothing,
    /// `import socket, struct`.
    Import(Vec<String>),
    /// `from socket import *` (`None`) or `from socket import AF_INET, SOCK_STREAM`.
    FromImport {
        /// The module.
        module: String,
        /// The names, or every public name.
        names: Option<Vec<String>>,
    },
    /// `a = b = value`, `conn, addr = srv.accept()`.
    Assign {
        /// Each `=`'s target, left to right.
        targets: Vec<Target>,
        /// The value.
        value: Expr,
    },
    /// An expression whose value the REPL prints.
    Expr(Expr),
    /// `pass`.
    Pass,
    /// `del name`.
    Del(Vec<String>),
}

/// What a value is assigned to.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// A name.
    Name(String),
    /// `a, b` or `(a, b)`: unpacking.
    Tuple(Vec<Target>),
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
        }
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `is`
    Is,
    /// `is not`
    IsNot,
}

impl CmpOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
        }
    }
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A literal: int, float, str, bytes, `True`, `False`, `None`.
    Lit(PyValue),
    /// A name.
    Name(String),
    /// `(a, b)`, `a, b`.
    Tuple(Vec<Expr>),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `value.name`.
    Attr(Box<Expr>, String),
    /// `f(args, key=value)`.
    Call {
        /// What is called.
        func: Box<Expr>,
        /// Positional arguments.
        args: Vec<Expr>,
        /// Keyword arguments, in order.
        kwargs: Vec<(String, Expr)>,
    },
    /// `value[index]`.
    Index(Box<Expr>, Box<Expr>),
    /// `value[start:stop]`.
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// `a + b` and the like.
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// `-a`, `+a`.
    Neg(Box<Expr>, bool),
    /// `not a`.
    Not(Box<Expr>),
    /// `a and b` (`true`) or `a or b`.
    Logic(bool, Box<Expr>, Box<Expr>),
    /// `a == b < c`: a chain, each link compared as Python does.
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
}

/// Why a line was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyntaxProblem {
    /// CPython's SyntaxError: its message and the 1-based columns its caret marks.
    Error {
        /// `invalid syntax`, `'(' was never closed`, ...
        message: String,
        /// First column marked (1-based, in characters).
        offset: usize,
        /// One past the last column marked.
        end: usize,
    },
    /// Python that the console does not run, with the reason in socklab's words (English; the
    /// page shows its own translation of the note, `console::Note::Refused`).
    Refused(Refusal),
}

/// Python the console recognises and does not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `for`, `while`.
    Loop,
    /// `if`, `elif`, `else`.
    Conditional,
    /// `def`, `class`, `lambda`.
    Definition,
    /// `with`.
    With,
    /// `try`, `except`, `finally`, `raise`.
    Exceptions,
    /// `f'...'`.
    FString,
    /// `;` between statements.
    Semicolon,
    /// An operator or bracket outside the subset: `**`, `@`, `~`, `^`, `&`, `|`, `<<`, `>>`,
    /// `{}`.
    Operator,
    /// Anything else outside the subset (`x += 1`, `a.b = c`).
    Other,
}

impl Refusal {
    /// The refusal as the transcript prints it, in English.
    pub fn line(self) -> &'static str {
        match self {
            Refusal::Loop => {
                "[socklab] the console runs one statement per line; loops are not supported here"
            }
            Refusal::Conditional => {
                "[socklab] the console runs one statement per line; if/else is not supported here"
            }
            Refusal::Definition => {
                "[socklab] the console runs one statement per line; def, class and lambda are not supported here"
            }
            Refusal::With => {
                "[socklab] the console runs one statement per line; with is not supported here: call close() yourself"
            }
            Refusal::Exceptions => {
                "[socklab] try/except and raise are not supported here; an exception prints its traceback and the pane goes on"
            }
            Refusal::FString => {
                "[socklab] f-strings are not supported here; use + and str() or print(a, b)"
            }
            Refusal::Semicolon => {
                "[socklab] the console runs one statement per line; put each statement on a line of its own"
            }
            Refusal::Operator => {
                "[socklab] the console does not run **, @, ~, ^, &, |, << or >>, nor { } for dicts and sets; it runs + - * / // %, comparisons, and, or, not, in and is"
            }
            Refusal::Other => {
                "[socklab] the console runs imports, assignments (a = ..., a, b = ...) and expressions; this statement is not supported here"
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Name(String),
    Lit(PyValue),
    Op(&'static str),
    End,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    /// Character columns, 0-based, [start, end).
    start: usize,
    end: usize,
}

const OPS: [&str; 24] = [
    "**", "//", "==", "!=", "<=", ">=", "+=", "-=", "->", ":=", "(", ")", "[", "]", ",", ":", ".",
    "=", "+", "-", "*", "/", "%", "<",
];

const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

fn error(message: impl Into<String>, offset: usize, end: usize) -> SyntaxProblem {
    SyntaxProblem::Error {
        message: message.into(),
        offset: offset + 1,
        end: end + 1,
    }
}

/// A character the tokenizer has no token for, as CPython 3.11 reads it: one of Python's own
/// operators or delimiters that the console does not run (`;`, `@`, `|`, `{`...) is socklab's
/// refusal, since the line is valid Python; a line continuation with more after it, an ASCII
/// character Python has no use for (`$`, `?`, a lone `!`) and any other character are the
/// SyntaxErrors CPython prints for them.
fn unknown_character(chars: &[char], i: usize) -> SyntaxProblem {
    let c = chars[i];
    match c {
        ';' => SyntaxProblem::Refused(Refusal::Semicolon),
        '@' | '~' | '^' | '&' | '|' | '{' | '}' => SyntaxProblem::Refused(Refusal::Operator),
        '\\' if chars[i + 1..].iter().all(|c| c.is_whitespace()) => {
            SyntaxProblem::Refused(Refusal::Other)
        }
        '\\' => error(
            "unexpected character after line continuation character",
            i + 1,
            i + 2,
        ),
        c if c.is_ascii() => error("invalid syntax", i, i + 1),
        c => error(
            format!("invalid character '{c}' (U+{:04X})", u32::from(c)),
            i,
            i + 1,
        ),
    }
}

/// The tokens of a line; positions are character columns.
fn tokenize(line: &str) -> Result<Vec<Token>, SyntaxProblem> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut depth: Vec<(char, usize)> = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\t' {
            i += 1;
            continue;
        }
        if c == '#' {
            break;
        }
        let start = i;
        if c.is_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let quote = chars.get(i).filter(|q| **q == '\'' || **q == '"');
            let prefix = word.to_ascii_lowercase();
            if quote.is_some() && matches!(prefix.as_str(), "b" | "r" | "u" | "br" | "rb") {
                let end = string_end(&chars, i, prefix.contains('r'))
                    .ok_or_else(|| unterminated(&chars, start))?;
                out.push(literal(&chars, start, end)?);
                i = end;
                continue;
            }
            if quote.is_some() && prefix.contains('f') && prefix.len() <= 2 {
                return Err(SyntaxProblem::Refused(Refusal::FString));
            }
            out.push(Token {
                tok: Tok::Name(word),
                start,
                end: i,
            });
            continue;
        }
        if c == '\'' || c == '"' {
            let end = string_end(&chars, i, false).ok_or_else(|| unterminated(&chars, start))?;
            out.push(literal(&chars, start, end)?);
            i = end;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            i = number_end(&chars, i);
            out.push(literal(&chars, start, i)?);
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        if rest == "<<" || rest == ">>" {
            // Python's shifts, which the console does not run.
            return Err(SyntaxProblem::Refused(Refusal::Operator));
        }
        let Some(op) = OPS
            .iter()
            .chain([">"].iter())
            .find(|op| rest.starts_with(**op))
        else {
            return Err(unknown_character(&chars, i));
        };
        i += op.chars().count();
        match *op {
            "(" | "[" => depth.push((c, start)),
            ")" | "]" => {
                let open = if c == ')' { '(' } else { '[' };
                match depth.pop() {
                    Some((o, _)) if o == open => {}
                    Some((o, _)) => {
                        return Err(error(
                            format!(
                                "closing parenthesis '{c}' does not match opening parenthesis '{o}'"
                            ),
                            start,
                            start + 1,
                        ))
                    }
                    None => return Err(error(format!("unmatched '{c}'"), start, start + 1)),
                }
            }
            _ => {}
        }
        out.push(Token {
            tok: Tok::Op(op),
            start,
            end: i,
        });
    }
    if let Some((o, at)) = depth.first() {
        return Err(error(format!("'{o}' was never closed"), *at, *at + 1));
    }
    out.push(Token {
        tok: Tok::End,
        start: chars.len(),
        end: chars.len() + 1,
    });
    Ok(out)
}

fn unterminated(chars: &[char], start: usize) -> SyntaxProblem {
    error(
        "unterminated string literal (detected at line 1)",
        start,
        chars.len().max(start + 1),
    )
}

/// The index past a string literal whose quote is at `q`.
fn string_end(chars: &[char], q: usize, raw: bool) -> Option<usize> {
    let quote = chars[q];
    let mut i = q + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    let _ = raw;
    None
}

fn number_end(chars: &[char], mut i: usize) -> usize {
    let based = chars[i] == '0' && chars.get(i + 1).is_some_and(|c| "xXoObB".contains(*c));
    if based {
        i += 2;
        while i < chars.len() && (chars[i].is_ascii_hexdigit() || chars[i] == '_') {
            i += 1;
        }
        return i;
    }
    while i < chars.len() {
        let c = chars[i];
        let exp_sign = (c == '+' || c == '-') && i > 0 && matches!(chars[i - 1], 'e' | 'E');
        if c.is_ascii_digit() || c == '_' || c == '.' || c == 'e' || c == 'E' || exp_sign {
            i += 1;
        } else {
            break;
        }
    }
    i
}

fn literal(chars: &[char], start: usize, end: usize) -> Result<Token, SyntaxProblem> {
    let text: String = chars[start..end].iter().collect();
    let text = match text.strip_prefix(['u', 'U']) {
        Some(rest) if rest.starts_with(['\'', '"']) => rest.to_owned(),
        _ => text,
    };
    match pyliteral::parse(&text) {
        Ok(v) => Ok(Token {
            tok: Tok::Lit(v),
            start,
            end,
        }),
        Err(e) => Err(error(e.message, start, end)),
    }
}

struct Parser {
    toks: Vec<Token>,
    at: usize,
}

type Parsed<T> = Result<T, SyntaxProblem>;

/// A call's positional and keyword arguments.
type CallArgs = (Vec<Expr>, Vec<(String, Expr)>);

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.at].tok
    }

    fn here(&self) -> &Token {
        &self.toks[self.at]
    }

    fn next(&mut self) -> Tok {
        let t = self.toks[self.at].tok.clone();
        if self.at + 1 < self.toks.len() {
            self.at += 1;
        }
        t
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if n == word)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let yes = self.is_op(op);
        if yes {
            self.next();
        }
        yes
    }

    fn eat_word(&mut self, word: &str) -> bool {
        let yes = self.is_word(word);
        if yes {
            self.next();
        }
        yes
    }

    /// CPython's plain `invalid syntax`, marking the token here.
    fn invalid(&self) -> SyntaxProblem {
        let t = self.here();
        error("invalid syntax", t.start, t.end)
    }

    fn expect_op(&mut self, op: &str) -> Parsed<()> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(self.invalid())
        }
    }

    fn name(&mut self) -> Parsed<String> {
        match self.peek().clone() {
            Tok::Name(n) if !KEYWORDS.contains(&n.as_str()) => {
                self.next();
                Ok(n)
            }
            _ => Err(self.invalid()),
        }
    }

    fn dotted(&mut self) -> Parsed<String> {
        let mut name = self.name()?;
        while self.eat_op(".") {
            name.push('.');
            name.push_str(&self.name()?);
        }
        Ok(name)
    }

    fn statement(&mut self) -> Parsed<Stmt> {
        if matches!(self.peek(), Tok::End) {
            return Ok(Stmt::Nothing);
        }
        if let Tok::Name(word) = self.peek().clone() {
            if let Some(refusal) = refused_keyword(&word) {
                return Err(SyntaxProblem::Refused(refusal));
            }
            match word.as_str() {
                "import" => {
                    self.next();
                    let mut names = vec![self.dotted()?];
                    while self.eat_op(",") {
                        names.push(self.dotted()?);
                    }
                    return self.end(Stmt::Import(names));
                }
                "from" => {
                    self.next();
                    let module = self.dotted()?;
                    if !self.eat_word("import") {
                        return Err(self.invalid());
                    }
                    if self.eat_op("*") {
                        return self.end(Stmt::FromImport {
                            module,
                            names: None,
                        });
                    }
                    let paren = self.eat_op("(");
                    let mut names = vec![self.name()?];
                    while self.eat_op(",") {
                        if paren && self.is_op(")") {
                            break;
                        }
                        names.push(self.name()?);
                    }
                    if paren {
                        self.expect_op(")")?;
                    }
                    return self.end(Stmt::FromImport {
                        module,
                        names: Some(names),
                    });
                }
                "pass" => {
                    self.next();
                    return self.end(Stmt::Pass);
                }
                "del" => {
                    self.next();
                    let mut names = vec![self.name()?];
                    while self.eat_op(",") {
                        names.push(self.name()?);
                    }
                    return self.end(Stmt::Del(names));
                }
                _ => {}
            }
        }
        if let (Tok::Name(n), Some(next)) = (self.peek().clone(), self.toks.get(self.at + 1)) {
            if n == "print" && matches!(next.tok, Tok::Lit(_) | Tok::Name(_)) {
                let start = self.here().start;
                let end = self.toks[self.toks.len() - 1].start;
                return Err(error(
                    "Missing parentheses in call to 'print'. Did you mean print(...)?",
                    start,
                    end,
                ));
            }
        }
        let start = self.here().start;
        let first = self.expr_list()?;
        let mut spans = vec![(start, self.last_end())];
        if !self.is_op("=") {
            if self.is_op("**") {
                return Err(SyntaxProblem::Refused(Refusal::Operator));
            }
            if self.is_op("+=") || self.is_op("-=") || self.is_op(":=") {
                return Err(SyntaxProblem::Refused(Refusal::Other));
            }
            return self.end(Stmt::Expr(first));
        }
        let mut parts = vec![first];
        while self.eat_op("=") {
            let start = self.here().start;
            parts.push(self.expr_list()?);
            spans.push((start, self.last_end()));
        }
        let value = parts.pop().unwrap_or(Expr::Lit(PyValue::None));
        let targets = parts
            .iter()
            .zip(&spans)
            .map(|(e, span)| target(e, *span))
            .collect::<Parsed<Vec<_>>>()?;
        self.end(Stmt::Assign { targets, value })
    }

    /// Where the token just read ends.
    fn last_end(&self) -> usize {
        self.toks[self.at.saturating_sub(1)].end
    }

    fn end(&mut self, stmt: Stmt) -> Parsed<Stmt> {
        match self.peek() {
            Tok::End => Ok(stmt),
            Tok::Op(":") => Err(SyntaxProblem::Refused(Refusal::Other)),
            Tok::Op("**") => Err(SyntaxProblem::Refused(Refusal::Operator)),
            _ => Err(self.invalid()),
        }
    }

    /// `a, b, c`: a tuple when there is a comma, the one expression otherwise.
    fn expr_list(&mut self) -> Parsed<Expr> {
        let first = self.expr()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.at_expr_end() {
                break;
            }
            items.push(self.expr()?);
        }
        Ok(Expr::Tuple(items))
    }

    fn at_expr_end(&self) -> bool {
        matches!(self.peek(), Tok::End | Tok::Op("=" | ")" | "]"))
    }

    fn expr(&mut self) -> Parsed<Expr> {
        if self.is_word("lambda") {
            return Err(SyntaxProblem::Refused(Refusal::Definition));
        }
        let mut left = self.and_test()?;
        while self.eat_word("or") {
            let right = self.and_test()?;
            left = Expr::Logic(false, Box::new(left), Box::new(right));
        }
        if self.is_word("if") {
            return Err(SyntaxProblem::Refused(Refusal::Conditional));
        }
        if self.is_word("for") {
            return Err(SyntaxProblem::Refused(Refusal::Loop));
        }
        Ok(left)
    }

    fn and_test(&mut self) -> Parsed<Expr> {
        let mut left = self.not_test()?;
        while self.eat_word("and") {
            let right = self.not_test()?;
            left = Expr::Logic(true, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not_test(&mut self) -> Parsed<Expr> {
        if self.eat_word("not") {
            return Ok(Expr::Not(Box::new(self.not_test()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Parsed<Expr> {
        let left = self.arith()?;
        let mut links = Vec::new();
        loop {
            let op = match self.peek() {
                Tok::Op("==") => CmpOp::Eq,
                Tok::Op("!=") => CmpOp::Ne,
                Tok::Op("<") => CmpOp::Lt,
                Tok::Op("<=") => CmpOp::Le,
                Tok::Op(">") => CmpOp::Gt,
                Tok::Op(">=") => CmpOp::Ge,
                Tok::Name(n) if n == "in" => CmpOp::In,
                Tok::Name(n) if n == "is" => CmpOp::Is,
                Tok::Name(n) if n == "not" => CmpOp::NotIn,
                _ => break,
            };
            self.next();
            let op = match op {
                CmpOp::NotIn => {
                    if !self.eat_word("in") {
                        return Err(self.invalid());
                    }
                    CmpOp::NotIn
                }
                CmpOp::Is if self.eat_word("not") => CmpOp::IsNot,
                op => op,
            };
            links.push((op, self.arith()?));
        }
        if links.is_empty() {
            Ok(left)
        } else {
            Ok(Expr::Compare(Box::new(left), links))
        }
    }

    fn arith(&mut self) -> Parsed<Expr> {
        let mut left = self.term()?;
        loop {
            let op = if self.eat_op("+") {
                BinOp::Add
            } else if self.eat_op("-") {
                BinOp::Sub
            } else {
                return Ok(left);
            };
            left = Expr::Bin(op, Box::new(left), Box::new(self.term()?));
        }
    }

    fn term(&mut self) -> Parsed<Expr> {
        let mut left = self.factor()?;
        loop {
            let op = if self.eat_op("*") {
                BinOp::Mul
            } else if self.eat_op("//") {
                BinOp::FloorDiv
            } else if self.eat_op("/") {
                BinOp::Div
            } else if self.eat_op("%") {
                BinOp::Mod
            } else {
                return Ok(left);
            };
            left = Expr::Bin(op, Box::new(left), Box::new(self.factor()?));
        }
    }

    fn factor(&mut self) -> Parsed<Expr> {
        if self.eat_op("-") {
            return Ok(Expr::Neg(Box::new(self.factor()?), true));
        }
        if self.eat_op("+") {
            return Ok(Expr::Neg(Box::new(self.factor()?), false));
        }
        let value = self.postfix()?;
        if self.is_op("**") {
            return Err(SyntaxProblem::Refused(Refusal::Operator));
        }
        Ok(value)
    }

    fn postfix(&mut self) -> Parsed<Expr> {
        let mut value = self.atom()?;
        loop {
            if self.eat_op(".") {
                let name = self.name()?;
                value = Expr::Attr(Box::new(value), name);
            } else if self.eat_op("(") {
                let (args, kwargs) = self.call_args()?;
                value = Expr::Call {
                    func: Box::new(value),
                    args,
                    kwargs,
                };
            } else if self.eat_op("[") {
                value = self.subscript(value)?;
            } else {
                return Ok(value);
            }
        }
    }

    fn call_args(&mut self) -> Parsed<CallArgs> {
        let mut args = Vec::new();
        let mut kwargs: Vec<(String, Expr)> = Vec::new();
        while !self.eat_op(")") {
            let keyword = match (
                self.peek().clone(),
                &self.toks.get(self.at + 1).map(|t| &t.tok),
            ) {
                (Tok::Name(n), Some(Tok::Op("="))) if !KEYWORDS.contains(&n.as_str()) => Some(n),
                _ => None,
            };
            if let Some(key) = keyword {
                self.next();
                self.next();
                kwargs.push((key, self.expr()?));
            } else {
                if !kwargs.is_empty() {
                    let t = self.here().clone();
                    let value = self.expr()?;
                    let _ = value;
                    return Err(error(
                        "positional argument follows keyword argument",
                        t.start,
                        self.here().start,
                    ));
                }
                if self.is_op("*") {
                    return Err(SyntaxProblem::Refused(Refusal::Other));
                }
                args.push(self.expr()?);
            }
            if !self.eat_op(",") {
                self.expect_op(")")?;
                break;
            }
        }
        Ok((args, kwargs))
    }

    fn subscript(&mut self, value: Expr) -> Parsed<Expr> {
        let start = if self.is_op(":") {
            None
        } else {
            Some(Box::new(self.expr()?))
        };
        if self.eat_op("]") {
            return match start {
                Some(index) => Ok(Expr::Index(Box::new(value), index)),
                None => Err(self.invalid()),
            };
        }
        self.expect_op(":")?;
        let stop = if self.is_op("]") {
            None
        } else {
            Some(Box::new(self.expr()?))
        };
        if self.is_op(":") {
            return Err(SyntaxProblem::Refused(Refusal::Other));
        }
        self.expect_op("]")?;
        Ok(Expr::Slice(Box::new(value), start, stop))
    }

    fn atom(&mut self) -> Parsed<Expr> {
        match self.peek().clone() {
            Tok::Lit(v) => {
                self.next();
                // Adjacent string literals are one: 'a' 'b' is 'ab'.
                let mut v = v;
                while let Tok::Lit(next) = self.peek().clone() {
                    v = match (v, next) {
                        (PyValue::Str(a), PyValue::Str(b)) => PyValue::Str(a + &b),
                        (PyValue::Bytes(mut a), PyValue::Bytes(b)) => {
                            a.extend(b);
                            PyValue::Bytes(a)
                        }
                        (PyValue::Str(_), PyValue::Bytes(_))
                        | (PyValue::Bytes(_), PyValue::Str(_)) => {
                            let t = self.here();
                            return Err(error(
                                "cannot mix bytes and nonbytes literals",
                                t.start,
                                t.end,
                            ));
                        }
                        _ => return Err(self.invalid()),
                    };
                    self.next();
                }
                Ok(Expr::Lit(v))
            }
            Tok::Name(n) => match n.as_str() {
                "True" | "False" | "None" => {
                    self.next();
                    Ok(Expr::Lit(pyliteral::parse(&n).unwrap_or(PyValue::None)))
                }
                "lambda" => Err(SyntaxProblem::Refused(Refusal::Definition)),
                "await" | "yield" => Err(SyntaxProblem::Refused(Refusal::Other)),
                _ => Ok(Expr::Name(self.name()?)),
            },
            Tok::Op("(") => {
                self.next();
                if self.eat_op(")") {
                    return Ok(Expr::Tuple(Vec::new()));
                }
                let first = self.expr()?;
                if self.eat_op(")") {
                    return Ok(first);
                }
                let mut items = vec![first];
                while self.eat_op(",") {
                    if self.is_op(")") {
                        break;
                    }
                    items.push(self.expr()?);
                }
                if self.is_word("for") {
                    return Err(SyntaxProblem::Refused(Refusal::Loop));
                }
                self.expect_op(")")?;
                Ok(Expr::Tuple(items))
            }
            Tok::Op("[") => {
                self.next();
                let mut items = Vec::new();
                while !self.eat_op("]") {
                    items.push(self.expr()?);
                    if !self.eat_op(",") {
                        self.expect_op("]")?;
                        break;
                    }
                }
                Ok(Expr::List(items))
            }
            _ => Err(self.invalid()),
        }
    }
}

fn refused_keyword(word: &str) -> Option<Refusal> {
    Some(match word {
        "for" | "while" | "break" | "continue" => Refusal::Loop,
        "if" | "elif" | "else" => Refusal::Conditional,
        "def" | "class" | "return" | "lambda" | "async" | "global" | "nonlocal" => {
            Refusal::Definition
        }
        "with" => Refusal::With,
        "try" | "except" | "finally" | "raise" | "assert" => Refusal::Exceptions,
        _ => return None,
    })
}

/// An assignment's left side, or CPython's SyntaxError for one that cannot be assigned to;
/// `span` is where the target was written.
fn target(e: &Expr, span: (usize, usize)) -> Parsed<Target> {
    let (start, end) = span;
    let cannot = |what: &str| {
        Err(error(
            format!("cannot assign to {what} here. Maybe you meant '==' instead of '='?"),
            start,
            end,
        ))
    };
    match e {
        Expr::Name(n) => Ok(Target::Name(n.clone())),
        Expr::Tuple(items) | Expr::List(items) => Ok(Target::Tuple(
            items
                .iter()
                .map(|i| target(i, span))
                .collect::<Parsed<_>>()?,
        )),
        Expr::Attr(..) | Expr::Index(..) | Expr::Slice(..) => {
            Err(SyntaxProblem::Refused(Refusal::Other))
        }
        Expr::Lit(PyValue::None | PyValue::Bool(_)) => {
            Err(error("cannot assign to literal", start, end))
        }
        Expr::Lit(_) => cannot("literal"),
        Expr::Call { .. } => cannot("function call"),
        _ => cannot("expression"),
    }
}

/// Reads one line of the console.
///
/// ```
/// use socklab_core::console::syntax::{parse_line, Stmt, Target};
/// let Stmt::Assign { targets, .. } = parse_line("conn, addr = srv.accept()").unwrap() else {
///     panic!()
/// };
/// assert_eq!(targets, vec![Target::Tuple(vec![Target::Name("conn".into()), Target::Name("addr".into())])]);
/// ```
pub fn parse_line(line: &str) -> Result<Stmt, SyntaxProblem> {
    if line.starts_with([' ', '\t']) && !line.trim().is_empty() {
        let n = line.chars().take_while(|c| *c == ' ' || *c == '\t').count();
        return Err(error("unexpected indent", n, n + 1));
    }
    let toks = tokenize(line)?;
    let mut p = Parser { toks, at: 0 };
    p.statement()
}
