import Foundation
import GradFuzzCore

/// A student's backprop in Swift. It conforms to `BackpropImplementation`, so gradfuzz's tests
/// (which compile this file too) validate and fuzz it with no process in between; main.swift
/// serves it over gradfuzz-protocol/1 like a program in any other language.
///
/// It follows the assignment sample by sample: the forward pass (*), (**), the output error
/// (108), the weight gradients (100), (111), (4.3), and the backward step (110)/(4.2) with f'
/// (not f) and ⊙ (not ⊗), as corrected in the contract.
struct SwiftStudent: BackpropImplementation {
    var name: String { "SwiftStudent" }

    func backprop(_ problem: Problem) throws -> Answer {
        let net = problem.network
        let L = net.depth, m = problem.batchSize
        var dW = net.W.map { Matrix(rows: $0.rows, columns: $0.columns) }
        var db = net.b.map { [Double](repeating: 0, count: $0.count) }
        var delta = net.layers.dropFirst().map { Matrix(rows: m, columns: $0) }
        var cost = 0.0
        for i in 0..<m {
            // Forward: (*) z = Wᵀa + b, (**) a = f(z); a[0] is x.
            var a = [problem.X.row(i)], z: [[Double]] = []
            for l in 0..<L {
                let W = net.W[l]
                z.append((0..<W.columns).map { k in net.b[l][k] + (0..<W.rows).reduce(0) { $0 + W[$1, k] * a[l][$1] } })
                a.append(f(net.activations[l], z[l]))
            }
            let y = problem.Y.row(i)
            cost += loss(problem.loss, a[L], y) / Double(m)
            // (108): δ = f'(z) ⊙ L'(a, y) — with the Jacobian for softmax; fused for the cross-entropies.
            var g: [Double]
            switch problem.loss {
            case .crossEntropy: g = zip(a[L], y).map { $0 * y.reduce(0, +) - $1 }
            case .binaryCrossEntropy: g = zip(a[L], y).map { $0 - $1 }
            default: g = backward(net.activations[L - 1], z[L - 1], a[L], lossGradient(problem.loss, a[L], y))
            }
            for l in stride(from: L - 1, through: 0, by: -1) {
                for k in g.indices { delta[l][i, k] = g[k] }
                // (100), (111), (4.3): ∂Cost/∂W = (1/m) Σ_i a^(i,l−1) (g^(i,l))ᵀ; ∂Cost/∂b = (1/m) Σ_i g^(i,l).
                for j in a[l].indices { for k in g.indices { dW[l][j, k] += a[l][j] * g[k] / Double(m) } }
                for k in g.indices { db[l][k] += g[k] / Double(m) }
                guard l > 0 else { break }
                // (110)/(4.2) corrected: g^(l−1) = f'(z^(l−1)) ⊙ (W^(l) g^(l)).
                let W = net.W[l]
                let upstream = (0..<W.rows).map { j in (0..<W.columns).reduce(0) { $0 + W[j, $1] * g[$1] } }
                g = backward(net.activations[l - 1], z[l - 1], a[l], upstream)
            }
        }
        return Answer(dW: dW, db: db, cost: cost, delta: delta)
    }

    func f(_ name: Activation, _ z: [Double]) -> [Double] {
        if name == .softmax {
            let e = z.map { exp($0 - z.max()!) }
            return e.map { $0 / e.reduce(0, +) }
        }
        return z.map { z in
            switch name {
            case .identity: return z
            case .sigmoid: return 1 / (1 + exp(-z))
            case .tanh: return tanh(z)
            case .relu: return max(0, z)
            case .leakyReLU: return z > 0 ? z : 0.01 * z
            case .elu: return z > 0 ? z : expm1(z)
            case .softplus: return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
            case .silu: return z / (1 + exp(-z))
            case .gelu: return z * (1 + erf(z / 2.0.squareRoot())) / 2
            case .softsign: return z / (1 + abs(z))
            case .softmax: return z
            }
        }
    }

    /// Jᵀu: f'(z) ⊙ u element-wise; s ⊙ (u − s·u) for softmax, whose J = diag(s) − s sᵀ.
    func backward(_ name: Activation, _ z: [Double], _ a: [Double], _ u: [Double]) -> [Double] {
        if name == .softmax {
            let su = zip(a, u).reduce(0) { $0 + $1.0 * $1.1 }
            return zip(a, u).map { $0 * ($1 - su) }
        }
        return z.indices.map { k in
            let (z, a) = (z[k], a[k])
            let fPrime: Double
            switch name {
            case .identity: fPrime = 1
            case .sigmoid: fPrime = a * (1 - a)
            case .tanh: fPrime = 1 - a * a
            case .relu: fPrime = z > 0 ? 1 : 0
            case .leakyReLU: fPrime = z > 0 ? 1 : 0.01
            case .elu: fPrime = z > 0 ? 1 : a + 1
            case .softplus: fPrime = 1 / (1 + exp(-z))
            case .silu: let s = 1 / (1 + exp(-z)); fPrime = s * (1 + z * (1 - s))
            case .gelu: fPrime = (1 + erf(z / 2.0.squareRoot())) / 2 + z * exp(-z * z / 2) / (2 * Double.pi).squareRoot()
            case .softsign: fPrime = 1 / ((1 + abs(z)) * (1 + abs(z)))
            case .softmax: fPrime = 1
            }
            return fPrime * u[k]
        }
    }

    func loss(_ name: Loss, _ a: [Double], _ y: [Double]) -> Double {
        zip(a, y).reduce(0) { sum, pair in
            let (a, y) = pair, r = a - y
            switch name {
            case .squaredError: return sum + r * r / 2
            case .absoluteError: return sum + abs(r)
            case .huber: return sum + (abs(r) <= 1 ? r * r / 2 : abs(r) - 0.5)
            case .logCosh: return sum + abs(r) + log1p(exp(-2 * abs(r))) - log(2)
            case .crossEntropy: return sum - (y == 0 ? 0 : y * log(a))
            case .binaryCrossEntropy: return sum - (y == 0 ? 0 : y * log(a)) - (y == 1 ? 0 : (1 - y) * log1p(-a))
            case .hinge: return sum + max(0, 1 - y * a)
            }
        }
    }

    /// ∂L/∂a, unit by unit.
    func lossGradient(_ name: Loss, _ a: [Double], _ y: [Double]) -> [Double] {
        zip(a, y).map { a, y in
            let r = a - y
            switch name {
            case .squaredError: return r
            case .absoluteError: return r > 0 ? 1 : (r < 0 ? -1 : 0)
            case .huber: return min(1, max(-1, r))
            case .logCosh: return tanh(r)
            case .crossEntropy: return -y / a
            case .binaryCrossEntropy: return -y / a + (1 - y) / (1 - a)
            case .hinge: return y * a < 1 ? -y : 0
            }
        }
    }
}
