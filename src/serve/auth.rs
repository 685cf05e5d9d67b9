//! Who may do what. On the loopback address without a configured token anyone on this PC may
//! do everything. Otherwise every request carries a token (`Authorization: Bearer …` or
//! `?token=…`, which the page's links and forms carry): the bureau's token may do everything;
//! a unit's upload token only sees and uploads its own unit's file.

use crate::config::Config;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// What a request may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Bureau,
    /// One unit (its index): its own state, upload and template only.
    Unit(usize),
}

pub enum Auth {
    Open,
    Tokens {
        bureau: String,
        /// One per configured unit, in configuration order.
        units: Vec<String>,
    },
}

impl Auth {
    /// Tokens when listening beyond the loopback, or when the configuration sets one.
    pub fn new(cfg: &Config, ip: IpAddr) -> Result<Auth> {
        let bureau = match &cfg.serve.token {
            Some(t) => t.clone(),
            None if ip.is_loopback() => return Ok(Auth::Open),
            None => generate()?,
        };
        let units = cfg
            .units
            .iter()
            .map(|u| unit_token(&bureau, &u.name))
            .collect();
        Ok(Auth::Tokens { bureau, units })
    }

    /// The role of a request's token; `None` when a token is needed and this one is missing
    /// or wrong.
    pub fn role(&self, token: Option<&str>) -> Option<Role> {
        match self {
            Auth::Open => Some(Role::Bureau),
            Auth::Tokens { bureau, units } => {
                let t = token?;
                if same(t, bureau) {
                    return Some(Role::Bureau);
                }
                units.iter().position(|u| same(t, u)).map(Role::Unit)
            }
        }
    }

    /// The token that a page for `role` carries in its links (none when open).
    pub fn token_of(&self, role: Role) -> Option<&str> {
        match (self, role) {
            (Auth::Open, _) => None,
            (Auth::Tokens { bureau, .. }, Role::Bureau) => Some(bureau),
            (Auth::Tokens { units, .. }, Role::Unit(u)) => units.get(u).map(String::as_str),
        }
    }
}

/// A unit's token, derived from the bureau's so that it stays the same across restarts when
/// the bureau's token is configured. Knowing one unit's token tells nothing of another's.
fn unit_token(bureau: &str, unit: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"tongbao serve unit token\0");
    h.update(bureau.as_bytes());
    h.update(b"\0");
    h.update(unit.as_bytes());
    hex(&h.finalize()[..16])
}

/// 128 random bits from the operating system.
fn generate() -> Result<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)
        .map_err(|e| Error::Usage(format!("无法生成令牌 (cannot generate a token): {e}")))?;
    Ok(hex(&b))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Comparison in time independent of where the strings differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_on_loopback_tokens_elsewhere() {
        let cfg = Config::default_city();
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(Auth::new(&cfg, lo).unwrap().role(None), Some(Role::Bureau));
        let any: IpAddr = "0.0.0.0".parse().unwrap();
        let a = Auth::new(&cfg, any).unwrap();
        assert_eq!(a.role(None), None);
        assert_eq!(a.role(Some("wrong")), None);
        let bureau = a.token_of(Role::Bureau).unwrap().to_string();
        assert_eq!(bureau.len(), 32);
        assert_eq!(a.role(Some(&bureau)), Some(Role::Bureau));
        let t1 = a.token_of(Role::Unit(1)).unwrap().to_string();
        assert_eq!(a.role(Some(&t1)), Some(Role::Unit(1)));
        assert_ne!(t1, bureau);
        // A second start generates another bureau token.
        let b = Auth::new(&cfg, any).unwrap();
        assert_eq!(b.role(Some(&bureau)), None);
    }

    #[test]
    fn configured_token_holds_on_loopback_and_unit_tokens_are_stable() {
        let mut cfg = Config::default_city();
        cfg.serve.token = Some("0123456789abcdef-bureau".into());
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        let a = Auth::new(&cfg, lo).unwrap();
        let b = Auth::new(&cfg, lo).unwrap();
        assert_eq!(a.role(None), None);
        assert_eq!(a.role(Some("0123456789abcdef-bureau")), Some(Role::Bureau));
        assert_eq!(a.token_of(Role::Unit(3)), b.token_of(Role::Unit(3)));
        assert_ne!(a.token_of(Role::Unit(3)), a.token_of(Role::Unit(4)));
    }
}
