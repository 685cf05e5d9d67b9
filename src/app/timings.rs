//! `--timings`: the wall time of each stage of a run, and the process's CPU time.

use std::time::Instant;

/// Wall time per stage (`--timings`); stages that run side by side are marked.
pub struct Timings {
    start: Instant,
    stages: Vec<(&'static str, f64, bool)>,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings {
            start: Instant::now(),
            stages: Vec::new(),
        }
    }
}

pub(crate) fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed().as_secs_f64() * 1000.0)
}

impl Timings {
    pub fn time<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        let (v, ms) = timed(f);
        self.stages.push((stage, ms, false));
        v
    }

    /// Record a stage timed elsewhere; `parallel` when it overlapped the stages around it.
    pub fn record(&mut self, stage: &'static str, ms: f64, parallel: bool) {
        self.stages.push((stage, ms, parallel));
    }

    pub fn report(&self) -> String {
        let mut s = String::from("timings (ms):\n");
        for (k, t, par) in &self.stages {
            let mark = if *par { " ∥" } else { "" };
            s.push_str(&format!("  {:<18}{t:>10.1}\n", format!("{k}{mark}")));
        }
        let wall = self.start.elapsed().as_secs_f64() * 1000.0;
        s.push_str(&format!("  {:<18}{wall:>10.1}\n", "wall"));
        // Against the wall time: how busy the cores were (2 cores: up to twice the wall).
        if let Some((user, system)) = cpu_ms() {
            s.push_str(&format!(
                "  {:<18}{:>10.1}  (user {user:.1} + system {system:.1}, every thread)\n",
                "cpu",
                user + system
            ));
        }
        if self.stages.iter().any(|(_, _, p)| *p) {
            s.push_str("  (∥: ran at the same time as the other ∥ stages)\n");
        }
        s
    }
}

/// CPU time of the whole process so far, (user, system) in ms; not measured off Unix.
#[cfg(unix)]
fn cpu_ms() -> Option<(f64, f64)> {
    // SAFETY: getrusage writes the struct it is given; a zeroed rusage is a valid value.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return None;
    }
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    Some((ms(u.ru_utime), ms(u.ru_stime)))
}

#[cfg(not(unix))]
fn cpu_ms() -> Option<(f64, f64)> {
    None
}
