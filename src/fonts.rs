//! The CJK font the PNG charts are drawn with: an embedded subset of Noto Sans CJK SC
//! (SIL OFL 1.1, `assets/fonts/`), or the file named by `font = "…"` in the configuration.
//! No system font is ever looked up.

use crate::config::Config;
use crate::error::{Error, Result};
use ab_glyph::{Font, FontArc};

/// Noto Sans CJK SC Regular, subset to GB2312 + ASCII + CJK punctuation + the characters of the
/// default configuration (`assets/fonts/make_subset.sh`).
pub static EMBEDDED: &[u8] = include_bytes!("../assets/fonts/NotoSansSC-tongbao.otf");

/// Largest font file accepted from the configuration.
const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;

/// The embedded font.
pub fn embedded() -> Result<FontArc> {
    FontArc::try_from_slice(EMBEDDED).map_err(|e| Error::output("embedded font", e))
}

/// The configured font (`cfg.font`), or the embedded one.
pub fn load(cfg: &Config) -> Result<FontArc> {
    let Some(path) = &cfg.font else {
        return embedded();
    };
    let what = format!("font {}", path.display());
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::output(&what, format!("cannot read the font file: {e}")))?;
    if meta.len() > MAX_FONT_BYTES {
        return Err(Error::output(
            &what,
            format!("font file too large ({} bytes)", meta.len()),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Error::output(&what, format!("cannot read the font file: {e}")))?;
    FontArc::try_from_vec(bytes).map_err(|e| {
        Error::output(
            &what,
            format!("not a TrueType/OpenType font ({e}); give a .ttf or .otf file"),
        )
    })
}

/// Characters of `text` the font has no glyph for (whitespace and control characters are
/// never drawn and so never missing), each once, in order of first appearance.
pub fn missing_chars<'a>(font: &FontArc, texts: impl IntoIterator<Item = &'a str>) -> Vec<char> {
    let mut seen = std::collections::HashSet::new();
    let mut missing = Vec::new();
    for t in texts {
        for c in t.chars() {
            if c.is_whitespace() || c.is_control() || !seen.insert(c) {
                continue;
            }
            if font.glyph_id(c).0 == 0 {
                missing.push(c);
            }
        }
    }
    missing
}

/// An error naming the missing characters and how to fix it.
pub fn missing_error(cfg: &Config, missing: &[char]) -> Error {
    let list: String = missing
        .iter()
        .take(50)
        .map(|c| format!("「{c}」(U+{:04X}) ", *c as u32))
        .collect();
    let more = if missing.len() > 50 {
        format!("… ({} in all) ", missing.len())
    } else {
        String::new()
    };
    let which = match &cfg.font {
        Some(p) => format!("the configured font {}", p.display()),
        None => "the embedded font (Noto Sans CJK SC, GB2312 subset)".to_string(),
    };
    Error::output(
        "charts",
        format!(
            "{which} has no glyph for {list}{more}— set `font = \"path/to/a-font.ttf\"` in the configuration \
             to a TrueType/OpenType font that covers them (e.g. a full Noto Sans CJK SC .otf)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_font_parses_and_is_small() {
        assert!(FontArc::try_from_slice(EMBEDDED).is_ok());
        assert!(EMBEDDED.len() < 4_500_000, "{}", EMBEDDED.len());
    }

    #[test]
    fn embedded_font_covers_the_default_configuration_and_gb2312_samples() {
        let f = embedded().unwrap();
        let text = crate::config::DEFAULT_TOML;
        assert_eq!(missing_chars(&f, [text]), Vec::<char>::new());
        let fixed = "、，。：（）％—↑↓0123456789.-+% 全市同比增长位次走势未报扭亏为盈由盈转亏减亏增亏无可比基数月倍";
        assert_eq!(missing_chars(&f, [fixed]), Vec::<char>::new());
        assert_eq!(
            missing_chars(&f, ["齄鼾"]),
            Vec::<char>::new(),
            "GB2312 level 2"
        );
        // Not in GB2312 (CJK Extension B): reported, each once.
        assert_eq!(missing_chars(&f, ["𠀀a𠀀"]), vec!['𠀀']);
    }

    #[test]
    fn a_configured_font_collection_is_used() {
        // Only where the system has it (never needed at run time).
        let ttc = std::path::Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
        if !ttc.exists() {
            return;
        }
        let mut cfg = Config::default_city();
        cfg.font = Some(ttc.into());
        let f = load(&cfg).unwrap();
        assert_eq!(missing_chars(&f, ["𠀀"]), vec!['𠀀']);
        assert_eq!(missing_chars(&f, ["漯河市堃"]), Vec::<char>::new());
    }

    #[test]
    fn configured_font_errors_are_clear() {
        let mut cfg = Config::default_city();
        cfg.font = Some("/nonexistent/x.ttf".into());
        let e = load(&cfg).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("x.ttf"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.ttf");
        std::fs::write(&p, b"not a font").unwrap();
        cfg.font = Some(p);
        let e = load(&cfg).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("not a TrueType"), "{e}");
        let e = missing_error(&cfg, &['𠀀']).to_string();
        assert!(e.contains("U+20000") && e.contains("font = "), "{e}");
    }
}
