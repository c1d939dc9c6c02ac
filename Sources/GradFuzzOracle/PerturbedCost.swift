import CLaneKernels
import GradFuzzCore

/// How much the loss of a batch changes when one pre-activation moves: the function the oracle
/// differentiates, evaluated incrementally and without cancellation, four moves at once.
///
/// Everything the unperturbed forward pass computed is cached. Moving z_k^(i,l) changes, for an
/// element-wise f_l, only a_k^(i,l); layer l+1 then moves by the rank-one Δz^(i,l+1) = Δa_k · row k
/// of W^(l+1), every layer above by Δz' = Wᵀ Δa over the units that moved, and the loss by the
/// change of the output terms that moved (all units of a softmax layer move together).
///
/// Nothing is computed as a difference of two large values: every quantity is carried as a change
/// (Δz, Δa, ΔL), each from a cancellation-free form (`ExactChange.swift`), so a change of size |Δ|
/// is exact to a few ε·|Δ| whatever the step, and L' − L is never rounded against L.
///
/// A weight w_jk^(l) moves z_k^(i,l) by Δ·a_j^(i,l−1) in every sample; a bias b_k^(l) by Δ; the
/// per-sample error signal g^(i,l) is checked by moving z_k^(i,l) of sample i alone.
///
/// Storage is contiguous and allocated once; an evaluation allocates nothing. One instance is used
/// by one thread at a time: it owns its scratch buffers.
final class PerturbedCost {
    let problem: Problem
    let m: Int
    let depth: Int
    /// m_0, …, m_L.
    let widths: [Int]
    let activations: [Activation]
    let loss: Loss
    /// False only for cross_entropy after softmax, whose loss couples the output units.
    let separable: Bool
    /// loss.hasKink, and whether the loss is squared_error, read once per output unit in the hot path.
    private let lossHasKink: Bool
    private let squaredError: Bool

    // Cached forward pass. Layer index p = 0..<L is docs/notation.md's layer p + 1.
    private let z: UnsafeMutablePointer<Double>
    private let a: UnsafeMutablePointer<Double>
    let weights: UnsafeMutablePointer<Double>
    let targets: UnsafeMutablePointer<Double>
    private let layerOffset: [Int]  // start of layer p's block of m rows in z and a
    let weightOffset: [Int]  // start of W^(p+1) in weights
    private let scratchOffset: [Int]  // start of layer p's row in the one-sample scratch buffers

    /// Per unit of the cached forward pass, `Activation.changeConstant` (for softmax,
    /// `Activation.softmaxComplements`); per output term, `Loss.changeConstant`.
    private let unitConstant: UnsafeMutablePointer<Double>
    private let termConstant: UnsafeMutablePointer<Double>
    /// Per layer p, max_j |w_jk| of each column k of W^(p+1) (laid out like the scratch buffers).
    private let columnMax: UnsafeMutablePointer<Double>
    /// Per layer, the four moves Δz and Δa of one sample, and for the first lane a bound on the
    /// size of the terms that were summed into Δz.
    private let dzLanes: UnsafeMutablePointer<Lanes>
    private let daLanes: UnsafeMutablePointer<Lanes>
    private let dzSize: UnsafeMutablePointer<Double>
    /// Per layer, for a softmax layer, the bound on each unit's Δa that `Activation.softmaxChanges`
    /// writes; for an element-wise output layer, the rounding of each Δa computed as a plain difference.
    private let daSize: UnsafeMutablePointer<Double>
    /// Per layer, W^(p+1) transposed (m_{p+1} rows of m_p): the sums Δz = Wᵀ Δa read it row by row.
    private let weightsT: UnsafeMutablePointer<Double>
    /// The factor of each sample for the entry being differentiated (a_j^(i,l−1) for a weight).
    let factors: UnsafeMutablePointer<Double>
    /// The largest (Σ of term sizes)/|step| over the evaluations since it was reset: with
    /// `roundingFactor`·ε it bounds the rounding error of the derivative (see `lossChanges`).
    var sizeRate = 0.0
    /// (widest layer + batch + 16): the number of terms one rounding bound may have summed.
    let roundingFactor: Double
    /// Set when an evaluation moved a kinked quantity across its kink.
    var crossedKink = false

    init(_ problem: Problem) {
        self.problem = problem
        let net = problem.network
        m = problem.batchSize
        depth = net.depth
        widths = net.layers
        activations = net.activations
        loss = problem.loss
        separable = problem.loss.isSeparable(after: net.activations[net.depth - 1])
        lossHasKink = problem.loss.hasKink
        squaredError = problem.loss == .squaredError

        var offsets = [0], wOffsets = [0], sOffsets = [0]
        for p in 0..<depth {
            offsets.append(offsets[p] + m * widths[p + 1])
            wOffsets.append(wOffsets[p] + widths[p] * widths[p + 1])
            sOffsets.append(sOffsets[p] + widths[p + 1])
        }
        layerOffset = offsets
        weightOffset = wOffsets
        scratchOffset = sOffsets

        let (zs, as_, _) = Reference.forward(problem)
        z = .allocate(capacity: offsets[depth])
        a = .allocate(capacity: offsets[depth])
        for p in 0..<depth {
            (z + offsets[p]).initialize(from: zs[p].storage, count: zs[p].storage.count)
            (a + offsets[p]).initialize(from: as_[p].storage, count: as_[p].storage.count)
        }
        weights = .allocate(capacity: wOffsets[depth])
        weightsT = .allocate(capacity: wOffsets[depth])
        for p in 0..<depth {
            let (rows, columns) = (widths[p], widths[p + 1])
            (weights + wOffsets[p]).initialize(from: net.W[p].storage, count: rows * columns)
            for j in 0..<rows { for k in 0..<columns { weightsT[wOffsets[p] + k * rows + j] = weights[wOffsets[p] + j * columns + k] } }
        }
        let outputs = widths[depth]
        targets = .allocate(capacity: m * outputs)
        targets.initialize(from: problem.Y.storage, count: m * outputs)

        unitConstant = .allocate(capacity: offsets[depth])
        for p in 0..<depth {
            if activations[p] == .softmax {
                for i in 0..<m {
                    let row = offsets[p] + i * widths[p + 1]
                    Activation.softmaxComplements(a + row, count: widths[p + 1], into: unitConstant + row)
                }
                continue
            }
            for t in offsets[p]..<offsets[p + 1] { unitConstant[t] = activations[p].changeConstant(z: z[t]) }
        }
        termConstant = .allocate(capacity: m * outputs)
        for t in 0..<(m * outputs) {
            let u = offsets[depth - 1] + t
            termConstant[t] = loss.changeConstant(z: z[u], a: a[u], y: targets[t])
        }
        columnMax = .allocate(capacity: sOffsets[depth])
        columnMax.initialize(repeating: 0, count: sOffsets[depth])
        for p in 0..<depth {
            for j in 0..<widths[p] {
                for k in 0..<widths[p + 1] {
                    columnMax[sOffsets[p] + k] = max(columnMax[sOffsets[p] + k], abs(weights[wOffsets[p] + j * widths[p + 1] + k]))
                }
            }
        }
        dzLanes = .allocate(capacity: sOffsets[depth])
        dzLanes.initialize(repeating: .zero, count: sOffsets[depth])
        daLanes = .allocate(capacity: sOffsets[depth])
        daLanes.initialize(repeating: .zero, count: sOffsets[depth])
        dzSize = .allocate(capacity: sOffsets[depth])
        dzSize.initialize(repeating: 0, count: sOffsets[depth])
        daSize = .allocate(capacity: sOffsets[depth])
        daSize.initialize(repeating: 0, count: sOffsets[depth])
        factors = .allocate(capacity: m)
        factors.initialize(repeating: 0, count: m)
        roundingFactor = Double((widths.max() ?? 1) + m + 16)
    }

    deinit {
        for p in [z, a, weights, weightsT, targets, unitConstant, termConstant, columnMax, dzSize, daSize, factors] { p.deallocate() }
        dzLanes.deallocate()
        daLanes.deallocate()
    }

    /// a_j^(i,l−1) for docs/notation.md's layer l = p + 1: what a weight w_jk^(l) multiplies.
    func input(layer p: Int, sample i: Int, unit j: Int) -> Double {
        p == 0 ? problem.X.storage[i * widths[0] + j] : a[layerOffset[p - 1] + i * widths[p] + j]
    }

    /// z_k^(i,l) for docs/notation.md's layer l = p + 1.
    func preActivation(layer p: Int, sample i: Int, unit k: Int) -> Double { z[layerOffset[p] + i * widths[p + 1] + k] }

    /// a_k^(i,l) for docs/notation.md's layer l = p + 1.
    func activation(layer p: Int, sample i: Int, unit k: Int) -> Double { a[layerOffset[p] + i * widths[p + 1] + k] }

    /// Σ_{i ∈ samples} (L_i' − L_i) for four moves at once: z_k^(i,p+1) moves by `steps`·factor(i).
    ///
    /// Every quantity is carried as a change (Δz, Δa, ΔL), each computed by a cancellation-free
    /// form (`Activation.change`, `Loss.termChange`), so a change of size |Δ| has a rounding error
    /// of a few ε·|Δ| rather than ε·|L|, whatever the step. Only the sums Δz^(l+1) = Wᵀ Δa^(l) can
    /// cancel; for the first lane the sizes of their terms are bounded (‖Δa‖₁ · max_j |w_jk|) and
    /// carried up through each unit's slope, and `sizeRate` keeps Σ sizes / |step|: the rounding
    /// of the derivative is at most `roundingFactor`·ε·`sizeRate`.
    /// The move of sample i is `steps`·factors[i] (set `factors` first).
    func lossChanges(layer p: Int, unit k: Int, samples: Range<Int>, steps: Lanes) -> Lanes {
        var change = Lanes.zero
        var size = 0.0
        for i in samples {
            let scale = factors[i]
            if scale == 0 { continue }
            size += exactSampleChange(layer: p, unit: k, sample: i, dz: steps * scale, into: &change)
        }
        if steps[0] != 0 { sizeRate = max(sizeRate, size / abs(steps[0])) }
        return change
    }

    /// Adds L_i' − L_i for the four moves dz of z_k^(i,p+1) to `change`; returns the first lane's size bound.
    private func exactSampleChange(layer p: Int, unit k: Int, sample i: Int, dz: Lanes, into change: inout Lanes) -> Double {
        let width = widths[p + 1]
        let u = layerOffset[p] + i * width + k
        let f = activations[p]
        guard f.isElementwise else {
            // softmax: moving one z moves every unit of the layer.
            let dzp = dzLanes + scratchOffset[p], sp = dzSize + scratchOffset[p]
            for c in 0..<width { dzp[c] = .zero; sp[c] = 0 }
            dzp[k] = dz
            sp[k] = abs(dz[0])
            return exactPropagate(from: p, sample: i, into: &change)
        }
        if f.hasKinkAtZero { noteKink(z: z[u], dz: dz) }
        let da = f.change(z: z[u], a: a[u], c: unitConstant[u], d: dz)
        if p == depth - 1 {
            return outputTermChanges(sample: i, unit: k, dz: dz, da: da, move: dz[0], moveSize: abs(dz[0]), into: &change)
        }
        // Rank-one update of the next layer: Δz^(p+2) = Δa_k · row k of W^(p+2); one term per unit.
        let next = widths[p + 2]
        let w = weights + weightOffset[p + 1] + k * next
        let dzq = dzLanes + scratchOffset[p + 1], sq = dzSize + scratchOffset[p + 1]
        let sizeA = abs(da[0])
        for c in 0..<next {
            dzq[c] = da * w[c]
            sq[c] = sizeA * abs(w[c])
        }
        return exactPropagate(from: p + 1, sample: i, into: &change)
    }

    /// From the four moves of every unit of layer p (in dzLanes), the layers above and the loss changes.
    private func exactPropagate(from first: Int, sample i: Int, into change: inout Lanes) -> Double {
        var p = first
        while true {
            let width = widths[p + 1]
            let row = layerOffset[p] + i * width
            let dzp = dzLanes + scratchOffset[p], sp = dzSize + scratchOffset[p]
            let f = activations[p]
            if p == depth - 1 && !separable { return crossEntropyChange(sample: i, into: &change) }
            let dap = daLanes + scratchOffset[p], dsp = daSize + scratchOffset[p]
            if f.hasKinkAtZero { for c in 0..<width { noteKink(z: z[row + c], dz: dzp[c]) } }
            let sizeA =
                f == .softmax
                ? Activation.softmaxChanges(a: a + row, c: unitConstant + row, dz: dzp, size: sp, into: dap, daSize: dsp, count: width)
                : f.changes(
                    z: z + row, a: a + row, c: unitConstant + row, dz: dzp, size: sp, into: dap, count: width,
                    differences: p == depth - 1 ? dsp : nil)
            if p == depth - 1 {
                // An element-wise unit's Δa_c is exact to a few ε of |f'|·(size of Δz_c), so the size of
                // its ΔL_c is carried from Δz_c by |ΔL_c/Δz_c|, and the rounding of a plain difference
                // (dsp) by |ΔL_c/Δa_c|; a softmax unit's Δa_c depends on every Δz_j, and its own bound
                // (dsp) is carried by |ΔL_c/Δa_c|.
                let bySoftmax = f == .softmax
                if squaredError {
                    // ΔL_c = Δa_c (r_c + Δa_c/2); its size: |ΔL_c| + the slope times the size of the move.
                    let y = targets + i * width
                    var size = 0.0
                    for c in 0..<width {
                        let da = dap[c]
                        let slope = (a[row + c] - y[c]) + da * 0.5
                        let dL = da * slope
                        change += dL
                        size += abs(dL[0]) + abs(slope[0]) * dsp[c] + (bySoftmax ? 0 : Self.slope(dL[0], dzp[c][0]) * sp[c])
                    }
                    return size
                }
                var size = 0.0
                for c in 0..<width {
                    size += outputTermChanges(
                        sample: i, unit: c, dz: dzp[c], da: dap[c],
                        move: bySoftmax ? dap[c][0] : dzp[c][0], moveSize: bySoftmax ? dsp[c] : sp[c],
                        softmaxUnit: bySoftmax, differenced: bySoftmax ? 0 : dsp[c], into: &change)
                }
                return size
            }
            // Δz^(p+2) = (W^(p+2))ᵀ Δa^(p+1); each entry a sum of `width` terms of size ≤ ‖Δa‖₁ · max_j |w_jk|.
            let next = widths[p + 2]
            let dzq = dzLanes + scratchOffset[p + 1], sq = dzSize + scratchOffset[p + 1]
            let bound = columnMax + scratchOffset[p + 1]
            gradfuzz_lane_sums(
                UnsafeRawPointer(dap).assumingMemoryBound(to: Double.self), weightsT + weightOffset[p + 1],
                width, next, UnsafeMutableRawPointer(dzq).assumingMemoryBound(to: Double.self))
            for c in 0..<next { sq[c] = sizeA * bound[c] }
            p += 1
        }
    }

    /// cross_entropy after softmax, from the moves Δz of the output layer (in dzLanes):
    /// L = Σ_k y_k (logsumexp z − z_k), so ΔL = Σ_k y_k (log(1 + S) − Δz_k), S = Σ_j s_j (e^(Δz_j) − 1).
    private func crossEntropyChange(sample i: Int, into change: inout Lanes) -> Double {
        let p = depth - 1
        let width = widths[depth]
        let row = layerOffset[p] + i * width
        let dzp = dzLanes + scratchOffset[p], sp = dzSize + scratchOffset[p]
        var sum = Lanes.zero, weighted = Lanes.zero
        var (ySum, ySize, sSize) = (0.0, 0.0, 0.0)
        for c in 0..<width {
            sum += a[row + c] * expMinusOneOfSmall(dzp[c])
            let y = targets[i * width + c]
            weighted += y * dzp[c]
            ySum += y
            ySize += y * sp[c]
            sSize += a[row + c] * sp[c]
        }
        var logOnePlus = Lanes()
        for lane in 0..<4 { logOnePlus[lane] = Double.log(onePlus: sum[lane]) }
        change += ySum * logOnePlus - weighted
        return ySum * 2 * sSize + ySize
    }

    /// Adds the loss change of output unit c to `change`; returns the size bound of the first lane,
    /// |ΔL| + |ΔL/move|·`moveSize`, where `move` (the first lane's Δz, or Δa for a softmax unit) has
    /// size bound `moveSize`, plus |ΔL/Δa|·`differenced` for the rounding of a Δa computed as a plain difference.
    @inline(__always)
    private func outputTermChanges(
        sample i: Int, unit c: Int, dz: Lanes, da: Lanes, move: Double, moveSize: Double,
        softmaxUnit: Bool = false, differenced: Double = 0, into change: inout Lanes
    ) -> Double {
        let t = i * widths[depth] + c
        let u = layerOffset[depth - 1] + t
        let y = targets[t]
        if lossHasKink {
            let side = loss.kinkSide(a: a[u], y: y)
            for lane in 0..<4 where loss.kinkSide(a: a[u] + da[lane], y: y) != side { crossedKink = true }
        }
        let dL =
            squaredError
            ? da * ((a[u] - y) + da / 2)
            : loss.termChange(z: z[u], a: a[u], y: y, c: termConstant[t], dz: dz, da: da)
        change += dL
        // A softmax unit's Δa can be exactly 0 with a nonzero bound: then the slope is |∂L/∂a|.
        let slope = softmaxUnit && move == 0 ? abs(loss.gradient(a: a[u], y: y)) : Self.slope(dL[0], move)
        var size = slope * moveSize + abs(dL[0])
        if differenced > 0 {
            // The rounding of an element-wise Δa computed as a plain difference, carried by |ΔL/Δa|.
            size += (da[0] != 0 ? Self.slope(dL[0], da[0]) : abs(loss.gradient(a: a[u], y: y))) * differenced
        }
        return size
    }

    /// |Δout/Δin| of the first lane: how a size bound on Δin carries to Δout.
    @inline(__always)
    private static func slope(_ out: Double, _ into: Double) -> Double {
        into != 0 ? abs(out / into) : 0
    }

    @inline(__always)
    private func noteKink(z: Double, dz: Lanes) {
        for lane in 0..<4 where (z + dz[lane] > 0) != (z > 0) { crossedKink = true }
    }
}
