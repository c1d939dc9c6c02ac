import GradFuzzCore

/// A gradient matrix as an inline SVG heatmap: one cell per entry, coloured by how far it lies past
/// its bound (`ColourScale`), within tolerance in one neutral tone, wrong entries also crossed (✕)
/// and entries at a kink hatched, so that nothing is said by colour alone.
///
/// The SVG's user unit is one entry: cell (row r, column c) is the rect at x = c, y = r. Each cell
/// carries its expected and received values and its bound (`data-e`, `data-g`, `data-b`, and the
/// oracle's error estimate `data-x` when there is one), which the page's script shows on hover.
/// A matrix larger than `maxSide` in either direction is folded into blocks of entries; a block
/// carries its worst entry (`data-r`, `data-c` and its values), how many entries it holds
/// (`data-n`), and how many of them are wrong (`data-w`).
///
/// Counts for checking the drawing: `data-checked` is the entries compared, `data-cells` the entries
/// the cells stand for (a cell one, a block `data-n`); they are equal by construction.
public enum Heatmap {
    /// The largest number of rows or columns drawn entry by entry.
    public static let maxSide = 64

    /// The SVG for `matrix`; `label` names it for screen readers ("layer 2 dW").
    public static func svg(_ matrix: HeatmapMatrix, maxSide: Int = Heatmap.maxSide) -> String {
        let rowStep = (matrix.rows + maxSide - 1) / maxSide, columnStep = (matrix.columns + maxSide - 1) / maxSide
        let folded = rowStep > 1 || columnStep > 1
        let drawnRows = (matrix.rows + rowStep - 1) / rowStep, drawnColumns = (matrix.columns + columnStep - 1) / columnStep
        // Cells of 22 px for a small matrix, down to 7 px for one of 64 entries a side.
        let cell = max(5, min(22, 480 / max(drawnRows, drawnColumns, 1)))
        let name = "layer \(matrix.layer) \(matrix.quantity.rawValue)"
        var label = "\(name), \(matrix.rows)×\(matrix.columns): \(matrix.wrong) wrong of \(matrix.checked) checked"
        if matrix.count > matrix.checked { label += ", \(matrix.count - matrix.checked) at a kink" }
        if folded { label += " (folded into blocks of \(rowStep)×\(columnStep))" }

        var head = "<svg class=\"hm\" viewBox=\"0 0 \(drawnColumns) \(drawnRows)\" width=\"\(drawnColumns * cell)\" height=\"\(drawnRows * cell)\""
        head += " data-layer=\"\(matrix.layer)\" data-q=\"\(matrix.quantity.rawValue)\" data-rows=\"\(matrix.rows)\" data-cols=\"\(matrix.columns)\""
        head += " data-checked=\"\(matrix.checked)\" data-wrong=\"\(matrix.wrong)\" data-kinks=\"\(matrix.count - matrix.checked)\""
        if folded { head += " data-fold=\"\(rowStep)×\(columnStep)\"" }
        let title = " role=\"img\" aria-label=\"\(HTML.escape(label))\">"
        var out = ""

        var cells = 0
        var darkMarks = "", lightMarks = ""
        func values(_ i: Int) -> String {
            var text = " data-e=\"\(HTML.number(matrix.expected[i]))\" data-g=\"\(HTML.number(matrix.got[i]))\" data-b=\"\(HTML.number(matrix.bound[i]))\""
            if let error = matrix.error { text += " data-x=\"\(HTML.number(error[i]))\"" }
            return text
        }
        func cross(_ x: Int, _ y: Int, severity: Double) {
            let mark = "M\(x).2 \(y).2l.6.6m0-.6l-.6.6"
            if ColourScale.needsLightMark(at: ColourScale.position(severity: severity)) { lightMarks += mark } else { darkMarks += mark }
        }
        for y in 0..<drawnRows {
            for x in 0..<drawnColumns {
                if !folded {
                    let i = y * matrix.columns + x
                    if matrix.atKink[i] {
                        out += "<rect class=\"kink\" x=\"\(x)\" y=\"\(y)\"\(values(i))/>"
                    } else if matrix.failed[i] {
                        let s = matrix.severity(i)
                        out += "<rect class=\"cell bad\" x=\"\(x)\" y=\"\(y)\" fill=\"\(ColourScale.colour(severity: s))\"\(values(i))/>"
                        cross(x, y, severity: s)
                        cells += 1
                    } else {
                        out += "<rect class=\"cell\" x=\"\(x)\" y=\"\(y)\"\(values(i))/>"
                        cells += 1
                    }
                    continue
                }
                // A block: its worst entry speaks for it.
                var worst: Int?, checked = 0, wrong = 0, kinks = 0
                for r in (y * rowStep)..<min((y + 1) * rowStep, matrix.rows) {
                    for c in (x * columnStep)..<min((x + 1) * columnStep, matrix.columns) {
                        let i = r * matrix.columns + c
                        if matrix.atKink[i] { kinks += 1; continue }
                        checked += 1
                        if matrix.failed[i] { wrong += 1 }
                        if worst.map({ matrix.severity(i) > matrix.severity($0) || (matrix.failed[i] && !matrix.failed[$0]) }) ?? true { worst = i }
                    }
                }
                cells += checked
                guard let w = worst else {
                    out += "<rect class=\"kink\" x=\"\(x)\" y=\"\(y)\" data-k=\"\(kinks)\"/>"
                    continue
                }
                let place = " data-r=\"\(w / matrix.columns)\" data-c=\"\(w % matrix.columns)\" data-n=\"\(checked)\" data-w=\"\(wrong)\" data-k=\"\(kinks)\""
                if wrong > 0 {
                    let s = matrix.severity(w)
                    out += "<rect class=\"blk bad\" x=\"\(x)\" y=\"\(y)\" fill=\"\(ColourScale.colour(severity: s))\"\(place)\(values(w))/>"
                    cross(x, y, severity: s)
                } else {
                    out += "<rect class=\"blk\" x=\"\(x)\" y=\"\(y)\"\(place)\(values(w))/>"
                }
            }
        }
        if !darkMarks.isEmpty { out += "<path class=\"mk\" d=\"\(darkMarks)\"/>" }
        if !lightMarks.isEmpty { out += "<path class=\"mk lt\" d=\"\(lightMarks)\"/>" }
        out += "</svg>"
        // The count of entries the cells stand for, next to the count compared: the same number.
        return head + " data-cells=\"\(cells)\"" + title + out
    }
}
