/// A dense matrix of `Double`, stored row by row in one contiguous array.
///
/// Row `r`, column `c` is `storage[r * columns + c]`. gradfuzz uses it for W^(l) (m_{l-1} × m_l),
/// for a batch (m samples × units) and for the per-sample quantities z, a and g.
public struct Matrix: Equatable, Hashable, Sendable {
    public private(set) var rows: Int
    public private(set) var columns: Int
    public var storage: [Double]

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0)
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// A matrix from nested rows; every row must have `columns` entries (checked by the caller).
    public init(rows nested: [[Double]], columns: Int) {
        precondition(nested.allSatisfy { $0.count == columns })
        self.rows = nested.count
        self.columns = columns
        self.storage = nested.flatMap { $0 }
    }

    public subscript(row: Int, column: Int) -> Double {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// Row `r` as an array.
    public func row(_ r: Int) -> [Double] {
        Array(storage[(r * columns)..<((r + 1) * columns)])
    }

    /// Sets row `r` to `values` (`columns` of them).
    public mutating func setRow(_ r: Int, _ values: [Double]) {
        for c in 0..<columns { self[r, c] = values[c] }
    }

    /// W v: entry j is Σ_k w_jk v_k, summed in the order k = 0, 1, …
    public func times(_ v: [Double]) -> [Double] {
        var product = [Double](repeating: 0, count: rows)
        for j in 0..<rows {
            for k in 0..<columns { product[j] += self[j, k] * v[k] }
        }
        return product
    }

    /// The rows as nested arrays: the shape the JSON formats use.
    public var nested: [[Double]] {
        (0..<rows).map(row)
    }

    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for r in 0..<rows { for c in 0..<columns { t[c, r] = self[r, c] } }
        return t
    }

    /// "3×5", as error messages print shapes.
    public var shape: String { "\(rows)×\(columns)" }
}

extension Matrix {
    /// A 1 × n matrix holding a vector: lets biases share the matrix code paths.
    public init(row: [Double]) {
        self.init(rows: [row], columns: row.count)
    }
}
