//! Classroom mode's one shared thing: who is in the class, and the links the teacher shows it.
//!
//! Each teacher and student session takes a [`Seat`] after its hello, holding a sender into its
//! own outbox; dropping the seat (however the session ends) leaves the class. Only links travel
//! between sessions, never sockets: a student's sockets stay in that student's session.
//!
//! - A student follows the teacher from the start and may stop ([`Seat::follow`]).
//! - Only a teacher's seat shows the class a link ([`Seat::show`]), a link that passed core's
//!   [`check_link`], at most [`PUSHES`] in [`PUSH_WINDOW`]; it goes to the students who follow.
//! - Every member is told how many students there are, and how many follow, when that changes.
//!
//! Messages to other sessions are offered, never awaited: a student page that stops reading
//! misses an update instead of holding up the teacher. A leaf: it names no other module.

use socklab_core::protocol::link::check_link;
use socklab_core::protocol::{ErrorCode, Role, ServerMessage};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc::Sender;
use tokio::time::Instant;

/// How many links a teacher may show within [`PUSH_WINDOW`]: a click now and then, not a flood
/// that would make every student's page jump.
pub(crate) const PUSHES: usize = 5;

/// The window [`PUSHES`] counts in.
pub(crate) const PUSH_WINDOW: Duration = Duration::from_secs(10);

/// Who is in the class.
#[derive(Debug, Default)]
pub(crate) struct Classroom {
    members: Mutex<Members>,
}

#[derive(Debug, Default)]
struct Members {
    next: u64,
    list: Vec<Member>,
}

#[derive(Debug)]
struct Member {
    key: u64,
    role: Role,
    following: bool,
    outbox: Sender<ServerMessage>,
}

impl Members {
    /// The class as every member is told it.
    fn count(&self) -> ServerMessage {
        let students = self.list.iter().filter(|m| m.role == Role::Student);
        let (mut all, mut following) = (0, 0);
        for m in students {
            all += 1;
            following += u32::from(m.following);
        }
        ServerMessage::Class {
            students: all,
            following,
        }
    }

    /// Tells every member how the class stands now.
    fn announce(&self) {
        let count = self.count();
        for m in &self.list {
            let _ = m.outbox.try_send(count.clone());
        }
    }
}

impl Classroom {
    fn members(&self) -> std::sync::MutexGuard<'_, Members> {
        // A panic elsewhere cannot leave the list half-changed: every change is one push or
        // one retain. Go on with it.
        self.members.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A session of `role` joins the class (a student following the teacher); everyone,
    /// itself included, is told the new count.
    pub(crate) fn join(self: &Arc<Self>, role: Role, outbox: Sender<ServerMessage>) -> Seat {
        let mut members = self.members();
        members.next += 1;
        let key = members.next;
        members.list.push(Member {
            key,
            role,
            following: role == Role::Student,
            outbox,
        });
        members.announce();
        Seat {
            classroom: Arc::clone(self),
            key,
            role,
            shown: VecDeque::new(),
        }
    }
}

/// A session's place in the class; leaving it (dropping) tells the others.
#[derive(Debug)]
pub(crate) struct Seat {
    classroom: Arc<Classroom>,
    key: u64,
    role: Role,
    /// When this teacher last showed links, for the rate limit.
    shown: VecDeque<Instant>,
}

/// Why a classroom request was refused: the error code and what to do.
pub(crate) type Refused = (ErrorCode, String);

impl Seat {
    /// A student follows the teacher again, or stops.
    pub(crate) fn follow(&self, on: bool) -> Result<(), Refused> {
        if self.role != Role::Student {
            return Err((
                ErrorCode::NotAllowed,
                "only a student's page follows the teacher".to_owned(),
            ));
        }
        let mut members = self.classroom.members();
        let Some(me) = members.list.iter_mut().find(|m| m.key == self.key) else {
            return Ok(());
        };
        // Saying it again changes nothing, and tells nobody.
        if me.following != on {
            me.following = on;
            members.announce();
        }
        Ok(())
    }

    /// The teacher shows the class `link`: it goes to every student who follows. Returns how
    /// many were sent it.
    pub(crate) fn show(&mut self, link: &str) -> Result<u32, Refused> {
        if self.role != Role::Teacher {
            return Err((
                ErrorCode::NotAllowed,
                "only the teacher's page can show the class a link: it needs the teacher's \
                 token, which works only on the machine that runs socklab"
                    .to_owned(),
            ));
        }
        let checked = check_link(link).map_err(|e| (ErrorCode::BadLink, e.to_string()))?;
        let now = Instant::now();
        while self
            .shown
            .front()
            .is_some_and(|t| now.duration_since(*t) >= PUSH_WINDOW)
        {
            self.shown.pop_front();
        }
        if self.shown.len() >= PUSHES {
            return Err((
                ErrorCode::RateLimited,
                format!(
                    "at most {PUSHES} links in {} s may be shown to the class: wait a moment",
                    PUSH_WINDOW.as_secs()
                ),
            ));
        }
        self.shown.push_back(now);
        let show = ServerMessage::Show {
            link: format!("{}{}", checked.path, checked.query),
        };
        let members = self.classroom.members();
        let mut sent = 0;
        for m in members.list.iter().filter(|m| m.role == Role::Student) {
            if m.following && m.outbox.try_send(show.clone()).is_ok() {
                sent += 1;
            }
        }
        Ok(sent)
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        let mut members = self.classroom.members();
        members.list.retain(|m| m.key != self.key);
        members.announce();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc::{channel, Receiver};

    fn drain(rx: &mut Receiver<ServerMessage>) -> Vec<ServerMessage> {
        let mut out = Vec::new();
        while let Ok(m) = rx.try_recv() {
            out.push(m);
        }
        out
    }

    fn class(students: u32, following: u32) -> ServerMessage {
        ServerMessage::Class {
            students,
            following,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn links_reach_followers_and_pushes_are_limited() {
        let room = Arc::new(Classroom::default());
        let (ttx, mut trx) = channel(64);
        let (atx, mut arx) = channel(64);
        let (btx, mut brx) = channel(64);
        let mut teacher = room.join(Role::Teacher, ttx);
        let a = room.join(Role::Student, atx);
        let b = room.join(Role::Student, btx);
        assert_eq!(drain(&mut trx), vec![class(0, 0), class(1, 1), class(2, 2)]);
        assert_eq!(drain(&mut arx), vec![class(1, 1), class(2, 2)]);
        b.follow(false).unwrap();
        b.follow(false).unwrap();
        assert_eq!(drain(&mut brx), vec![class(2, 2), class(2, 1)]);
        drain(&mut arx);
        assert_eq!(teacher.show("/struct?f=%3EH"), Ok(1));
        let shown = ServerMessage::Show {
            link: "/struct?f=%3EH".to_owned(),
        };
        assert_eq!(drain(&mut arx), vec![shown]);
        assert_eq!(drain(&mut brx), vec![]);
        assert_eq!(
            teacher.show("//evil.example").unwrap_err().0,
            ErrorCode::BadLink
        );
        // Only the teacher shows, only a student follows.
        let (stx, _srx) = channel(64);
        let mut student = room.join(Role::Student, stx);
        assert_eq!(
            student.show("/struct").unwrap_err().0,
            ErrorCode::NotAllowed
        );
        assert_eq!(teacher.follow(true).unwrap_err().0, ErrorCode::NotAllowed);
        drop(student);
        // Five links in ten seconds, then a wait.
        for _ in 1..PUSHES {
            assert_eq!(teacher.show("/text"), Ok(1));
        }
        assert_eq!(teacher.show("/text").unwrap_err().0, ErrorCode::RateLimited);
        tokio::time::advance(PUSH_WINDOW).await;
        assert_eq!(teacher.show("/text"), Ok(1));
        // Leaving tells the others.
        drain(&mut trx);
        drop(a);
        assert_eq!(drain(&mut trx), vec![class(1, 0)]);
        drop(b);
        assert_eq!(drain(&mut trx), vec![class(0, 0)]);
    }
}
