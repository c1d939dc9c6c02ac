import Foundation

/// The colour of a wrong entry: how far past its bound it lies, |got − expected| / allowed, on a
/// log scale from 1× (just past) to 10⁶× and beyond, through viridis — a colour-blind-safe scale
/// whose lightness falls steadily, so that it reads in grey too. Just past the bound is light
/// (yellow), far past it dark (purple). Entries within tolerance are not on this scale: they take
/// one neutral tone (set by the page's CSS, lighter or darker with the colour scheme).
public enum ColourScale {
    /// Decades of |got − expected| / allowed that the scale spans.
    public static let decades = 6.0

    /// viridis at t = 0, 0.1, …, 1.
    static let viridis: [(Double, Double, Double)] = [
        (0x44, 0x01, 0x54), (0x48, 0x24, 0x75), (0x41, 0x44, 0x87), (0x35, 0x5F, 0x8D), (0x2A, 0x78, 0x8E),
        (0x21, 0x91, 0x8C), (0x22, 0xA8, 0x84), (0x44, 0xBF, 0x70), (0x7A, 0xD1, 0x51), (0xBD, 0xDF, 0x26),
        (0xFD, 0xE7, 0x25),
    ]

    /// Where a severity (error / bound, > 1 for a wrong entry) sits on the scale: 0 just past the
    /// bound, 1 at 10⁶× or beyond, and for an infinite or NaN severity (a non-finite answer).
    public static func position(severity: Double) -> Double {
        guard severity.isFinite else { return 1 }
        guard severity > 1 else { return 0 }
        return min(1, log10(severity) / decades)
    }

    /// The fill for a wrong entry of `severity`, as "#rrggbb".
    public static func colour(severity: Double) -> String { colour(at: position(severity: severity)) }

    /// viridis, reversed (light at 0, dark at 1), at `t` in [0, 1].
    public static func colour(at t: Double) -> String {
        let x = (1 - min(1, max(0, t))) * Double(viridis.count - 1)
        let i = min(Int(x), viridis.count - 2), f = x - Double(i)
        let (a, b) = (viridis[i], viridis[i + 1])
        func channel(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * f).rounded()) }
        return String(format: "#%02x%02x%02x", channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    }

    /// Whether a mark drawn on a cell at `t` must be light to show (the dark half of the scale).
    public static func needsLightMark(at t: Double) -> Bool { t > 0.45 }
}
