package bundle

import (
	"bytes"
	"encoding/json"
	"html/template"
)

// PlayerClip is a court clip in the offline player, with the master frame
// and camera wall-clock time of each of its frames.
type PlayerClip struct {
	Path         string    `json:"path"`
	Ref          string    `json:"ref"`
	RecordingID  string    `json:"recording"`
	MasterSHA256 string    `json:"master_sha256"`
	Time         []float64 `json:"time"`  // presentation time of each clip frame, seconds (from its framehash)
	Frame        []int     `json:"frame"` // master frame of each clip frame
	Wall         []string  `json:"wall"`  // camera wall-clock time of each clip frame, UTC
}

// PlayerMarker is a marker listed by the player.
type PlayerMarker struct {
	RecordingID string `json:"recording"`
	From        int    `json:"from"`
	To          int    `json:"to"`
	Category    string `json:"category"`
	Note        string `json:"note,omitempty"` // empty when withheld (Manifest.Notes)
}

// PlayerData is what index.html shows.
type PlayerData struct {
	CaseRef  string         `json:"case_ref"`
	BundleID string         `json:"bundle_id"`
	Clips    []PlayerClip   `json:"clips"`
	Markers  []PlayerMarker `json:"markers"`
	Items    []Item         `json:"items"` // the manifest's items written before index.html
	// Withheld is the sentence saying the markers' notes were withheld
	// (Manifest.Notes), shown under the markers; empty when they were not.
	Withheld string `json:"withheld,omitempty"`
}

// PlayerPage returns index.html: one self-contained page (no network, no
// external script, font or style) that plays the court clips and shows
// the exhibit reference, master frame and camera time of the frame shown.
func PlayerPage(d PlayerData) ([]byte, error) {
	if d.Clips == nil {
		d.Clips = []PlayerClip{}
	}
	if d.Markers == nil {
		d.Markers = []PlayerMarker{}
	}
	if d.Items == nil {
		d.Items = []Item{}
	}
	js, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = playerTmpl.Execute(&b, map[string]any{"D": d, "JSON": template.JS(js)})
	return b.Bytes(), err
}

var playerTmpl = template.Must(template.New("p").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:">
<title>Evidence bundle {{.D.BundleID}} — case {{.D.CaseRef}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f4f4f4;color:#111}
header{background:#1d2b3a;color:#fff;padding:8px 16px}
main{display:flex;gap:16px;padding:12px 16px;flex-wrap:wrap}
#left{flex:3;min-width:320px}#right{flex:1;min-width:260px}
video{width:100%;background:#000;max-height:70vh}
#readout{font:15px/1.5 monospace;background:#fff;border:1px solid #ccc;padding:6px 10px;margin:6px 0}
button{font:inherit;margin:2px}
ul{padding-left:18px}li.mk{cursor:pointer;color:#0645ad}li.mk:hover{text-decoration:underline}
table{border-collapse:collapse;font:12px monospace}td,th{border:1px solid #ccc;padding:2px 4px;text-align:left;word-break:break-all}
</style></head><body>
<header><b>Case {{.D.CaseRef}}</b> · evidence bundle {{.D.BundleID}} · offline player (check the bundle with README.txt)</header>
<main><div id="left">
<div id="clips"></div>
<video id="v" controls preload="auto" playsinline></video>
<div id="readout">no clip</div>
<div><button id="back">&#9664; frame</button><button id="play">play / pause</button><button id="fwd">frame &#9654;</button>
 go to master frame <input id="goto" size="7"> <button id="go">go</button></div>
</div><div id="right"><h3>Markers</h3><ul id="markers"></ul>{{if .D.Withheld}}<p id="withheld">{{.D.Withheld}}</p>{{end}}</div></main>
<section style="padding:0 16px 16px"><h3>Files and SHA-256 (manifest.json)</h3><table id="items"><tr><th>path</th><th>kind</th><th>exhibit</th><th>master</th><th>frames</th><th>SHA-256</th></tr></table></section>
<pre id="testlog" hidden></pre>
<script>
"use strict";
const D = {{.JSON}};
const v = document.getElementById('v'), ro = document.getElementById('readout');
let cur = -1, shown = -1, pending = null;
function el(tag, text) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }
// frameAt returns the clip frame whose display interval holds t.
function frameAt(c, t) {
  let lo = 0, hi = c.time.length - 1;
  if (t < c.time[0]) return 0;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (c.time[mid] <= t + 1e-4) lo = mid; else hi = mid - 1; }
  return lo;
}
function show(i) {
  const c = D.clips[cur]; if (!c) return;
  shown = i;
  ro.textContent = 'Exhibit ' + c.ref + ' · recording ' + c.recording + ' · master frame ' + c.frame[i] +
    ' · camera time ' + c.wall[i] + ' · clip frame ' + i + ' of ' + c.time.length;
  ro.dataset.masterFrame = c.frame[i]; ro.dataset.clipFrame = i; ro.dataset.clip = cur;
}
function onTime(t) { if (cur >= 0) show(frameAt(D.clips[cur], t)); }
function loop(now, meta) { onTime(meta.mediaTime); v.requestVideoFrameCallback(loop); }
if ('requestVideoFrameCallback' in HTMLVideoElement.prototype) v.requestVideoFrameCallback(loop);
v.addEventListener('seeked', () => { onTime(v.currentTime); if (pending) { const p = pending; pending = null; p(); } });
v.addEventListener('timeupdate', () => { if (!('requestVideoFrameCallback' in HTMLVideoElement.prototype) || v.paused) onTime(v.currentTime); });
// seekFrame shows clip frame i: the middle of its display interval.
function seekFrame(i, done) {
  const c = D.clips[cur]; i = Math.max(0, Math.min(c.time.length - 1, i));
  const end = i + 1 < c.time.length ? c.time[i + 1] : c.time[i] + (i > 0 ? c.time[i] - c.time[i - 1] : 0.04);
  v.pause(); pending = done || null; v.currentTime = (c.time[i] + end) / 2;
}
function select(k, done) {
  if (k === cur) { if (done) done(); return; }
  cur = k; v.src = D.clips[k].path; shown = -1;
  v.addEventListener('loadeddata', () => { show(0); if (done) done(); }, { once: true });
}
function seekMaster(rec, f, done) {
  for (let k = 0; k < D.clips.length; k++) {
    const c = D.clips[k]; if (c.recording !== rec) continue;
    let best = -1; for (let i = 0; i < c.frame.length; i++) if (c.frame[i] >= f) { best = i; break; }
    if (best < 0) continue;
    select(k, () => seekFrame(best, done)); return true;
  }
  if (done) done(); return false;
}
const cl = document.getElementById('clips');
D.clips.forEach((c, k) => { const b = el('button', c.ref + ' (master ' + c.recording + ' frames ' + c.frame[0] + '–' + c.frame[c.frame.length - 1] + ')'); b.onclick = () => select(k); cl.appendChild(b); });
const mk = document.getElementById('markers');
D.markers.forEach(m => { const li = el('li', m.recording + ' frame ' + m.from + (m.to !== m.from ? '–' + m.to : '') + ' · ' + m.category + (m.note ? ' · ' + m.note : '')); li.className = 'mk'; li.onclick = () => seekMaster(m.recording, m.from); mk.appendChild(li); });
if (!D.markers.length) mk.appendChild(el('li', 'none'));
const it = document.getElementById('items');
D.items.forEach(x => { const r = el('tr'); [x.path, x.kind, x.exhibit_ref || '', x.master_id || '', x.frames ? x.frames.from + '–' + x.frames.to : '', x.sha256 || '(in SHA256SUMS)'].forEach(s => r.appendChild(el('td', s))); it.appendChild(r); });
document.getElementById('back').onclick = () => { if (shown >= 0) seekFrame(shown - 1); };
document.getElementById('fwd').onclick = () => { if (shown >= 0) seekFrame(shown + 1); };
document.getElementById('play').onclick = () => { if (v.paused) v.play(); else v.pause(); };
document.getElementById('go').onclick = () => { const c = D.clips[cur]; if (c) seekMaster(c.recording, parseInt(document.getElementById('goto').value, 10)); };
document.addEventListener('keydown', e => { if (e.target.tagName === 'INPUT') return; if (e.key === 'ArrowLeft' || e.key === ',') { seekFrame(shown - 1); e.preventDefault(); } if (e.key === 'ArrowRight' || e.key === '.') { seekFrame(shown + 1); e.preventDefault(); } });
// A script in the URL fragment drives the page for tests:
// #run=master:REC:F,step:1,step:-1,play:0.5 ; results go to #testlog.
function runScript(cmds) {
  const log = document.getElementById('testlog');
  const grab = /grab=1/.test(location.hash);
  const rec = () => {
    log.textContent += (ro.dataset.masterFrame || '-') + '\n';
    if (!grab) return;
    // Test hook: the picture shown, for reading its frame-index band.
    const c = document.createElement('canvas'); c.width = v.videoWidth; c.height = v.videoHeight;
    c.getContext('2d').drawImage(v, 0, 0);
    try { (window.grabs = window.grabs || []).push(c.toDataURL('image/png')); } catch (e) { log.textContent += 'grab failed ' + e + '\n'; }
  };
  const next = () => {
    const c = cmds.shift(); if (c === undefined) { log.dataset.done = '1'; document.title = 'DONE'; return; }
    const a = c.split(':');
    if (a[0] === 'master') seekMaster(a[1], +a[2], () => { rec(); next(); });
    else if (a[0] === 'step') seekFrame(shown + (+a[1]), () => { rec(); next(); });
    else if (a[0] === 'play') { const t0 = v.currentTime; v.play().then(() => { const w = () => { if (v.currentTime >= t0 + (+a[1])) { v.pause(); log.textContent += 'played ' + (v.currentTime - t0).toFixed(2) + '\n'; next(); } else setTimeout(w, 20); }; w(); }, e => { log.textContent += 'play failed ' + e + '\n'; next(); }); }
    else next();
  };
  next();
}
if (D.clips.length) select(0, () => {
  const m = /run=([^&]*)/.exec(location.hash);
  if (m) runScript(decodeURIComponent(m[1]).split(','));
});
v.addEventListener('error', () => { ro.textContent = 'this browser cannot play ' + (D.clips[cur] || {}).path + ' (H.264/AAC MP4); use VLC or another player'; document.getElementById('testlog').textContent += 'error ' + (v.error && v.error.code) + '\n'; document.title = 'DONE'; });
</script></body></html>
`))
