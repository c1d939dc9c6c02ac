import GradFuzzCore

/// The shrinker's passes. Each walks its positions once, staying where it is when a candidate is
/// kept (the best case changed under it, but a position still names the same sample, unit, layer
/// or number, or the next one): after a pass that keeps nothing, running it again would keep nothing.
extension Shrinker {
    /// The passes, in the order each round runs them.
    enum Pass: CaseIterable {
        case fewerSamples, narrowLayers, dropLayers, simplerFunctions, simplerNumbers
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

    /// One sample, else samples deleted adaptively from the last.
    private func fewerSamples(_ state: inout State) async {
        guard state.best.batchSize > 1 else { return }
        if await consider(state.best.keepingSamples([0]), &state) { return }
        await deleteAdaptively(count: \.batchSize, deleting: { $0.deletingSamples($1) }, &state)
    }

    /// For each size m_0 … m_L: one unit, else units deleted adaptively from the last.
    private func narrowLayers(_ state: inout State) async {
        for s in 0...state.best.network.depth where state.best.network.layers[s] > 1 {
            if await consider(state.best.keepingUnits([0], atSize: s), &state) { continue }
            await deleteAdaptively(count: { $0.network.layers[s] }, deleting: { $0.deletingUnits($1, atSize: s) }, &state)
        }
    }

    /// Deletes items (samples, or the units of one size) walking from the last to the first: the
    /// item before `end` is deleted when the case still fails without it, and then the largest
    /// block of items ending there that can go at once (`findInteger`: 2, 4, 8, … items). `end`
    /// stays a valid position whatever is deleted; the block that was one too large is the next
    /// candidate, which the shrinker remembers and does not check again.
    private func deleteAdaptively(
        count: (Problem) -> Int, deleting: (Problem, Range<Int>) -> Problem?, _ state: inout State
    ) async {
        var end = count(state.best)
        while end > 0 && !state.exhausted {
            let before = state.best
            guard await consider(deleting(before, (end - 1)..<end), &state) else {
                end -= 1
                continue
            }
            let atMost = min(end, count(before) - 1)
            let deleted = await Self.findInteger(upTo: atMost) { k in
                await consider(deleting(before, (end - k)..<end), &state)
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
