import GradFuzzCore

/// The shrinker's passes. Each walks its positions once, staying where it is when a candidate is
/// kept (the best case changed under it, but a position still names the same sample, unit, layer
/// or number, or the next one): after a pass that keeps nothing, running it again would keep nothing.
extension Shrinker {
    /// The passes, in the order each round runs them.
    enum Pass: CaseIterable {
        case fewerSamples, narrowLayers, dropLayers, simplerFunctions, simplerNumbers

        /// The passes that change the shape of the case or its functions, not its numbers.
        static let shape: [Pass] = [.fewerSamples, .narrowLayers, .dropLayers, .simplerFunctions]
    }

    func run(_ pass: Pass, _ state: inout State) async {
        switch pass {
        case .fewerSamples: await fewerSamples(&state)
        case .narrowLayers: await narrowLayers(&state)
        case .dropLayers: await dropLayers(&state)
        case .simplerFunctions: await simplerFunctions(&state)
        case .simplerNumbers: await simplerNumbers(&state)
        }
    }

    private func fewerSamples(_ state: inout State) async {
        await fewerItems(count: \.batchSize, keeping: { $0.keepingSamples($1) }, &state)
    }

    private func narrowLayers(_ state: inout State) async {
        for s in 0...state.best.network.depth {
            await fewerItems(count: { $0.network.layers[s] }, keeping: { $0.keepingUnits($1, atSize: s) }, &state)
        }
    }

    /// Fewer items (samples, or the units of one size): only the first, else only the first half
    /// (a block may go where no item can go alone: deleting one unit can move the first wrong entry
    /// of the gradient), then items deleted walking from the last to the first: the item before
    /// `end` is deleted when the case still fails without it, and then the largest block of items
    /// ending there that can go at once (`findInteger`: 2, 4, 8, … items). `end` stays a valid
    /// position whatever is deleted; the block that was one too large is the next candidate, which
    /// the shrinker remembers and does not check again.
    private func fewerItems(count: (Problem) -> Int, keeping: (Problem, [Int]) -> Problem?, _ state: inout State) async {
        let n = count(state.best)
        guard n > 1 else { return }
        if await consider(keeping(state.best, [0]), &state) { return }
        if n / 2 > 1 { _ = await consider(keeping(state.best, Array(0..<(n / 2))), &state) }
        func deleting(_ deleted: Range<Int>, from p: Problem) -> Problem? {
            keeping(p, (0..<count(p)).filter { !deleted.contains($0) })
        }
        var end = count(state.best)
        while end > 0 && !state.exhausted {
            let before = state.best
            guard await consider(deleting((end - 1)..<end, from: before), &state) else {
                end -= 1
                continue
            }
            let atMost = min(end, count(before) - 1)
            let deleted = await Self.findInteger(upTo: atMost) { k in
                await consider(deleting((end - k)..<end, from: before), &state)
            }
            end -= deleted
        }
    }

    /// Merges layers s and s + 1 for each hidden size s, staying at s when they merge.
    private func dropLayers(_ state: inout State) async {
        var s = 1
        while s < state.best.network.depth && !state.exhausted {
            let p = state.best
            let merged = await first([p.mergingLayers(at: s, keepUpper: true), p.mergingLayers(at: s, keepUpper: false)], &state)
            if !merged { s += 1 }
        }
    }

    /// Each activation to identity, then the loss to squared_error.
    private func simplerFunctions(_ state: inout State) async {
        for l in 0..<state.best.network.depth where state.best.network.activations[l] != .identity {
            var candidate = state.best
            candidate.network.activations[l] = .identity
            _ = await consider(candidate, &state)
        }
        if state.best.loss != .squaredError {
            var candidate = state.best
            candidate.loss = .squaredError
            _ = await consider(candidate, &state)
        }
    }

    /// For each field: all its numbers simple at once, then each number to the simplest simpler
    /// number that still fails.
    private func simplerNumbers(_ state: inout State) async {
        for field in NumberField.all(in: state.best) {
            // The whole field at once first: one candidate may simplify many numbers.
            let values = state.best[field]
            if values.contains(where: { Self.complexity($0) >= Self.simple.count + 1 }) {
                var candidate = state.best
                candidate[field] = Self.simpleValues(like: values)
                _ = await consider(candidate, &state)
            }
            // A field drawn all 0 (targets of 0 and 1 can be): one entry made simple and non-zero.
            if values.allSatisfy({ $0 == 0 }) {
                var candidates: [Problem?] = []
                for t in values.indices {
                    for v in Self.simple.prefix(10) {
                        var candidate = state.best
                        candidate[field][t] = v
                        candidates.append(candidate)
                    }
                }
                _ = await first(candidates, &state)
            }
            for t in values.indices {
                let current = state.best[field]
                var candidates: [Problem?] = []
                for simpler in Self.simplerValues(than: current[t], allowingZero: field.allowsZero && current.count > 1)
                where !current.contains(simpler) {
                    var candidate = state.best
                    candidate[field][t] = simpler
                    candidates.append(candidate)
                }
                _ = await first(candidates, &state)
            }
        }
    }
}
