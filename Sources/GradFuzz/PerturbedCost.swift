/// How much the loss of a batch changes when one pre-activation moves: the function the oracle
/// differentiates, evaluated incrementally.
///
/// Everything the unperturbed forward pass computed is cached. Moving z_k^(i,l) changes, for an
/// element-wise f_l, only a_k^(i,l); layer l+1 then gets the rank-one update
/// z^(i,l+1) += (a'_k − a_k) · row k of W^(l+1), and full recomputation starts at layer l+2.
/// Each later layer is updated as z' = z + Wᵀ(a' − a), over the units that moved only, and the loss
/// change is summed over the output units that moved. Returning L' − L rather than L' keeps the
/// values that GSL differences small: its round-off scales with them (see `Oracle`).
///
/// A weight w_jk^(l) moves z_k^(i,l) by Δ·a_j^(i,l−1) in every sample; a bias b_k^(l) by Δ; the
/// per-sample error signal g^(i,l) is checked by moving z_k^(i,l) of sample i alone.
///
/// One instance is used by one thread at a time: it owns its scratch buffers.
final class PerturbedCost {
    let problem: Problem
    let m: Int
    let depth: Int
    /// m_0, …, m_L.
    let widths: [Int]
    let activations: [Activation]
    let loss: Loss
    let separable: Bool

    // Cached forward pass. Layer index p = 0..<L is the seed's layer p + 1.
    private let z: UnsafeMutablePointer<Double>
    private let a: UnsafeMutablePointer<Double>
    private let weights: UnsafeMutablePointer<Double>
    private let targets: UnsafeMutablePointer<Double>
    /// Per sample and output unit, the loss term (separable losses) ; per sample, the loss.
    private let terms: UnsafeMutablePointer<Double>
    let losses: [Double]
    private let layerOffset: [Int]   // start of layer p's block of m rows in z and a
    private let weightOffset: [Int]  // start of W^(p+1) in weights
    private let scratchOffset: [Int] // start of layer p's row in zNew and aNew

    private let zNew: UnsafeMutablePointer<Double>
    private let aNew: UnsafeMutablePointer<Double>

    /// Set when an evaluation moved a kinked quantity across its kink.
    var crossedKink = false
    /// The largest Σ|terms differenced| of an evaluation: the scale of its round-off.
    var magnitude = 0.0

    init(_ problem: Problem) {
        self.problem = problem
        let net = problem.network
        m = problem.batchSize
        depth = net.depth
        widths = net.layers
        activations = net.activations
        loss = problem.loss
        separable = problem.loss.isSeparable(after: net.activations[net.depth - 1])

        var offsets = [0], wOffsets = [0], sOffsets = [0]
        for p in 0..<depth {
            offsets.append(offsets[p] + m * widths[p + 1])
            wOffsets.append(wOffsets[p] + widths[p] * widths[p + 1])
            sOffsets.append(sOffsets[p] + widths[p + 1])
        }
        layerOffset = offsets
        weightOffset = wOffsets
        scratchOffset = sOffsets

        let (zs, as_, ls) = Reference.forward(problem)
        z = .allocate(capacity: offsets[depth])
        a = .allocate(capacity: offsets[depth])
        for p in 0..<depth {
            (z + offsets[p]).initialize(from: zs[p].storage, count: zs[p].storage.count)
            (a + offsets[p]).initialize(from: as_[p].storage, count: as_[p].storage.count)
        }
        weights = .allocate(capacity: wOffsets[depth])
        for p in 0..<depth { (weights + wOffsets[p]).initialize(from: net.W[p].storage, count: net.W[p].storage.count) }
        let outputs = widths[depth]
        targets = .allocate(capacity: m * outputs)
        targets.initialize(from: problem.Y.storage, count: m * outputs)
        terms = .allocate(capacity: m * outputs)
        terms.initialize(repeating: 0, count: m * outputs)
        losses = ls
        zNew = .allocate(capacity: sOffsets[depth])
        aNew = .allocate(capacity: sOffsets[depth])
        zNew.initialize(repeating: 0, count: sOffsets[depth])
        aNew.initialize(repeating: 0, count: sOffsets[depth])
        if separable {
            let output = activations[depth - 1]
            let base = offsets[depth - 1]
            for t in 0..<(m * outputs) {
                terms[t] = loss.term(z: z[base + t], a: a[base + t], y: targets[t], output: output)
            }
        }
    }

    deinit {
        for p in [z, a, weights, targets, terms, zNew, aNew] { p.deallocate() }
    }

    /// The input to layer p (0-based) of sample i: x^(i) for p = 0, else a^(i,p).
    @inline(__always) private func inputValue(layer p: Int, sample i: Int, unit j: Int) -> Double {
        p == 0 ? problem.X.storage[i * widths[0] + j] : a[layerOffset[p - 1] + i * widths[p] + j]
    }

    /// a_j^(i,l−1) for the seed's layer l = p + 1: what a weight w_jk^(l) multiplies.
    func input(layer p: Int, sample i: Int, unit j: Int) -> Double { inputValue(layer: p, sample: i, unit: j) }

    /// z_k^(i,l) for the seed's layer l = p + 1.
    func preActivation(layer p: Int, sample i: Int, unit k: Int) -> Double { z[layerOffset[p] + i * widths[p + 1] + k] }

    /// Σ_{i ∈ samples} (L_i' − L_i) when z_k^(i,p+1) moves by `shift(i)` in each sample i.
    func lossChange(layer p: Int, unit k: Int, samples: Range<Int>, shift: (Int) -> Double) -> Double {
        var change = 0.0
        var size = 0.0
        for i in samples {
            let dz = shift(i)
            if dz == 0 { continue }
            let (c, s) = sampleChange(layer: p, unit: k, sample: i, dz: dz)
            change += c
            size += s
        }
        magnitude = max(magnitude, size)
        return change
    }

    private func sampleChange(layer p: Int, unit k: Int, sample i: Int, dz: Double) -> (Double, Double) {
        let width = widths[p + 1]
        let row = layerOffset[p] + i * width
        let zk = z[row + k] + dz
        let f = activations[p]
        guard f.isElementwise else {
            // softmax: every unit of the layer moves.
            let zp = zNew + scratchOffset[p]
            zp.update(from: z + row, count: width)
            zp[k] = zk
            return propagate(from: p, sample: i)
        }
        let ak = f.value(zk)
        if f.hasKinkAtZero && (zk > 0) != (z[row + k] > 0) { crossedKink = true }
        if p == depth - 1 {
            // Only output unit k moved, and the loss is separable (only cross_entropy after softmax is not).
            return outputTermChange(sample: i, unit: k, z: zk, a: ak)
        }
        // Rank-one update of the next layer: z^(p+2) += Δa_k · row k of W^(p+2).
        let next = widths[p + 2]
        let da = ak - a[row + k]
        let zq = zNew + scratchOffset[p + 1]
        zq.update(from: z + layerOffset[p + 1] + i * next, count: next)
        let w = weights + weightOffset[p + 1] + k * next
        for c in 0..<next { zq[c] += da * w[c] }
        return propagate(from: p + 1, sample: i)
    }

    /// From a full new row z' of layer p (in zNew), the layers above and the loss change.
    private func propagate(from first: Int, sample i: Int) -> (Double, Double) {
        var p = first
        while true {
            let width = widths[p + 1]
            let row = layerOffset[p] + i * width
            let zp = zNew + scratchOffset[p], ap = aNew + scratchOffset[p]
            let f = activations[p]
            f.apply(UnsafeBufferPointer(start: zp, count: width), into: UnsafeMutableBufferPointer(start: ap, count: width))
            if f.hasKinkAtZero {
                for c in 0..<width where (zp[c] > 0) != (z[row + c] > 0) { crossedKink = true }
            }
            if p == depth - 1 { return outputChange(sample: i) }
            // z' = z + Wᵀ(a' − a), over the units that moved.
            let next = widths[p + 2]
            let zq = zNew + scratchOffset[p + 1]
            zq.update(from: z + layerOffset[p + 1] + i * next, count: next)
            let W = weights + weightOffset[p + 1]
            for j in 0..<width {
                let d = ap[j] - a[row + j]
                if d == 0 { continue }
                let w = W + j * next
                for c in 0..<next { zq[c] += d * w[c] }
            }
            p += 1
        }
    }

    /// L_i' − L_i from the new output row in zNew/aNew.
    private func outputChange(sample i: Int) -> (Double, Double) {
        let p = depth - 1
        let width = widths[depth]
        let zp = zNew + scratchOffset[p], ap = aNew + scratchOffset[p]
        guard separable else {
            let y = UnsafeBufferPointer(start: targets + i * width, count: width)
            let new = loss.value(z: UnsafeBufferPointer(start: zp, count: width),
                                 a: UnsafeBufferPointer(start: ap, count: width), y: y, output: activations[p])
            return (new - losses[i], abs(new) + abs(losses[i]))
        }
        var change = 0.0, size = 0.0
        let row = layerOffset[p] + i * width
        for c in 0..<width where zp[c] != z[row + c] || ap[c] != a[row + c] {
            let (d, s) = outputTermChange(sample: i, unit: c, z: zp[c], a: ap[c])
            change += d
            size += s
        }
        return (change, size)
    }

    @inline(__always) private func outputTermChange(sample i: Int, unit c: Int, z zc: Double, a ac: Double) -> (Double, Double) {
        let width = widths[depth]
        let t = i * width + c
        let y = targets[t]
        if loss.hasKink && loss.kinkSide(a: ac, y: y) != loss.kinkSide(a: a[layerOffset[depth - 1] + t], y: y) {
            crossedKink = true
        }
        let new = loss.term(z: zc, a: ac, y: y, output: activations[depth - 1])
        return (new - terms[t], abs(new) + abs(terms[t]))
    }
}
