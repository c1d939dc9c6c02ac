/// What is wrong with an input, said so that its author can fix it: the field and what was expected.
public struct InputError: Error, CustomStringConvertible, Equatable {
    public var field: String
    public var message: String
    /// The file the input came from, when it came from one.
    public var file: String?

    public init(field: String, _ message: String, file: String? = nil) {
        self.field = field
        self.message = message
        self.file = file
    }

    public var description: String {
        (file.map { "\($0): " } ?? "") + "\"\(field)\": \(message)"
    }
}
