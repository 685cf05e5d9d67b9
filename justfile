# Everyday recipes. The README's two commands do not need `just`.

# run the tests
test:
    cargo test

# formatting and lints as CI runs them
lint:
    cargo fmt --check
    cargo clippy --all-targets -- -D warnings

# what CI runs
ci:
    bash .ci/run

# regenerate the illustrative sample data in data/
sample:
    cargo run --example make_sample -- data

# run every sample month, then the year's assessment
all:
    cargo run --release -- run --all
    cargo run --release -- assess --year 2015

# render the latest bulletin to PDF and PNG pages (needs libreoffice-calc-nogui and poppler-utils)
preview period="2015-12":
    cargo run --release -- run --period {{period}}
    mkdir -p reports/preview
    soffice --headless --convert-to pdf --outdir reports/preview "reports/{{period}}/"*.xlsx
    for f in reports/preview/*.pdf; do pdftoppm -png -r 70 "$f" "${f%.pdf}"; done
    ls reports/preview

# the benchmark: national case (2,851 units) and city case against the calamine floor; see BENCHMARKS.md
bench dir="/tmp/tongbao-bench":
    bash bench/run.sh {{dir}}

# are this build's outputs those of another build (OLD: its binary)? csv bytes, workbooks read back, charts, history
same old:
    cargo build --release
    bash bench/same_outputs.sh {{old}} target/release/tongbao

# files over ~600 lines and functions over ~120 lines
sizes:
    python3 bench/sizes.py src

# a cold release build in a fresh target folder: its time and the binary's size (BENCHMARKS.md)
cold-build dir="/tmp/tongbao-cold":
    rm -rf {{dir}}
    /usr/bin/time -f "cold release build: %e s wall, %U s user, %M KB peak" cargo build --release --target-dir {{dir}}
    ls -l {{dir}}/release/tongbao

# CPU of each output stage alone, one thread, on the benchmark's national July (after `just bench`)
stages dir="/tmp/tongbao-bench":
    cargo run --release --example stages -- {{dir}}/national/config.toml {{dir}}/national/data/2015-07 {{dir}}/national/history-06 2015-07

# Everything after reading except the PNG charts, alone on both cores as `run` arranges it (after `just bench`)
rest dir="/tmp/tongbao-bench":
    TMPDIR={{dir}} STAGE=rest cargo run --release --example stages -- {{dir}}/national/config.toml {{dir}}/national/data/2015-07 {{dir}}/national/history-06 2015-07 9

# tongbao.exe for the bureau's Windows PCs: one file, the font and the configuration inside.
# Needs `rustup target add x86_64-pc-windows-gnu` and `apt-get install gcc-mingw-w64-x86-64`.
windows:
    cargo build --release --target x86_64-pc-windows-gnu
    ls -l target/x86_64-pc-windows-gnu/release/tongbao.exe

# tongbao.exe under wine, its outputs compared with this build's (CI runs it too); `--install` first
# installs wine, the linker, Xvfb, the zh_CN locale and the target (Debian, as root)
windows-test *flags:
    bash tests/windows.sh {{flags}}

# the web page on the sample data (http://127.0.0.1:8080/)
serve *flags:
    cargo run --release -- serve {{flags}}

# the README's screenshots of the page (docs/serve-*.png), from the browser test (needs chromium)
screenshots:
    TONGBAO_SCREENSHOTS=docs cargo test --test it browser:: -- --nocapture
