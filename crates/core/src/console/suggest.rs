//! CPython 3.11's "Did you mean" (Python/suggestions.c): the closest name by a Levenshtein
//! distance where a case change costs 1 and any other edit 2, among at most 750 candidates,
//! for a wrong name of at most 40 characters, within a third of the characters involved.

const MAX_CANDIDATE_ITEMS: usize = 750;
const MAX_STRING_SIZE: usize = 40;
const MOVE_COST: usize = 2;
const CASE_COST: usize = 1;

fn substitution_cost(a: u8, b: u8) -> usize {
    if a == b {
        0
    } else if a.eq_ignore_ascii_case(&b) {
        CASE_COST
    } else {
        MOVE_COST
    }
}

/// `levenshtein_distance` of suggestions.c: `max_cost + 1` as soon as it must exceed it.
fn distance(a: &[u8], b: &[u8], max_cost: usize) -> usize {
    if a == b {
        return 0;
    }
    // Trim away the common prefix and suffix.
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (mut a, mut b) = (&a[pre..], &b[pre..]);
    let suf = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    a = &a[..a.len() - suf];
    b = &b[..b.len() - suf];
    if a.is_empty() || b.is_empty() {
        return (a.len() + b.len()) * MOVE_COST;
    }
    if a.len() > MAX_STRING_SIZE || b.len() > MAX_STRING_SIZE {
        return max_cost + 1;
    }
    if b.len() < a.len() {
        std::mem::swap(&mut a, &mut b);
    }
    if (b.len() - a.len()) * MOVE_COST > max_cost {
        return max_cost + 1;
    }
    let mut buffer: Vec<usize> = (1..=a.len()).map(|i| i * MOVE_COST).collect();
    let mut result = 0;
    for (b_index, &code) in b.iter().enumerate() {
        let mut distance = b_index * MOVE_COST;
        result = distance;
        let mut minimum = usize::MAX;
        for (index, &ac) in a.iter().enumerate() {
            let substitute = distance + substitution_cost(code, ac);
            distance = buffer[index];
            let insert_delete = result.min(distance) + MOVE_COST;
            result = insert_delete.min(substitute);
            buffer[index] = result;
            minimum = minimum.min(result);
        }
        if minimum > max_cost {
            return max_cost + 1;
        }
    }
    result
}

/// The name CPython would suggest for `wrong` among `candidates`, in their order.
///
/// ```
/// use socklab_core::console::suggest::suggestion;
/// assert_eq!(suggestion("AF_INT", ["AF_INET", "AF_INET6"]), Some("AF_INET"));
/// assert_eq!(suggestion("recieve", ["recv", "send"]), None);
/// ```
pub fn suggestion<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    if candidates.len() >= MAX_CANDIDATE_ITEMS {
        return None;
    }
    let mut best_distance = usize::MAX;
    let mut best = None;
    for name in candidates {
        if name == wrong {
            continue;
        }
        let max =
            ((name.len() + wrong.len() + 3) * MOVE_COST / 6).min(best_distance.saturating_sub(1));
        let d = distance(wrong.as_bytes(), name.as_bytes(), max);
        if d > max {
            continue;
        }
        if best.is_none() || d < best_distance {
            best = Some(name);
            best_distance = d;
        }
    }
    best
}
