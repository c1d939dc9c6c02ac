/// The version of gradfuzz: what `gradfuzz --version` prints and what a release tarball is named
/// after (`ci/release.sh` reads it from the built binary), so that it is written only here.
public enum GradFuzzVersion {
    /// MAJOR.MINOR.PATCH (semantic versioning).
    public static let current = "0.1.0"
}
