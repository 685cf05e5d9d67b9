//! The charts drawn now against reference charts drawn by the original program
//! (`tests/fixtures/charts/`, from the sample data of `data/`): equal within anti-aliasing,
//! as `bench/compare_pngs.py` judges them.

use crate::common::{stderr_of, tongbao};
use std::path::{Path, PathBuf};

/// A pixel differs when a channel differs by more than this …
const MAX_CHANNEL: u8 = 48;
/// … and at most this share of the pixels may differ (edges of text, lines and markers).
const MAX_SHARE: f64 = 0.02;

/// Width, height and RGB pixels of a PNG (palette or RGB).
fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut dec = png::Decoder::new(std::io::BufReader::new(file));
    dec.set_transformations(png::Transformations::EXPAND);
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// `None` when the two charts are the same within anti-aliasing, else what differs.
fn difference(reference: &Path, drawn: &Path) -> Option<String> {
    let (w, h, a) = decode(reference);
    let (w2, h2, b) = decode(drawn);
    if (w, h) != (w2, h2) {
        return Some(format!("size {w}×{h} != {w2}×{h2}"));
    }
    let far = a
        .chunks(3)
        .zip(b.chunks(3))
        .filter(|(p, q)| {
            p.iter()
                .zip(q.iter())
                .any(|(x, y)| x.abs_diff(*y) > MAX_CHANNEL)
        })
        .count();
    let total = f64::from(w) * f64::from(h);
    (far as f64 > MAX_SHARE * total).then(|| {
        format!(
            "{far} pixels ({:.2} %) differ by more than {MAX_CHANNEL}",
            100.0 * far as f64 / total
        )
    })
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/charts")
        .join(name)
}

#[test]
fn charts_match_the_original_drawings_within_anti_aliasing() {
    let t = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for month in ["2015-02", "2015-03", "2015-04"] {
        let to = t.path().join("data").join(month);
        std::fs::create_dir_all(&to).unwrap();
        for f in std::fs::read_dir(data.join(month)).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
        }
    }
    for args in [&["run", "--all"][..], &["assess", "--year", "2015"]] {
        let out = tongbao(t.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    }
    let reports = t.path().join("reports");
    let pairs = [
        (
            "growth-2015-04-profit.png",
            "2015-04/charts/利润总额增速.png",
        ),
        (
            "trend-2015-04-profit.png",
            "2015-04/charts/利润总额增速位次走势.png",
        ),
        ("assessment-2015-county.png", "2015/charts/县区考核得分.png"),
    ];
    for (reference, drawn) in pairs {
        if let Some(d) = difference(&fixture(reference), &reports.join(drawn)) {
            panic!("{drawn} differs from {reference}: {d}");
        }
    }
    // The comparison does see a different chart: March's bars are not April's.
    let march = reports.join("2015-03/charts/利润总额增速.png");
    assert!(difference(&fixture("growth-2015-04-profit.png"), &march).is_some());
}
