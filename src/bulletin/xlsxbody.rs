//! The table bodies of a workbook written straight into the sheet XML of the package that
//! rust_xlsxwriter wrote without them.
//!
//! rust_xlsxwriter spends about a microsecond on each cell it stores and writes (a `BTreeMap`
//! entry, the whole `Format` hashed, the XML assembled through `fmt`, the shared-string table
//! sorted), and a national bulletin has a quarter of a million. It still writes everything
//! else — titles, headers, merges, notes, column widths, print setup, styles, native charts —
//! and one cell of each body format ([`Sheet::finish`](crate::bulletin::style::Sheet::finish)), from
//! which the style index of that format is read. The body cells are then merged into each
//! sheet's `<sheetData>` row by row (a body cell wins over rust_xlsxwriter's at the same
//! place: that is the placeholder), the dimension and the rows' spans recomputed, and the
//! package written again, every other part copied without being recompressed.
//!
//! Body text goes in as inline strings (`t="inlineStr"`), which rust_xlsxwriter itself writes
//! in its constant-memory mode, escaped as it escapes text. A native chart over body cells
//! gets its data caches from the body (`splice_chart`): rust_xlsxwriter fills them only
//! from cells it holds.

use crate::bulletin::style::{Body, BodyCell, BodyValue};
use crate::ingest::cell_ref;
use rust_xlsxwriter::Workbook;
use std::fmt::Write as _;
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// The workbook as xlsx bytes; `bodies[i]` is the body of the i-th worksheet, if it has one
/// kept apart.
pub(crate) fn save(wb: &mut Workbook, bodies: &[Option<Body>]) -> Result<Vec<u8>, String> {
    let names: Vec<String> = wb.worksheets().iter().map(|w| w.name()).collect();
    let package = wb.save_to_buffer().map_err(|e| e.to_string())?;
    if bodies.iter().all(Option::is_none) {
        return Ok(package);
    }
    let sheets: Vec<(&str, Option<&Body>)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), bodies.get(i).and_then(Option::as_ref)))
        .collect();
    let mut zin = ZipArchive::new(Cursor::new(&package)).map_err(|e| e.to_string())?;
    // Each spliced sheet (and each chart, whose caches come from the bodies) decompressed,
    // merged and deflated again on a thread of its own.
    let mut parts: Vec<(usize, String, Option<&Body>, String)> = Vec::new();
    for i in 0..zin.len() {
        let name = match zin.name_for_index(i) {
            Some(Ok(n)) => n.to_string(),
            _ => continue,
        };
        let body = sheet_number(&name)
            .and_then(|n| bodies.get(n - 1))
            .and_then(Option::as_ref);
        if body.is_some() || is_chart(&name) {
            let mut xml = String::new();
            zin.by_index(i)
                .and_then(|mut f| Ok(f.read_to_string(&mut xml)?))
                .map_err(|e| format!("{name}: {e}"))?;
            parts.push((i, name, body, xml));
        }
    }
    let spliced: Vec<Result<Vec<u8>, String>> = {
        use rayon::prelude::*;
        parts
            .par_iter()
            .map(|(_, name, body, xml)| {
                let xml = match body {
                    Some(body) => splice(xml, body),
                    None => splice_chart(xml, &sheets),
                };
                deflated_entry(name, xml.map_err(|e| format!("{name}: {e}"))?.as_bytes())
            })
            .collect()
    };
    // (entry index, its new bytes), in entry order.
    let mut spliced = parts.iter().map(|s| s.0).zip(spliced).peekable();
    let mut out = ZipWriter::new(Cursor::new(Vec::with_capacity(package.len() * 2)));
    for i in 0..zin.len() {
        if let Some((_, one)) = spliced.next_if(|(j, _)| *j == i) {
            let mut single = ZipArchive::new(Cursor::new(one?)).map_err(|e| e.to_string())?;
            let f = single.by_index_raw(0).map_err(|e| e.to_string())?;
            out.raw_copy_file(f).map_err(|e| e.to_string())?;
        } else {
            let f = zin.by_index_raw(i).map_err(|e| e.to_string())?;
            out.raw_copy_file(f).map_err(|e| e.to_string())?;
        }
    }
    Ok(out.finish().map_err(|e| e.to_string())?.into_inner())
}

/// A one-entry zip holding `bytes` deflated with rust_xlsxwriter's options (the 1980 epoch,
/// owner-only permissions), to be copied raw into the package. Level 1, not the 3 of the
/// rest of the workbook: a national bulletin's 9 MB of sheet XML deflate in ~15 ms less
/// CPU, into a package of 3.0 MB instead of 2.3 MB (a city's: a few KB more).
fn deflated_entry(name: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .unix_permissions(0o600)
        .last_modified_time(DateTime::default())
        .large_file(false);
    let mut z = ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() / 5)));
    z.start_file(name, options).map_err(|e| e.to_string())?;
    z.write_all(bytes).map_err(|e| e.to_string())?;
    Ok(z.finish().map_err(|e| e.to_string())?.into_inner())
}

/// N of `xl/worksheets/sheetN.xml`.
fn sheet_number(name: &str) -> Option<usize> {
    name.strip_prefix("xl/worksheets/sheet")?
        .strip_suffix(".xml")?
        .parse()
        .ok()
}

/// `xl/charts/chartN.xml`.
fn is_chart(name: &str) -> bool {
    name.strip_prefix("xl/charts/chart")
        .and_then(|n| n.strip_suffix(".xml"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A chart's XML with the data caches of the ranges it reads from body cells.
///
/// rust_xlsxwriter fills a chart's caches from the cells it holds (readers other than Excel
/// draw from them), and it holds none of a body: every such range comes out as a
/// `<c:numRef>` with an empty cache. Each is written again here, from the body, as
/// rust_xlsxwriter writes it from its own cells (`Worksheet::get_cache_data`,
/// `Chart::write_cache_ref`): numbers printed as Rust prints them, a blank or an empty
/// string as nothing, text making a string cache (two columns of it a two-level one), and
/// a value range read as numbers only. A range with cells of both kinds in it is refused.
pub(crate) fn splice_chart(xml: &str, sheets: &[(&str, Option<&Body>)]) -> Result<String, String> {
    const OPEN: &str = "<c:numRef><c:f>";
    const CLOSE: &str = "</c:numRef>";
    for other in ["<c:strRef><c:f>", "<c:multiLvlStrRef><c:f>"] {
        for (at, _) in xml.match_indices(other) {
            let formula = xml[at + other.len()..].split("</c:f>").next().unwrap_or("");
            if body_range(formula, sheets).is_some() {
                return Err(format!("a text reference to body cells: {formula}"));
            }
        }
    }
    let mut out = String::with_capacity(xml.len() * 2);
    let mut rest = xml;
    while let Some(at) = rest.find(OPEN) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let end = from.find(CLOSE).ok_or("unclosed <c:numRef>")? + CLOSE.len();
        let element = &from[..end];
        let formula = from[OPEN.len()..]
            .split("</c:f>")
            .next()
            .unwrap_or_default();
        match body_range(formula, sheets) {
            Some((body, r0, c0, r1, c1)) => {
                if element.contains("<c:pt ") {
                    return Err(format!(
                        "a chart range with cells both in and out of the body: {formula}"
                    ));
                }
                // Categories (and scatter x values) may be text; values are numbers.
                let num_only = !(out.ends_with("<c:cat>") || out.ends_with("<c:xVal>"));
                write_cache_ref(&mut out, formula, num_only, &cache(body, r0, c0, r1, c1));
            }
            None => out.push_str(element),
        }
        rest = &from[end..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The body and the range (0-based, inclusive) of a chart formula such as
/// `图表!$A$47:$B$2897` (as it stands in the XML), if it names a sheet with a body.
fn body_range<'a>(
    formula: &str,
    sheets: &[(&str, Option<&'a Body>)],
) -> Option<(&'a Body, u32, u16, u32, u16)> {
    let f = formula
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let (sheet, cells) = f.rsplit_once('!')?;
    let sheet = match sheet.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        Some(quoted) => quoted.replace("''", "'"),
        None => sheet.to_string(),
    };
    let body = sheets.iter().find(|(n, _)| *n == sheet)?.1?;
    let (r0, c0, r1, c1) = range_of(&cells.replace('$', ""))?;
    Some((body, r0, c0, r1, c1))
}

/// What rust_xlsxwriter's `ChartRangeCacheData` would hold for a range of body cells.
struct Cache {
    /// row by row, then column by column; "" for a blank
    data: Vec<String>,
    kind: CacheKind,
    major: usize,
    minor: usize,
}

#[derive(PartialEq)]
enum CacheKind {
    None,
    Number,
    Text,
    MultiLevel,
}

fn cache(body: &Body, r0: u32, c0: u16, r1: u32, c1: u16) -> Cache {
    let cells = &body.cells;
    let (mut data, mut kind) = (Vec::new(), CacheKind::None);
    for r in r0..=r1 {
        let mut at = cells.partition_point(|b| (b.row, b.col) < (r, c0));
        for c in c0..=c1 {
            let here = cells.get(at).filter(|b| (b.row, b.col) == (r, c));
            if here.is_some() {
                at += 1;
            }
            let mut v = String::new();
            match here.map(|b| &b.value) {
                Some(BodyValue::Text(t)) if !t.is_empty() => {
                    v.push_str(t);
                    kind = CacheKind::Text;
                }
                Some(BodyValue::Number(n)) => {
                    push_number(&mut v, *n);
                    if kind != CacheKind::Text {
                        kind = CacheKind::Number;
                    }
                }
                _ => {}
            }
            data.push(v);
        }
    }
    let (rows, cols) = ((r1 - r0 + 1) as usize, usize::from(c1 - c0 + 1));
    if kind == CacheKind::Text && rows > 1 && cols > 1 {
        kind = CacheKind::MultiLevel;
    }
    Cache {
        data,
        kind,
        major: rows.max(cols),
        minor: rows.min(cols),
    }
}

/// The reference to a range with its cache, as rust_xlsxwriter writes it (`formula` as it
/// stands in the XML).
fn write_cache_ref(out: &mut String, formula: &str, num_only: bool, cache: &Cache) {
    let pt = |out: &mut String, i: usize, v: &str| {
        out.push_str("<c:pt idx=\"");
        push_u64(out, i as u64);
        out.push_str("\"><c:v>");
        push_xml(out, v);
        out.push_str("</c:v></c:pt>");
    };
    let count = |out: &mut String, n: usize| {
        out.push_str("<c:ptCount val=\"");
        push_u64(out, n as u64);
        out.push_str("\"/>");
    };
    // How the reference is written: a text range read as text, a two-level one, or numbers.
    enum As {
        Text,
        Levels,
        Numbers,
    }
    let (how, tag, body) = match cache.kind {
        CacheKind::Text if !num_only => (As::Text, "c:strRef", "c:strCache"),
        CacheKind::MultiLevel => (As::Levels, "c:multiLvlStrRef", "c:multiLvlStrCache"),
        _ => (As::Numbers, "c:numRef", "c:numCache"),
    };
    let _ = write!(out, "<{tag}><c:f>{formula}</c:f>");
    if !cache.data.is_empty() {
        let _ = write!(out, "<{body}>");
        match how {
            As::Text => {
                count(out, cache.data.len());
                for (i, v) in cache.data.iter().enumerate() {
                    pt(out, i, v);
                }
            }
            As::Levels => {
                count(out, cache.major);
                for depth in (0..cache.minor).rev() {
                    out.push_str("<c:lvl>");
                    for i in 0..cache.major {
                        let v = &cache.data[depth + cache.minor * i];
                        if !v.is_empty() {
                            pt(out, i, v);
                        }
                    }
                    out.push_str("</c:lvl>");
                }
            }
            As::Numbers => {
                out.push_str("<c:formatCode>General</c:formatCode>");
                count(out, cache.data.len());
                for (i, v) in cache.data.iter().enumerate() {
                    if !v.is_empty() {
                        // Excel reads text in a number cache as zero.
                        pt(out, i, if v.parse::<f64>().is_ok() { v } else { "0" });
                    }
                }
            }
        }
        let _ = write!(out, "</{body}>");
    }
    let _ = write!(out, "</{tag}>");
}

/// A `<row>` of rust_xlsxwriter's sheet: its number (1-based), its attributes other than `r`
/// and `spans`, and its cells by column.
struct Row<'a> {
    r: u32,
    attrs: Vec<(&'a str, &'a str)>,
    cells: Vec<(u16, &'a str)>,
}

/// `xml` (a worksheet as rust_xlsxwriter wrote it) with `body` merged into its cells.
pub(crate) fn splice(xml: &str, body: &Body) -> Result<String, String> {
    let (head, data, tail) = sheet_data(xml)?;
    let rows = parse_rows(data)?;
    // The style index of each body format, from its placeholder.
    let mut styles: Vec<Option<&str>> = Vec::new();
    for &(slot, row, col) in &body.placeholders {
        let cell = rows
            .iter()
            .find(|r| r.r == row + 1)
            .and_then(|r| r.cells.iter().find(|c| c.0 == col))
            .ok_or_else(|| {
                format!(
                    "no cell of body format {slot} at {}",
                    cell_ref(row, col.into())
                )
            })?;
        let s = tag_attrs(cell.1)
            .find(|(k, _)| *k == "s")
            .map_or("0", |(_, v)| v);
        let i = usize::from(slot);
        if styles.len() <= i {
            styles.resize(i + 1, None);
        }
        styles[i] = Some(s);
    }
    let style = |slot: u8| styles.get(usize::from(slot)).copied().flatten();

    // Merge by row, then by column; a body cell wins.
    enum Cell<'a> {
        Raw(&'a str),
        Body(&'a BodyCell),
    }
    struct Merged<'a> {
        r: u32,
        attrs: &'a [(&'a str, &'a str)],
        /// The body's height of the row, in pixels.
        height: Option<u32>,
        cells: Vec<(u16, Cell<'a>)>,
    }
    let mut merged: Vec<Merged> = Vec::with_capacity(rows.len().max(body.cells.len() / 8));
    let (mut ri, mut bi, mut hi) = (0, 0, 0);
    loop {
        let rr = rows.get(ri).map(|r| r.r);
        let br = body.cells.get(bi).map(|b| b.row + 1);
        let hr = body.heights.get(hi).map(|h| h.0 + 1);
        let Some(r) = [rr, br, hr].into_iter().flatten().min() else {
            break;
        };
        let height = match body.heights.get(hi) {
            Some(&(row, pixels)) if row + 1 == r => {
                hi += 1;
                Some(pixels)
            }
            _ => None,
        };
        let b0 = bi;
        while bi < body.cells.len() && body.cells[bi].row + 1 == r {
            bi += 1;
        }
        let bcells = &body.cells[b0..bi];
        let (attrs, raw) = match rows.get(ri) {
            Some(row) if rr == Some(r) => {
                ri += 1;
                (row.attrs.as_slice(), row.cells.as_slice())
            }
            _ => (&[][..], &[][..]),
        };
        let mut cells = Vec::with_capacity(raw.len() + bcells.len());
        let (mut i, mut j) = (0, 0);
        while i < raw.len() || j < bcells.len() {
            match (raw.get(i), bcells.get(j)) {
                (Some(a), Some(b)) if a.0 < b.col => {
                    cells.push((a.0, Cell::Raw(a.1)));
                    i += 1;
                }
                (Some(a), Some(b)) => {
                    if a.0 == b.col {
                        i += 1;
                    }
                    cells.push((b.col, Cell::Body(b)));
                    j += 1;
                }
                (Some(a), None) => {
                    cells.push((a.0, Cell::Raw(a.1)));
                    i += 1;
                }
                (None, Some(b)) => {
                    cells.push((b.col, Cell::Body(b)));
                    j += 1;
                }
                (None, None) => break,
            }
        }
        merged.push(Merged {
            r,
            attrs,
            height,
            cells,
        });
    }

    // Spans by blocks of 16 rows, as rust_xlsxwriter (and Excel) give them; the dimension.
    let mut spans: std::collections::HashMap<u32, (u16, u16)> = std::collections::HashMap::new();
    let mut dim: Option<(u32, u16, u32, u16)> = None;
    for m in &merged {
        let (Some(first), Some(last)) = (m.cells.first(), m.cells.last()) else {
            continue;
        };
        let (lo, hi) = (first.0, last.0);
        let e = spans.entry((m.r - 1) / 16).or_insert((lo, hi));
        *e = (e.0.min(lo), e.1.max(hi));
        let d = dim.get_or_insert((m.r - 1, lo, m.r - 1, hi));
        *d = (d.0.min(m.r - 1), d.1.min(lo), d.2.max(m.r - 1), d.3.max(hi));
    }
    if let Some((r0, c0, r1, c1)) = dim_of(head) {
        let d = dim.get_or_insert((r0, c0, r1, c1));
        *d = (d.0.min(r0), d.1.min(c0), d.2.max(r1), d.3.max(c1));
    }
    // A row with a height is in the dimension, as rust_xlsxwriter counts it.
    if let (Some(first), Some(last)) = (body.heights.first(), body.heights.last()) {
        let d = dim.get_or_insert((first.0, 0, last.0, 0));
        *d = (d.0.min(first.0), d.1, d.2.max(last.0), d.3);
    }

    let mut out = String::with_capacity(xml.len() + body.cells.len() * 48);
    match (dim, head.find("<dimension ref=\"")) {
        (Some(range), Some(at)) => {
            let start = at + "<dimension ref=\"".len();
            let end = start + head[start..].find('"').ok_or("unclosed <dimension>")?;
            out.push_str(&head[..start]);
            out.push_str(&range_ref(range));
            out.push_str(&head[end..]);
        }
        _ => out.push_str(head),
    }
    out.push_str("<sheetData>");
    let mut names: Vec<String> = Vec::new();
    for m in &merged {
        out.push_str("<row r=\"");
        push_u64(&mut out, u64::from(m.r));
        out.push('"');
        if let Some((lo, hi)) = spans.get(&((m.r - 1) / 16)) {
            out.push_str(" spans=\"");
            push_u64(&mut out, u64::from(*lo) + 1);
            out.push(':');
            push_u64(&mut out, u64::from(*hi) + 1);
            out.push('"');
        }
        match m.height {
            Some(pixels) => write_row_attrs(&mut out, m.attrs, pixels),
            None => {
                for (k, v) in m.attrs {
                    let _ = write!(out, " {k}=\"{v}\"");
                }
            }
        }
        if m.cells.is_empty() {
            out.push_str("/>");
            continue;
        }
        out.push('>');
        for (col, cell) in &m.cells {
            match cell {
                Cell::Raw(x) => out.push_str(x),
                Cell::Body(b) => {
                    let s = style(b.slot).unwrap_or("0");
                    write_cell(&mut out, column_name(&mut names, *col), m.r, s, &b.value);
                }
            }
        }
        out.push_str("</row>");
    }
    out.push_str("</sheetData>");
    push_tail(&mut out, tail, &body.merges)?;
    Ok(out)
}

/// A row's attributes with the body's height (in pixels) instead of any it had, in the
/// order rust_xlsxwriter writes them; a row of the default height has none.
fn write_row_attrs(out: &mut String, attrs: &[(&str, &str)], pixels: u32) {
    let rest = |keys: &[&str], out: &mut String| {
        for (k, v) in attrs.iter().filter(|(k, _)| keys.contains(k)) {
            let _ = write!(out, " {k}=\"{v}\"");
        }
    };
    let custom = pixels != crate::bulletin::style::DEFAULT_ROW_PIXELS;
    rest(&["s", "customFormat"], out);
    if custom {
        out.push_str(" ht=\"");
        push_number(out, f64::from(pixels) * 0.75);
        out.push('"');
    }
    rest(&["hidden"], out);
    if custom {
        out.push_str(" customHeight=\"1\"");
    }
    for (k, v) in attrs {
        if !["s", "customFormat", "ht", "hidden", "customHeight"].contains(k) {
            let _ = write!(out, " {k}=\"{v}\"");
        }
    }
}

/// What follows `</sheetData>`, with the body's merged ranges: after those rust_xlsxwriter
/// merged, or in a `<mergeCells>` of their own where the schema puts it.
fn push_tail(out: &mut String, tail: &str, merges: &[(u32, u16, u32, u16)]) -> Result<(), String> {
    if merges.is_empty() {
        out.push_str(tail);
        return Ok(());
    }
    let push_refs = |out: &mut String| {
        for &range in merges {
            out.push_str("<mergeCell ref=\"");
            out.push_str(&range_ref(range));
            out.push_str("\"/>");
        }
    };
    const OPEN: &str = "<mergeCells count=\"";
    if let Some(at) = tail.find(OPEN) {
        let start = at + OPEN.len();
        let len = tail[start..].find('"').ok_or("unclosed <mergeCells>")?;
        let count: usize = tail[start..start + len]
            .parse()
            .map_err(|_| "a <mergeCells> without its count")?;
        let end = tail.find("</mergeCells>").ok_or("unclosed <mergeCells>")?;
        out.push_str(&tail[..start]);
        push_u64(out, (count + merges.len()) as u64);
        out.push_str(&tail[start + len..end]);
        push_refs(out);
        out.push_str(&tail[end..]);
        return Ok(());
    }
    // The first element that comes after <mergeCells> in CT_Worksheet.
    const AFTER: [&str; 24] = [
        "<phoneticPr",
        "<conditionalFormatting",
        "<dataValidations",
        "<hyperlinks",
        "<printOptions",
        "<pageMargins",
        "<pageSetup",
        "<headerFooter",
        "<rowBreaks",
        "<colBreaks",
        "<customProperties",
        "<cellWatches",
        "<ignoredErrors",
        "<smartTags",
        "<drawing",
        "<legacyDrawing",
        "<legacyDrawingHF",
        "<picture",
        "<oleObjects",
        "<controls",
        "<webPublishItems",
        "<tableParts",
        "<extLst",
        "</worksheet>",
    ];
    let at = AFTER
        .iter()
        .filter_map(|t| tail.find(t))
        .min()
        .ok_or("no end of the worksheet")?;
    out.push_str(&tail[..at]);
    out.push_str(OPEN);
    push_u64(out, merges.len() as u64);
    out.push_str("\">");
    push_refs(out);
    out.push_str("</mergeCells>");
    out.push_str(&tail[at..]);
    Ok(())
}

/// The XML before `<sheetData>`, between it and `</sheetData>`, and after.
fn sheet_data(xml: &str) -> Result<(&str, &str, &str), String> {
    if let Some(at) = xml.find("<sheetData/>") {
        return Ok((&xml[..at], "", &xml[at + "<sheetData/>".len()..]));
    }
    let start = xml.find("<sheetData>").ok_or("no <sheetData>")?;
    let end = xml.rfind("</sheetData>").ok_or("no </sheetData>")?;
    let inner = start + "<sheetData>".len();
    if end < inner {
        return Err("malformed <sheetData>".into());
    }
    Ok((
        &xml[..start],
        &xml[inner..end],
        &xml[end + "</sheetData>".len()..],
    ))
}

/// The `name="value"` pairs of the start tag beginning `tag` (up to its first `>`).
fn tag_attrs(tag: &str) -> impl Iterator<Item = (&str, &str)> {
    let inner = tag.split('>').next().unwrap_or("");
    let inner = inner.trim_end_matches('/');
    let mut rest = inner.find(char::is_whitespace).map_or("", |i| &inner[i..]);
    std::iter::from_fn(move || {
        let eq = rest.find("=\"")?;
        let name = rest[..eq].trim();
        let value_start = eq + 2;
        let len = rest[value_start..].find('"')?;
        let value = &rest[value_start..value_start + len];
        rest = &rest[value_start + len + 1..];
        Some((name, value))
    })
}

fn parse_rows(data: &str) -> Result<Vec<Row<'_>>, String> {
    let mut rows = Vec::new();
    let mut rest = data.trim_start();
    while !rest.is_empty() {
        if !rest.starts_with("<row ") {
            return Err(format!("unexpected XML in <sheetData>: {:.40}", rest));
        }
        let tag_end = rest.find('>').ok_or("unclosed <row>")?;
        let tag = &rest[..=tag_end];
        let mut r = None;
        let mut attrs = Vec::new();
        for (k, v) in tag_attrs(tag) {
            match k {
                "r" => r = v.parse::<u32>().ok(),
                "spans" => {}
                _ => attrs.push((k, v)),
            }
        }
        let r = r.ok_or("a <row> without its number")?;
        let mut cells = Vec::new();
        rest = &rest[tag_end + 1..];
        if !tag.ends_with("/>") {
            loop {
                rest = rest.trim_start();
                if let Some(after) = rest.strip_prefix("</row>") {
                    rest = after;
                    break;
                }
                if !rest.starts_with("<c ") {
                    return Err(format!("unexpected XML in row {r}: {:.40}", rest));
                }
                let open_end = rest.find('>').ok_or("unclosed <c>")?;
                let end = if rest[..open_end].ends_with('/') {
                    open_end + 1
                } else {
                    open_end + rest[open_end..].find("</c>").ok_or("unclosed <c>")? + 4
                };
                let cell = &rest[..end];
                let reference = tag_attrs(cell)
                    .find(|(k, _)| *k == "r")
                    .map(|(_, v)| v)
                    .ok_or("a <c> without its reference")?;
                let col =
                    column_of(reference).ok_or_else(|| format!("bad reference {reference}"))?;
                cells.push((col, cell));
                rest = &rest[end..];
            }
        }
        rows.push(Row { r, attrs, cells });
        rest = rest.trim_start();
    }
    Ok(rows)
}

/// The column (0-based) of a reference such as `AB12`.
fn column_of(reference: &str) -> Option<u16> {
    cell_position(reference).map(|(_, c)| c as u16)
}

/// The first and last cell of `<dimension ref="A1:L30"/>` (0-based), if it names any.
fn dim_of(head: &str) -> Option<(u32, u16, u32, u16)> {
    let at = head.find("<dimension ref=\"")? + "<dimension ref=\"".len();
    range_of(&head[at..at + head[at..].find('"')?])
}

/// First and last cell (0-based) of `A1:L30`, or of `A1` alone.
fn range_of(a1: &str) -> Option<(u32, u16, u32, u16)> {
    let (a, b) = a1.split_once(':').unwrap_or((a1, a1));
    let ((r0, c0), (r1, c1)) = (cell_position(a)?, cell_position(b)?);
    Some((r0, c0 as u16, r1, c1 as u16))
}

/// `A1:L30` of a range given by its first and last cell (0-based), or `A1` alone for a single
/// cell: what [`range_of`] reads.
pub(crate) fn range_ref((r0, c0, r1, c1): (u32, u16, u32, u16)) -> String {
    let first = cell_ref(r0, c0.into());
    if (r0, c0) == (r1, c1) {
        first
    } else {
        format!("{first}:{}", cell_ref(r1, c1.into()))
    }
}

/// Column letters, 0 → A.
fn column_letters(col: u16) -> String {
    let mut a1 = cell_ref(0, u32::from(col));
    a1.pop(); // the row, "1"
    a1
}

fn column_name(names: &mut Vec<String>, col: u16) -> &str {
    let i = usize::from(col);
    if names.len() <= i {
        names.extend((names.len()..=i).map(|c| column_letters(c as u16)));
    }
    &names[i]
}

/// One body cell, as rust_xlsxwriter writes a cell of that kind (`style` "0" is left out).
fn write_cell(out: &mut String, col: &str, row: u32, style: &str, value: &BodyValue) {
    let open = |out: &mut String| {
        out.push_str("<c r=\"");
        out.push_str(col);
        push_u64(out, u64::from(row));
        if style != "0" {
            out.push_str("\" s=\"");
            out.push_str(style);
        }
        out.push('"');
    };
    match value {
        BodyValue::Number(v) => {
            open(out);
            out.push_str("><v>");
            push_number(out, *v);
            out.push_str("</v></c>");
        }
        BodyValue::Text(t) => {
            open(out);
            let ws = ['\t', '\n', ' '];
            out.push_str(" t=\"inlineStr\"><is><t");
            if t.starts_with(ws) || t.ends_with(ws) {
                out.push_str(" xml:space=\"preserve\"");
            }
            out.push('>');
            push_escaped(out, t);
            out.push_str("</t></is></c>");
        }
        // Excel leaves out a blank cell without a format.
        BodyValue::Blank if style == "0" => {}
        BodyValue::Blank => {
            open(out);
            out.push_str("/>");
        }
    }
}

/// Decimal digits of `n`.
fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

/// `v` exactly as Rust prints an `f64` (the shortest text that reads back as `v`, which is
/// what rust_xlsxwriter writes). Most numbers of a bulletin are whole or have one decimal:
/// when `v` is the double nearest to n/10 for an integer n, "n/10.n%10" is that shortest
/// text (an integer is shorter only when n%10 is 0, and below 2^48 the doubles are closer
/// together than tenths, so no other tenth reads back as `v`), so it is printed without the
/// float printer.
fn push_number(out: &mut String, v: f64) {
    let n = (v * 10.0).round();
    if v.abs() < 281_474_976_710_656.0 && n / 10.0 == v && v != 0.0 {
        let m = n.abs() as u64;
        if v < 0.0 {
            out.push('-');
        }
        push_u64(out, m / 10);
        if !m.is_multiple_of(10) {
            out.push('.');
            out.push(char::from(b'0' + (m % 10) as u8));
        }
    } else {
        let _ = write!(out, "{v}");
    }
}

/// Text escaped as rust_xlsxwriter escapes a string: a literal `_xHHHH_` gets its underscore
/// escaped (Excel would read it as an escape), then `& < >`, control characters as `_xHHHH_`
/// (tab and newline stay) and the non-characters U+FFFE and U+FFFF.
fn push_escaped(out: &mut String, t: &str) {
    let mut rest = t;
    while let Some(at) = rest.find("_x") {
        let (before, from) = rest.split_at(at);
        push_xml(out, before);
        let is_escape = from.len() >= 7
            && from.is_char_boundary(6)
            && from[2..6].bytes().all(|b| b.is_ascii_hexdigit())
            && from[6..].starts_with('_');
        if is_escape {
            out.push_str("_x005F");
        }
        out.push_str("_x");
        rest = &from[2..];
    }
    push_xml(out, rest);
}

fn push_xml(out: &mut String, t: &str) {
    let mut start = 0;
    for (i, ch) in t.char_indices() {
        let esc: Option<&str> = match ch {
            '&' => Some("&amp;"),
            '<' => Some("&lt;"),
            '>' => Some("&gt;"),
            '\t' | '\n' => None,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {
                out.push_str(&t[start..i]);
                let _ = write!(out, "_x{:04X}_", u32::from(ch));
                start = i + ch.len_utf8();
                continue;
            }
            _ => None,
        };
        if let Some(e) = esc {
            out.push_str(&t[start..i]);
            out.push_str(e);
            start = i + 1;
        }
    }
    out.push_str(&t[start..]);
}

/// Zero-based (row, column) of an `A1` reference; `None` beyond Excel's sheet.
fn cell_position(r: &str) -> Option<(u32, u32)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        let mut out = String::new();
        push_escaped(&mut out, s);
        out
    }

    #[test]
    fn text_is_escaped_as_rust_xlsxwriter_escapes_it() {
        assert_eq!(text("a&b<c>d\"e'"), "a&amp;b&lt;c&gt;d\"e'");
        assert_eq!(text("a\tb\nc\u{1}d\u{1f}"), "a\tb\nc_x0001_d_x001F_");
        assert_eq!(text("\u{fffe}\u{ffff}"), "_xFFFE__xFFFF_");
        assert_eq!(text("_x0041_"), "_x005F_x0041_");
        assert_eq!(text("_x004G_ _x12 _x"), "_x004G_ _x12 _x");
        assert_eq!(text("a_x00aF_b_x0000_"), "a_x005F_x00aF_b_x005F_x0000_");
        assert_eq!(text("_x漯河_"), "_x漯河_");
        assert_eq!(text("城乡一体化示范区"), "城乡一体化示范区");
    }

    #[test]
    fn numbers_print_as_rust_prints_f64() {
        let check = |v: f64| {
            let mut out = String::new();
            push_number(&mut out, v);
            assert_eq!(out, format!("{v}"), "{v:e}");
        };
        for v in [
            0.0,
            -0.0,
            8.0,
            -3.0,
            10.2,
            337679415.1,
            1e15,
            1e16,
            123456789012345.0,
            -0.5,
            0.1,
            2.5e-7,
            1e21,
            0.05,
            0.15,
            1.25,
            899999999999999.9,
            900000000000000.1,
            4503599627370497.0,
            9007199254740993.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            281474976710655.9,
            281474976710656.0,
            140737488355327.9,
            658867133293218.3,
        ] {
            check(v);
            check(-v);
        }
        // Tenths as amounts are computed (decimals to f64), and numbers of every size between.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let tenths = (x >> (x % 60)) as i64;
            check(tenths as f64 / 10.0);
            check(f64::from_bits(x));
            check((x % 100_000) as f64 / 100.0);
        }
    }

    #[test]
    fn columns_and_references() {
        for (c, s) in [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")] {
            assert_eq!(column_letters(c), s);
            assert_eq!(column_of(&format!("{s}7")), Some(c));
        }
        assert_eq!(column_letters(16_383), "XFD");
        assert_eq!(column_of("XFD1"), Some(16_383));
        assert_eq!(column_of("12"), None);
        assert_eq!(
            dim_of("<worksheet><dimension ref=\"B2:L30\"/>"),
            Some((1, 1, 29, 11))
        );
        assert_eq!(dim_of("<dimension ref=\"A1\"/>"), Some((0, 0, 0, 0)));
        for range in [(0, 0, 0, 0), (4, 0, 11, 0), (1, 1, 29, 11), (9, 27, 9, 701)] {
            assert_eq!(range_of(&range_ref(range)), Some(range));
        }
        assert_eq!(range_ref((4, 0, 11, 0)), "A5:A12");
        assert_eq!(range_ref((2, 3, 2, 3)), "D3");
    }

    fn cell(row: u32, col: u16, slot: u8, value: BodyValue) -> BodyCell {
        BodyCell {
            row,
            col,
            slot,
            value,
        }
    }

    #[test]
    fn a_body_is_merged_into_rows_by_column_with_spans_and_dimension() {
        let xml = concat!(
            r#"<worksheet><dimension ref="A1:C2"/><sheetData>"#,
            r#"<row r="1" spans="1:3" ht="36" customHeight="1"><c r="A1" s="1" t="s"><v>0</v></c><c r="B1" s="1"/><c r="C1" s="1"/></row>"#,
            r#"<row r="2" spans="1:3"><c r="A2" s="5"/><c r="B2" s="4"/><c r="C2" s="2" t="s"><v>1</v></c></row>"#,
            r#"<row r="3" ht="20.25" customHeight="1"/>"#,
            r#"</sheetData><mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells></worksheet>"#
        );
        let body = Body {
            cells: vec![
                cell(1, 0, 3, BodyValue::Text("郾城区 ".into())),
                cell(1, 1, 0, BodyValue::Number(10.2)),
                cell(2, 1, 0, BodyValue::Number(8.0)),
                cell(2, 3, 3, BodyValue::Blank),
                cell(17, 0, 3, BodyValue::Text("a<b".into())),
            ],
            placeholders: vec![(0, 1, 1), (3, 1, 0)],
            ..Body::default()
        };
        let out = splice(xml, &body).unwrap();
        assert_eq!(
            out,
            concat!(
                r#"<worksheet><dimension ref="A1:D18"/><sheetData>"#,
                r#"<row r="1" spans="1:4" ht="36" customHeight="1"><c r="A1" s="1" t="s"><v>0</v></c><c r="B1" s="1"/><c r="C1" s="1"/></row>"#,
                r#"<row r="2" spans="1:4"><c r="A2" s="5" t="inlineStr"><is><t xml:space="preserve">郾城区 </t></is></c><c r="B2" s="4"><v>10.2</v></c><c r="C2" s="2" t="s"><v>1</v></c></row>"#,
                r#"<row r="3" spans="1:4" ht="20.25" customHeight="1"><c r="B3" s="4"><v>8</v></c><c r="D3" s="5"/></row>"#,
                r#"<row r="18" spans="1:1"><c r="A18" s="5" t="inlineStr"><is><t>a&lt;b</t></is></c></row>"#,
                r#"</sheetData><mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells></worksheet>"#
            )
        );
    }

    #[test]
    fn body_merges_join_the_sheets_merges_or_make_their_own_where_the_schema_puts_them() {
        let merges = [(4, 0, 11, 0), (12, 0, 12, 1)];
        let mut out = String::new();
        let tail = r#"<autoFilter ref="A1:B2"/><printOptions horizontalCentered="1"/><pageMargins left="0.6"/></worksheet>"#;
        push_tail(&mut out, tail, &merges).unwrap();
        assert_eq!(
            out,
            concat!(
                r#"<autoFilter ref="A1:B2"/><mergeCells count="2"><mergeCell ref="A5:A12"/>"#,
                r#"<mergeCell ref="A13:B13"/></mergeCells><printOptions horizontalCentered="1"/>"#,
                r#"<pageMargins left="0.6"/></worksheet>"#
            )
        );
        out.clear();
        let tail = r#"<mergeCells count="1"><mergeCell ref="A1:L1"/></mergeCells><pageMargins left="0.6"/></worksheet>"#;
        push_tail(&mut out, tail, &merges).unwrap();
        assert_eq!(
            out,
            concat!(
                r#"<mergeCells count="3"><mergeCell ref="A1:L1"/><mergeCell ref="A5:A12"/>"#,
                r#"<mergeCell ref="A13:B13"/></mergeCells><pageMargins left="0.6"/></worksheet>"#
            )
        );
        out.clear();
        push_tail(&mut out, "</worksheet>", &[]).unwrap();
        assert_eq!(out, "</worksheet>");
        assert!(push_tail(&mut out, "<mergeCells count=\"x\"></mergeCells>", &merges).is_err());
    }

    /// Every cell of every sheet of an xlsx package: (sheet, reference) → (the style's XML,
    /// type, value), the rows' attributes, and each sheet's XML outside `<sheetData>`.
    type Resolved = (
        std::collections::BTreeMap<(String, String), (String, String, String)>,
        Vec<(String, u32, Vec<(String, String)>)>,
        Vec<String>,
    );

    fn resolve(package: &[u8]) -> Resolved {
        let mut z = ZipArchive::new(Cursor::new(package)).unwrap();
        let mut read = |name: &str| {
            let mut s = String::new();
            if let Ok(mut f) = z.by_name(name) {
                f.read_to_string(&mut s).unwrap();
            }
            s
        };
        let strip = |x: &str| {
            let mut out = String::new();
            let mut depth = 0;
            for ch in x.chars() {
                match ch {
                    '<' => depth += 1,
                    '>' => depth -= 1,
                    _ if depth == 0 => out.push(ch),
                    _ => {}
                }
            }
            out
        };
        let styles = read("xl/styles.xml");
        let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
        // Custom number formats by code: their ids follow the order of first use.
        let codes: Vec<(String, String)> = styles
            .split("<numFmt ")
            .skip(1)
            .map(|x| {
                let tag = format!("<numFmt {x}");
                let get = |k: &str| {
                    tag_attrs(&tag)
                        .find(|p| p.0 == k)
                        .map_or(String::new(), |p| p.1.to_string())
                };
                (
                    format!("numFmtId=\"{}\"", get("numFmtId")),
                    get("formatCode"),
                )
            })
            .collect();
        let xfs: Vec<String> = xfs
            .split("<xf ")
            .skip(1)
            .map(|x| {
                codes
                    .iter()
                    .fold(x.to_string(), |x, (id, code)| x.replace(id, code))
            })
            .collect();
        let sst: Vec<String> = read("xl/sharedStrings.xml")
            .split("<si>")
            .skip(1)
            .map(|x| strip(x.split("</si>").next().unwrap()))
            .collect();
        let mut cells = std::collections::BTreeMap::new();
        let mut rows_out = Vec::new();
        let mut rest = Vec::new();
        for n in 1.. {
            let name = format!("xl/worksheets/sheet{n}.xml");
            let xml = read(&name);
            if xml.is_empty() {
                break;
            }
            let (head, data, tail) = sheet_data(&xml).unwrap();
            // The order of merged ranges means nothing; the body's come after the others.
            let tail = match (tail.find("<mergeCell "), tail.find("</mergeCells>")) {
                (Some(a), Some(b)) => {
                    let mut merges: Vec<&str> = tail[a..b].split_inclusive("/>").collect();
                    merges.sort_unstable();
                    format!("{}{}{}", &tail[..a], merges.concat(), &tail[b..])
                }
                _ => tail.to_string(),
            };
            rest.push(format!("{head}{tail}"));
            for row in parse_rows(data).unwrap() {
                let attrs = row
                    .attrs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                rows_out.push((name.clone(), row.r, attrs));
                for (_, c) in row.cells {
                    let a: Vec<(&str, &str)> = tag_attrs(c).collect();
                    let get = |k: &str| a.iter().find(|x| x.0 == k).map(|x| x.1);
                    let xf = xfs[get("s").unwrap_or("0").parse::<usize>().unwrap()].clone();
                    let inner = c.split_once('>').map_or("", |x| x.1);
                    let (kind, value) = match get("t") {
                        Some("s") => ("text", sst[strip(inner).parse::<usize>().unwrap()].clone()),
                        Some("inlineStr") => ("text", strip(inner)),
                        Some(t) => (t, strip(inner)),
                        None => ("number", strip(inner)),
                    };
                    cells.insert(
                        (name.clone(), get("r").unwrap().to_string()),
                        (xf, kind.to_string(), value),
                    );
                }
            }
        }
        (cells, rows_out, rest)
    }

    /// A sheet with every kind of body cell, overwritten both ways, next to explicit cells.
    fn fill(sh: &mut crate::bulletin::style::Sheet) {
        use crate::bulletin::style;
        let (text, amount, pct) = (style::cell(), style::amount(), style::pct());
        sh.heading(
            5,
            2,
            ["标题", "左", "右"],
            [&style::title(), &style::body(), &style::body()],
        )
        .unwrap();
        sh.string(2, 0, "组别", &style::header()).unwrap();
        // Explicit, then a body cell over it: the body cell shows.
        sh.string(3, 4, "explicit first", &style::note()).unwrap();
        let hostile = [
            "郾城区",
            " leading",
            "a&b<c>d",
            "_x0041_",
            "ctl\u{1}\u{1f}",
            "",
            "tab\tnew\nline",
        ];
        for r in 3..40u32 {
            sh.body_string(r, 0, hostile[r as usize % hostile.len()], 0, &text)
                .unwrap();
            sh.body_number(r, 1, f64::from(r) * 1234.5 - 7000.0, 8, 1, &amount)
                .unwrap();
            sh.body_number(r, 2, f64::from(r) / 3.0, 4, 2, &pct)
                .unwrap();
            if r % 3 == 0 {
                sh.body_blank(r, 3, 2, &pct);
            }
            sh.body_string(r, 4, "body", 0, &text).unwrap();
        }
        sh.body_number(40, 2, f64::NAN, 3, 2, &pct).unwrap();
        sh.body_number(41, 2, f64::NEG_INFINITY, 3, 2, &pct)
            .unwrap();
        // A body cell, then an explicit write over it: the explicit one shows.
        sh.string(5, 1, "explicit after", &style::header()).unwrap();
        sh.merged(45, 0, 45, 5, "注:merged under the body", &style::note())
            .unwrap();
        sh.ws.set_row_height(7, 30).unwrap();
        sh.ws.set_row_height(100, 12).unwrap();
        // Merged body ranges: a group over rows, a single cell, a blank block; and one
        // refused over cells merged already, either way.
        for r in 3..=9 {
            if r == 3 {
                sh.body_string(r, 5, "组一", 0, &text).unwrap();
            } else {
                sh.body_blank(r, 5, 0, &text);
            }
        }
        sh.merge_body((3, 5, 9, 5)).unwrap();
        sh.body_string(10, 5, "单独", 0, &text).unwrap();
        sh.merge_body((10, 5, 10, 5)).unwrap();
        for r in 11..=14 {
            sh.body_blank(r, 5, 2, &pct);
            sh.body_blank(r, 6, 2, &pct);
        }
        sh.merge_body((11, 5, 14, 6)).unwrap();
        assert!(matches!(
            sh.merge_body((45, 5, 46, 5)),
            Err(rust_xlsxwriter::XlsxError::MergeRangeOverlaps(..))
        ));
        assert!(matches!(
            sh.merged(14, 6, 15, 6, "x", &style::note()),
            Err(rust_xlsxwriter::XlsxError::MergeRangeOverlaps(..))
        ));
        // Body row heights: the default (no height written), set twice (the last counts),
        // over a height rust_xlsxwriter holds, and on a row of nothing else.
        sh.body_row_height(3, 20.0).unwrap();
        sh.body_row_height(4, 15.0).unwrap();
        sh.body_row_height(5, 17.0).unwrap();
        sh.body_row_height(5, 30.0).unwrap();
        sh.body_row_height(7, 25.0).unwrap();
        sh.body_row_height(120, 12.0).unwrap();
        sh.apply_widths(6.0, 40.0).unwrap();
        sh.page_setup(Some(2)).unwrap();
    }

    #[test]
    fn a_spliced_workbook_reads_as_rust_xlsxwriter_would_write_it() {
        use crate::bulletin::style::Sheet;
        let mut native = Workbook::new();
        let mut spliced = Workbook::new();
        let mut bodies = Vec::new();
        for name in ["一", "二"] {
            let mut a = Sheet::new(name).unwrap();
            fill(&mut a);
            native.push_worksheet(a.finish_native().unwrap());
            let mut b = Sheet::new(name).unwrap();
            fill(&mut b);
            let (ws, body) = b.finish().unwrap();
            assert!(body.cells.len() > 150 && body.placeholders.len() == 3);
            spliced.push_worksheet(ws);
            bodies.push(Some(body));
        }
        let a = resolve(&native.save_to_buffer().unwrap());
        let b = resolve(&save(&mut spliced, &bodies).unwrap());
        assert_eq!(a.0.len(), b.0.len());
        for (k, v) in &a.0 {
            assert_eq!(Some(v), b.0.get(k), "{k:?}");
        }
        assert_eq!(a.1, b.1);
        assert_eq!(a.2, b.2);
        let cell = |r: &str| b.0[&("xl/worksheets/sheet1.xml".to_string(), r.to_string())].clone();
        // As stored: Excel reads the escaped underscore back as the literal text.
        assert_eq!(cell("A4").2, "_x005F_x0041_");
        assert_eq!(cell("A5").2, "ctl_x0001__x001F_");
        assert_eq!(cell("A10").2, "a&amp;b&lt;c&gt;d");
        // An empty string is a blank cell with the body's format.
        assert_eq!(
            (cell("A6").1.as_str(), cell("A6").2.as_str()),
            ("number", "")
        );
        assert_eq!(cell("A6").0, cell("A4").0);
        assert_eq!(cell("E4").2, "body");
        assert_eq!(cell("B6").2, "explicit after");
        assert_eq!(cell("C41").2, "NAN");
        assert_eq!(cell("C42").2, "-INF");
        assert_eq!(cell("B5").2, "-2062");
    }

    /// Every kind of range a chart can read from body cells, in a sheet and a chart of it.
    fn fill_charted(
        sh: &mut crate::bulletin::style::Sheet,
        name: &str,
    ) -> Vec<rust_xlsxwriter::Chart> {
        use crate::bulletin::style;
        use rust_xlsxwriter::{Chart, ChartType};
        let (text, pct) = (style::cell(), style::pct());
        sh.string(0, 0, "图表数据", &style::header()).unwrap();
        let groups = ["一组", "", "", "a&b<c>", "", "_x0041_"];
        let units = [
            "郾城区",
            "源汇区",
            "",
            "tab\tnew\nline",
            "召陵区",
            "ctl\u{1}",
        ];
        for r in 0..24u32 {
            let k = r as usize % 6;
            if groups[k].is_empty() {
                sh.body_blank(r + 1, 0, 0, &text);
            } else {
                sh.body_string(r + 1, 0, groups[k], 0, &text).unwrap();
            }
            sh.body_string(r + 1, 1, units[k], 0, &text).unwrap();
            let v = [10.2, -3.0, 0.1 + 0.2, 1e21, f64::NAN, 7.0][k];
            if r % 5 == 4 {
                sh.body_blank(r + 1, 2, 1, &pct);
            } else {
                sh.body_number(r + 1, 2, v, 4, 1, &pct).unwrap();
            }
            sh.body_blank(r + 1, 3, 1, &pct);
            sh.body_string(r + 1, 4, ["12.5", "x"][k % 2], 0, &text)
                .unwrap();
        }
        // (first row, first column, last row, last column) of categories and values.
        let ranges = [
            ((1, 0, 24, 1), (1, 2, 24, 2)),
            ((1, 1, 24, 1), (1, 3, 24, 3)),
            ((1, 1, 24, 1), (1, 4, 24, 4)),
            ((1, 2, 24, 2), (3, 2, 3, 2)),
        ];
        let mut charts = Vec::new();
        for (k, (cat, val)) in ranges.into_iter().enumerate() {
            let kind = if k == 3 {
                ChartType::Scatter
            } else {
                ChartType::Column
            };
            let mut chart = Chart::new(kind);
            chart
                .add_series()
                .set_name("同比增长%")
                .set_categories((name, cat.0, cat.1, cat.2, cat.3))
                .set_values((name, val.0, val.1, val.2, val.3));
            charts.push(chart);
        }
        charts
    }

    #[test]
    fn chart_caches_from_a_body_are_those_rust_xlsxwriter_writes_from_its_cells() {
        use crate::bulletin::style::Sheet;
        let name = "图表 a'b";
        let mut native = Workbook::new();
        let mut a = Sheet::new(name).unwrap();
        let charts = fill_charted(&mut a, name);
        let mut ws = a.finish_native().unwrap();
        for (k, c) in charts.iter().enumerate() {
            ws.insert_chart(30 + 20 * k as u32, 0, c).unwrap();
        }
        native.push_worksheet(ws);
        let mut spliced = Workbook::new();
        let mut b = Sheet::new(name).unwrap();
        let charts = fill_charted(&mut b, name);
        let (mut ws, body) = b.finish().unwrap();
        for (k, c) in charts.iter().enumerate() {
            ws.insert_chart(30 + 20 * k as u32, 0, c).unwrap();
        }
        spliced.push_worksheet(ws);
        let a = native.save_to_buffer().unwrap();
        let b = save(&mut spliced, &[Some(body)]).unwrap();
        let read = |package: &[u8], part: &str| {
            let mut z = ZipArchive::new(Cursor::new(package)).unwrap();
            let mut s = String::new();
            z.by_name(part).unwrap().read_to_string(&mut s).unwrap();
            s
        };
        for n in 1..=4 {
            let part = format!("xl/charts/chart{n}.xml");
            let (x, y) = (read(&a, &part), read(&b, &part));
            assert!(x.contains("Cache>"), "{part} has caches");
            assert_eq!(x, y, "{part}");
        }
        // The kinds of cache the four charts cover.
        let all: String = (1..=4)
            .map(|n| read(&b, &format!("xl/charts/chart{n}.xml")))
            .collect();
        for kind in [
            "<c:multiLvlStrCache>",
            "<c:strCache>",
            "<c:numCache>",
            "<c:v>0</c:v>",
            "<c:v>1000000000000000000000</c:v>",
            "<c:v>0.30000000000000004</c:v>",
            "<c:v>a&amp;b&lt;c&gt;</c:v>",
        ] {
            assert!(all.contains(kind), "{kind}");
        }
        assert!(all.contains("<c:f>'图表 a''b'!$A$2:$B$25</c:f>"));
    }

    #[test]
    fn a_chart_over_body_and_other_cells_is_refused() {
        use crate::bulletin::style::{self, Sheet};
        let mut wb = Workbook::new();
        let mut sh = Sheet::new("图表").unwrap();
        let mut charts = fill_charted(&mut sh, "图表");
        // A cell written after the body, over it, in the first chart's values.
        sh.number(5, 2, 1.5, "1.5", &style::pct()).unwrap();
        let (mut ws, body) = sh.finish().unwrap();
        ws.insert_chart(30, 0, &charts.remove(0)).unwrap();
        wb.push_worksheet(ws);
        let err = save(&mut wb, &[Some(body)]).unwrap_err();
        assert!(
            err.contains("xl/charts/chart1.xml") && err.contains("$C$2:$C$25"),
            "{err}"
        );
    }
}
