/// A family as a program declares it (gradfuzz-protocol/1's describe reply): either the name of a
/// named family, `"relu-softmax-cross-entropy"`, or an object whose keys are the command line's
/// family options in snake_case, each optional:
///
///     {"name": "sigmoid-squared-error", "max_depth": 3}
///     {"hidden_activations": ["sigmoid"], "output_activations": ["softmax"], "losses": ["cross_entropy"], "labels": "one-hot"}
///
/// Keys: name, activations, hidden_activations, output_activations, same_activation, losses,
/// labels, min_depth, max_depth, min_width, max_width, min_outputs, max_outputs, min_batch, max_batch.
/// An unknown key is refused, so that a misspelt narrowing is never silently ignored.
extension FamilyStatement: Decodable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public static let declarationKeys = [
        "name", "activations", "hidden_activations", "output_activations", "same_activation", "losses", "labels", "min_depth",
        "max_depth", "min_width", "max_width", "min_outputs", "max_outputs", "min_batch", "max_batch",
    ]

    public init(from decoder: any Decoder) throws {
        self.init()
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            self.name = name
            return
        }
        let c = try decoder.container(keyedBy: Key.self)
        if let stray = c.allKeys.first(where: { !Self.declarationKeys.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(
                forKey: stray, in: c, debugDescription: "unknown key \"\(stray.stringValue)\"; expected some of \(Self.declarationKeys.joined(separator: ", "))"
            )
        }
        func value<T: Decodable>(_ key: String) throws -> T? { try c.decodeIfPresent(T.self, forKey: Key(stringValue: key)) }
        name = try value("name")
        activations = try value("activations")
        hiddenActivations = try value("hidden_activations")
        outputActivations = try value("output_activations")
        sameActivation = try value("same_activation") ?? false
        losses = try value("losses")
        labels = try value("labels")
        minDepth = try value("min_depth")
        maxDepth = try value("max_depth")
        minWidth = try value("min_width")
        maxWidth = try value("max_width")
        minBatch = try value("min_batch")
        maxBatch = try value("max_batch")
        let low: Int? = try value("min_outputs"), high: Int? = try value("max_outputs")
        if low != nil || high != nil {
            let (a, b) = (low ?? 1, high ?? Family.unlimited)
            guard a <= b else {
                throw DecodingError.dataCorruptedError(
                    forKey: Key(stringValue: "min_outputs"), in: c, debugDescription: "min_outputs \(a) is above max_outputs \(b)")
            }
            outputs = a...b
        }
    }
}
