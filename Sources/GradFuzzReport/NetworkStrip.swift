import Foundation
import GradFuzzCore

/// The network as a strip of layers, input to loss: each layer a bar as tall as its width (on a log
/// scale), with m_l, its activation and its number; the first wrong layer marked ✕ and outlined.
/// Each layer links to its heatmaps (`anchor(l)`).
public enum NetworkStrip {
    public static func html(_ problem: Problem, firstWrongLayer: Int?, anchor: (Int) -> String) -> String {
        let net = problem.network
        let widest = Double(net.layers.max() ?? 1)
        func bar(_ width: Int) -> String {
            let height = 6 + 54 * log2(1 + Double(width)) / log2(1 + max(widest, 2))
            return "<span class=\"bar\" style=\"height:\(Int(height.rounded()))px\"></span>"
        }
        let description =
            "network: input of \(net.layers[0]) units, "
            + (1...net.depth).map { "layer \($0): \(net.layers[$0]) \(net.activations[$0 - 1].rawValue)" }.joined(separator: ", ")
            + ", loss \(problem.loss.rawValue), batch m = \(problem.batchSize)"
        var out = "<div class=\"strip\" role=\"group\" aria-label=\"\(HTML.escape(description))\">"
        out +=
            "<div class=\"lyr in\">\(bar(net.layers[0]))<b>m<sub>0</sub> = \(net.layers[0])</b><span>input</span><span>m = \(problem.batchSize) samples</span></div>"
        for l in 1...net.depth {
            let wrong = l == firstWrongLayer
            out += "<span class=\"arr\" aria-hidden=\"true\">→</span>"
            out += "<a class=\"lyr\(wrong ? " bad" : "")\" href=\"#\(anchor(l))\">\(bar(net.layers[l]))"
            out += "<b>m<sub>\(l)</sub> = \(net.layers[l])</b><span>\(HTML.escape(net.activations[l - 1].rawValue))</span>"
            out += "<span>layer \(l)\(wrong ? " <em>✕ first wrong</em>" : "")</span></a>"
        }
        out += "<span class=\"arr\" aria-hidden=\"true\">→</span>"
        out += "<div class=\"lyr loss\"><b>\(HTML.escape(problem.loss.rawValue))</b><span>loss</span></div></div>"
        return out
    }
}
