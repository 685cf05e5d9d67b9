//! OLE compound files (.xls), read where calamine does not help:
//! - a guard before calamine opens them: a sector chain that loops (a damaged or hostile file)
//!   makes calamine's chain reader grow without end. Every chain of the FAT and the MiniFAT
//!   must end; together they can never be longer than the file;
//! - the cells shown as a percent ([`percent_cells`]): calamine gives the stored 0.092 of a
//!   cell that shows 9.2% and exposes no number formats for .xls.

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

/// `Err` with a reason when the compound file's allocation tables are unusable, or when its
/// workbook stream places a cell outside the window a submission can use (calamine would
/// allocate the whole rectangle up to it when it opens the file).
pub fn check(bytes: &[u8]) -> Result<(), String> {
    let tables = tables(bytes)?;
    if let Some(stream) = workbook_stream(bytes, &tables) {
        // Record by record from the start, and from where each sheet says it starts: calamine
        // reads a sheet from its BOUNDSHEET offset, which a damaged file may point into the
        // middle of a record (a DIMENSIONS record hidden that way made it reserve 602 TB).
        check_cells(&stream, 0)?;
        for at in sheet_offsets(&stream) {
            check_cells(&stream, at)?;
        }
    }
    Ok(())
}

/// Stream offsets of the sheets' BOF records, from the BOUNDSHEET records of the globals.
fn sheet_offsets(stream: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    for (typ, body) in records(stream, 0) {
        match typ {
            EOF => break,
            BOUNDSHEET => {
                if let Some(at) = u32_at(body, 0) {
                    out.push(at as usize);
                }
            }
            _ => {}
        }
    }
    out
}

struct Tables {
    size: usize,
    fat: Vec<u32>,
    minifat: Vec<u32>,
}

/// Sector `id` of a file with `size`-byte sectors (the header takes the first). The last sector
/// may be cut short by the end of the file: calamine reads what is there, so the guard does too.
fn sector_at(bytes: &[u8], size: usize, id: u32) -> Option<&[u8]> {
    let start = (id as usize).checked_add(1)?.checked_mul(size)?;
    let end = start.checked_add(size)?.min(bytes.len());
    bytes.get(start..end).filter(|s| !s.is_empty())
}

fn tables(bytes: &[u8]) -> Result<Tables, String> {
    let damaged = |what: &str| Err(format!("文件损坏 (damaged .xls: {what})"));
    let shift = u16_at(bytes, 0x1E).unwrap_or(0);
    if !(7..=16).contains(&shift) {
        return damaged("bad sector size");
    }
    let size = 1usize << shift;
    let sectors = bytes.len().saturating_sub(512.max(size)) / size + 1;
    let sector = |id: u32| sector_at(bytes, size, id);
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
    Ok(Tables { size, fat, minifat })
}

/// Follow a chain (now known to end) and concatenate its sectors, at most `limit` bytes.
fn chain(
    mut id: u32,
    next: &[u32],
    unit: usize,
    data: impl Fn(u32) -> Option<Vec<u8>>,
    limit: usize,
) -> Vec<u8> {
    let mut out = Vec::new();
    while id <= MAX_REGULAR && out.len() < limit {
        let Some(d) = data(id) else { break };
        out.extend_from_slice(&d[..d.len().min(unit)]);
        id = next.get(id as usize).copied().unwrap_or(END_OF_CHAIN);
    }
    out.truncate(limit);
    out
}

/// The `Workbook` (or BIFF5 `Book`) stream, from the regular or the mini stream.
fn workbook_stream(bytes: &[u8], t: &Tables) -> Option<Vec<u8>> {
    let size = t.size;
    let sector = |id: u32| sector_at(bytes, size, id).map(<[u8]>::to_vec);
    let dirs = chain(u32_at(bytes, 0x30)?, &t.fat, size, sector, bytes.len());
    // As calamine 0.38 reads a directory entry: the name up to its first NUL, the length as
    // u32 (512-byte sectors) or u64, the stream found by name ignoring ASCII case, "Workbook"
    // before "Book", and 4096 as the mini-stream cutoff whatever the header says — the guard
    // must look at the very stream calamine will read.
    let entry = |d: &[u8]| -> (String, u32, usize) {
        let name: Vec<u16> = (0..32)
            .map_while(|i| u16_at(d, 2 * i).filter(|&u| u != 0))
            .collect();
        let len = if size == 512 {
            u32_at(d, 120).map(|l| l as usize)
        } else {
            d.get(120..128)
                .and_then(|b| b.try_into().ok())
                .map(|b| usize::try_from(u64::from_le_bytes(b)).unwrap_or(usize::MAX))
        };
        (
            String::from_utf16_lossy(&name),
            u32_at(d, 116).unwrap_or(END_OF_CHAIN),
            len.unwrap_or(0),
        )
    };
    let root = dirs.get(0..128).map(entry)?;
    let entries: Vec<(String, u32, usize)> = dirs.chunks_exact(128).map(entry).collect();
    let (_, start, len) = ["Workbook", "Book"].iter().find_map(|want| {
        entries
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(want))
            .cloned()
    })?;
    let regular = len >= 4096;
    let len = len.min(bytes.len());
    if regular {
        return Some(chain(start, &t.fat, size, sector, len));
    }
    let mini = chain(root.1, &t.fat, size, sector, bytes.len());
    let mini_sector = |id: u32| -> Option<Vec<u8>> {
        let start = (id as usize).checked_mul(64)?;
        mini.get(start..start.checked_add(64)?).map(<[u8]>::to_vec)
    };
    Some(chain(start, &t.minifat, 64, mini_sector, len))
}

/// Rows and columns a cell record may use (the grid's window).
const MAX_ROW: u16 = 20_000;
const MAX_COL: u16 = 256;

/// Walk the BIFF records from `start`; a cell beyond the window, or a DIMENSIONS record that
/// makes calamine reserve more than the window, refuses the file.
fn check_cells(s: &[u8], start: usize) -> Result<(), String> {
    for (typ, body) in records(s, start) {
        // DIMENSIONS: the reader reserves rows × columns cells up front, computed as calamine
        // 0.38 does (`parse_dimensions`, then `end - start + 1` in u32, wrapping in release).
        if typ == 0x0200 {
            let dims = match body.len() {
                10 => Some((
                    u32::from(u16_at(body, 0).unwrap_or(0)),
                    u32::from(u16_at(body, 2).unwrap_or(0)),
                    u32::from(u16_at(body, 4).unwrap_or(0)),
                    u32::from(u16_at(body, 6).unwrap_or(0)),
                )),
                14 | 16 => Some((
                    u32_at(body, 0).unwrap_or(0),
                    u32_at(body, 4).unwrap_or(0),
                    u32::from(u16_at(body, 8).unwrap_or(0)),
                    u32::from(u16_at(body, 10).unwrap_or(0)),
                )),
                _ => None,
            };
            if let Some((rf, rl, cf, cl)) = dims {
                let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                let (first, last) = if rl >= 1 && cl >= 1 {
                    ((rf, cf), (rl - 1, cl - 1))
                } else {
                    ((rf, cf), (rf, cf))
                };
                let rows = u64::from(last.0.wrapping_sub(first.0).wrapping_add(1));
                let cols = u64::from(last.1.wrapping_sub(first.1).wrapping_add(1));
                if rows.saturating_mul(cols) > u64::from(MAX_ROW) * u64::from(MAX_COL) {
                    return Err(format!(
                        "工作表范围异常 (the sheet declares {rows} rows × {cols} columns; a submission fits in {MAX_ROW} rows and {MAX_COL} columns)"
                    ));
                }
            }
        }
        // NUMBER, LABELSST, RK, BLANK, FORMULA, LABEL, BOOLERR, RSTRING, MULRK, MULBLANK
        if matches!(
            typ,
            0x0203 | 0x00FD | 0x027E | 0x0201 | 0x0006 | 0x0204 | 0x0205 | 0x00D6 | 0x00BD | 0x00BE
        ) && body.len() >= 4
        {
            let row = u16_at(body, 0).unwrap_or(0);
            let mut col = u16_at(body, 2).unwrap_or(0);
            if matches!(typ, 0x00BD | 0x00BE) && body.len() >= 6 {
                col = col.max(u16_at(body, body.len() - 2).unwrap_or(0));
            }
            if row >= MAX_ROW || col >= MAX_COL {
                return Err(format!(
                    "工作表范围异常 (a cell at row {}, column {}; a submission fits in {MAX_ROW} rows and {MAX_COL} columns) — delete the stray cells and save again",
                    row as u32 + 1,
                    col as u32 + 1
                ));
            }
        }
    }
    Ok(())
}

/// BIFF8 record types used below (the same numbers in BIFF5).
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FORMAT: u16 = 0x041E;
const XF: u16 = 0x00E0;
const BOUNDSHEET: u16 = 0x0085;
const NUMBER: u16 = 0x0203;
const RK: u16 = 0x027E;
const MULRK: u16 = 0x00BD;
const FORMULA: u16 = 0x0006;

/// The BIFF records of a stream from `pos`: (type, body).
fn records(s: &[u8], mut pos: usize) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let typ = u16_at(s, pos)?;
        let len = u16_at(s, pos + 2)? as usize;
        let body = s.get(pos + 4..(pos + 4 + len).min(s.len()))?;
        pos += 4 + len;
        Some((typ, body))
    })
}

/// A BIFF8 unicode string at `at` with a length of `len_bytes` (1 or 2) bytes; None when cut.
fn biff8_string(b: &[u8], at: usize, len_bytes: usize) -> Option<String> {
    let cch = if len_bytes == 1 {
        usize::from(*b.get(at)?)
    } else {
        usize::from(u16_at(b, at)?)
    };
    let flags = *b.get(at + len_bytes)?;
    let mut p = at + len_bytes + 1;
    if flags & 0x08 != 0 {
        p += 2; // rich text runs count
    }
    if flags & 0x04 != 0 {
        p += 4; // extended data size
    }
    if flags & 0x01 != 0 {
        let units: Vec<u16> = (0..cch)
            .map(|i| u16_at(b, p + 2 * i))
            .collect::<Option<_>>()?;
        Some(String::from_utf16_lossy(&units))
    } else {
        Some(b.get(p..p + cch)?.iter().map(|&c| char::from(c)).collect())
    }
}

/// An 8-bit string of `cch` bytes at `at` (BIFF5 and earlier: code-page bytes, no flags byte),
/// each byte taken as one char: enough to find `%` and quotes in a format code, which no
/// double-byte code page uses as a trailing byte.
fn byte_string(b: &[u8], at: usize, cch: usize) -> Option<String> {
    Some(
        b.get(at..at + cch)?
            .iter()
            .map(|&c| char::from(c))
            .collect(),
    )
}

/// Cells (zero-based row, column) of the `sheet_index`-th sheet (in the order of the
/// workbook's sheet records, as calamine lists them) whose number format shows a percent
/// (`is_percent` on the format code; the built-in formats 9 `0%` and 10 `0.00%` are
/// percents). BIFF8 (Excel 97 and later) and BIFF5 (Excel 5.0/95, still written by old
/// reporting software) workbooks; empty for anything else or anything unreadable: such a file
/// keeps the old reading (the stored fraction) rather than fail.
pub fn percent_cells(
    bytes: &[u8],
    sheet_index: usize,
    is_percent: impl Fn(&str) -> bool,
) -> std::collections::HashSet<(u32, u32)> {
    let mut out = std::collections::HashSet::new();
    let Ok(tables) = tables(bytes) else {
        return out;
    };
    let Some(stream) = workbook_stream(bytes, &tables) else {
        return out;
    };
    // Globals: formats, cell styles (XF, in order), sheet positions.
    let mut biff5 = None;
    let mut custom: std::collections::HashMap<u16, bool> = std::collections::HashMap::new();
    let mut xf_formats: Vec<u16> = Vec::new();
    let mut sheets = 0;
    let mut sheet_at = None;
    for (typ, body) in records(&stream, 0) {
        let Some(biff5) = biff5 else {
            // BIFF8 (version 0x0600) or BIFF5 (0x0500) only.
            match (typ, u16_at(body, 0)) {
                (BOF, Some(0x0600)) => biff5 = Some(false),
                (BOF, Some(0x0500)) => biff5 = Some(true),
                _ => return out,
            }
            continue;
        };
        match typ {
            EOF => break,
            FORMAT => {
                // BIFF5: a byte count and code-page bytes; BIFF8: a unicode string.
                let code = if biff5 {
                    body.get(2)
                        .and_then(|&n| byte_string(body, 3, usize::from(n)))
                } else {
                    biff8_string(body, 2, 2)
                };
                if let (Some(id), Some(code)) = (u16_at(body, 0), code) {
                    custom.insert(id, is_percent(&code));
                }
            }
            // The format index is at offset 2 of an XF in both versions.
            XF => xf_formats.push(u16_at(body, 2).unwrap_or(0)),
            BOUNDSHEET => {
                if sheets == sheet_index {
                    sheet_at = u32_at(body, 0).map(|p| p as usize);
                }
                sheets += 1;
            }
            _ => {}
        }
    }
    let percent_xf: Vec<bool> = xf_formats
        .iter()
        .map(|f| custom.get(f).copied().unwrap_or(matches!(f, 9 | 10)))
        .collect();
    if !percent_xf.contains(&true) {
        return out;
    }
    let Some(at) = sheet_at else { return out };
    let is_pct =
        |xf: Option<u16>| xf.is_some_and(|x| percent_xf.get(usize::from(x)) == Some(&true));
    for (n, (typ, body)) in records(&stream, at).enumerate() {
        if n > 0 && (typ == EOF || typ == BOF) {
            break;
        }
        let (row, col) = (u16_at(body, 0), u16_at(body, 2));
        let (Some(row), Some(col)) = (row, col) else {
            continue;
        };
        match typ {
            NUMBER | RK | FORMULA if is_pct(u16_at(body, 4)) => {
                out.insert((u32::from(row), u32::from(col)));
            }
            MULRK => {
                // rw, colFirst, (ixfe, rk) × n, colLast
                let n = body.len().saturating_sub(6) / 6;
                for k in 0..n {
                    if is_pct(u16_at(body, 4 + 6 * k)) {
                        out.insert((u32::from(row), u32::from(col) + k as u32));
                    }
                }
            }
            _ => {}
        }
    }
    out
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
