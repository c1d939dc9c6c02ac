import CLaneKernels
import GradFuzzCore
import RealModule

/// Four values at once: the four points of one `gsl_deriv_central` stencil (x₀ − h, x₀ + h, x₀ − h/2, x₀ + h/2).
typealias Lanes = SIMD4<Double>

/// Changes f(z + d) − f(z) and L(a + Δa) − L(a) computed without cancellation.
///
/// Computed as a difference of two values, a change of size |d| loses ε·|f(z)| to rounding, which
/// divided by a small step swamps the derivative. Written as below each change has a relative error
/// of a few ε, whatever the step. A plain difference remains only where a move crosses a joint
/// (relu's and leaky_relu's kink, elu's and softsign's joint at 0, the kinks of
/// absolute_error and hinge) or for gelu a move beyond its series' range, |d|·(1 + |z|) > 1/32;
/// `changes` counts its rounding.
extension Activation {
    /// The per-unit constant `change` uses, computed once from z:
    /// tanh: 1 − tanh² z = sech² z; sigmoid: σ(z)(1 − σ(z)); elu (z ≤ 0): e^z; softplus, silu: σ(z);
    /// gelu: Φ(z).
    /// sech² and σ(1 − σ) come from e^(−|z|), not from 1 − a², which cancels when a unit saturates.
    func changeConstant(z: Double) -> Double {
        switch self {
        case .tanh:
            let e = Double.exp(-2 * abs(z))
            return 4 * e / ((1 + e) * (1 + e))
        case .sigmoid:
            let e = Double.exp(-abs(z))
            return e / ((1 + e) * (1 + e))
        case .elu: return Double.exp(min(z, 0))
        case .softplus, .silu: return Self.sigmoid(z)
        case .gelu: return Double.erfc(-z / 2.0.squareRoot()) / 2
        default: return 0
        }
    }

    /// f(z + d) − f(z) for four moves d of one unit with f(z) = a and constant c = `changeConstant(z:)`:
    /// - tanh: tanh(z + d) − tanh z = τ·sech² z / (1 + τ·tanh z), τ = tanh d (the addition theorem);
    /// - sigmoid: σ(z + d) − σ(z) = σ(1 − σ)·E / (1 + σ·E), E = e^d − 1;
    /// - elu on z, z + d ≤ 0: e^z·(e^d − 1); softplus: log(1 + σ(z)·(e^d − 1));
    /// - relu, leaky_relu, elu on the side z > 0: slope · d.
    /// A move across z = 0 (a kink for relu and leaky_relu) is computed as a plain difference.
    @inline(__always)
    func change(z: Double, a: Double, c: Double, d: Lanes) -> Lanes {
        switch self {
        case .identity: return d
        case .tanh:
            let t = tanhOfSmall(d)
            return t * c / (1 + a * t)
        case .sigmoid:
            let e = expMinusOneOfSmall(d)
            return c * e / (1 + a * e)
        case .relu, .leakyReLU, .elu, .softplus, .silu, .gelu, .softsign:
            var result = Lanes()
            for lane in 0..<4 { result[lane] = scalarChange(z: z, a: a, c: c, d: d[lane]).change }
            return result
        default:
            preconditionFailure("no cancellation-free change for \(rawValue)")
        }
    }

    /// `change` for `count` units at once (Δa_c for moves dz_c), written into `da`. Returns the size
    /// bound Σ_c |f'|·size_c carried from the first lane's bounds `size` on |Δz_c|, plus the
    /// rounding of each change computed as a plain difference; when `differences` is given, that
    /// last part is also written into it unit by unit (0 for a unit whose change is exact to a few
    /// ε of |f'|·size_c). Element-wise activations only: a softmax layer is `softmaxChanges`.
    @inline(__always)
    func changes(
        z: UnsafePointer<Double>, a: UnsafePointer<Double>, c: UnsafePointer<Double>, dz: UnsafePointer<Lanes>,
        size: UnsafePointer<Double>, into da: UnsafeMutablePointer<Lanes>, count: Int,
        differences: UnsafeMutablePointer<Double>? = nil
    ) -> Double {
        var carried = 0.0
        if let differences { differences.update(repeating: 0, count: count) }
        switch self {
        case .identity:
            for u in 0..<count { da[u] = dz[u]; carried += size[u] }
        case .softmax:
            preconditionFailure("a softmax layer changes as a whole: softmaxChanges")
        case .tanh:
            if allTiny(dz, count: count) {
                // The short series (tanh d = d − d³/3, 1/(1 + v) = 1 − v + v² − v³), four lanes a register.
                gradfuzz_tanh_tiny_changes(
                    UnsafeRawPointer(dz).assumingMemoryBound(to: Double.self), a, c, count,
                    UnsafeMutableRawPointer(da).assumingMemoryBound(to: Double.self))
                for u in 0..<count { carried += c[u] * size[u] }
            } else {
                for u in 0..<count {
                    let t = tanhOfSmall(dz[u])
                    da[u] = t * c[u] / (1 + a[u] * t)
                    carried += c[u] * size[u]
                }
            }
        case .sigmoid:
            if allTiny(dz, count: count) {
                for u in 0..<count {
                    let x = dz[u]
                    let cubic: Lanes = (1.0 / 6) + x * (1.0 / 24)
                    let e = x + x * x * (0.5 + x * cubic)
                    da[u] = c[u] * e * reciprocalOfOnePlusTiny(a[u] * e)
                    carried += c[u] * size[u]
                }
            } else {
                for u in 0..<count {
                    let e = expMinusOneOfSmall(dz[u])
                    da[u] = c[u] * e / (1 + a[u] * e)
                    carried += c[u] * size[u]
                }
            }
        default:
            for u in 0..<count {
                var d = Lanes()
                var differenced = false
                for lane in 0..<4 {
                    let (change, byDifference) = scalarChange(z: z[u], a: a[u], c: c[u], d: dz[u][lane])
                    d[lane] = change
                    if lane == 0 { differenced = byDifference }
                }
                da[u] = d
                let slope = dz[u][0] != 0 ? abs(d[0] / dz[u][0]) : 0
                carried += slope * size[u]
                // A plain difference f(z + d) − f(z) loses ε·(|f(z)| + |z|·|f'|) however small d is.
                if differenced {
                    let rounding = abs(a[u]) + abs(z[u]) * slope
                    carried += rounding
                    differences?[u] = rounding
                }
            }
        }
        return carried
    }

    /// The per-unit constant `softmaxChanges` uses, for one sample's softmax layer s = a:
    /// c_k = 1 − s_k, computed as Σ_{j≠k} s_j for the unit with s_k > 1/2 (at most one), where
    /// 1 − s_k would cancel (for s_k = 1 − 1e-16 it is 0 or 2⁻⁵³, not 1e-16).
    static func softmaxComplements(_ a: UnsafePointer<Double>, count: Int, into c: UnsafeMutablePointer<Double>) {
        for k in 0..<count {
            if a[k] > 0.5 {
                var rest = 0.0
                for j in 0..<count where j != k { rest += a[j] }
                c[k] = rest
            } else {
                c[k] = 1 - a[k]
            }
        }
    }

    /// s' − s for four moves Δz of a whole softmax layer s = a (one sample), written into `da`, with
    /// c = `softmaxComplements`. Writes into `daSize` a bound on each change's size (the first
    /// lane's), carried from the bounds `size` on |Δz_k|, and returns their sum.
    ///
    /// From s' = s ⊙ e^Δz / Σ_j s_j e^(Δz_j) and Σ_j s_j = 1, with E_k = e^(Δz_k) − 1 and S = Σ_j s_j E_j:
    ///
    ///     s_k' − s_k = s_k (E_k − S) / (1 + S)
    ///
    /// For a unit with s_k ≤ 1/2 the difference E_k − S does not cancel beyond what the sizes allow:
    /// its rounding, ε(|E_k| + |S|), is at most 3ε the sizes of E_k (1 − s_k) and Σ_{j≠k} s_j E_j.
    /// For the unit t with s_t > 1/2 it does: near saturation E_t − S is (1 − s_t)·E_t − Σ_{j≠t} s_j E_j,
    /// a change of size (1 − s_t)|Δz|, computed as a difference of two of size |Δz|. It is taken in
    /// that form instead, with R = Σ_{j≠t} s_j E_j summed directly and c_t = Σ_{j≠t} s_j:
    ///
    ///     s_t' − s_t = s_t (c_t E_t − R) / (1 + S),   S = s_t E_t + R
    ///
    /// so that every change is exact to a few ε of the sizes of its terms. Those sizes, with the
    /// moves' own bounds (size_k ≥ |Δz_k| and its rounding), bound each change:
    ///
    ///     σ_t = s_t (c_t size_t + Σ_{j≠t} s_j size_j),   σ_k = s_k (size_k + Σ_j s_j size_j) (k ≠ t)
    ///
    /// (the derivatives of s_k' with respect to Δz_j are s_k(δ_kj − s_j); ∂s_t'/∂Δz_t = s_t c_t).
    @inline(__always)
    static func softmaxChanges(
        a: UnsafePointer<Double>, c: UnsafePointer<Double>, dz: UnsafePointer<Lanes>,
        size: UnsafePointer<Double>, into da: UnsafeMutablePointer<Lanes>,
        daSize: UnsafeMutablePointer<Double>, count: Int
    ) -> Double {
        var rest = Lanes.zero
        var top = -1
        var restSize = 0.0
        for u in 0..<count {
            let e = expMinusOneOfSmall(dz[u])
            da[u] = e
            if top < 0 && a[u] > 0.5 {
                top = u
            } else {
                rest += a[u] * e
                restSize += a[u] * size[u]
            }
        }
        let sum = top < 0 ? rest : rest + a[top] * da[top]
        let allSize = top < 0 ? restSize : restSize + a[top] * size[top]
        let scale = 1 / (1 + sum)
        var carried = 0.0
        for u in 0..<count where u != top {
            da[u] = a[u] * (da[u] - sum) * scale
            daSize[u] = a[u] * (size[u] + allSize)
            carried += daSize[u]
        }
        if top >= 0 {
            da[top] = a[top] * (c[top] * da[top] - rest) * scale
            daSize[top] = a[top] * (c[top] * size[top] + restSize)
            carried += daSize[top]
        }
        return carried
    }

    /// f(z + d) − f(z) for one move, and whether it had to be computed as a plain difference
    /// (across relu's or leaky_relu's kink, elu's or softsign's joint at 0, or for gelu a move with
    /// |d|·(1 + |z|) > 1/32).
    ///
    /// silu: (z + d)σ(z + d) − zσ(z) = z·Δσ + d·(σ + Δσ), Δσ as for sigmoid.
    /// gelu: z·ΔΦ + d·(Φ + ΔΦ), ΔΦ = φ(z) Σ_n (−1)ⁿ Heₙ(z) d^(n+1)/(n+1)! (the Taylor series of Φ,
    /// whose derivatives are φ times Hermite polynomials), to n = 8 for |d| < 1e-5 and to n = 16 for
    /// |d|·(1 + |z|) ≤ 1/32: exact to ε in both (|Heₙ(z)| ≲ (|z| + √n)ⁿ, so the first omitted term is
    /// below ε·|d|; checked against mpmath for |z| ≤ 40). Beyond that, a plain difference of
    /// z·Φ(z) with Φ(z) = erfc(−z/√2)/2: each value exact to a few ε of itself. (`value`'s
    /// z(1 + erf(z/√2))/2 is not, in the left tail: 1 + erf cancels, and the value rounds by ε·|z|/2,
    /// not ε·|f(z)|; its difference lost 3e-4 of a change at z = −6.1.)
    /// softsign, z and z + d on one side of 0: d / ((1 + |z|)(1 + |z + d|)).
    private func scalarChange(z: Double, a: Double, c: Double, d: Double) -> (change: Double, byDifference: Bool) {
        let moved = z + d
        let sameSide = (moved > 0) == (z > 0)
        let difference = (value(moved) - a, true)
        switch self {
        case .relu: return sameSide ? (z > 0 ? d : 0, false) : difference
        case .leakyReLU: return sameSide ? (z > 0 ? d : Self.leakySlope * d, false) : difference
        case .elu: return sameSide ? (z > 0 ? d : c * Double.expMinusOne(d), false) : difference
        case .softplus: return (Double.log(onePlus: c * Double.expMinusOne(d)), false)
        case .silu:
            let e = Double.expMinusOne(d)
            let slope = c * Self.sigmoid(-z)
            let ds = slope * e / (1 + c * e)
            return (z * ds + d * (c + ds), false)
        case .gelu:
            let terms = abs(d) < 1e-5 ? 8 : abs(d) * (1 + abs(z)) <= 1.0 / 32 ? 16 : 0
            guard terms > 0 else {
                // c = Φ(z) is from erfc too, so z·c is z·Φ(z) to an ulp.
                return (moved * Double.erfc(-moved / 2.0.squareRoot()) / 2 - z * c, true)
            }
            // Σ_n (−1)ⁿ Heₙ(z) dⁿ⁺¹/(n+1)!, He₀ = 1, He₁ = z, Heₙ₊₁ = z Heₙ − n Heₙ₋₁.
            var (previous, current) = (0.0, 1.0)
            var power = d, sum = d
            for n in 0..<terms {
                (previous, current) = (current, z * current - Double(n) * previous)
                power *= -d / Double(n + 2)
                sum += current * power
            }
            let dPhi = Double.exp(-z * z / 2) / (2 * Double.pi).squareRoot() * sum
            return (z * dPhi + d * (c + dPhi), false)
        case .softsign:
            guard (moved >= 0) == (z >= 0) else { return difference }
            return (d / ((1 + abs(z)) * (1 + abs(moved))), false)
        default: return difference
        }
    }
}

extension Loss {
    /// The per-output-unit constant `termChange` uses: log_cosh: tanh(a − y); binary_cross_entropy: σ(−z).
    func changeConstant(z: Double, a: Double, y: Double) -> Double {
        switch self {
        case .logCosh: return Double.tanh(a - y)
        case .binaryCrossEntropy: return Activation.sigmoid(-z)
        default: return 0
        }
    }

    /// The change of one output unit's loss term when its z moves by dz and its a by da:
    /// - squared_error: Δa·(r + Δa/2), r = a − y;
    /// - huber: the same inside |r| ≤ 1, ±Δa outside, and the exact joint of the two across |r| = 1;
    /// - absolute_error, hinge: ±Δa (or 0) on one side of the kink, a plain difference across it;
    /// - log_cosh: log(1 + 2 sinh²(Δa/2) + tanh r · sinh Δa) (the addition theorem of cosh);
    /// - binary_cross_entropy after sigmoid: y·Δsoftplus(−z; −dz) + (1 − y)·Δsoftplus(z; dz),
    ///   Δsoftplus(z; d) = log(1 + σ(z)(e^d − 1)).
    @inline(__always)
    func termChange(z: Double, a: Double, y: Double, c: Double, dz: Lanes, da: Lanes) -> Lanes {
        let r = a - y
        switch self {
        case .squaredError: return da * (r + da / 2)
        case .binaryCrossEntropy:
            var result = Lanes()
            for lane in 0..<4 {
                let up = Double.log(onePlus: a * Double.expMinusOne(dz[lane]))
                let down = Double.log(onePlus: c * Double.expMinusOne(-dz[lane]))
                result[lane] = y * down + (1 - y) * up
            }
            return result
        default:
            var result = Lanes()
            for lane in 0..<4 { result[lane] = scalarTermChange(r: r, y: y, c: c, d: da[lane]) }
            return result
        }
    }

    private func scalarTermChange(r: Double, y: Double, c: Double, d: Double) -> Double {
        let moved = r + d
        switch self {
        case .absoluteError:
            return (moved > 0) == (r > 0) ? (r > 0 ? d : -d) : abs(moved) - abs(r)
        case .huber:
            // h is even: work on the side of the larger |r|.
            let (s, t, dd) = r + moved >= 0 ? (r, moved, d) : (-r, -moved, -d)
            switch (abs(s) <= 1, abs(t) <= 1) {
            case (true, true): return dd * (s + dd / 2)
            case (false, false): return (s > 0) == (t > 0) ? dd : (abs(t) - abs(s))
            case (true, false): return dd - (1 - s) * (1 - s) / 2  // (t − ½) − s²/2
            case (false, true): return dd + (1 - t) * (1 - t) / 2  // t²/2 − (s − ½)
            }
        case .logCosh:
            let half = Double.sinh(d / 2)
            let sinh = 2 * half * (1 + half * half).squareRoot()
            return Double.log(onePlus: 2 * half * half + c * sinh)
        case .hinge:
            // With y = ±1 the margin 1 − y·a is −y·r.
            let (margin, movedMargin) = (-y * r, -y * moved)
            switch (margin > 0, movedMargin > 0) {
            case (true, true): return -y * d
            case (false, false): return 0
            default: return max(movedMargin, 0) - max(margin, 0)
            }
        default:
            return 0
        }
    }
}

/// Whether every lane of every move is below 1e-5 in size, where the short series (tanh d ≈ d − d³/3,
/// e^d − 1 to d⁴/24, 1/(1 + u) ≈ 1 − u + u² − u³) are exact to ε: their next terms are below
/// d⁴ ≈ 1e-20 relative. Tested by the squares' sum (no branch per unit).
@inline(__always)
func allTiny(_ x: UnsafePointer<Lanes>, count: Int) -> Bool {
    var squares = Lanes.zero
    for u in 0..<count { squares += x[u] * x[u] }
    return squares.sum() < 1e-10
}

/// 1/(1 + u) for |u| < 1e-5: 1 − u + u² − u³ (the next term, u⁴ < 1e-20, is below ε).
@inline(__always)
func reciprocalOfOnePlusTiny(_ u: Lanes) -> Lanes {
    1 - u * (1 - u * (1 - u))
}

/// f applied to each lane.
@inline(__always)
func laneByLane(_ x: Lanes, _ f: (Double) -> Double) -> Lanes {
    var result = Lanes()
    for lane in 0..<4 { result[lane] = f(x[lane]) }
    return result
}

/// tanh x for four small x by its Taylor series (relative error < ε for |x| < 0.01), else lane by lane.
@inline(__always)
func tanhOfSmall(_ x: Lanes) -> Lanes {
    let x2 = x * x
    guard max(max(x2[0], x2[1]), max(x2[2], x2[3])) < 1e-4 else { return laneByLane(x, Double.tanh) }
    // x − x³/3 + 2x⁵/15 − 17x⁷/315 + 62x⁹/2835
    let tail: Lanes = (2.0 / 15) + x2 * ((-17.0 / 315) + x2 * (62.0 / 2835))
    return x + x * x2 * ((-1.0 / 3) + x2 * tail)
}

/// e^x − 1 for four small x by its Taylor series (relative error < ε for |x| < 0.01), else lane by lane.
@inline(__always)
func expMinusOneOfSmall(_ x: Lanes) -> Lanes {
    let x2 = x * x
    guard max(max(x2[0], x2[1]), max(x2[2], x2[3])) < 1e-4 else { return laneByLane(x, Double.expMinusOne) }
    var sum: Lanes = 1 + x / 9
    sum = 1 + x / 8 * sum
    sum = 1 + x / 7 * sum
    sum = 1 + x / 6 * sum
    sum = 1 + x / 5 * sum
    sum = 1 + x / 4 * sum
    sum = 1 + x / 3 * sum
    sum = 1 + x / 2 * sum
    return x * sum
}
