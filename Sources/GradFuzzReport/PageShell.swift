/// What every report page shares: the document around its body, the style sheet (light and dark,
/// and print), the hatch pattern of kinks, the legend of the colour scale, and the script that shows
/// an entry's tooltip and folds sections.
///
/// Self-contained: nothing is fetched, and the page reads (and prints) without its script; the
/// script only adds tooltips and the fold-all buttons. When it has run without an error it marks
/// the body `data-script="ok"`, with the count of heatmap cells it found (`data-dom-cells`) and the
/// milliseconds from navigation to its end (`data-script-ms`).
public enum PageShell {
    public static func document(title: String, bodyAttributes: [(String, String)] = [], body: String) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        out += "<meta name=\"color-scheme\" content=\"light dark\">"
        out += "<title>\(HTML.escape(title))</title><style>\(style)</style></head>\n<body"
        for (name, value) in bodyAttributes { out += " \(name)=\"\(HTML.escape(value))\"" }
        out += ">\n" + patterns + body + "\n<div id=\"tip\" role=\"tooltip\" hidden></div>\n<script>\(script)</script>\n</body></html>\n"
        return out
    }

    /// The hatch of entries at a kink, defined once for every heatmap (one user unit is one entry).
    static let patterns = """
        <svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>\
        <pattern id="hatch" patternUnits="userSpaceOnUse" width=".34" height=".34" patternTransform="rotate(45)">\
        <rect width=".34" height=".34" style="fill:var(--ok)"/><rect width=".12" height=".34" style="fill:var(--kink)"/></pattern>\
        </defs></svg>

        """

    /// The colour scale and the marks, with their meaning in words.
    public static var legend: String {
        let decades = Int(ColourScale.decades), step = 36
        let superscripts = Array("⁰¹²³⁴⁵⁶⁷⁸⁹")
        var out = "<div class=\"legend\" role=\"note\"><span>within tolerance</span>"
        out += "<svg class=\"hm key\" viewBox=\"0 0 1 1\" width=\"18\" height=\"18\" aria-hidden=\"true\"><rect class=\"swatch\" x=\"0\" y=\"0\"/></svg>"
        out += "<span>wrong (✕), coloured by |got − expected| / allowed, log scale:</span>"
        out += "<svg class=\"scale\" width=\"\((decades + 1) * step)\" height=\"34\" aria-hidden=\"true\">"
        for d in 0...decades {
            let t = Double(d) / Double(decades), x = d * step
            let mark = ColourScale.needsLightMark(at: t) ? "#fff" : "#000"
            out += "<rect x=\"\(x)\" y=\"0\" width=\"\(step - 2)\" height=\"18\" fill=\"\(ColourScale.colour(at: t))\"/>"
            out += "<path d=\"M\(x + 11) 3l12 12m0-12l-12 12\" stroke=\"\(mark)\" stroke-width=\"2\"/>"
            let label = d == 0 ? "1×" : (d == decades ? "≥10" : "10") + (d == 1 ? "" : String(superscripts[d])) + "×"
            out += "<text x=\"\(x + (step - 2) / 2)\" y=\"31\" text-anchor=\"middle\">\(label)</text>"
        }
        out += "</svg><span>at a kink (not checkable)</span>"
        out +=
            "<svg class=\"hm key\" viewBox=\"0 0 1 1\" width=\"18\" height=\"18\" aria-hidden=\"true\"><rect class=\"kink swatch\" x=\"0\" y=\"0\"/></svg></div>"
        return out
    }

    static let style = """
        :root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1f;--muted:#555561;--ok:#d9d9e0;--kink:#8a8a96;--line:#c9c9d2;\
        --bad:#b3001e;--pass:#0b6b30;--warn:#8a5a00;--card:#f5f5f8;--link:#1a55b8}
        @media (prefers-color-scheme:dark){:root{--bg:#15151a;--fg:#e6e6ec;--muted:#a3a3b0;--ok:#474752;--kink:#9a9aa8;\
        --line:#3b3b45;--bad:#ff8595;--pass:#74d69c;--warn:#f0c060;--card:#1f1f26;--link:#8db6ff}}
        *{box-sizing:border-box}
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg);margin:0 auto;max-width:1240px;padding:12px 24px 40px}
        a{color:var(--link)}
        h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:0;display:inline}h3{font-size:15px;margin:18px 0 6px}
        .meta{color:var(--muted);margin:0 0 10px}
        code,pre,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px}
        pre{background:var(--card);padding:8px;overflow:auto;white-space:pre-wrap;border-radius:4px}
        table{border-collapse:collapse;margin:8px 0}
        th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
        th{background:var(--card)}
        td.n{text-align:right;font-variant-numeric:tabular-nums}
        .o{font-weight:700;white-space:nowrap}
        .o-pass{color:var(--pass)}.o-fail{color:var(--bad)}.o-unsupported,.o-error{color:var(--warn)}
        .tools{margin:10px 0}.tools button{font:inherit;margin-right:6px}
        details.fx{border:1px solid var(--line);border-radius:6px;margin:14px 0;padding:8px 12px;background:var(--bg)}
        details.fx>summary{cursor:pointer;padding:2px 0}
        details.fx.fail{border-left:5px solid var(--bad)}
        .strip{display:flex;align-items:flex-end;gap:6px;flex-wrap:wrap;margin:10px 0;padding:8px;background:var(--card);border-radius:6px}
        .lyr{display:flex;flex-direction:column;align-items:center;min-width:64px;padding:4px 6px;border:1px solid var(--line);\
        border-radius:5px;color:var(--fg);text-decoration:none;background:var(--bg)}
        .lyr span{font-size:12px;color:var(--muted)}.lyr b{font-size:13px}
        .lyr .bar{display:block;width:22px;background:var(--kink);border-radius:2px;margin-bottom:4px}
        .lyr.bad{border:2px solid var(--bad)}.lyr.bad .bar{background:var(--bad)}.lyr.bad em{color:var(--bad);font-style:normal;font-weight:700}
        .lyr.loss{justify-content:center;min-height:40px}
        .arr{color:var(--muted);align-self:center}
        .layer{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start;padding:6px 0;border-top:1px dashed var(--line)}
        .layer>h3{flex-basis:100%;margin:6px 0 0}
        figure{margin:0}figcaption{font-size:12px;color:var(--muted);max-width:380px}
        .hm{display:block;margin:4px 0;background:var(--bg);overflow:visible}
        .hm rect{width:1px;height:1px;stroke:var(--bg);stroke-width:.08}
        .hm .cell:not(.bad),.hm .blk:not(.bad),.hm .swatch{fill:var(--ok)}
        .hm .kink{fill:url(#hatch)}
        .hm rect:hover{stroke:var(--fg);stroke-width:.16}
        .hm .mk{stroke:#000;stroke-width:.14;fill:none;pointer-events:none}.hm .mk.lt{stroke:#fff}
        .diag{flex:1 1 420px;border:2px solid var(--bad);border-radius:6px;padding:8px 12px;background:var(--card);max-width:760px}
        .diag h4{margin:0 0 4px;color:var(--bad)}.diag p{margin:4px 0}
        .worst{font-size:12px;width:100%}.worst td{padding:2px 6px}.worst td:first-child{white-space:nowrap}
        .legend{display:flex;flex-wrap:wrap;align-items:center;gap:6px 10px;margin:8px 0;font-size:12.5px;color:var(--muted)}
        .legend .hm{display:inline-block;margin:0}
        .legend .scale text{fill:var(--fg);font-size:10.5px}
        #tip{position:fixed;z-index:9;max-width:460px;padding:6px 9px;border-radius:5px;background:var(--fg);color:var(--bg);\
        font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;white-space:pre-line;pointer-events:none;box-shadow:0 2px 8px #0006}
        .cov td.c{text-align:center;min-width:74px;font-variant-numeric:tabular-nums}
        .cov td.f{outline:2px solid var(--bad);outline-offset:-3px;font-weight:700}
        .cov td.none{color:var(--muted)}
        .hist{display:inline-block;margin:0 24px 8px 0;vertical-align:top}.hist svg text{fill:var(--fg);font-size:10px}
        .hist rect{fill:var(--link)}
        @media print{body{max-width:none;padding:0}.tools,#tip{display:none}details.fx{break-inside:avoid-page}\
        a{color:inherit;text-decoration:none}}
        """

    static let script = """
        (function(){
        var tip=document.getElementById('tip'),src=document.body.getAttribute('data-expected')||'expected';
        function sh(x){if(!isFinite(x))return String(x);if(x===0)return '0';var a=Math.abs(x);return (a>=1e-3&&a<1e4)?String(Number(x.toPrecision(3))):x.toExponential(1);}
        function place(q,l,r,c){
        if(q==='dW')return 'layer '+l+', dW[j='+r+', k='+c+'] = \\u2202Cost/\\u2202w_jk^('+l+')';
        if(q==='db')return 'layer '+l+', db[k='+c+'] = \\u2202Cost/\\u2202b_k^('+l+')';
        return 'layer '+l+', delta[i='+r+', k='+c+'] = g_k^(i,'+l+') = \\u2202L_i/\\u2202z_k^(i,'+l+')';}
        function text(t){var s=t.ownerSVGElement,d=t.dataset,out=[];if(!s||!s.dataset.q)return null;
        var r=d.r!==undefined?d.r:t.getAttribute('y'),c=d.c!==undefined?d.c:t.getAttribute('x');
        if(d.n!==undefined)out.push('block of '+d.n+' entries checked'+(+d.w>0?', '+d.w+' wrong':'')+(+d.k>0?', '+d.k+' at a kink':'')+'; its worst entry:');
        if(d.e===undefined){out.push('block of '+(d.k||0)+' entries, all at a kink: not checkable');return out.join('\\n');}
        out.push(place(s.dataset.q,s.dataset.layer,r,c));
        var e=Number(d.e),g=Number(d.g),b=Number(d.b),diff=Math.abs(g-e);
        out.push('expected ('+src+'): '+d.e);out.push('received: '+d.g);
        out.push('|difference|: '+sh(diff)+'   allowed: '+sh(b));
        if(d.x!==undefined)out.push('oracle\\u2019s error estimate: '+sh(Number(d.x)));
        var cl=t.getAttribute('class')||'';
        if(cl.indexOf('kink')>=0)out.push('at a kink: not checkable (neither passed nor failed)');
        else if(cl.indexOf('bad')>=0)out.push('\\u2715 WRONG: '+(isFinite(diff)&&b>0?sh(diff/b)+'\\u00d7 the allowed difference':'not a finite number'));
        else out.push('\\u2713 within tolerance');
        return out.join('\\n');}
        document.addEventListener('mouseover',function(ev){var t=ev.target;if(t.tagName!=='rect'){return;}var s=text(t);if(!s)return;
        tip.textContent=s;tip.hidden=false;});
        document.addEventListener('mousemove',function(ev){if(tip.hidden)return;var x=ev.clientX+14,y=ev.clientY+14;
        if(x+tip.offsetWidth>innerWidth)x=ev.clientX-tip.offsetWidth-10;if(y+tip.offsetHeight>innerHeight)y=ev.clientY-tip.offsetHeight-10;
        tip.style.left=x+'px';tip.style.top=y+'px';});
        document.addEventListener('mouseout',function(ev){if(ev.target.tagName==='rect')tip.hidden=true;});
        function fold(open){var d=document.querySelectorAll('details');for(var i=0;i<d.length;i++)d[i].open=open;}
        var bs=document.querySelectorAll('button[data-fold]');for(var i=0;i<bs.length;i++){bs[i].hidden=false;
        bs[i].addEventListener('click',function(){fold(this.getAttribute('data-fold')==='open');});}
        window.addEventListener('beforeprint',function(){fold(true);});
        if(location.hash){var h=document.getElementById(location.hash.slice(1));if(h){var p=h.closest('details');if(p)p.open=true;}}
        document.addEventListener('click',function(ev){var a=ev.target.closest&&ev.target.closest('a[href^="#"]');if(!a)return;
        var h=document.getElementById(a.getAttribute('href').slice(1));if(h){var p=h.closest('details');if(p)p.open=true;}});
        var n=0,cs=document.querySelectorAll('svg.hm:not(.key) rect.cell, svg.hm:not(.key) rect.blk');
        for(var i=0;i<cs.length;i++){var k=cs[i].getAttribute('data-n');n+=k===null?1:Number(k);}
        document.body.setAttribute('data-dom-cells',String(n));
        if(location.search.indexOf('tip=first-wrong')>=0){var b=document.querySelector('svg.hm:not(.key) rect.bad');
        if(b){var p=b.closest('details');if(p)p.open=true;var r=b.getBoundingClientRect();
        b.dispatchEvent(new MouseEvent('mouseover',{bubbles:true}));
        document.dispatchEvent(new MouseEvent('mousemove',{clientX:r.right,clientY:r.bottom}));}}
        document.body.setAttribute('data-script-ms',String(Math.round(performance.now())));
        document.body.setAttribute('data-script','ok');
        })();
        """
}
