import CLaneKernels
import GradFuzzCore
import Testing

/// The C kernels of the oracle's hot path (Sources/CLaneKernels) have a generic and an AVX variant,
/// chosen at run time; the oracle's bits must not depend on the machine, so the two must agree bit
/// for bit: on every size (the four-way unrolled loop and its remainder), on tiny, huge, negative
/// and subnormal values, and where huge products overflow.
@Suite struct LaneKernelTests {
    static let avx = gradfuzz_lane_kernels_have_avx() != 0
    static let noAVX = "this CPU (or build) has no AVX: only the generic kernels run here"

    /// A value of a random kind: ordinary, tiny, huge, subnormal, zero of either sign, either sign.
    static func awkward(_ rng: inout SplitMix64) -> Double {
        let sign: Double = Bool.random(using: &rng) ? -1 : 1
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return sign * Double(bitPattern: UInt64.random(in: 1...0x000F_FFFF_FFFF_FFFF, using: &rng))  // subnormal
        case 1: return sign * rng.logUniform(1e-300, 1e-200)
        case 2: return sign * rng.logUniform(1e200, 1e300)
        case 3: return sign * 0
        case 4: return sign * rng.logUniform(1e-8, 1e8)
        default: return rng.normal()
        }
    }

    /// The bits of `values`, for comparisons that tell −0 from 0 and compare NaNs by payload.
    static func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

    @Test(.enabled(if: avx, Comment(rawValue: noAVX)))
    func laneSumsGenericAndAVXAgreeBitForBit() {
        var rng = SplitMix64(seed: 2024)
        var cases = 0
        for width in 0...41 {
            for next in [0, 1, 2, 3, 5, 8] {
                for _ in 0..<6 {
                    let da = (0..<4 * width).map { _ in Self.awkward(&rng) }
                    let wt = (0..<width * next).map { _ in Self.awkward(&rng) }
                    // One slot past the end, to see that neither writes beyond 4·next.
                    var generic = [Double](repeating: 7, count: 4 * next + 1), avx = generic, dispatched = generic
                    gradfuzz_lane_sums_generic(da, wt, width, next, &generic)
                    gradfuzz_lane_sums_avx(da, wt, width, next, &avx)
                    gradfuzz_lane_sums(da, wt, width, next, &dispatched)
                    #expect(Self.bits(avx) == Self.bits(generic), "width \(width), next \(next): AVX \(avx), generic \(generic)")
                    #expect(Self.bits(dispatched) == Self.bits(generic), "width \(width), next \(next): the dispatched kernel differs")
                    #expect(generic.last == 7 && avx.last == 7, "width \(width), next \(next): wrote past the output")
                    cases += 1
                }
            }
        }
        #expect(cases == 42 * 6 * 6)
    }

    @Test(.enabled(if: avx, Comment(rawValue: noAVX)))
    func tanhTinyChangesGenericAndAVXAgreeBitForBit() {
        var rng = SplitMix64(seed: 2025)
        for count in 0...33 {
            for _ in 0..<20 {
                // The oracle's moves are below 1e-5 and a = tanh z, c = sech² z; awkward values beyond that too.
                let dz = (0..<4 * count).map { _ in Bool.random(using: &rng) ? Self.awkward(&rng) : rng.normal() * 1e-6 }
                let a = (0..<count).map { _ in Bool.random(using: &rng) ? Self.awkward(&rng) : Double.random(in: -1...1, using: &rng) }
                let c = (0..<count).map { _ in Bool.random(using: &rng) ? Self.awkward(&rng) : Double.random(in: 0...1, using: &rng) }
                var generic = [Double](repeating: 7, count: 4 * count + 1), avx = generic, dispatched = generic
                gradfuzz_tanh_tiny_changes_generic(dz, a, c, count, &generic)
                gradfuzz_tanh_tiny_changes_avx(dz, a, c, count, &avx)
                gradfuzz_tanh_tiny_changes(dz, a, c, count, &dispatched)
                #expect(Self.bits(avx) == Self.bits(generic), "count \(count): AVX \(avx), generic \(generic)")
                #expect(Self.bits(dispatched) == Self.bits(generic), "count \(count): the dispatched kernel differs")
                #expect(generic.last == 7 && avx.last == 7, "count \(count): wrote past the output")
            }
        }
    }

    /// Without AVX the dispatching kernels must be the generic ones; with it, the tests above hold them to the AVX ones.
    @Test func theDispatchedKernelsAreAVXOrGeneric() {
        if !Self.avx { print("LaneKernelTests: \(Self.noAVX)") }
        var rng = SplitMix64(seed: 7)
        let (width, next) = (11, 3)
        let da = (0..<4 * width).map { _ in Self.awkward(&rng) }, wt = (0..<width * next).map { _ in Self.awkward(&rng) }
        var expected = [Double](repeating: 0, count: 4 * next), got = expected
        if Self.avx { gradfuzz_lane_sums_avx(da, wt, width, next, &expected) } else { gradfuzz_lane_sums_generic(da, wt, width, next, &expected) }
        gradfuzz_lane_sums(da, wt, width, next, &got)
        #expect(Self.bits(got) == Self.bits(expected))
    }
}
