#!/usr/bin/env bash
# ci/release.sh OUTDIR: builds a self-contained gradfuzz for Linux and packs it as
#   OUTDIR/gradfuzz-<version>-linux-<arch>.tar.gz  and  OUTDIR/gradfuzz-<version>-linux-<arch>.tar.gz.sha256
#
# Self-contained: the Swift standard library and Foundation (--static-swift-stdlib) and GSL
# (libgsl.a, libgslcblas.a from libgsl-dev) are linked into the binary, so that it needs only the
# C runtime (libc, libm, libstdc++, libgcc_s, the loader). The script fails unless `ldd` shows
# exactly that, and unless the packed binary, unpacked into an empty folder, prints its help and
# validates Examples/python/student.py against the fixtures packed beside it in a shell with
# `env -i PATH=/usr/bin:/bin` (no Swift, nothing from this checkout).
#
# The version is the binary's own (`gradfuzz --version`, written once in Sources/GradFuzz/Version.swift).
# Needs: swift, libgsl-dev (the static archives), pkg-config, and a python3 with numpy for the
# check (PYTHON=/path/to/python3 to choose one; by default the python3 on PATH).
# The build has a folder of its own (.build/static-release), so it neither disturbs nor is
# disturbed by the debug build's flags.
set -euo pipefail

die() { echo "release.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] && [ -n "$1" ] || die "expected one argument, the output folder: ci/release.sh OUTDIR"
mkdir -p "$1" || die "cannot create the output folder $1"
outdir=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
root=$(pwd)

scratch="$root/.build/static-release"
work=$(mktemp -d "${TMPDIR:-/tmp}/gradfuzz-release.XXXXXX")
trap 'rm -rf "$work"' EXIT

# GSL, statically: the CGSL module asks the linker for -lgsl -lgslcblas, and SwiftPM puts the
# library folder of gsl.pc first on the linker's search path. For this build only, PKG_CONFIG_PATH
# leads to a copy of gsl.pc whose folder holds nothing but libgsl.a and libgslcblas.a, so those
# names resolve to the archives (the debug build and `swift test` keep the shared libraries).
gsl_pc="$(pkg-config --variable=pcfiledir gsl 2>/dev/null || true)/gsl.pc"
[ -f "$gsl_pc" ] || die "gsl.pc not found (expected pkg-config and libgsl-dev)"
gsl_libdir=$(pkg-config --variable=libdir gsl)
static_libs="$scratch/static-gsl"
mkdir -p "$static_libs"
for lib in libgsl.a libgslcblas.a; do
    [ -f "$gsl_libdir/$lib" ] || die "$gsl_libdir/$lib not found (expected it from libgsl-dev)"
    ln -sfn "$gsl_libdir/$lib" "$static_libs/$lib"
done
sed -e "s|^libdir=.*|libdir=$static_libs|" -e "s|-L$gsl_libdir\\b|-L$static_libs|g" -e "s|-L\${libdir}|-L$static_libs|g" \
    "$gsl_pc" > "$static_libs/gsl.pc.partial"
mv "$static_libs/gsl.pc.partial" "$static_libs/gsl.pc"
grep -q -- "-L$static_libs" "$static_libs/gsl.pc" || die "cannot point gsl.pc's Libs at the archives (Libs of $gsl_pc: $(grep '^Libs' "$gsl_pc"))"

echo "building gradfuzz (release, static Swift standard library, static GSL)…"
start=$(date +%s)
PKG_CONFIG_PATH="$static_libs" swift build -c release --product gradfuzz --scratch-path "$scratch" --static-swift-stdlib
built="$scratch/release/gradfuzz"
[ -x "$built" ] || die "the build left no binary at $built"
echo "built in $(($(date +%s) - start)) s"

version=$("$built" --version)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] ||
    die "gradfuzz --version printed \"$version\"; expected a version such as 1.2.3"
arch=$(uname -m)
name="gradfuzz-$version-linux-$arch"

# Only the C runtime may be left to load.
check_ldd() {
    local listing
    listing=$(ldd "$1") || die "ldd failed on $1"
    echo "$listing"
    local foreign
    foreign=$(echo "$listing" | grep -Ev '^\s*(linux-vdso\.so|/lib(64)?/ld-linux[^ ]*\.so|ld-linux[^ ]*\.so|lib(c|m|stdc\+\+|gcc_s|pthread|dl|rt|util)\.so)' || true)
    [ -z "$foreign" ] || die "$1 still needs more than the C runtime: $(echo "$foreign" | tr -s ' \t\n' ' ')"
}
echo "ldd $built:"
check_ldd "$built"

# The tarball: the binary (stripped), the committed fixtures, so that `gradfuzz validate` finds
# them as it does in a checkout, and the example students.
stage="$work/stage/$name"
mkdir -p "$stage/fixtures" "$stage/Examples/python"
cp "$built" "$stage/gradfuzz"
strip "$stage/gradfuzz"
for set in curated exams oracle-regressions; do cp -R "fixtures/$set" "$stage/fixtures/"; done
cp Examples/python/student.py Examples/python/gradfuzz_student.py Examples/python/minimal_student.py "$stage/Examples/python/"
cat > "$stage/README.txt" <<EOF
gradfuzz $version for Linux ($arch): a self-contained binary (no Swift, no GSL needed).

  ./gradfuzz --help
  ./gradfuzz validate -- python3 Examples/python/student.py    # run from this folder: the fixtures are beside it
  ./gradfuzz --iters 1000                                       # fuzz the reference backprop

Documentation: docs/install.md and the other pages of the source repository.
EOF
# Reproducible: sorted names, no owners, one timestamp (the commit's when there is one).
stamp=$(git log -1 --format=%ct 2>/dev/null || date +%s)
tar -C "$work/stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$stamp" -cf - "$name" |
    gzip -n -9 > "$work/$name.tar.gz"
(cd "$work" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")

# Check what was packed, unpacked where nothing of this checkout is.
unpacked="$work/unpacked"
mkdir -p "$unpacked"
tar -C "$unpacked" -xzf "$work/$name.tar.gz"
(cd "$work" && sha256sum --quiet -c "$name.tar.gz.sha256") || die "the checksum does not match the tarball"
binary="$unpacked/$name/gradfuzz"
echo "ldd of the packed binary:"
check_ldd "$binary"
clean=(env -i PATH=/usr/bin:/bin HOME="$work" LANG=C.UTF-8)
if "${clean[@]}" sh -c 'command -v swift' >/dev/null; then
    echo "note: a swift is on /usr/bin:/bin here; the check still stands on ldd above"
fi
"${clean[@]}" "$binary" --help > "$work/help.txt" || die "the packed binary failed to print its help"
grep -q "USAGE: gradfuzz" "$work/help.txt" || die "the packed binary's help has no usage line"
packed_version=$("${clean[@]}" "$binary" --version) || die "the packed binary failed to print its version"
[ "$packed_version" = "$version" ] || die "the packed binary says version $packed_version, the tarball $version"

python=${PYTHON:-$(python3 -c 'import numpy, sys; print(sys.executable)' 2>/dev/null || true)}
[ -n "$python" ] && "$python" -c 'import numpy' 2>/dev/null ||
    die "no python3 with numpy for the check (Examples/python/student.py needs it); set PYTHON=/path/to/python3"
echo "validate, unpacked, with env -i PATH=/usr/bin:/bin (student run by $python):"
(cd "$unpacked/$name" && "${clean[@]}" ./gradfuzz validate --quiet -- "$python" Examples/python/student.py) ||
    die "the packed binary did not validate Examples/python/student.py against its fixtures"

# Published whole or not at all: the tarball, then its checksum, each renamed into place.
for file in "$name.tar.gz" "$name.tar.gz.sha256"; do
    cp "$work/$file" "$outdir/.$file.partial"
    mv -f "$outdir/.$file.partial" "$outdir/$file"
done
echo "binary: $(stat -c %s "$built") bytes as built, $(stat -c %s "$binary") stripped"
echo "wrote $outdir/$name.tar.gz ($(stat -c %s "$outdir/$name.tar.gz") bytes) and $name.tar.gz.sha256"
