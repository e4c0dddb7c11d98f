//! Lookups by name, alias, number, class and words, and cross-system decoding.

use super::*;
use crate::lang::Lang;

#[track_caller]
fn check_name(query: &str, name: &str, number: i32) {
    let found = lookup(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    assert!(matches!(found, Found::Name(_)), "{query}: {found:?}");
    assert_eq!(
        (found.primary().name(), found.primary().number()),
        (name, number),
        "{query}"
    );
}

#[test]
fn names_ignore_case_and_aliases_resolve() {
    check_name("ECONNREFUSED", "ECONNREFUSED", 111);
    check_name("econnrefused", "ECONNREFUSED", 111);
    check_name("  EPipe ", "EPIPE", 32);
    check_name("EWOULDBLOCK", "EAGAIN", 11);
    check_name("EDEADLOCK", "EDEADLK", 35);
    check_name("ENOTSUP", "EOPNOTSUPP", 95);
    check_name("EHWPOISON", "EHWPOISON", 133);
    check_name("WSAECONNREFUSED", "ECONNREFUSED", 111);
    check_name("WSAEWOULDBLOCK", "EAGAIN", 11);
    check_name("EAI_NONAME", "EAI_NONAME", -2);
    check_name("eai_again", "EAI_AGAIN", -3);
    check_name("HOST_NOT_FOUND", "HOST_NOT_FOUND", 1);
}

#[test]
fn numbers_are_linux_first() {
    for (n, name) in [(111, "ECONNREFUSED"), (11, "EAGAIN"), (98, "EADDRINUSE")] {
        let found = lookup(&n.to_string()).unwrap();
        let Found::Number { readings, .. } = &found else {
            panic!("{n}: {found:?}")
        };
        assert_eq!(
            (readings[0].system, readings[0].name),
            (System::Linux, name)
        );
        assert_eq!(by_number(n).unwrap().name(), name);
    }
    assert_eq!(lookup("-2").unwrap().primary().name(), "EAI_NONAME");
    assert!(by_number(41).is_none());
    assert!(by_number(0).is_none());
}

#[test]
fn windows_10061_and_macos_61_are_econnrefused() {
    let refused = by_name("ECONNREFUSED").unwrap();
    let windows = decode(10061);
    assert_eq!(windows.len(), 1);
    assert_eq!(windows[0].system, System::Windows);
    assert_eq!(windows[0].name, "WSAECONNREFUSED");
    assert_eq!(windows[0].entry, CatalogEntry::Errno(refused));

    // 61 is ambiguous, and says so: ENODATA on Linux, ECONNREFUSED on macOS.
    let mac = decode(61);
    let readings: Vec<_> = mac.iter().map(|r| (r.system, r.name)).collect();
    assert_eq!(
        readings,
        [(System::Linux, "ENODATA"), (System::MacOs, "ECONNREFUSED")]
    );
    assert_eq!(mac[1].entry, CatalogEntry::Errno(refused));
    assert_eq!(
        lookup("10061").unwrap().primary(),
        CatalogEntry::Errno(refused)
    );
}

#[test]
fn ambiguity_is_reported_not_hidden() {
    // 35: EDEADLK on Linux, EAGAIN on macOS.
    let names: Vec<_> = decode(35).iter().map(|r| (r.system, r.name)).collect();
    assert_eq!(
        names,
        [(System::Linux, "EDEADLK"), (System::MacOs, "EAGAIN")]
    );
    // 41 means nothing on Linux but EPROTOTYPE on macOS.
    let names: Vec<_> = decode(41).iter().map(|r| (r.system, r.name)).collect();
    assert_eq!(names, [(System::MacOs, "EPROTOTYPE")]);
    // 45 and 102 are both EOPNOTSUPP's on macOS (ENOTSUP and EOPNOTSUPP).
    assert_eq!(decode(45)[1].name, "ENOTSUP");
    assert_eq!(decode(45)[1].entry.name(), "EOPNOTSUPP");
    // 11001 is EAI_NONAME and EAI_NODATA on Windows, which defines one as the other.
    let names: Vec<_> = decode(11001).iter().map(|r| r.entry.name()).collect();
    assert_eq!(names, ["EAI_NONAME", "EAI_NODATA"]);
    // 10047: a socket error and a getaddrinfo error on Windows.
    let names: Vec<_> = decode(10047).iter().map(|r| r.entry.name()).collect();
    assert_eq!(names, ["EAFNOSUPPORT", "EAI_FAMILY"]);
    // 8 on macOS is also getaddrinfo's EAI_NONAME ("nodename nor servname provided").
    assert!(decode(8)
        .iter()
        .any(|r| r.system == System::MacOs && r.entry.name() == "EAI_NONAME"));
}

#[test]
fn unknown_numbers_and_names_say_what_would_be_right() {
    assert_eq!(
        lookup("200"),
        Err(LookupError::UnknownNumber { number: 200 })
    );
    assert_eq!(
        lookup("99999999999"),
        Err(LookupError::UnknownNumber {
            number: 99_999_999_999
        })
    );
    assert_eq!(lookup(" "), Err(LookupError::Empty));
    let Err(LookupError::UnknownName { closest, .. }) = lookup("ECONREFUSED") else {
        panic!()
    };
    assert_eq!(closest[0], "ECONNREFUSED");
    let Err(LookupError::UnknownName {
        class,
        mentioned_by,
        ..
    }) = lookup("ConnectionResetError")
    else {
        panic!()
    };
    assert_eq!(class, Some(OsErrorClass::ConnectionResetError));
    assert_eq!(mentioned_by[0], "ECONNRESET");
    let Err(LookupError::UnknownName { mentioned_by, .. }) = lookup("refused") else {
        panic!()
    };
    assert_eq!(mentioned_by[0], "ECONNREFUSED");
}

#[test]
fn classes_and_their_entries() {
    let names =
        |entries: Vec<CatalogEntry>| entries.iter().map(CatalogEntry::name).collect::<Vec<_>>();
    assert_eq!(
        names(by_class(OsErrorClass::ConnectionRefusedError)),
        ["ECONNREFUSED"]
    );
    assert_eq!(
        names(by_class(OsErrorClass::BrokenPipeError)),
        ["EPIPE", "ESHUTDOWN"]
    );
    assert_eq!(
        names(by_class(OsErrorClass::PermissionError)),
        ["EPERM", "EACCES"]
    );
    assert_eq!(names(by_class(OsErrorClass::TimeoutError)), ["ETIMEDOUT"]);
    assert!(by_class(OsErrorClass::ConnectionError).is_empty());
    assert_eq!(by_class(OsErrorClass::Gaierror).len(), GAI_ERRORS.len());
    assert_eq!(by_class(OsErrorClass::Herror).len(), 4);
    assert_eq!(
        caught_by(OsErrorClass::OsError).len(),
        all_entries().count()
    );
    assert_eq!(
        OsErrorClass::from_name("socket.timeout")
            .map(by_class)
            .map(names),
        Some(vec!["ETIMEDOUT"])
    );
    assert_eq!(
        OsErrorClass::from_name("socket.error"),
        Some(OsErrorClass::OsError)
    );
    assert_eq!(
        OsErrorClass::from_name("IOError"),
        Some(OsErrorClass::OsError)
    );
    assert_eq!(OsErrorClass::from_name("KeyError"), None);
    assert_eq!(
        OsErrorClass::ConnectionError.children(),
        [
            OsErrorClass::BrokenPipeError,
            OsErrorClass::ConnectionAbortedError,
            OsErrorClass::ConnectionRefusedError,
            OsErrorClass::ConnectionResetError
        ]
    );
    assert_eq!(OsErrorClass::TimeoutError.aliases(), ["socket.timeout"]);
}

#[test]
fn words_in_chinese_and_english() {
    let first = |q: &str| search(q).first().map(CatalogEntry::name);
    assert_eq!(first("拒绝"), Some("ECONNREFUSED"));
    assert_eq!(first("连接被拒绝"), Some("ECONNREFUSED"));
    assert_eq!(first("重置"), Some("ECONNRESET"));
    assert_eq!(first("地址已被占用"), Some("EADDRINUSE"));
    assert_eq!(first("管道破裂"), Some("EPIPE"));
    assert_eq!(first("Connection refused"), Some("ECONNREFUSED"));
    assert_eq!(first("reset by peer"), Some("ECONNRESET"));
    assert_eq!(first("already in use"), Some("EADDRINUSE"));
    assert_eq!(first("broken pipe"), Some("EPIPE"));
    assert_eq!(first("ewouldblock"), Some("EAGAIN"));
    assert_eq!(first("WSAECONNRESET"), Some("ECONNRESET"));
    assert_eq!(first("temporary failure"), Some("EAI_AGAIN"));
    assert_eq!(first("name or service"), Some("EAI_NONAME"));
    assert_eq!(closest_names("EAI_NONAM", 1), ["EAI_NONAME"]);
    assert_eq!(closest_names("ECONREFUSED", 1), ["ECONNREFUSED"]);
    assert!(closest_names("XYZZY", 3).is_empty());
    // Several words: each must occur somewhere in the entry.
    assert_eq!(first("listen queue full"), Some("ETIMEDOUT"));
    assert!(search("no such words anywhere xyzzy").is_empty());
    assert!(search("").is_empty());
}

#[test]
fn os_error_lines() {
    assert_eq!(
        os_error_line(111),
        "ConnectionRefusedError: [Errno 111] Connection refused"
    );
    assert_eq!(os_error_line(0), "OSError: [Errno 0] Success");
    assert_eq!(os_error_line(-1), "OSError: [Errno -1] Unknown error -1");
    assert_eq!(
        os_error_line(110),
        "TimeoutError: [Errno 110] Connection timed out"
    );
    assert_eq!(
        gai_by_number(-2).unwrap().traceback_line(),
        "socket.gaierror: [Errno -2] Name or service not known"
    );
    assert!(!gai_by_name("EAI_SYSTEM").unwrap().raised_as_gaierror());
}

#[test]
fn winsock_codes_are_10000_plus_bsd_numbers() {
    for entry in errnos() {
        let (Some(mac), Some(win)) = (
            entry.codes_on(System::MacOs).first().copied(),
            entry.codes_on(System::Windows).first().copied(),
        ) else {
            continue;
        };
        if (35..=71).contains(&mac.number) {
            assert_eq!(win.number, 10000 + mac.number, "{}", entry.name());
        }
        assert!(win.name.starts_with("WSAE"), "{}", win.name);
    }
}

#[test]
fn the_socket_errors_all_have_lessons() {
    let lessons = check_lessons()
        .expect("compiled in")
        .unwrap_or_else(|e| panic!("crates/core/data/errno: {e}"));
    for name in [
        "ECONNREFUSED",
        "ECONNRESET",
        "EADDRINUSE",
        "ETIMEDOUT",
        "EAGAIN",
        "EPIPE",
        "ECONNABORTED",
        "EADDRNOTAVAIL",
        "ENETUNREACH",
        "EHOSTUNREACH",
        "EINPROGRESS",
        "EALREADY",
        "EISCONN",
        "ENOTCONN",
        "EMSGSIZE",
        "EAFNOSUPPORT",
        "EINVAL",
        "EACCES",
        "EINTR",
        "EBADF",
        "ENOTSOCK",
        "EPROTOTYPE",
        "EAI_NONAME",
        "EAI_AGAIN",
        "EAI_SERVICE",
        "EAI_FAMILY",
        "EAI_SOCKTYPE",
        "EAI_BADFLAGS",
        "EAI_NODATA",
        "EAI_ADDRFAMILY",
        "EAI_MEMORY",
        "EAI_FAIL",
        "EAI_SYSTEM",
    ] {
        let lesson = lookup(name).unwrap().primary().lesson();
        let lesson = lesson.unwrap_or_else(|| panic!("{name} has no lesson"));
        assert!(lessons.iter().any(|l| l.name == name));
        for lang in Lang::ALL {
            let text = lesson.text(lang);
            assert!(!text.summary.is_empty() && !text.explanation.is_empty());
        }
    }
    // Every example keeps to loopback.
    for lesson in &lessons {
        for word in lesson.example.split(['"', '\'']) {
            let looks_like_address =
                word.split('.').count() == 4 && word.split('.').all(|p| p.parse::<u8>().is_ok());
            assert!(
                !looks_like_address || word.starts_with("127."),
                "{}: {word}",
                lesson.name
            );
        }
    }
}

#[test]
fn a_missing_field_in_either_language_is_an_error() {
    let examples = "[EPIPE]\ncalls = send()\nruns = yes\n    import socket\n";
    let full = "EPIPE.summary = s\nEPIPE.explanation = e\nEPIPE.cause = c\nEPIPE.fix = f\nEPIPE.platforms = p\n";
    assert!(parse_lessons(examples, full, full).is_ok());
    for line in full.lines() {
        let partial: String = full
            .lines()
            .filter(|l| *l != line)
            .map(|l| format!("{l}\n"))
            .collect();
        let field = line.split(['.', ' ']).nth(1).unwrap();
        let en = parse_lessons(examples, &partial, full)
            .unwrap_err()
            .to_string();
        assert!(en.contains("en.txt") && en.contains(field), "{en}");
        let zh = parse_lessons(examples, full, &partial)
            .unwrap_err()
            .to_string();
        assert!(zh.contains("zh-CN.txt") && zh.contains(field), "{zh}");
    }
    let two_causes = full.replace("EPIPE.fix", "EPIPE.cause = c2\nEPIPE.fix");
    assert!(parse_lessons(examples, &two_causes, full)
        .unwrap_err()
        .to_string()
        .contains("2 cause lines in en.txt but 1 in zh-CN.txt"));
    assert!(parse_lessons("[EWOULDBLOCK]\n", full, full).is_err());
    assert!(parse_lessons(
        examples,
        &full.replace("EPIPE.", "EPIPE.colour = x\nEPIPE."),
        full
    )
    .is_err());
}
