//! "Did you mean ...?": the closest known name to a misspelt one.

/// The candidate closest to `target` by edit distance, if it is close enough to be a
/// plausible typo: at most one edit for short names, a third of the length for long ones.
/// Ties go to the alphabetically first candidate, so messages are stable.
pub(crate) fn closest<'a>(
    target: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let budget = (target.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == target {
            continue;
        }
        let distance = if candidate.eq_ignore_ascii_case(target) {
            0
        } else {
            edit_distance(target, candidate)
        };
        if distance > budget {
            continue;
        }
        best = match best {
            Some((d, name)) if (d, name) <= (distance, candidate) => Some((d, name)),
            _ => Some((distance, candidate)),
        };
    }
    best.map(|(_, name)| name)
}

/// Damerau-Levenshtein distance (optimal string alignment): insertions, deletions,
/// substitutions and swaps of two neighbours each cost one.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in rows.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i * width] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (rows[(i - 1) * width + j] + 1)
                .min(rows[i * width + j - 1] + 1)
                .min(rows[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(rows[(i - 2) * width + j - 2] + 1);
            }
            rows[i * width + j] = value;
        }
    }
    rows[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("upper", "uper"), 1);
        assert_eq!(edit_distance("name", "nmae"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("é", "e"), 1);
    }

    #[test]
    fn picks_a_close_candidate_only() {
        let names = ["upper", "lower", "urlencode", "title"];
        assert_eq!(closest("uper", names), Some("upper"));
        assert_eq!(closest("UPPER", names), Some("upper"));
        assert_eq!(closest("tilte", names), Some("title"));
        assert_eq!(closest("zzzzz", names), None);
        assert_eq!(
            closest("upper", names),
            None,
            "an exact match is not a suggestion"
        );
    }

    #[test]
    fn ties_are_alphabetical() {
        assert_eq!(closest("bat", ["cat", "bar"]), Some("bar"));
        assert_eq!(closest("bat", ["bar", "cat"]), Some("bar"));
    }
}
