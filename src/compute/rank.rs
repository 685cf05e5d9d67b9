//! Ranking within a group (SPEC §3): the best key is 1, tied keys share the best rank, and
//! the next rank is 1, 2, 2, 4 (`competition`, as Excel's RANK.EQ) or 1, 2, 2, 3 (`dense`,
//! 中式排名). One function for the monthly ranks and the assessment's final order.

use crate::config::TieRule;

/// The rank of each key among `keys`, the smallest key first (wrap a key in
/// [`std::cmp::Reverse`] to rank the largest first); a `None` key gets no rank.
pub fn ranks<K: Ord>(keys: &[Option<K>], tie: TieRule) -> Vec<Option<u32>> {
    let mut order: Vec<usize> = (0..keys.len()).filter(|&i| keys[i].is_some()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut out = vec![None; keys.len()];
    let (mut rank, mut distinct) = (0, 0);
    for (pos, &i) in order.iter().enumerate() {
        if pos == 0 || keys[order[pos - 1]] != keys[i] {
            distinct += 1;
            rank = match tie {
                TieRule::Competition => pos as u32 + 1,
                TieRule::Dense => distinct,
            };
        }
        out[i] = Some(rank);
    }
    out
}

/// [`ranks`] within each part: `part[i]` names the group of row `i`.
pub fn ranks_within<K: Ord + Clone>(
    part: &[u32],
    keys: &[Option<K>],
    tie: TieRule,
) -> Vec<Option<u32>> {
    let mut rows_of: Vec<Vec<usize>> = Vec::new();
    for (i, &p) in part.iter().enumerate() {
        let p = p as usize;
        if rows_of.len() <= p {
            rows_of.resize_with(p + 1, Vec::new);
        }
        rows_of[p].push(i);
    }
    let mut out = vec![None; keys.len()];
    for rows in rows_of {
        let part_keys: Vec<Option<K>> = rows.iter().map(|&i| keys[i].clone()).collect();
        for (&i, r) in rows.iter().zip(ranks(&part_keys, tie)) {
            out[i] = r;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Reverse;

    /// Ranks by definition: 1 + the rows of the part with a larger key (competition), or
    /// 1 + the distinct larger keys of the part (dense).
    fn naive(part: &[u32], key: &[Option<i64>], tie: TieRule) -> Vec<Option<u32>> {
        (0..part.len())
            .map(|i| {
                let k = key[i]?;
                let mut above: Vec<i64> = (0..part.len())
                    .filter(|&j| part[j] == part[i])
                    .filter_map(|j| key[j].filter(|&x| x > k))
                    .collect();
                if tie == TieRule::Dense {
                    above.sort_unstable();
                    above.dedup();
                }
                Some(1 + above.len() as u32)
            })
            .collect()
    }

    fn largest_first(key: &[Option<i64>]) -> Vec<Option<Reverse<i64>>> {
        key.iter().map(|k| k.map(Reverse)).collect()
    }

    #[test]
    fn ranks_are_those_counted_by_hand() {
        let key = [Some(5), Some(7), Some(5), Some(1), None, Some(-3)];
        let part = [0, 0, 0, 0, 1, 1];
        let competition = ranks_within(&part, &largest_first(&key), TieRule::Competition);
        assert_eq!(
            competition,
            [Some(2), Some(1), Some(2), Some(4), None, Some(1)]
        );
        let dense = ranks_within(&part, &largest_first(&key), TieRule::Dense);
        assert_eq!(dense, [Some(2), Some(1), Some(2), Some(3), None, Some(1)]);
        assert_eq!(
            ranks(&[Some(3), Some(1), Some(3)], TieRule::Competition),
            [Some(2), Some(1), Some(2)]
        );
    }

    #[test]
    fn ranks_within_parts_are_those_counted_by_definition() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for round in 0..40 {
            let n = 1 + round * 7;
            let (mut part, mut key) = (Vec::new(), Vec::new());
            for _ in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                part.push((x % 5) as u32);
                key.push((!x.is_multiple_of(11)).then_some((x >> 8) as i64 % 9 - 4));
            }
            for tie in [TieRule::Competition, TieRule::Dense] {
                assert_eq!(
                    ranks_within(&part, &largest_first(&key), tie),
                    naive(&part, &key, tie),
                    "{part:?} {key:?} {tie:?}"
                );
            }
        }
    }
}
