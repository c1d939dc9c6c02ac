extension Duration {
    /// The duration in seconds, as one Double: for rates, reports and messages.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
