//! A guard for OLE compound files (.xls) before calamine opens them: a sector chain that loops
//! (a damaged or hostile file) makes calamine's chain reader grow without end. Every chain of
//! the FAT and the MiniFAT must end; together they can never be longer than the file.

#[cfg(test)]
const FREE: u32 = 0xFFFF_FFFF;
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const MAX_REGULAR: u32 = 0xFFFF_FFFA;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// `Err` with a reason when the compound file's allocation tables are unusable.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    let damaged = |what: &str| Err(format!("文件损坏 (damaged .xls: {what})"));
    let shift = u16_at(bytes, 0x1E).unwrap_or(0);
    if !(7..=16).contains(&shift) {
        return damaged("bad sector size");
    }
    let size = 1usize << shift;
    let sectors = bytes.len().saturating_sub(512.max(size)) / size + 1;
    let sector = |id: u32| -> Option<&[u8]> {
        let start = (id as usize).checked_add(1)?.checked_mul(size)?;
        bytes.get(start..start.checked_add(size)?)
    };
    // FAT sector ids: 109 in the header, then the DIFAT chain.
    let mut fat_ids: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(bytes, 0x4C + 4 * i))
        .filter(|id| *id <= MAX_REGULAR)
        .collect();
    let mut difat = u32_at(bytes, 0x44).unwrap_or(END_OF_CHAIN);
    let mut hops = 0;
    while difat <= MAX_REGULAR {
        hops += 1;
        if hops > sectors {
            return damaged("the DIFAT chain loops");
        }
        let Some(s) = sector(difat) else {
            return damaged("a DIFAT sector lies beyond the end");
        };
        let per = size / 4 - 1;
        fat_ids.extend(
            (0..per)
                .filter_map(|i| u32_at(s, 4 * i))
                .filter(|id| *id <= MAX_REGULAR),
        );
        difat = u32_at(s, 4 * per).unwrap_or(END_OF_CHAIN);
    }
    if fat_ids.len() > sectors {
        return damaged("more FAT sectors than the file holds");
    }
    let mut fat = Vec::with_capacity(fat_ids.len() * size / 4);
    for id in fat_ids {
        let Some(s) = sector(id) else {
            return damaged("a FAT sector lies beyond the end");
        };
        fat.extend((0..size / 4).filter_map(|i| u32_at(s, 4 * i)));
    }
    if !acyclic(&fat) {
        return damaged("a sector chain loops");
    }
    // MiniFAT: stored as a chain of the FAT, its own chains must end too.
    let mut minifat = Vec::new();
    let mut id = u32_at(bytes, 0x3C).unwrap_or(END_OF_CHAIN);
    while id <= MAX_REGULAR {
        let Some(s) = sector(id) else {
            return damaged("a MiniFAT sector lies beyond the end");
        };
        minifat.extend((0..size / 4).filter_map(|i| u32_at(s, 4 * i)));
        id = fat.get(id as usize).copied().unwrap_or(END_OF_CHAIN);
    }
    if !acyclic(&minifat) {
        return damaged("a mini-sector chain loops");
    }
    Ok(())
}

/// Every chain of `next` ends: the table as a graph has no cycle (iterative colouring).
fn acyclic(next: &[u32]) -> bool {
    let n = next.len();
    // 0 unvisited, 1 on the current path, 2 known to end
    let mut state = vec![0u8; n];
    let mut path = Vec::new();
    for start in 0..n {
        let mut at = start;
        while at < n {
            match state[at] {
                2 => break,
                1 => return false,
                _ => {}
            }
            state[at] = 1;
            path.push(at);
            let next_id = next[at];
            if next_id > MAX_REGULAR {
                break; // FREE, END_OF_CHAIN or another special value
            }
            at = next_id as usize;
        }
        for p in path.drain(..) {
            state[p] = 2;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_that_loop_are_found() {
        assert!(acyclic(&[1, 2, END_OF_CHAIN, FREE]));
        assert!(acyclic(&[END_OF_CHAIN, 0, 1, 2]));
        assert!(!acyclic(&[1, 2, 0]));
        assert!(!acyclic(&[END_OF_CHAIN, 2, 1]));
        assert!(!acyclic(&[0]));
        assert!(acyclic(&[7, END_OF_CHAIN])); // beyond the table: calamine reports it itself
    }
}
