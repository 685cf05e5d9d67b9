//! A fast path for the plain .xlsx a submission usually is: numbers, shared strings, a few
//! styles. calamine's `Xlsx::new` parses every style, font and fill of the package before the
//! first cell, which is more than half of reading a 6 KB submission; this reader inflates only
//! the workbook, its relationships, the styles' number formats, the shared strings and the
//! sheets, and scans them once.
//!
//! It gives exactly the [`Grid`] calamine's path gives, or declines: anything outside the plain
//! subset (formulas, dates or date-like formats, booleans, errors, inline or formula strings,
//! entities and `_xHHHH_` escapes in text, phonetic runs, cells without a reference, chart
//! sheets, unusual part paths) makes it return `None`, and the file is read by calamine as
//! before. The tests hold both paths to the same grids.

use super::grid::{Grid, TOO_MANY_CELLS, Value, cut, is_percent_format};
use quick_xml::events::{BytesStart, Event};
use std::io::Read;

type Zip<'a> = zip::ZipArchive<std::io::Cursor<&'a [u8]>>;

/// Every sheet of the workbook, in order, with its grid (or the too-many-cells error), or
/// `None` when the package is not in the plain subset.
pub(crate) fn read(zip: &mut Zip<'_>) -> Option<Vec<(String, Result<Grid, String>)>> {
    // The package's own relationships name the workbook (calamine reads them too).
    let root = memo(&ROOT_RELS, zip, "_rels/.rels", |x| relationships(x, ""))?;
    if !root
        .iter()
        .any(|(_, kind, target)| kind.ends_with("/officeDocument") && target == "xl/workbook.xml")
    {
        return None;
    }
    let workbook = memo(&SHEET_LISTS, zip, "xl/workbook.xml", sheet_list)?;
    let rels = memo(&WORKBOOK_RELS, zip, "xl/_rels/workbook.xml.rels", |x| {
        relationships(x, "xl/")
    })?;
    let mut sheets = Vec::new();
    let mut strings_part = None;
    let mut styles_part = None;
    for (_, kind, target) in rels.iter() {
        match kind.rsplit('/').next() {
            Some("sharedStrings") => strings_part = Some(target.clone()),
            Some("styles") => styles_part = Some(target.clone()),
            _ => {}
        }
    }
    for (name, rid) in workbook.iter() {
        let (_, kind, target) = rels.iter().find(|(id, _, _)| id == rid)?;
        if !kind.ends_with("/worksheet") {
            return None;
        }
        sheets.push((name.clone(), target.clone()));
    }
    let strings = match strings_part {
        Some(p) => shared_strings(&part(zip, &p)?)?,
        None => Vec::new(),
    };
    let styles = match styles_part {
        Some(p) => memo(&STYLES, zip, &p, xf_kinds)?,
        None => std::rc::Rc::new(Vec::new()),
    };
    let mut out = Vec::with_capacity(sheets.len());
    for (name, target) in sheets.into_iter().take(super::MAX_SHEETS) {
        let xml = part(zip, &target)?;
        out.push((name, cells(&xml, &strings, &styles)?));
    }
    Some(out)
}

/// A part as stored in the package: how it is compressed, its checksum and size, and its
/// compressed bytes. Equal keys are equal contents.
#[derive(PartialEq)]
struct Stored {
    method: zip::CompressionMethod,
    crc32: u32,
    size: u64,
    bytes: Vec<u8>,
}

/// Parses remembered by the part's stored bytes (see [`memo`]), the last few per thread.
type Memo<T> = std::cell::RefCell<Vec<(Stored, Option<std::rc::Rc<T>>)>>;
type Rels = Vec<(String, String, String)>;

thread_local! {
    static ROOT_RELS: Memo<Rels> = const { std::cell::RefCell::new(Vec::new()) };
    static WORKBOOK_RELS: Memo<Rels> = const { std::cell::RefCell::new(Vec::new()) };
    static SHEET_LISTS: Memo<Vec<(String, String)>> = const { std::cell::RefCell::new(Vec::new()) };
    static STYLES: Memo<Vec<Xf>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[cfg(test)]
thread_local! {
    /// Parts taken from [`memo`] rather than parsed, for the tests.
    static MEMO_HITS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Parts larger than this (stored) are not remembered.
const MEMO_MAX_STORED: u64 = 16 * 1024;
/// Parses remembered per part and thread.
const MEMO_ENTRIES: usize = 8;

/// `parse` of part `name` (`None` when missing, damaged or declined). A month's submissions
/// come from a few generators, which write the same relationships, workbook and styles into
/// every file, byte for byte: a part stored exactly as one seen before (same compression,
/// checksum, size and compressed bytes, so the same contents) takes that part's parse
/// instead of being inflated and parsed again (a third of reading a submission).
fn memo<T>(
    cache: &'static std::thread::LocalKey<Memo<T>>,
    zip: &mut Zip<'_>,
    name: &str,
    parse: impl FnOnce(&[u8]) -> Option<T>,
) -> Option<std::rc::Rc<T>> {
    let stored = zip.by_name_raw(name.as_bytes()).ok().and_then(|mut f| {
        // (Its size is checked where it is inflated, before anything is remembered.)
        if f.compressed_size() > MEMO_MAX_STORED {
            return None;
        }
        let (method, crc32, size) = (f.compression(), f.crc32(), f.size());
        let mut bytes = Vec::with_capacity(f.compressed_size() as usize);
        (&mut f)
            .take(MEMO_MAX_STORED + 1)
            .read_to_end(&mut bytes)
            .ok()?;
        Some(Stored {
            method,
            crc32,
            size,
            bytes,
        })
    });
    if let Some(k) = &stored
        && let Some(hit) = cache.with(|c| {
            c.borrow()
                .iter()
                .find(|(s, _)| s == k)
                .map(|(_, v)| v.clone())
        })
    {
        #[cfg(test)]
        MEMO_HITS.with(|h| h.set(h.get() + 1));
        return hit;
    }
    let parsed = parse(&part(zip, name)?).map(std::rc::Rc::new);
    if let Some(k) = stored {
        cache.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() >= MEMO_ENTRIES {
                c.remove(0);
            }
            c.push((k, parsed.clone()));
        });
    }
    parsed
}

/// A part's bytes; `None` when missing or damaged (calamine then says what is wrong).
fn part(zip: &mut Zip<'_>, name: &str) -> Option<Vec<u8>> {
    let mut f = zip.by_name(name).ok()?;
    // Declared sizes were checked against zip bombs (check_zip); a part that inflates beyond
    // its declared size is left to calamine's checks.
    let size = f.size();
    if size > super::MAX_UNZIPPED_BYTES {
        return None;
    }
    let mut buf = Vec::with_capacity(size as usize);
    (&mut f).take(size + 1).read_to_end(&mut buf).ok()?;
    (buf.len() as u64 == size).then_some(buf)
}

/// The raw (still escaped) value of attribute `key`.
fn attr<'a>(e: &'a BytesStart<'_>, key: &str) -> Option<std::borrow::Cow<'a, str>> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value)
}

/// Attribute as text without entities (`None` when absent; `Some(None)` when it has one).
fn plain(e: &BytesStart<'_>, key: &str) -> Option<Option<String>> {
    let v = attr(e, key)?;
    if v.contains('&') {
        return Some(None);
    }
    Some(Some(v.into_owned()))
}

/// Part path of a relationship target (relative to `base`, or absolute).
fn part_path(target: &str, base: &str) -> Option<String> {
    if target.contains("..") || target.contains('\\') {
        return None;
    }
    Some(match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("{base}{target}"),
    })
}

/// (id, type, part path) of a relationships part whose targets are relative to `base`.
fn relationships(xml: &[u8], base: &str) -> Option<Vec<(String, String, String)>> {
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                if plain(&e, "TargetMode").is_some() {
                    continue; // external links
                }
                let id = plain(&e, "Id")??;
                let kind = plain(&e, "Type")??;
                let target = part_path(&plain(&e, "Target")??, base)?;
                out.push((id, kind, target));
            }
            Event::Eof => return Some(out),
            _ => {}
        }
    }
}

/// (name, relationship id) of the sheets, in workbook order.
fn sheet_list(xml: &[u8]) -> Option<Vec<(String, String)>> {
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut out = Vec::new();
    loop {
        match r.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                let name = plain(&e, "name")??;
                let rid = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == "id")?
                    .value;
                if rid.contains('&') {
                    return None;
                }
                out.push((name, rid.into_owned()));
            }
            Event::Eof => return Some(out),
            _ => {}
        }
    }
}

/// The shared strings, as calamine reads them (runs joined, ASCII whitespace trimmed unless
/// `xml:space="preserve"`); `None` for anything that needs unescaping or has phonetic runs.
fn shared_strings(xml: &[u8]) -> Option<Vec<String>> {
    if memchr::memchr2(b'&', b'\r', xml).is_some()
        || memchr::memmem::find(xml, b"_x").is_some()
        || memchr::memmem::find(xml, b"<![CDATA[").is_some()
        || memchr::memmem::find(xml, b"rPh").is_some()
    {
        return None;
    }
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    // Inside a <t>: whether it preserves space, and its text so far.
    let mut t: Option<(bool, String)> = None;
    loop {
        match r.read_event().ok()? {
            Event::Start(e) => match e.local_name().as_ref() {
                "si" => current = Some(String::new()),
                "t" if current.is_some() => {
                    let preserve = attr(&e, "xml:space").as_deref() == Some("preserve");
                    t = Some((preserve, String::new()));
                }
                _ => {}
            },
            Event::Empty(e) if e.local_name().as_ref() == "si" => return None,
            Event::Text(text) => {
                if let Some((_, s)) = t.as_mut() {
                    s.push_str(&text);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "si" => out.push(current.take()?),
                "t" => {
                    let (preserve, text) = t.take()?;
                    let text = if preserve {
                        text.as_str()
                    } else {
                        text.trim_matches([' ', '\t', '\r', '\n'])
                    };
                    current.as_mut()?.push_str(text);
                }
                _ => {}
            },
            Event::GeneralRef(_) | Event::CData(_) | Event::Comment(_) => return None,
            Event::Eof => return Some(out),
            _ => {}
        }
    }
}

/// What a cell style does to a number: shown as a percent, or possibly a date (calamine would
/// read the number as a date: declined).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Xf {
    Plain,
    Percent,
    MaybeDate,
}

/// Built-in number formats that are certainly not dates or times.
fn builtin(id: u32) -> Xf {
    match id {
        9 | 10 => Xf::Percent,
        0..=8 | 11..=13 | 37..=44 | 48 | 49 => Xf::Plain,
        _ => Xf::MaybeDate,
    }
}

/// A custom format with a letter that could make it a date or time (outside quotes, escapes
/// and brackets) — more cautious than calamine's own test, never less.
fn maybe_date(code: &str) -> bool {
    let (mut quoted, mut bracket, mut escaped) = (false, false, false);
    for ch in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match ch {
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            c if !quoted && !bracket && "dmyhsDMYHSgebGEBAaPp".contains(c) => return true,
            _ => {}
        }
    }
    // Elapsed-time brackets ([h], [mm], [ss]) are dates to calamine.
    code.contains("[h")
        || code.contains("[H")
        || code.contains("[m")
        || code.contains("[M")
        || code.contains("[s")
        || code.contains("[S")
}

/// The kind of every cell style (`cellXfs`), in order.
fn xf_kinds(xml: &[u8]) -> Option<Vec<Xf>> {
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut custom: Vec<(u32, Xf)> = Vec::new();
    let mut out = Vec::new();
    let mut in_cell_xfs = false;
    loop {
        let ev = r.read_event().ok()?;
        if let Event::Start(e) = &ev
            && e.local_name().as_ref() == "cellXfs"
        {
            in_cell_xfs = true;
        }
        match ev {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "numFmt" => {
                    let id = plain(&e, "numFmtId")??.parse().ok()?;
                    let code = attr(&e, "formatCode")?;
                    let code = quick_xml::escape::unescape(&code).ok()?.into_owned();
                    let kind = if maybe_date(&code) {
                        Xf::MaybeDate
                    } else if is_percent_format(&code) {
                        Xf::Percent
                    } else {
                        Xf::Plain
                    };
                    custom.push((id, kind));
                }
                "xf" if in_cell_xfs => {
                    let id: u32 = match plain(&e, "numFmtId") {
                        None => 0,
                        Some(v) => v?.parse().ok()?,
                    };
                    // A custom id overrides a built-in one, as in calamine.
                    let kind = custom
                        .iter()
                        .rev()
                        .find(|(c, _)| *c == id)
                        .map(|(_, k)| *k)
                        .unwrap_or_else(|| builtin(id));
                    out.push(kind);
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = false,
            Event::Eof => return Some(out),
            _ => {}
        }
    }
}

/// Zero-based (row, column) of an `A1` reference; `None` beyond Excel's sheet.
pub(crate) fn position(r: &str) -> Option<(u32, u32)> {
    let r = r.as_bytes();
    let letters = r.iter().take_while(|b| b.is_ascii_uppercase()).count();
    if letters == 0 || letters > 3 || letters == r.len() || r.len() - letters > 7 {
        return None;
    }
    let mut col: u32 = 0;
    for &b in &r[..letters] {
        col = col * 26 + u32::from(b - b'A') + 1;
    }
    let mut row: u32 = 0;
    for &b in &r[letters..] {
        if !b.is_ascii_digit() {
            return None;
        }
        row = row * 10 + u32::from(b - b'0');
    }
    if row == 0 || row > 1_048_576 || col > 16_384 {
        return None;
    }
    Some((row - 1, col - 1))
}

/// A cell's number, when it is written plainly (calamine's parser accepts more; those decline).
fn number(v: &str) -> Option<f64> {
    if v.is_empty()
        || !v
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    v.parse().ok()
}

/// One sheet's cells into a grid; the outer `None` declines.
fn cells(xml: &[u8], strings: &[String], styles: &[Xf]) -> Option<Result<Grid, String>> {
    if has_formula(xml) {
        return None;
    }
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut grid = Grid::default();
    // The open cell: position, style kind, whether its value is a shared string.
    let mut cell: Option<((u32, u32), Xf, bool)> = None;
    let mut in_v = false;
    loop {
        match r.read_event().ok()? {
            Event::Start(e) => match e.local_name().as_ref() {
                "c" => cell = Some(open_cell(&e, styles)?),
                "v" => in_v = cell.is_some(),
                "is" | "f" => return None,
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "c" => {
                    open_cell(&e, styles)?;
                }
                "f" | "is" => return None,
                _ => {}
            },
            Event::Text(t) if in_v => {
                let ((row, col), xf, shared) = cell.take()?;
                let v: &str = &t;
                let value = if shared {
                    let i: usize = v.parse().ok()?;
                    let s = strings.get(i)?;
                    (!s.trim().is_empty()).then(|| Value::Text(cut(s)))
                } else {
                    if xf == Xf::MaybeDate {
                        return None;
                    }
                    Some(Value::Number {
                        value: number(v)?,
                        percent_format: xf == Xf::Percent,
                    })
                };
                if !grid.insert(row, col, value) {
                    return Some(Err(TOO_MANY_CELLS.into()));
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "v" => in_v = false,
                "c" => cell = None,
                _ => {}
            },
            Event::GeneralRef(_) | Event::CData(_) | Event::Comment(_) if in_v => return None,
            Event::Eof => return Some(Ok(grid)),
            _ => {}
        }
    }
}

/// Whether a `<f>` element occurs (a `<f` may also start another name, e.g. `<font>`).
fn has_formula(xml: &[u8]) -> bool {
    memchr::memmem::find_iter(xml, b"<f")
        .chain(memchr::memmem::find_iter(xml, b":f"))
        .any(|i| {
            matches!(
                xml.get(i + 2),
                Some(b'>' | b' ' | b'/' | b'\t' | b'\n' | b'\r')
            )
        })
}

/// Position, style kind and whether the value is a shared string, of a `<c>`; `None` declines
/// (no reference, or a type other than a number or a shared string).
fn open_cell(e: &BytesStart<'_>, styles: &[Xf]) -> Option<((u32, u32), Xf, bool)> {
    let (mut pos, mut style, mut shared) = (None, Xf::Plain, false);
    for a in e.attributes() {
        let a = a.ok()?;
        match a.key.as_ref() {
            "r" => pos = Some(position(&a.value)?),
            "s" => {
                let id: usize = a.value.parse().ok()?;
                // An unknown style is no format, as in calamine.
                style = styles.get(id).copied().unwrap_or(Xf::Plain);
            }
            "t" => match a.value.as_ref() {
                "s" => shared = true,
                "n" => {}
                _ => return None,
            },
            _ => {}
        }
    }
    Some((pos?, style, shared))
}

#[cfg(test)]
mod tests {
    use super::super::grid;
    use super::*;
    use calamine::Reader as _;
    use std::path::{Path, PathBuf};

    fn xlsx_under(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                xlsx_under(&p, out);
            } else if p.extension().is_some_and(|x| x == "xlsx") {
                out.push(p);
            }
        }
    }

    /// The fast path's grids for `bytes`, or `None` when it declines (or the package is
    /// refused before reading).
    fn fast(bytes: &[u8]) -> Option<Vec<(String, Result<Grid, String>)>> {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
        read(&mut zip)
    }

    /// What calamine's path gives for the same sheets; `Err` when calamine cannot open it.
    fn slow(bytes: &[u8], sheets: &[String]) -> Result<Vec<Result<Grid, String>>, String> {
        let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
            .map(calamine::Sheets::Xlsx)
            .map_err(|e| e.to_string())?;
        Ok(sheets.iter().map(|s| grid::load(&mut wb, s, &[])).collect())
    }

    /// Where the fast path reads a file, calamine gives the same cells; returns how many it
    /// read and which it declined.
    fn compare(files: &[PathBuf]) -> (usize, Vec<PathBuf>) {
        let (mut read_n, mut declined) = (0, Vec::new());
        for f in files {
            let bytes = std::fs::read(f).unwrap();
            if super::super::check_zip(&bytes).is_err() {
                continue;
            }
            let Some(sheets) = fast(&bytes) else {
                declined.push(f.clone());
                continue;
            };
            read_n += 1;
            let names: Vec<String> = sheets.iter().map(|(n, _)| n.clone()).collect();
            let theirs = slow(&bytes, &names)
                .unwrap_or_else(|e| panic!("{}: calamine cannot open it ({e})", f.display()));
            let wb =
                calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())).expect("opened above");
            let all: Vec<String> = wb
                .sheet_names()
                .into_iter()
                .take(super::super::MAX_SHEETS)
                .collect();
            assert_eq!(names, all, "{}: sheet names", f.display());
            for ((name, ours), theirs) in sheets.iter().zip(theirs) {
                match (ours, theirs) {
                    (Ok(a), Ok(b)) => {
                        assert_eq!(a.cells, b.cells, "{} [{name}]: cells", f.display());
                        assert_eq!(a.truncated, b.truncated, "{} [{name}]", f.display());
                    }
                    (Err(a), Err(b)) => assert_eq!(a, &b, "{} [{name}]", f.display()),
                    (a, b) => panic!("{} [{name}]: fast {a:?}, calamine {b:?}", f.display()),
                }
            }
        }
        (read_n, declined)
    }

    #[test]
    fn same_grids_as_calamine_on_the_sample_and_fixtures() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        xlsx_under(&root.join("data"), &mut files);
        xlsx_under(&root.join("tests/fixtures"), &mut files);
        files.sort();
        let (read_n, declined) = compare(&files);
        // The generated sample submissions are plain: all of them take the fast path.
        let sample_declined: Vec<_> = declined
            .iter()
            .filter(|p| {
                p.starts_with(root.join("data"))
                    && p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("2015-"))
            })
            .collect();
        assert!(sample_declined.is_empty(), "declined: {sample_declined:?}");
        assert!(read_n >= 70, "only {read_n} of {} files read", files.len());
    }

    /// A one-sheet workbook written by rust_xlsxwriter, with `f` filling the sheet.
    fn book(f: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "指标名称").unwrap();
        f(ws);
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn parts_seen_before_are_parsed_once_and_never_confused() {
        use rust_xlsxwriter::Format;
        let with = |code: &str| {
            book(|ws| {
                let f = Format::new().set_num_format(code);
                ws.write_number_with_format(2, 3, 0.092, &f).unwrap();
            })
        };
        let (pct, plain, pct_again) = (with("0.0%"), with("0.0"), with("0.0%"));
        let percent = |bytes: &[u8]| match fast(bytes).unwrap()[0].1.as_ref().unwrap().get(2, 3) {
            Some(Value::Number { percent_format, .. }) => *percent_format,
            other => panic!("{other:?}"),
        };
        MEMO_HITS.with(|h| h.set(0));
        assert!(percent(&pct));
        assert!(!percent(&plain));
        assert!(percent(&pct_again));
        assert!(!percent(&plain));
        // The first file parses its four remembered parts; the second takes the package and
        // workbook relationships and the sheet list (its styles differ); the last two take
        // all four.
        assert_eq!(MEMO_HITS.with(|h| h.get()), 3 + 4 + 4);
    }

    #[test]
    fn reads_the_plain_subset_and_declines_the_rest() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Formula};
        let pct = Format::new().set_num_format("0.0%");
        let plain = book(|ws| {
            ws.write_number(1, 1, 1234.5).unwrap();
            ws.write_number_with_format(2, 3, 0.092, &pct).unwrap();
            ws.write_string(4, 0, "  规模以上工业增加值 ").unwrap();
        });
        let sheets = fast(&plain).expect("plain workbook read");
        let g = sheets[0].1.as_ref().unwrap();
        assert_eq!(g.text(0, 0), Some("指标名称"));
        assert_eq!(
            g.get(1, 1),
            Some(&Value::Number {
                value: 1234.5,
                percent_format: false
            })
        );
        assert_eq!(
            g.get(2, 3),
            Some(&Value::Number {
                value: 0.092,
                percent_format: true
            })
        );
        // Trimmed as calamine trims a shared string without xml:space="preserve".
        assert_eq!(compare_one(&plain), 1);

        let formula = book(|ws| {
            ws.write_formula(1, 1, Formula::new("=1+1").set_result("2"))
                .unwrap();
        });
        let date = book(|ws| {
            let d = ExcelDateTime::from_ymd(2015, 12, 31).unwrap();
            ws.write_datetime_with_format(1, 1, &d, &Format::new().set_num_format("yyyy-mm-dd"))
                .unwrap();
        });
        let boolean = book(|ws| {
            ws.write_boolean(1, 1, true).unwrap();
        });
        let entity = book(|ws| {
            ws.write_string(1, 1, "R&D").unwrap();
        });
        for (what, bytes) in [
            ("formula", formula),
            ("date", date),
            ("boolean", boolean),
            ("entity", entity),
        ] {
            assert!(fast(&bytes).is_none(), "{what} should decline");
        }
    }

    fn compare_one(bytes: &[u8]) -> usize {
        let dir = std::env::temp_dir().join(format!("tongbao-xlsx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("one.xlsx");
        std::fs::write(&p, bytes).unwrap();
        let (n, _) = compare(&[p]);
        let _ = std::fs::remove_dir_all(&dir);
        n
    }

    /// `TONGBAO_XLSX_DIR=fuzz/corpus/read_workbook cargo test --release --lib xlsx::tests::corpus -- --ignored`
    #[test]
    #[ignore]
    fn corpus() {
        let Ok(dir) = std::env::var("TONGBAO_XLSX_DIR") else {
            return;
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        let (n, declined) = compare(&files);
        println!(
            "{} files: {n} read by the fast path, {} declined",
            files.len(),
            declined.len()
        );
    }
}
