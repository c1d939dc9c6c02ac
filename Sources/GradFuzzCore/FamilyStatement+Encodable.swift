/// A statement written as `FamilyStatement+Decodable` reads it: the bare name of a named family
/// when nothing narrows it, else an object of the stated keys only, so that what is written reads
/// back as the same statement.
extension FamilyStatement: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var narrowed = self
        narrowed.name = nil
        if let name, narrowed.isEmpty {
            var single = encoder.singleValueContainer()
            try single.encode(name)
            return
        }
        var c = encoder.container(keyedBy: Key.self)
        func put<T: Encodable>(_ value: T?, _ key: String) throws {
            if let value { try c.encode(value, forKey: Key(stringValue: key)) }
        }
        try put(name, "name")
        try put(activations, "activations")
        try put(hiddenActivations, "hidden_activations")
        try put(outputActivations, "output_activations")
        try put(sameActivation ? true : nil, "same_activation")
        try put(losses, "losses")
        try put(labels, "labels")
        try put(minDepth, "min_depth")
        try put(maxDepth, "max_depth")
        try put(minWidth, "min_width")
        try put(maxWidth, "max_width")
        try put(outputs?.lowerBound, "min_outputs")
        try put(outputs.map { $0.upperBound == Family.unlimited ? nil : $0.upperBound } ?? nil, "max_outputs")
        try put(minBatch, "min_batch")
        try put(maxBatch, "max_batch")
    }
}
