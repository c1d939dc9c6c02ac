extension Family {
    // Ranges are written {"min": …, "max": …}, "max" left out when there is no limit.
    enum CodingKeys: String, CodingKey {
        case hiddenActivations, outputActivations, losses, depth, width, outputs, batch, crossEntropyLabels, binaryLabels, sameActivation
    }

    struct Bounds: Codable {
        var min: Int
        var max: Int?
        init(_ r: ClosedRange<Int>) { min = r.lowerBound; max = r.upperBound == Family.unlimited ? nil : r.upperBound }
        var range: ClosedRange<Int>? {
            let high = max ?? Family.unlimited
            return min <= high ? min...high : nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func range(_ key: CodingKeys) throws -> ClosedRange<Int> {
            guard let r = try c.decode(Bounds.self, forKey: key).range else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "min is above max")
            }
            return r
        }
        self.init(
            hiddenActivations: try c.decode([Activation].self, forKey: .hiddenActivations),
            outputActivations: try c.decode([Activation].self, forKey: .outputActivations),
            losses: try c.decode([Loss].self, forKey: .losses), depth: try range(.depth), width: try range(.width),
            outputs: try c.contains(.outputs) ? range(.outputs) : nil, batch: try range(.batch),
            crossEntropyLabels: try c.decode(Labels.self, forKey: .crossEntropyLabels),
            binaryLabels: try c.decode(Labels.self, forKey: .binaryLabels),
            sameActivation: try c.decodeIfPresent(Bool.self, forKey: .sameActivation) ?? false)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(hiddenActivations, forKey: .hiddenActivations)
        try c.encode(outputActivations, forKey: .outputActivations)
        try c.encode(losses, forKey: .losses)
        try c.encode(Bounds(depth), forKey: .depth)
        try c.encode(Bounds(width), forKey: .width)
        if let outputs { try c.encode(Bounds(outputs), forKey: .outputs) }
        try c.encode(Bounds(batch), forKey: .batch)
        try c.encode(crossEntropyLabels, forKey: .crossEntropyLabels)
        try c.encode(binaryLabels, forKey: .binaryLabels)
        // Written only when set, so that the manifests of families without it keep their bytes.
        if sameActivation { try c.encode(sameActivation, forKey: .sameActivation) }
    }
}
